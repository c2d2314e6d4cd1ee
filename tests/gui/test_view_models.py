"""The other Qt-free view models: hand-out, decisions, the prompt exchange, progress, journal
rows, messages, and that none of them imports Qt."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ceremony.errors import PlanError
from ceremony.journal import Journal
from ceremony.prompts import Decision, Outcome, StepView
from crypto.errors import ShareError
from gui.errors import CeremonyInterrupted, GuiError
from gui.prompter import WindowPrompter
from gui.viewmodels.decision import DecisionForm, Question
from gui.viewmodels.exchange import Prompt, PromptExchange
from gui.viewmodels.hand_out import CopyCheckForm, HandOut, Stage
from gui.viewmodels.journal_rows import JournalTail
from gui.viewmodels.messages import sentence
from gui.viewmodels.progress import CeremonyProgress, RunState, StepState

ROOT = Path(__file__).resolve().parents[2]

# --- hand-out ----------------------------------------------------------------------------------


def test_a_hand_out_shows_the_words_only_between_reveal_and_hide() -> None:
    words = ("academic", "acid", "acne", "acquire", "acrobat")
    hand_out = HandOut("Carol", 2, 5, words)
    assert hand_out.stage is Stage.PRIVACY
    assert "Only Carol should look" in hand_out.message
    assert not any(word in hand_out.message for word in words)
    shown = hand_out.reveal()
    assert [(w.position, w.word) for w in shown] == list(enumerate(words, start=1))
    assert hand_out.stage is Stage.SHOWN
    with pytest.raises(ValueError):
        hand_out.reveal()
    hand_out.hide()
    assert hand_out.stage is Stage.HIDDEN
    assert hand_out._words == ()  # dropped, not just hidden
    assert "academic" not in repr(hand_out)
    with pytest.raises(ValueError):
        hand_out.hide()


def test_a_copy_check_takes_words_or_unique_prefixes_only() -> None:
    form = CopyCheckForm("Dave", (3, 9, 17), 33)
    assert not form.whole
    assert CopyCheckForm("Dave", tuple(range(1, 34)), 33).whole
    assert form.message == "Dave: from your written copy, type words 3, 9 and 17 of your share."
    assert not form.ready and form.problem == "Type word 3."
    form.set_answer(0, "acad")
    form.set_answer(1, "ac")  # several words start like this
    form.set_answer(2, "zero")
    assert not form.ready and "Word 9" in (form.problem or "")
    with pytest.raises(ValueError):
        form.answers()
    form.set_answer(1, "acid")
    assert form.ready
    assert form.answers() == ("academic", "acid", "zero")
    assert CopyCheckForm("Erin", (4,), 20).message.endswith("type word 4 of your share.")


# --- decisions ---------------------------------------------------------------------------------


def test_a_sign_off_confirms_by_name_and_refusing_needs_a_reason() -> None:
    form = DecisionForm(Question.SIGN_OFF, "Alice", "The token is the right one.")
    assert [c.label for c in form.choices] == ["Confirm as Alice", "Refuse…", "Deviate…"]
    assert form.decide(Outcome.CONFIRMED) == Decision(Outcome.CONFIRMED, "Alice")
    with pytest.raises(GuiError, match="reason"):
        form.decide(Outcome.REFUSED, "   ")
    refused = form.decide(Outcome.REFUSED, "  seal   broken ")
    assert refused == Decision(Outcome.REFUSED, "Alice", "seal broken")
    with pytest.raises(GuiError):
        form.decide(Outcome.DEVIATION, "")


def test_signing_has_no_deviation_and_a_problem_can_stop_without_a_reason() -> None:
    signing = DecisionForm(Question.SIGNING, "Alice", "sign the root certificate shown")
    assert Outcome.DEVIATION not in [c.outcome for c in signing.choices]
    with pytest.raises(ValueError):
        signing.decide(Outcome.DEVIATION, "because")
    problem = DecisionForm(Question.DEVIATION, "Alice", "the network is up")
    stop = problem.decide(Outcome.REFUSED)
    assert stop.outcome is Outcome.REFUSED and "Alice" in stop.reason
    assert problem.decide(Outcome.DEVIATION, "rehearsal laptop").reason == "rehearsal laptop"


# --- the prompt exchange between the worker and the window -------------------------------------


def _answer_each(posted: list[Prompt], answers: dict[str, object]) -> threading.Thread:
    def answer() -> None:
        seen = 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            while seen < len(posted):
                prompt = posted[seen]
                seen += 1
                if prompt.needs_answer:
                    prompt.answer(answers[prompt.kind])
            time.sleep(0.005)
    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


def test_the_worker_waits_for_each_answer_and_gets_it_back() -> None:
    posted: list[Prompt] = []
    prompter = WindowPrompter(PromptExchange(posted.append))
    decision = Decision(Outcome.CONFIRMED, "Alice")
    _answer_each(posted, {"sign_off": decision, "pin": "1234", "copy_check": ("acid",),
                          "enter_share": "academic acid", "confirm_head": decision})
    prompter.step(StepView("s", 1, 2, "Title", "Do it", ("Alice",), ("administrator",)))
    prompter.inform("hello")
    assert prompter.sign_off("Alice", "ok?") == decision
    assert prompter.pin("Alice", "root", None) == "1234"
    assert prompter.copy_check("Carol", (3,), 20) == ("acid",)
    assert prompter.enter_share("No shares accepted yet.", None) == "academic acid"
    assert prompter.confirm_head("Bob", "ab" * 32, "aardvark") == decision
    assert [p.kind for p in posted] == ["step", "inform", "sign_off", "pin", "copy_check",
                                        "enter_share", "confirm_head"]
    assert not posted[0].needs_answer
    secret_prompt = posted[3]
    assert secret_prompt._answer is None  # the worker took the PIN; the prompt forgot it
    assert "1234" not in repr(secret_prompt)


def test_stopping_wakes_a_waiting_worker_with_an_interruption() -> None:
    posted: list[Prompt] = []
    exchange = PromptExchange(posted.append)
    prompter = WindowPrompter(exchange)
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            prompter.pin("Alice", "root", None)
        except CeremonyInterrupted as ex:
            outcome.append(ex)

    thread = threading.Thread(target=worker)
    thread.start()
    while exchange.waiting is None:
        time.sleep(0.001)
    exchange.stop()
    thread.join(2)
    assert not thread.is_alive() and len(outcome) == 1
    assert isinstance(outcome[0], KeyboardInterrupt)  # the runner journals it as an abort
    with pytest.raises(CeremonyInterrupted):
        prompter.inform("too late")
    with pytest.raises(ValueError):
        posted[0].answer("too late")  # the stop closed it; a late answer is refused


# --- steps and the journal ---------------------------------------------------------------------


def _journal(folder: Path) -> Journal:
    journal = Journal.create(folder)
    journal.append("ceremony-started", "keyceremony", "system", {
        "id": "t", "steps": [{"id": "a", "title": "First"}, {"id": "b", "title": "Second"}]})
    journal.append("step-started", "keyceremony", "system", {"step": "a", "title": "First"})
    journal.append("sign-off", "Alice", "administrator", {"step": "a", "question": "ok?"})
    journal.append("step-completed", "keyceremony", "system", {"step": "a"})
    return journal


def test_the_journal_tail_reads_complete_lines_only(tmp_path: Path) -> None:
    tail = JournalTail(tmp_path / "journal.jsonl")
    assert tail.poll() == () and tail.head is None
    journal = _journal(tmp_path)
    rows = tail.poll()
    assert [r.event for r in rows] == ["ceremony-started", "step-started", "sign-off",
                                       "step-completed"]
    assert rows[2].actor == "Alice" and "question: ok?" in rows[2].summary
    assert tail.head is not None and tail.head.hex == journal.head
    assert len(tail.head.words.split()) == 32 and len(tail.head.short_words.split()) == 8
    journal.close()
    with (tmp_path / "journal.jsonl").open("ab") as file:
        file.write(b'{"seq": 5, "ev')  # a line still being written
    assert tail.poll() == ()
    assert len(tail.rows) == 4


def test_step_states_follow_the_journal(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    tail = JournalTail(tmp_path / "journal.jsonl")
    progress = CeremonyProgress(())
    assert progress.apply(tail.poll())
    assert [(r.id, r.state) for r in progress.rows] == [("a", StepState.DONE),
                                                        ("b", StepState.PENDING)]
    assert progress.rows[0].label == "✓ 1. First"
    progress.show(StepView("b", 2, 2, "Second", "", (), ()))
    assert progress.rows[1].state is StepState.CURRENT
    assert progress.describe() == "Step 2 of 2: Second."
    journal.append("step-refused", "Alice", "administrator", {"step": "b", "reason": "no"})
    progress.apply(tail.poll())
    assert progress.rows[1].state is StepState.REFUSED
    assert progress.state is RunState.STOPPED
    assert "stopped after 1 of 2 steps" in progress.describe()
    journal.close()


# --- messages ----------------------------------------------------------------------------------


def test_every_error_becomes_one_sentence() -> None:
    assert sentence(ShareError("share 2 fails its checksum")) == "Share 2 fails its checksum."
    plan = sentence(PlanError(["shares.threshold: must be at least 2"], "p.toml"))
    assert plan == "P.toml: shares.threshold: must be at least 2."
    missing = sentence(FileNotFoundError(2, "No such file or directory", "/nowhere"))
    assert missing.startswith("Cannot use /nowhere: No such file or directory")
    odd = sentence(ZeroDivisionError("division by zero"))
    assert "unexpected ZeroDivisionError" in odd and "Traceback" not in odd


def test_view_models_import_no_qt() -> None:
    modules = [f"gui.viewmodels.{p.stem}" for p in (ROOT / "gui" / "viewmodels").glob("*.py")
               if p.stem != "__init__"] + ["gui.prompter", "gui.errors"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
