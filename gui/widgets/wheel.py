"""The mouse wheel scrolls the page; it never changes a choice or a number by passing over it.

Scrolling the plan form changed Backup "wrapped" to "none" and an algorithm without a click.
A combo box or number field now takes the wheel only while it has the keyboard focus (after a
click or Tab); otherwise the wheel goes to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox


class WheelGuard(QObject):
    """An application-wide event filter; install once with ``guard_wheel``."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or \
                not isinstance(watched, QComboBox | QAbstractSpinBox) or watched.hasFocus():
            return False
        parent = watched.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            QApplication.sendEvent(parent.viewport(), event)
        return True  # the field itself does not change


_guard: WheelGuard | None = None


def guard_wheel() -> None:
    """Install the guard on the running application (once)."""
    global _guard
    app = QApplication.instance()
    if _guard is None and app is not None:
        _guard = WheelGuard(app)
        app.installEventFilter(_guard)
