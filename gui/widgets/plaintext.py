"""Labels, tool tips and message boxes that show text as text, never as markup.

Qt guesses whether the text of a label, a tool tip or a message box is rich text
(``Qt::mightBeRichText``). Text from outside (a CSR subject, a file name, a plan's names, a
journal's reasons) is data: a subject holding ``<font size=3> <!--`` hid the attribute after
it, and a file name with markup made a failing verdict read as a pass. So every label in
gui/ is a ``PlainLabel``, every tool tip is set by ``set_tool_tip`` and every message box is
asked by ``ask``; where our own markup must surround outside text (a tool tip that keeps its
line breaks), ``markup`` escapes the outside text. A button whose text holds outside text
gets it through ``button_text``, so an ``&`` is not taken for a shortcut mark. A test reads
gui/'s sources to keep it so, and another walks every page loaded with hostile text.
"""

from __future__ import annotations

import html
from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

# Our markup around a tool tip: rich text (so Qt never guesses) that keeps line breaks.
TOOL_TIP = '<p style="white-space:pre-wrap">{}</p>'


class PlainLabel(QLabel):
    """A label whose text is always shown exactly as given (``Qt.TextFormat.PlainText``)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)


class ElidedLabel(PlainLabel):
    """A one-line plain label that never widens the window: a long text (a folder path) is
    shortened in the middle with '…' to the width it gets, and shown whole in its tool tip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        self._full = ""
        super().__init__("", parent)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        set_tool_tip(self, text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("M" * 8), hint.height())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4,
                     super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                              max(self.width(), 1))
        QLabel.setText(self, shown if self.width() > 1 else self._full)


def markup(template: str, *values: str) -> str:
    """Our own rich-text ``template`` with each ``{}`` filled by an outside value, escaped."""
    return template.format(*(html.escape(value, quote=False) for value in values))


class _HasToolTip(Protocol):
    def setToolTip(self, text: str, /) -> None: ...


def button_text(text: str) -> str:
    """``text`` (a person's name, say) for a button: each ``&`` doubled, so it shows as itself
    rather than marking a keyboard shortcut ("Confirm as AT&&T" reads "Confirm as AT&T")."""
    return text.replace("&", "&&")


def set_tool_tip(target: _HasToolTip, text: str) -> None:
    """Give ``target`` (a widget or an item) ``text`` as its tool tip, shown literally."""
    target.setToolTip(markup(TOOL_TIP, text) if text else "")


def ask(parent: QWidget | None, title: str, text: str,
        verbs: tuple[str, str] | None = None) -> bool:
    """Ask a question in a message box; True when the first choice is taken.

    ``verbs`` names the two buttons by what they do ("Stop the ceremony", "Keep going"), the
    second the default and what Esc chooses; without them the buttons are Yes and No.
    """
    return question_box(parent, title, text, verbs).exec() == QMessageBox.StandardButton.Yes


def question_box(parent: QWidget | None, title: str, text: str,
                 verbs: tuple[str, str] | None = None) -> QMessageBox:
    """The message box ``ask`` shows: its Yes button is the first verb, No the second."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    if verbs is not None:
        yes, no = box.button(QMessageBox.StandardButton.Yes), box.button(
            QMessageBox.StandardButton.No)
        yes.setText(button_text(verbs[0]))
        no.setText(button_text(verbs[1]))
    return box
