"""The share entry and hand-out widgets, driven by keyboard and mouse offscreen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from gui.viewmodels.hand_out import CopyCheckForm, HandOut, Stage
from gui.viewmodels.share_form import FieldState, ShareForm, Verdict
from gui.widgets.hand_out import CopyCheckWidget, HandOutWidget
from gui.widgets.secure import PrivateLabel
from gui.widgets.share_entry import ShareEntryWidget
from tests.gui.helpers import mistype, shown, split

pytestmark = pytest.mark.gui


def entry_widget(qtbot: Any, word_count: int = 20) -> ShareEntryWidget:
    widget = ShareEntryWidget(ShareForm(word_count=word_count))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_share(qtbot: Any, widget: ShareEntryWidget, share: str) -> None:
    """Type each word's first four letters and Space, as a custodian would."""
    widget.field(1).setFocus()
    for word in share.split():
        qtbot.keyClicks(widget.focusWidget(), word[:4])
        qtbot.keyClick(widget.focusWidget(), Qt.Key.Key_Space)


def test_typing_a_share_fills_in_each_word_and_submits_with_enter(qtbot: Any) -> None:
    share = split(2, 3).shares[0][0]
    widget = entry_widget(qtbot)
    type_share(qtbot, widget, share)
    assert [f.text() for f in widget.fields] == share.split()  # prefixes completed
    assert widget.view.verdict is Verdict.READY and widget.submit_button.isEnabled()
    with qtbot.waitSignal(widget.submitted) as submitted:
        qtbot.keyClick(widget.field(20), Qt.Key.Key_Return)
    assert submitted.args == [share]
    assert widget.progress_label.text() == "1 of 2 shares accepted."
    assert all(f.text() == "" for f in widget.fields)
    assert widget.focusWidget() is widget.field(1)


