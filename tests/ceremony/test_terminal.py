"""The terminal front end, driven through its input functions and a stand-in for the
controlling terminal (a unit test; tests/ceremony/test_terminal_secrets.py uses a real one)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceremony.errors import NoTerminal
from ceremony.frontends.terminal import CLEAR, ControllingTerminal, TerminalPrompter
from ceremony.prompts import Outcome, SigningPreview


class FakeTerminal(ControllingTerminal):
    """What the program wrote to the terminal, and lines typed there (hidden or not)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.screen = io.StringIO()
        self.lines: Iterator[str] = iter(lines)

    def write(self, text: str, why: str) -> None:
        self.screen.write(text)

    def read_line(self, prompt: str, why: str) -> str:
        self.screen.write(prompt)
        return next(self.lines)

    def read_secret(self, prompt: str, why: str) -> str:
        self.screen.write(prompt)
        return next(self.lines)


def _scripted(monkeypatch: pytest.MonkeyPatch, typed: list[str], hidden: list[str]) -> io.StringIO:
    answers: Iterator[str] = iter(typed)
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    return io.StringIO()


def test_a_share_is_shown_only_after_its_holder_asks_and_is_cleared_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, [], [])
    tty = FakeTerminal(["", ""])
    prompter = TerminalPrompter(tty)
    prompter.out = out
    words = tuple(f"w{i}" for i in range(20))
    prompter.hand_out_share("Carol", 2, 5, words)
    assert "w0" not in out.getvalue()  # standard output only says a share is being shown
    text = tty.screen.getvalue()
    assert text.count(CLEAR) == 2
    shown = text.split(CLEAR)[1]
    assert "Share 2 of 5 for Carol" in shown and " 1. w0" in shown and "20. w19" in shown
    assert "w0" not in text.split(CLEAR)[0] and "w0" not in text.split(CLEAR)[2]


def test_refusal_and_deviation_need_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["maybe", "n", "", "wrong token", "d", "vendor NIC"], [])
    prompter = TerminalPrompter()
    prompter.out = out
    refused = prompter.sign_off("Bob", "Is this the token?")
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED, "wrong token")
    deviated = prompter.sign_off("Alice", "Offline?")
    assert (deviated.outcome, deviated.reason) == (Outcome.DEVIATION, "vendor NIC")


def test_signing_preview_is_shown_in_full_before_the_question(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["y"], [])
    prompter = TerminalPrompter()
    prompter.out = out
    preview = SigningPreview("root certificate", (("Subject", "CN=Root"),),
                             ("basicConstraints (critical): CA=True",), ("clean: no findings",),
                             True, "root-key (SPKI SHA-256 ab)")
    decision = prompter.confirm_signing("Alice", preview)
    text = out.getvalue()
    assert decision.outcome is Outcome.CONFIRMED and decision.person == "Alice"
    for expected in ("CN=Root", "basicConstraints", "clean", "root-key"):
        assert expected in text


def test_pin_and_shares_are_read_on_the_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, [], [])
    tty = FakeTerminal(["123456", "acid acne", "w3", "w9", "acid acne", "acid acne academic"])
    prompter = TerminalPrompter(tty)
    prompter.out = out
    assert prompter.pin("Alice", "root", "the token refused the PIN") == "123456"
    assert prompter.enter_share("1 of 3 shares accepted.", None) == "acid acne"
    assert prompter.copy_check("Carol", (3, 9), 20) == ("w3", "w9")
    # The whole share typed back: asked again until it has the share's number of words.
    assert prompter.copy_check("Carol", (1, 2, 3), 3) == ("acid", "acne", "academic")
    assert "That was 2 words; the share has 3" in out.getvalue()
    assert "123456" not in out.getvalue() and "acid" not in out.getvalue()
    assert "PIN of token 'root'" in tty.screen.getvalue()


def test_the_resume_check_shows_the_head_and_takes_a_no_with_its_reason(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["n", "", "the paper log ends in 'adroitness'"], [])
    prompter = TerminalPrompter(FakeTerminal([]))
    prompter.out = out
    decision = prompter.confirm_head("Bob", "ab" * 32, "aardvark adroitness")
    assert (decision.outcome, decision.person) == (Outcome.REFUSED, "Bob")
    assert decision.reason == "the paper log ends in 'adroitness'"
    assert "ab" * 32 in out.getvalue() and "aardvark adroitness" in out.getvalue()


def test_with_no_terminal_a_secret_is_refused_in_one_sentence(tmp_path: Path) -> None:
    prompter = TerminalPrompter(ControllingTerminal(str(tmp_path / "no-tty")))
    with pytest.raises(NoTerminal, match="handing out a share needs the controlling terminal"):
        prompter.hand_out_share("Carol", 1, 5, ("acid",) * 20)


def test_who_acts_is_named_each_with_their_own_role(monkeypatch: pytest.MonkeyPatch) -> None:
    from ceremony.prompts import StepView

    prompter = TerminalPrompter()
    prompter.out = io.StringIO()
    prompter.step(StepView("keys", 2, 5, "Generate", "Do it", ("Alice", "Carol", "Dave"),
                           ("administrator", "custodian"),
                           ("administrator", "custodian", "custodian")))
    assert "Acting: Alice (administrator), Carol (custodian), Dave (custodian)\n" in \
        prompter.out.getvalue()
