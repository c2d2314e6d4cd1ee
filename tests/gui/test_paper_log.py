"""The paper-log moments and completion screen (Qt-free view models), and the one final head
that the journal, the dashboard's record and the auditor view agree on."""

from __future__ import annotations

from pathlib import Path

from ceremony.journal import Event, Journal, PaperHead, final_head, head_words
from ceremony.prompts import HeadMoment
from gui.viewmodels.jobs import PlanJob, RehearsalJob
from gui.viewmodels.journal_rows import deviation_message, row_of
from gui.viewmodels.paper_log import Completion, HeadMomentForm, job_inventory

HEAD = "0123456789abcdef" * 4


def test_a_head_moment_names_its_ceremony_record_and_the_person_who_confirms() -> None:
    moment = HeadMoment("Root ceremony", 55, HEAD, head_words(HEAD), final=True)
    form = HeadMomentForm("Bob", moment)
    assert form.label == "Root ceremony, final chain head (record 55)"
    lines = form.word_lines
    assert len(lines) == 4 and lines[0].startswith("1-8:") and lines[3].startswith("25-32:")
    assert " ".join(w for line in lines for w in line.split()[1:]) == " ".join(
        head_words(HEAD).split())
    assert form.hex_groups.replace(" ", "").replace("\n", "") == HEAD
    assert "final head" in form.instructions and "record number" in form.instructions
    assert form.confirm_text.endswith("confirm as Bob")
    plain = HeadMomentForm("Bob", HeadMoment("Root ceremony", 12, HEAD, head_words(HEAD)))
    assert plain.label == "Root ceremony, chain head (record 12)"
    assert "final" not in plain.instructions


def test_the_completion_screen_names_folder_transcript_and_inventory(tmp_path: Path) -> None:
    done = Completion(tmp_path, tmp_path / "inventory.sqlite3")
    assert done.transcript is None and done.verify_target == tmp_path / "journal.jsonl"
    assert dict(done.rows)["Transcript"].startswith("none")
    (tmp_path / "transcript.pdf").write_bytes(b"%PDF")
    assert done.transcript == tmp_path / "transcript.pdf" == done.verify_target
    assert dict(done.rows) == {"Folder": str(tmp_path),
                               "Transcript": str(tmp_path / "transcript.pdf"),
                               "Inventory": str(tmp_path / "inventory.sqlite3")}
    assert job_inventory(RehearsalJob(tmp_path)) == tmp_path / "inventory.sqlite3"
    plan_job = PlanJob(plan=None, folder=tmp_path, inventory=tmp_path / "i.db")  # type: ignore[arg-type]
    assert job_inventory(plan_job) == tmp_path / "i.db"
    assert job_inventory(object()) is None


def test_the_final_head_is_the_last_record_the_transcript_covers(tmp_path: Path) -> None:
    with Journal.create(tmp_path) as journal:
        journal.append(Event.CEREMONY_STARTED, "program", "program", {"id": "x"})
        assert final_head(journal.records) == PaperHead(1, journal.head)  # unfinished: last
        completed = journal.append(Event.CEREMONY_COMPLETED, "program", "program", {})
        journal.append(Event.TRANSCRIPT_WRITTEN, "program", "program",
                       {"path": "transcript.pdf", "journal_head": completed.hash})
        journal.append(Event.HEAD_RECORDED, "Bob", "witness",
                       {"head": completed.hash, "record": 2, "final": True, "step": None})
        assert final_head(journal.records) == PaperHead(2, completed.hash)
    (tmp_path / "drill").mkdir()
    with Journal.create(tmp_path / "drill") as journal:  # no transcript: the head shown last
        completed = journal.append(Event.CEREMONY_COMPLETED, "program", "program", {})
        journal.append(Event.HEAD_RECORDED, "Bob", "witness",
                       {"head": completed.hash, "record": 1, "final": True, "step": None})
        assert final_head(journal.records) == PaperHead(1, completed.hash)
    assert final_head(()) is None


def test_a_deviation_is_told_whole_with_its_reason() -> None:
    row = row_of({"seq": 9, "event": "deviation", "actor": "program", "data": {
        "step": "environment", "automatic": True, "reason": "rehearsal on a networked machine "
        + "x" * 200, "problem": "network interfaces are up"}})
    message = deviation_message(row)
    assert message is not None and message.startswith(
        "Deviation recorded automatically at step environment: network interfaces are up; "
        "reason: rehearsal on a networked machine")
    assert "x" * 200 in message  # never cut short, unlike the journal table's cell
    by_person = row_of({"seq": 3, "event": "deviation", "actor": "Alice",
                        "data": {"reason": "late start"}})
    assert deviation_message(by_person) == "Deviation recorded by Alice; reason: late start."
    assert deviation_message(row_of({"event": "sign-off", "data": {}})) is None


def test_role_colours_and_the_accent_meet_wcag_aa_and_every_person_has_their_role() -> None:
    from ceremony.plan import Role
    from gui.viewmodels.look import (
        AA_TEXT,
        ACCENT,
        BACKGROUND,
        FAILED,
        OK,
        ROLE_COLOURS,
        acting,
        contrast,
    )

    assert set(ROLE_COLOURS) == set(Role)
    for colour in (*ROLE_COLOURS.values(), ACCENT, OK, FAILED):
        assert contrast(colour, BACKGROUND) >= AA_TEXT, colour
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    roles = {"Alice": "administrator", "Carol": "custodian"}
    people = acting(("Alice", "Carol"), ("administrator", "custodian"), roles.get)
    assert [p.label for p in people] == ["Alice · administrator", "Carol · custodian"]
    assert people[0].colour != people[1].colour  # and each label names its role in words
    assert acting((), ("administrator",), roles.get)[0].label == \
        "the administrator · administrator"


def test_a_step_the_journal_has_completed_stays_done_when_its_prompt_arrives_late() -> None:
    from ceremony.prompts import StepView
    from gui.viewmodels.progress import CeremonyProgress, StepState

    progress = CeremonyProgress((("a", "A"), ("b", "B")))
    progress.apply([row_of({"seq": 1, "event": "step-started", "data": {"step": "a"}}),
                    row_of({"seq": 2, "event": "step-completed", "data": {"step": "a"}})])
    progress.show(StepView("a", 1, 2, "A", "", (), ()))  # the queued prompt, after the record
    assert [r.state for r in progress.rows] == [StepState.DONE, StepState.PENDING]
    progress.show(StepView("b", 2, 2, "B", "", (), ()))
    assert progress.rows[1].state is StepState.CURRENT
