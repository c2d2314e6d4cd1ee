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

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

# Our markup around a tool tip: rich text (so Qt never guesses) that keeps line breaks.
TOOL_TIP = '<p style="white-space:pre-wrap">{}</p>'


class PlainLabel(QLabel):
    """A label whose text is always shown exactly as given (``Qt.TextFormat.PlainText``)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)


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


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question in a message box (No is the default); True for Yes."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
