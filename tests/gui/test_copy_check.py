"""The copy check after a hand-out (issue 13, item 12): a valid word is only a valid word until
the ceremony compares it, a mismatch names its words in a sentence and marks them on the share
shown again, and a copy that passed is confirmed in words."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ceremony.demo.rehearsal import DEMO_PIN
from ceremony.engine.custody import mismatch_problem
from ceremony.journal import Event
from ceremony.prompts import positions_named
from crypto.shares import WORDLIST
from gui.viewmodels.hand_out import (
    WRONG_MARK,
    CopyCheckForm,
    HandOut,
    copy_mismatch,
    copy_verified,
)
from gui.viewmodels.jobs import RehearsalJob
from gui.viewmodels.journal_rows import JournalRow
from gui.viewmodels.share_form import FieldState, ShareForm, Verdict, check_field
from gui.widgets.hand_out import CopyCheckWidget, HandOutWidget
from gui.widgets.plaintext import PlainLabel
from tests.gui.driver import Room, pause

GREENS = ("#34a853", "#e6f4ea", "#137333")


def _row(event: Event, **data: Any) -> JournalRow:
    return JournalRow(1, "", "Alice", "custodian", event.value, "", "", data)


# --- Qt-free -----------------------------------------------------------------------------------

def test_mismatched_words_are_named_in_a_sentence() -> None:
    assert positions_named((8,)) == "word 8"
    assert positions_named((3, 8)) == "words 3 and 8"
    assert positions_named((3, 5, 8)) == "words 3, 5 and 8"
    assert mismatch_problem("Alice", (8,)).startswith("Alice: word 8 does not match the share")
    assert mismatch_problem("Alice", (3, 8)).startswith("Alice: words 3 and 8 do not match")
    assert CopyCheckForm("Bo", (2, 9, 17), 20).message == \
        "Bo: from your written copy, type words 2, 9 and 17 of your share."


def test_a_share_shown_again_marks_the_words_to_correct_with_a_sign() -> None:
    hand_out = HandOut("Alice", 1, 5, [f"w{i}" for i in range(1, 21)], wrong=(8,))
    shown = hand_out.reveal()
    assert [w.position for w in shown if w.wrong] == [8]
    assert shown[7].number == f"{WRONG_MARK} 8." and shown[6].number == "7."
    assert "word 8 (marked ✗) does not match your copy" in hand_out.message
    again = HandOut("Alice", 1, 5, ["w"] * 20, wrong=(8, 3))
    again.reveal()
    assert "words 3 and 8 (marked ✗) do not match" in again.message
    plain = HandOut("Alice", 1, 5, ["w"] * 20)
    plain.reveal()
    assert WRONG_MARK not in plain.message


def test_the_journal_says_which_copy_passed_and_which_words_missed() -> None:
    whole = _row(Event.SHARE_VERIFIED, holder="Alice", number=1, copy_check="whole",
                 positions_checked=list(range(1, 21)))
    assert copy_verified(whole) == "Alice's copy matches: all 20 words checked."
    sampled = _row(Event.SHARE_VERIFIED, holder="Bo", copy_check="sampled",
                   positions_checked=[2, 9, 17])
    assert copy_verified(sampled) == "Bo's copy matches: words 2, 9 and 17 checked."
    missed = _row(Event.SHARE_COPY_MISMATCH, holder="Alice", wrong_positions=[3, 8])
    assert copy_mismatch(missed) == ("Alice", (3, 8))
    assert copy_verified(missed) is None and copy_mismatch(whole) is None


def test_a_valid_word_is_called_valid_and_a_well_formed_copy_claims_no_match() -> None:
    word = check_field(4, "academic")
    assert word.state is FieldState.WORD and word.hint() == "Word 4: a valid word."
    from crypto.shares import ShareScheme, split_secret

    share = split_secret(bytes(range(16)), ShareScheme.single(2, 3)).shares[0][0].split()
    form = ShareForm(20, copy_of="Alice")
    for position, text in enumerate(share, start=1):
        form.set_word(position, text)
    view = form.view
    assert view.verdict is Verdict.READY
    assert "match" not in view.message.replace("compares", "")
    assert "passes" not in view.message and "Alice's share" in view.message


# --- widgets -----------------------------------------------------------------------------------

@pytest.mark.gui
def test_a_valid_but_wrong_word_is_not_coloured_as_a_match(qtbot: Any) -> None:
    widget = CopyCheckWidget(CopyCheckForm("Carol", tuple(range(1, 21)), 20))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.entry is not None
    field = widget.entry.field(1)
    qtbot.keyClicks(field, "academic")  # a real word, whatever the share says
    assert widget.entry.view.fields[0].state is FieldState.WORD
    assert not any(green in field.styleSheet().lower() for green in GREENS)
    assert field.accessibleDescription() == "Word 1: a valid word."
    sampled = CopyCheckWidget(CopyCheckForm("Carol", (2, 7), 20))
    qtbot.addWidget(sampled)
    qtbot.keyClicks(sampled.edits[0], "zero")
    assert not any(green in sampled.edits[0].styleSheet().lower() for green in GREENS)


@pytest.mark.gui
def test_the_share_shown_again_marks_the_wrong_word(qtbot: Any) -> None:
    words = tuple(WORDLIST[i] for i in range(20))
    widget = HandOutWidget(HandOut("Dave", 2, 5, words, wrong=(8,)),
                           "Dave: word 8 does not match the share; it is shown again")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    marked = widget.findChild(PlainLabel, "n8")
    assert marked is not None and marked.text() == f"{WRONG_MARK} 8." and marked.font().bold()
    assert widget.findChild(PlainLabel, "n7").text() == "7."
    assert "word 8 (marked ✗)" in widget.message.text()
    assert widget.shown_words() == words


@pytest.mark.gui
@pytest.mark.softhsm
def test_a_miscopied_word_is_marked_and_a_good_copy_is_confirmed(window: Any,
                                                                 tmp_path: Path) -> None:
    view = window.start_job(RehearsalJob(tmp_path / "rehearsal", ("root",)))
    miscopied: dict[str, str] = {}
    marked: list[str] = []
    confirmed: list[str] = []

    def look(kind: str, panel: Any) -> None:
        if kind == "hand_out" and view.confirmation.isVisibleTo(view):
            confirmed.append(view.confirmation.text())  # the last copy's verdict, in words
        if kind == "hand_out_shown" and panel.widget.hand_out.wrong:
            number = panel.widget.findChild(PlainLabel, "n8")
            marked.append(f"{number.text()} | {panel.widget.message.text()}")

    room = Room(view, DEMO_PIN, before_answer=look)
    deadline = time.monotonic() + 180
    # The worker stops before its outcome reaches the window: wait for both, as Room.run does.
    while view.running or view.outcome is None:
        assert time.monotonic() < deadline, "the ceremony did not end within 180 s"
        if view.panel is None or not view.panel.isEnabled():
            pause(10)
            continue
        widget = getattr(view.panel, "widget", None)
        if Room._kind(view.panel) == "copy_check" and not miscopied:
            # The first custodian wrote word 8 wrong; the checksum says the copy fails.
            holder = widget.form.holder
            words = list(room.notebooks[holder])
            words[7] = next(w for w in WORDLIST if w[:4] != words[7][:4])
            miscopied[holder] = words[7]
            widget.entry.field(1).setFocus()
            for word in words:
                qtbot_keys(widget.entry.focusWidget(), word[:4])
            widget.button.click()  # "My copy does not pass: show my share again"
            continue
        room.answer()
    assert view.outcome is not None and "complete" in view.outcome.lower()
    (holder,) = miscopied
    assert marked == [f"{WRONG_MARK} 8. | {holder}: word 8 (marked ✗) does not match your copy. "
                      "Correct your paper, check all 33 words again, then hide the share."]
    assert confirmed and confirmed[0] == f"✓ {holder}'s copy matches: all 33 words checked."
    messages = [view.messages.item(i).text() for i in range(view.messages.count())]
    assert f"{holder}: word 8 does not match the share; it is shown again to correct the copy" \
        in messages, messages
    assert sum(m.endswith("'s copy matches: all 33 words checked.") for m in messages) == 5


def qtbot_keys(widget: Any, text: str) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Space)