def test_a_keystroke_restyles_only_the_word_it_changed(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Restyling all 33 fields at each keystroke held the event loop for a second a share.
    share = split(2, 3).shares[0][0].split()
    widget = entry_widget(qtbot, word_count=len(share))
    restyled: list[str] = []
    def recorder(name: str) -> Any:
        return lambda sheet: restyled.append(name)

    for edit in widget.fields:
        monkeypatch.setattr(edit, "setStyleSheet", recorder(edit.objectName()))
    widget.field(3).setFocus()
    qtbot.keyClicks(widget.field(3), share[2][:4])
    assert set(restyled) == {"word3"} and len(restyled) <= 4
    assert widget.view.fields[2].state is FieldState.WORD


def test_a_typo_is_marked_on_its_word_and_blocks_submitting(qtbot: Any) -> None:
    share = split(2, 3).shares[0][1]
    widget = entry_widget(qtbot)
    type_share(qtbot, widget, mistype(share, 5))
    assert widget.view.fields[4].state is FieldState.SUSPECT
    assert "word 5 is probably wrong" in widget.message_label.text()
    assert "fde2e1" in widget.field(5).styleSheet()
    assert not widget.submit_button.isEnabled()
    with qtbot.assertNotEmitted(widget.submitted):
        qtbot.keyClick(widget.field(20), Qt.Key.Key_Return)
    assert widget.focusWidget() is widget.field(5)  # Enter points at what to fix


def test_letters_no_word_starts_with_are_marked_at_once(qtbot: Any) -> None:
    widget = entry_widget(qtbot)
    widget.field(3).setFocus()
    qtbot.keyClicks(widget.field(3), "qx")
    assert widget.view.fields[2].state is FieldState.UNKNOWN
    assert widget.message_label.text().startswith("Word 3:")
    assert shown(widget.field(3).toolTip()).startswith("Word 3:")


def test_wrong_set_and_duplicate_are_refused_with_progress_kept(qtbot: Any) -> None:
    first, other = split(2, 3), split(2, 3)
    widget = entry_widget(qtbot)
    type_share(qtbot, widget, first.shares[0][0])
    widget.submit()
    type_share(qtbot, widget, other.shares[0][1])
    assert widget.view.verdict is Verdict.WRONG
    assert "another share set" in widget.message_label.text()
    for field in widget.fields:
        field.clear()
    widget.form.clear()
    type_share(qtbot, widget, first.shares[0][0])
    assert "the same as share 1" in widget.message_label.text()
    assert widget.progress_label.text() == "1 of 2 shares accepted."


def test_backspace_in_an_empty_field_goes_back(qtbot: Any) -> None:
    widget = entry_widget(qtbot)
    widget.field(1).setFocus()
    qtbot.keyClicks(widget.field(1), "acad")
    qtbot.keyClick(widget.field(1), Qt.Key.Key_Space)
    assert widget.focusWidget() is widget.field(2)
    qtbot.keyClick(widget.field(2), Qt.Key.Key_Backspace)
    assert widget.focusWidget() is widget.field(1)


def test_share_words_never_reach_the_clipboard(qtbot: Any) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("sentinel")
    widget = entry_widget(qtbot)
    field = widget.field(1)
    field.setFocus()
    qtbot.keyClicks(field, "academic")
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert not field.hasSelectedText()
    field.setSelection(0, 4)  # even a selection made by code is dropped at once
    assert not field.hasSelectedText()
    qtbot.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "sentinel"
    assert field.text() == "academic"
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "academic"  # nothing pasted in either
    assert field.contextMenuPolicy() is Qt.ContextMenuPolicy.NoContextMenu


def test_hiding_the_words_masks_every_field(qtbot: Any) -> None:
    widget = entry_widget(qtbot)
    widget.hide_box.setChecked(True)
    assert all(f.echoMode() is f.EchoMode.Password for f in widget.fields)
    assert all(f.completer() is None for f in widget.fields)


def test_the_hand_out_shows_the_share_only_to_its_holder_and_then_forgets_it(
        qtbot: Any) -> None:
    words = tuple(split(2, 3).shares[0][0].split())
    widget = HandOutWidget(HandOut("Carol", 1, 3, words))
    qtbot.addWidget(widget)
    widget.show()

    def on_screen() -> list[str]:
        return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]

    assert "Only Carol should look at the screen now." in widget.message.text()
    assert not set(words) & set(on_screen())
    assert widget.button.text() == "I am Carol: show my share"
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert widget.stage is Stage.SHOWN
    assert widget.shown_words() == words
    assert all(label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
               for label in widget.findChildren(PrivateLabel))
    with qtbot.waitSignal(widget.done):
        qtbot.keyClick(widget.button, Qt.Key.Key_Return)  # Enter hides it, too
    assert widget.stage is Stage.HIDDEN
    assert widget.shown_words() == ()
    assert not set(words) & set(on_screen())
    assert not widget.button.isEnabled()


def test_the_copy_check_takes_the_words_asked_for(qtbot: Any) -> None:
    widget = CopyCheckWidget(CopyCheckForm("Carol", (2, 7), 20), "Carol: word 7 does not match")
    qtbot.addWidget(widget)
    widget.show()
    assert widget.problem.isVisible()
    widget.focus_first()
    qtbot.keyClicks(widget.edits[0], "acad")
    with qtbot.assertNotEmitted(widget.answered):
        qtbot.keyClick(widget.edits[0], Qt.Key.Key_Return)
    assert widget.status.text() == "Type word 7."
    qtbot.keyClicks(widget.edits[1], "zero")
    with qtbot.waitSignal(widget.answered) as answered:
        qtbot.keyClick(widget.edits[1], Qt.Key.Key_Return)
    assert answered.args == [("academic", "zero")]
    assert all(edit.text() == "" for edit in widget.edits)


def _share_of(word_count: int) -> list[str]:
    from crypto.shares import ShareScheme, split_secret

    secret = bytes(range(32 if word_count == 33 else 16))
    return split_secret(secret, ShareScheme.single(2, 3)).shares[0][0].split()


