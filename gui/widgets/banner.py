"""The message strip at the top of the window: every error is a sentence here, never a traceback.

The strip shows one page's message; which page owns which message is the main window's
business (``gui.viewmodels.page_messages``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from gui.widgets.plaintext import PlainLabel


def enter_clicks_buttons(widget: QWidget) -> None:
    """Let Enter press whichever button of ``widget`` has the keyboard focus, as Space does.

    Outside dialogs Qt buttons ignore Enter; keyboard-only users expect it to work everywhere.
    """
    for button in widget.findChildren(QPushButton):
        button.setAutoDefault(True)

STYLES = {
    "error": "QFrame#banner { background: #fce8e6; border: 1px solid #c5221f; } "
             "QLabel { color: #a50e0e; }",
    "info": "QFrame#banner { background: #e8f0fe; border: 1px solid #1a73e8; } "
            "QLabel { color: #174ea6; }",
}


class Banner(QFrame):
    """One message at a time, in a sentence, until dismissed (Esc or the button).

    ``dismissed`` fires when a person closes the message (the button or Esc), not when the
    window hides it for another page.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = PlainLabel()
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        close = QPushButton("Dismiss")
        close.setObjectName("bannerDismiss")
        close.clicked.connect(self.dismiss_by_person)
        close.setAutoDefault(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def show_message(self, text: str, kind: str = "error") -> None:
        """Show ``text`` (a sentence) as an error or as information."""
        self.kind = kind
        self.setStyleSheet(STYLES[kind])
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def dismiss(self) -> None:
        """Hide the message (the window does this when another page is shown)."""
        self.label.clear()
        self.kind = ""
        self.hide()

    def dismiss_by_person(self) -> None:
        """Close the message for good: a person has read it."""
        self.dismiss()
        self.dismissed.emit()
