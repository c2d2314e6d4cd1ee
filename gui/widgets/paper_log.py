"""The 'write this down' screen for a chain head, and the completion screen of a ceremony.

Both fill the ceremony view. The head is large enough to read aloud across the room; the one
button names the person who confirms it is in the paper log (Enter presses it only after it
has focus, so a stray key press never dismisses the head). The completion box lists the
ceremony's folder, transcript and inventory (paths elided, whole in tool tips) with buttons to
open the transcript, verify it and open the inventory.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui.typography import HEADLINE, LARGE, typography
from gui.viewmodels.paper_log import Completion, HeadMomentForm
from gui.widgets.accent import make_primary
from gui.widgets.plaintext import ElidedLabel, PlainLabel, button_text
from gui.widgets.prompts import PromptPanel

WORDS_SIZE = 1.9  # the words are read aloud from across the room


class CompletionBox(QWidget):
    """A finished ceremony's folder, transcript and inventory, with what to do with them."""

    verify_requested = Signal(object)  # the transcript (or journal) to verify
    inventory_requested = Signal(object)  # the inventory to open on the dashboard

    def __init__(self, completion: Completion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completion")
        self.completion = completion
        form = QFormLayout()
        self.values: dict[str, ElidedLabel] = {}
        for label, value in completion.rows:
            shown = ElidedLabel(value)
            shown.setObjectName(f"completion{label}")
            self.values[label] = shown
            form.addRow(PlainLabel(label), shown)
        self.open_transcript = QPushButton("Open the transcript")
        self.open_transcript.setObjectName("openTranscript")
        self.open_transcript.setEnabled(completion.transcript is not None)
        self.open_transcript.clicked.connect(self._open_transcript)
        self.verify = QPushButton("Verify it in the auditor view")
        self.verify.setObjectName("verifyTranscript")
        self.verify.clicked.connect(lambda: self.verify_requested.emit(completion.verify_target))
        self.inventory = QPushButton("Open its inventory")
        self.inventory.setObjectName("openInventory")
        self.inventory.setEnabled(completion.inventory is not None)
        self.inventory.clicked.connect(
            lambda: self.inventory_requested.emit(completion.inventory))
        buttons = QHBoxLayout()
        for button in (self.open_transcript, self.verify, self.inventory):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)

    def _open_transcript(self) -> None:
        transcript = self.completion.transcript
        if transcript is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(transcript)))


class HeadMomentPanel(PromptPanel):
    """One chain head to write down; answered with the confirming person's name."""

    def __init__(self, form: HeadMomentForm, completion: Completion | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("headMoment")
        self.form = form
        heading = PlainLabel(form.heading)
        heading.setObjectName("momentHeading")
        typography().apply(heading, HEADLINE, bold=True)
        self.label = PlainLabel(form.label)
        self.label.setObjectName("momentLabel")
        self.label.setWordWrap(True)
        typography().apply(self.label, LARGE, bold=True)
        self.words = PlainLabel("\n".join(form.word_lines))
        self.words.setObjectName("momentWords")
        # As large as the width allows (never wider than the window): see _fit_words.
        self.words.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.words.setFont(typography().font(WORDS_SIZE, bold=True))
        self.hex = PlainLabel(form.hex_groups)
        self.hex.setObjectName("momentHex")
        typography().apply(self.hex, LARGE, fixed=True)
        instructions = PlainLabel(form.instructions)
        instructions.setWordWrap(True)
        typography().apply(instructions, LARGE)
        self.confirm = QPushButton(button_text(form.confirm_text))
        self.confirm.setObjectName("momentConfirm")
        make_primary(self.confirm)
        typography().apply(self.confirm, LARGE, bold=True)
        self.confirm.clicked.connect(lambda: self.finish(form.person))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.label)
        layout.addWidget(instructions)
        layout.addWidget(self.words)
        layout.addWidget(self.hex)
        self.completion: CompletionBox | None = None
        if completion is not None:
            self.completion = CompletionBox(completion)
            layout.addWidget(self.completion)
        layout.addStretch(1)
        layout.addWidget(self.confirm)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_words()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode switched
            self._fit_words()

    def _fit_words(self) -> None:
        """The words at their large size, or smaller until the longest line fits the width
        (never below the body text's size)."""
        font = typography().font(WORDS_SIZE, bold=True)
        lines = self.words.text().splitlines() or [""]
        # The label's own width once laid out (its size policy lets it take what there is).
        room = max(1, (self.words.contentsRect().width() if self.words.width() > 1
                       else self.contentsRect().width()) - 16)
        widest = max(QFontMetrics(font).horizontalAdvance(line) for line in lines)
        smallest = typography().font(1.0, bold=True).pointSizeF()
        if widest > room and font.pointSizeF() > 0:
            font.setPointSizeF(max(smallest, font.pointSizeF() * room / widest))
        if font != self.words.font():
            self.words.setFont(font)