def test_the_whole_share_is_typed_back_four_letters_a_word(qtbot: Any) -> None:
    words = _share_of(33)
    widget = CopyCheckWidget(CopyCheckForm("Carol", tuple(range(1, 34)), 33))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.entry is not None and not widget.edits
    assert len(widget.entry.fields) == 33 and not widget.entry.word_count_box.isVisible()
    widget.focus_first()
    for word in words:
        qtbot.keyClicks(widget.entry.focusWidget(), word[:4])
        qtbot.keyClick(widget.entry.focusWidget(), Qt.Key.Key_Space)
    with qtbot.waitSignal(widget.answered) as answered:
        qtbot.keyClick(widget.entry.field(33), Qt.Key.Key_Return)
    assert answered.args == [tuple(words)]
    assert all(edit.text() == "" for edit in widget.entry.fields)


def test_a_copy_that_fails_its_checksum_can_ask_to_see_the_share_again(qtbot: Any) -> None:
    words = _share_of(20)
    miscopied = [*words[:5], "zero" if words[5] != "zero" else "acid", *words[6:]]
    widget = CopyCheckWidget(CopyCheckForm("Dave", tuple(range(1, 21)), 20))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.entry is not None
    widget.focus_first()
    for word in miscopied:
        qtbot.keyClicks(widget.entry.focusWidget(), word[:4])
        qtbot.keyClick(widget.entry.focusWidget(), Qt.Key.Key_Space)
    with qtbot.assertNotEmitted(widget.answered):  # the checksum fails: not submitted
        qtbot.keyClick(widget.entry.field(20), Qt.Key.Key_Return)
    with qtbot.waitSignal(widget.answered) as answered:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert answered.args == [tuple(miscopied)]  # the ceremony finds word 6 and shows it again


def test_the_whole_share_copy_check_fits_a_1366x768_screen(qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication

    widget = CopyCheckWidget(CopyCheckForm("Carol", tuple(range(1, 34)), 33), "a problem")
    qtbot.addWidget(widget)
    widget.show()
    QApplication.processEvents()
    size = widget.sizeHint()
    # The ceremony view gives the centre about 52 of 94 columns and loses some height to the
    # title, the chain-head panel and the window frame.
    assert size.height() <= 560 and size.width() <= 760, size


def test_a_decision_is_made_by_keyboard_alone(qtbot: Any) -> None:
    from ceremony.prompts import Decision, Outcome
    from gui.viewmodels.decision import DecisionForm, Question
    from gui.widgets.prompts import DecisionPanel

    panel = DecisionPanel(DecisionForm(Question.SIGN_OFF, "Bob", "The seal is intact."))
    qtbot.addWidget(panel)
    panel.show()
    panel.focus_first()
    assert panel.focusWidget() is panel.buttons[Outcome.CONFIRMED]
    qtbot.keyClick(panel.focusWidget(), Qt.Key.Key_Escape)  # Esc offers the refusal...
    assert panel.reason_box.isVisible() and panel.focusWidget() is panel.reason
    with qtbot.assertNotEmitted(panel.answered):
        qtbot.keyClick(panel.reason, Qt.Key.Key_Return)  # ...which needs a reason
    assert "reason is needed" in panel.error.text()
    qtbot.keyClick(panel.reason, Qt.Key.Key_Escape)  # Esc again backs out of it
    assert not panel.reason_box.isVisible()
    with qtbot.waitSignal(panel.answered) as answered:
        qtbot.keyClick(panel.focusWidget(), Qt.Key.Key_Return)  # Enter confirms, by name
    assert answered.args == [Decision(Outcome.CONFIRMED, "Bob")]
    assert not panel.isEnabled()


def test_tab_follows_the_word_order(qtbot: Any) -> None:
    widget = entry_widget(qtbot, word_count=33)
    widget.field(11).setFocus()
    qtbot.keyClick(widget.field(11), Qt.Key.Key_Tab)
    assert widget.focusWidget() is widget.field(12)  # not the field beside it in the grid
