"""The people in the room, played through the window: clicks and typing on each panel.

Used by the ceremony tests and by scripts/screenshots.py. Everything goes through real key and
mouse events on the widgets the ceremony view shows; custodians remember the words their
hand-out screen showed, as they would on paper.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ceremony.prompts import Outcome
from gui.widgets.hand_out import CopyCheckWidget, HandOutWidget
from gui.widgets.paper_log import HeadMomentPanel
from gui.widgets.prompts import DecisionPanel, PassphrasePanel, PinPanel, WidgetPanel
from gui.widgets.share_entry import ShareEntryWidget

# Answers a decision panel: None confirms (or stops, for a problem); (outcome, reason) chooses.
DecisionPolicy = Callable[[DecisionPanel], tuple[Outcome, str] | None]


def pause(ms: int) -> None:
    """Run the event loop for ``ms`` milliseconds, letting the worker thread run meanwhile.

    Not ``QTest.qWait``: it keeps the GIL while it waits, which starves the ceremony's worker
    thread (about three times slower); a ``QEventLoop`` releases it, as the app's own loop does.
    """
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class LoopWatch:
    """Measures the longest time the GUI thread's event loop went without running a timer."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest = 0
        self.ticks = 0
        self._last = 0

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    def __enter__(self) -> LoopWatch:
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()


def type_into(widget: Any, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


@dataclass
class Room:
    """Answers whatever the ceremony view asks, one panel at a time."""

    view: Any
    pin: str
    decide: DecisionPolicy = lambda panel: None
    shares_to_enter: list[str] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)  # PINs typed first (wrong ones, say)
    notebooks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    before_answer: Callable[[str, Any], None] | None = None  # e.g. take a screenshot

    def answer(self) -> bool:
        """Answer the panel on screen, if there is one; True when one was answered."""
        panel = self.view.panel
        if panel is None or not panel.isEnabled():
            return False
        kind = self._kind(panel)
        self.seen.append(kind)
        if self.before_answer is not None:
            self.before_answer(kind, panel)
        getattr(self, f"_{kind}")(panel)
        return True

    @staticmethod
    def _kind(panel: Any) -> str:
        if isinstance(panel, HeadMomentPanel):
            return "head_moment"
        if isinstance(panel, DecisionPanel):
            return "decision"
        if isinstance(panel, PinPanel):
            return "pin"
        if isinstance(panel, PassphrasePanel):
            return "passphrase"
        widget = getattr(panel, "widget", None)
        if isinstance(widget, HandOutWidget):
            return "hand_out"
        if isinstance(widget, CopyCheckWidget):
            return "copy_check"
        if widget is not None and widget.findChild(ShareEntryWidget) is not None:
            return "enter_share"
        raise AssertionError(f"the room does not know how to answer {panel!r}")

    def _decision(self, panel: DecisionPanel) -> None:
        choice = self.decide(panel)
        if choice is None:
            QTest.keyClick(panel.buttons[panel.form.choices[0].outcome], Qt.Key.Key_Return)
            return
        outcome, reason = choice
        QTest.mouseClick(panel.buttons[outcome], Qt.MouseButton.LeftButton)
        type_into(panel.reason, reason)
        QTest.keyClick(panel.reason, Qt.Key.Key_Return)

    def _head_moment(self, panel: HeadMomentPanel) -> None:
        # Enter alone does nothing: the words are written, then the named person clicks.
        QTest.keyClick(panel, Qt.Key.Key_Return)
        assert not panel.answered_once, "Enter dismissed the head"
        QTest.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)

    def _pin(self, panel: PinPanel) -> None:
        type_into(panel.pin, self.pins.pop(0) if self.pins else self.pin)
        QTest.keyClick(panel.pin, Qt.Key.Key_Return)

    def _passphrase(self, panel: PassphrasePanel) -> None:
        QTest.keyClick(panel.first, Qt.Key.Key_Return)  # the demo sets none

    def _hand_out(self, panel: WidgetPanel) -> None:
        widget: HandOutWidget = panel.widget  # type: ignore[assignment]
        QTest.mouseClick(widget.button, Qt.MouseButton.LeftButton)  # "I am ...: show my share"
        self.notebooks[widget.hand_out.holder] = widget.shown_words()
        if self.before_answer is not None:
            self.before_answer("hand_out_shown", panel)
        QTest.mouseClick(widget.button, Qt.MouseButton.LeftButton)  # hide it again

    def _copy_check(self, panel: WidgetPanel) -> None:
        widget: CopyCheckWidget = panel.widget  # type: ignore[assignment]
        words = self.notebooks[widget.form.holder]
        if widget.entry is not None:  # the whole share, typed back four letters a word
            widget.entry.field(1).setFocus()
            for word in words:
                QTest.keyClicks(widget.entry.focusWidget(), word[:4])
                QTest.keyClick(widget.entry.focusWidget(), Qt.Key.Key_Space)
                QApplication.processEvents()  # nobody types a whole share between two frames
            QTest.keyClick(widget.entry.field(len(words)), Qt.Key.Key_Return)
            return
        for edit, position in zip(widget.edits, widget.form.positions, strict=True):
            type_into(edit, words[position - 1][:4])
        QTest.keyClick(widget.edits[-1], Qt.Key.Key_Return)

    def _enter_share(self, panel: WidgetPanel) -> None:
        entry = panel.widget.findChild(ShareEntryWidget)
        assert entry is not None
        share = self.shares_to_enter.pop(0).split()
        if entry.form.word_count != len(share):
            entry.word_count_box.setCurrentIndex(entry.word_count_box.findData(len(share)))
        entry.field(1).setFocus()
        for word in share:
            QTest.keyClicks(entry.focusWidget(), word[:4])
            QTest.keyClick(entry.focusWidget(), Qt.Key.Key_Space)
            QApplication.processEvents()
        QTest.keyClick(entry.field(len(share)), Qt.Key.Key_Return)

    def run(self, timeout: float = 180.0) -> None:
        """Answer panels until the ceremony ends (AssertionError if it takes too long)."""
        deadline = time.monotonic() + timeout
        while self.view.running or self.view.outcome is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the ceremony did not end within {timeout} s; "
                                     f"answered {self.seen}")
            if not self.answer():
                pause(10)
        QApplication.processEvents()


def shares_of(notebooks: dict[str, tuple[str, ...]], holders: Sequence[str]) -> list[str]:
    return [" ".join(notebooks[holder]) for holder in holders]
