"""Input fields and labels that keep secrets off the clipboard.

A share word, PIN or passphrase must never reach the clipboard (other programs read it) nor
the X11 primary selection (filled merely by selecting text). These fields refuse copy, cut,
paste and drag, show no context menu, and drop any selection the moment it is made, so there
is never selected text to copy.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from gui.widgets.plaintext import PlainLabel

_CLIPBOARD_KEYS = (QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut,
                   QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.SelectAll)


class SecretLineEdit(QLineEdit):
    """A line edit whose text cannot be copied, cut, pasted, dragged or selected."""

    def __init__(self, parent: QWidget | None = None, *, masked: bool = False) -> None:
        super().__init__(parent)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setDragEnabled(False)
        self.setAcceptDrops(False)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        # No spell checkers or input method history for secrets.
        self.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText
                                 | Qt.InputMethodHint.ImhNoAutoUppercase)
        if masked:
            self.setEchoMode(QLineEdit.EchoMode.Password)
        self.selectionChanged.connect(self._drop_selection)

    def _drop_selection(self) -> None:
        if self.hasSelectedText():
            self.deselect()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(event.matches(key) for key in _CLIPBOARD_KEYS):
            event.accept()  # swallowed: nothing goes to or comes from the clipboard
            return
        if event.key() == Qt.Key.Key_Insert and event.modifiers() & (
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier):
            event.accept()  # Shift+Insert pastes, Ctrl+Insert copies on some platforms
            return
        super().keyPressEvent(event)

    def wipe(self) -> None:
        """Empty the field (its text is a secret that has been handed on)."""
        self.clear()
        self.setText("")


class PrivateLabel(PlainLabel):
    """A label showing secret text that cannot be selected, copied or dragged."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
