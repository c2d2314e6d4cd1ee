"""Every page fits a 1366x768 laptop: its minimum size fits, and no button lies outside the
window (or outside the visible part of the scroll area that holds it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QTabWidget, QWidget

from ceremony.demo.rehearsal import DEMO_PIN
from gui.main_window import MainWindow, initial_size
from gui.viewmodels.jobs import RehearsalJob
from tests.gui.driver import Room, pause

pytestmark = pytest.mark.gui

LAPTOP = QSize(1366, 768)
# What the window manager takes for the title bar and a panel: the window's own area.
USABLE = QSize(1366, 768 - 60)


def _scroll_area(widget: QWidget, window: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def outside(window: QWidget, must_see: tuple[QWidget, ...] = ()) -> list[str]:
    """The visible buttons that lie outside the window. A button in a scroll area is
    reachable by scrolling, so its scroll area must lie inside instead; but the buttons in
    ``must_see`` (a ceremony's question: the room acts on it now) must be in sight unscrolled."""
    found = []
    frame = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.width() == 0:
            continue
        name = button.text() or button.objectName()
        area = _scroll_area(button, window)
        if area is None or any(w.isAncestorOf(button) for w in must_see):
            seen = frame if area is None else _rect(area.viewport(), window) & frame
            if not seen.contains(_rect(button, window)):
                found.append(f"{name} at {_rect(button, window)} outside {seen}")
        elif not frame.contains(_rect(area, window)):
            found.append(f"the scroll area holding {name} lies outside the window")
    return found


def fits(window: MainWindow, qtbot: Any, name: str, must_see: tuple[QWidget, ...] = ()) -> None:
    window.resize(USABLE)
    pause(50)
    hint = window.minimumSizeHint()
    assert hint.width() <= USABLE.width() and hint.height() <= USABLE.height(), (name, hint)
    assert window.size() == USABLE, (name, window.size())
    assert outside(window, must_see) == [], name


def test_the_window_opens_sized_to_the_screen() -> None:
    assert initial_size(QSize(1366, 728)) == QSize(1366, 728)
    assert initial_size(QSize(3840, 2100)) == QSize(1800, 1100)  # a wall: not absurdly wide
    assert initial_size(QSize(1024, 600)) == QSize(1024, 600)


@pytest.mark.parametrize("presenting", [False, True])
def test_every_page_fits_a_laptop_screen(window: MainWindow, qtbot: Any, tmp_path: Path,
                                         presenting: bool) -> None:
    if presenting:
        window.toggle_presentation()
        assert window.isFullScreen()
        window.showNormal()  # measured at the laptop's size, not the offscreen screen's
    try:
        for name in ("dashboard", "start", "auditor", "viewer"):
            page = window.show_page(name)
            fits(window, qtbot, name)
            for tabs in page.findChildren(QTabWidget):  # every tab of the page, in turn
                for index in range(tabs.count()):
                    tabs.setCurrentIndex(index)
                    fits(window, qtbot, f"{name}: {tabs.tabText(index)}")
        # The ceremony view, at each kind of panel a rehearsal shows.
        view = window.start_job(RehearsalJob(tmp_path / "rehearsal", ("root",)))
        room = Room(view, DEMO_PIN)
        kinds: set[str] = set()
        while view.running:
            qtbot.waitUntil(lambda: (view.panel is not None and view.panel.isEnabled())
                            or not view.running, timeout=30_000)
            if view.panel is None:
                break
            kind = Room._kind(view.panel)
            if kind not in kinds:
                kinds.add(kind)
                # A custodian's share screens are private, not for the projector: there the
                # word fields may scroll in presentation mode, never the window itself.
                private = presenting and kind in ("hand_out", "copy_check")
                fits(window, qtbot, f"ceremony: {kind}", () if private else (view.panel,))
            room.answer()
        assert {"decision", "pin", "head_moment", "hand_out", "copy_check"} <= kinds
        fits(window, qtbot, "ceremony: completed")
        assert view.completion_box is not None and view.completion_box.isVisibleTo(window)
    finally:
        if presenting:
            window.toggle_presentation()


def test_the_wheel_scrolls_the_plan_form_and_changes_no_field(window: MainWindow,
                                                              qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QComboBox

    start = window.show_page("start")
    form = start.new_plan.form_view
    start.findChild(QTabWidget).setCurrentWidget(start.new_plan)
    window.resize(USABLE)
    pause(50)
    combos = [c for c in form.findChildren(QComboBox) if c.isVisibleTo(form)]
    assert combos
    before = [c.currentText() for c in combos]

    def wheel(widget: QWidget) -> None:
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(),
                            QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)

    for combo in combos:
        wheel(combo)
    assert [c.currentText() for c in combos] == before  # passing over changed nothing
    assert form.verticalScrollBar().value() > 0  # the page scrolled instead
    focused = combos[0]
    focused.setFocus()
    qtbot.waitUntil(focused.hasFocus, timeout=2000)
    wheel(focused)
    assert focused.currentText() != before[0] or focused.count() == 1  # chosen on purpose


def _idle_ceremony(window: MainWindow, folder: Path) -> Any:
    """A ceremony view in the window that is never started: its questions are posted by hand."""
    from gui.pages.ceremony import CeremonyView

    window._build_first_page()  # so that it does not take the stack's place later
    view = CeremonyView(RehearsalJob(folder, ("root",)))
    window.stack.addWidget(view)
    window.stack.setCurrentWidget(view)
    window.ceremony = view
    view.set_presenting(window.isFullScreen())
    return view


def _post(view: Any, kind: str, *args: Any) -> Any:
    from gui.viewmodels.exchange import Prompt

    prompt = Prompt(kind, args)
    view._on_prompt(prompt)
    return prompt


def _sides(view: Any) -> tuple[bool, bool]:
    return view.steps.isVisibleTo(view), view._journal_pane.isVisibleTo(view)


def _hand_out_and_hide(view: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    _post(view, "hand_out_share", "Carol", 1, 5, ("academic",) * 20)
    button = view.panel.widget.button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # show
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # hide: the panel is answered
    assert view.panel is None


@pytest.mark.parametrize("share_first", [False, True])
def test_leaving_presentation_mode_brings_back_the_steps_and_the_journal(
        window: MainWindow, qtbot: Any, tmp_path: Path, share_first: bool) -> None:
    view = _idle_ceremony(window, tmp_path / "r")
    assert _sides(view) == (True, True)
    if share_first:  # a share on screen sets them aside; presenting starts meanwhile
        _post(view, "hand_out_share", "Carol", 1, 5, ("academic",) * 20)
        assert _sides(view) == (False, False)
        window.toggle_presentation()
        view.panel.widget.button.click()
        view.panel.widget.button.click()
        assert view.panel is None
    else:  # presenting first; a share comes and goes meanwhile
        window.toggle_presentation()
        _hand_out_and_hide(view)
    assert _sides(view) == (False, False)  # still presenting: the step keeps the room
    window.toggle_presentation()
    assert _sides(view) == (True, True)
    assert view.steps_toggle.text() == "Hide the steps"
    # Hidden by the room's own choice, they stay hidden through presentation mode and back.
    view.steps_toggle.click()
    window.toggle_presentation()
    view.journal_toggle.click()  # brought back while presenting: the journal alone
    assert _sides(view) == (False, True)
    window.toggle_presentation()
    assert _sides(view) == (False, True)


def test_share_entry_scrolls_and_fits_in_presentation_mode(window: MainWindow, qtbot: Any,
                                                           tmp_path: Path) -> None:
    window.toggle_presentation()
    window.showNormal()
    try:
        view = _idle_ceremony(window, tmp_path / "r")
        _post(view, "enter_share", "No shares accepted yet.", None)
        fits(window, qtbot, "ceremony: enter_share (presenting)")
        from gui.widgets.share_entry import ShareEntryWidget

        entry = view.panel.widget.findChild(ShareEntryWidget)
        area = _scroll_area(entry, window)
        assert area is not None  # the words and their buttons scroll when they do not fit
        area.ensureWidgetVisible(entry.submit_button)
        pause(20)
        seen = _rect(area.viewport(), window) & window.rect()
        assert seen.contains(_rect(entry.submit_button, window))
        assert entry.field(33).isVisibleTo(window)
    finally:
        window.toggle_presentation()
