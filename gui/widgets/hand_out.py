"""The privacy screen that hands one custodian their share, and the copy check after it.

A thin shell over ``gui.viewmodels.hand_out``: first only the holder's name is on screen;
their click (or Enter) shows the words in numbered columns, in labels that cannot be selected
or copied; their next click hides them and the widget forgets them. The copy check then asks
for the whole share back (in the share-entry fields, whose checksum check shows a miscopied word
at once) or, when the plan asks for a sampled check, for a few words, in fields that keep them
off the clipboard.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from gui.typography import HEADLINE, LARGE, typography
from gui.viewmodels.hand_out import CopyCheckForm, HandOut, Stage
from gui.viewmodels.look import FAILED
from gui.viewmodels.share_card import BUTTON_LABEL, PrinterOffer
from gui.viewmodels.share_form import FieldState, ShareForm
from gui.widgets.accent import make_primary
from gui.widgets.plaintext import PlainLabel, button_text, set_tool_tip
from gui.widgets.secure import PrivateLabel, SecretLineEdit
from gui.widgets.share_card import CardNotPrinted, SpoolWarning, card_printer, print_card
from gui.widgets.share_entry import FIELD_STYLES, ShareEntryWidget

COLUMNS = 3


class HandOutWidget(QWidget):
    """Privacy screen, then the share, then nothing: emits ``done`` once the share is hidden.

    With ``cards`` (the plan allows printed cards), the shown share also offers a card.
    """

    done = Signal(bool)  # whether a card of the share was printed

    def __init__(self, hand_out: HandOut, problem: str | None = None,
                 parent: QWidget | None = None, cards: PrinterOffer | None = None) -> None:
        super().__init__(parent)
        self.hand_out = hand_out
        self.cards = cards
        self.printed = False
        self.title = PlainLabel(hand_out.title)
        typography().apply(self.title, HEADLINE, bold=True)
        self.problem = PlainLabel(problem or "")
        self.problem.setObjectName("handOutProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a50e0e; font-weight: bold;")
        self.problem.setVisible(bool(problem))
        self.message = PlainLabel(hand_out.message)
        self.message.setObjectName("handOutMessage")
        self.message.setWordWrap(True)
        typography().apply(self.message, LARGE)
        self.words = QWidget()
        self.words.setObjectName("shareWords")
        self._grid = QGridLayout(self.words)
        self._grid.setHorizontalSpacing(24)
        self.words.hide()
        self.button = QPushButton(button_text(hand_out.reveal_label))
        self.button.setObjectName("handOutButton")
        self.button.setDefault(True)
        make_primary(self.button)
        self.button.clicked.connect(self._next)
        typography().apply(self.button, LARGE)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.problem)
        layout.addWidget(self.message)
        layout.addWidget(self.words)
        layout.addStretch(1)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.card_button = QPushButton(BUTTON_LABEL)
        self.card_button.setObjectName("printCardButton")
        self.card_button.clicked.connect(self._print_card)
        self.card_status = PlainLabel(cards.reason if cards else "")
        self.card_status.setObjectName("printCardStatus")
        self.card_status.setWordWrap(True)
        self.card_button.setEnabled(bool(cards and cards.available))
        set_tool_tip(self.card_button, self.card_status.text())
        self.card_button.hide()
        self.card_status.hide()
        layout.addWidget(self.card_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.card_status)

    @property
    def stage(self) -> Stage:
        return self.hand_out.stage

    def shown_words(self) -> tuple[str, ...]:
        """The words on screen now, in order (empty unless shown): what the holder reads."""
        items = (self._grid.itemAt(i) for i in range(self._grid.count()))
        labels = [item.widget() for item in items if item is not None]
        words = [w for w in labels if isinstance(w, PrivateLabel)]
        return tuple(label.text() for label in sorted(words, key=lambda w: int(w.objectName()
                                                                               .removeprefix("w"))))

    def _next(self) -> None:
        if self.hand_out.stage is Stage.PRIVACY:
            self._reveal()
        elif self.hand_out.stage is Stage.SHOWN:
            self._hide()

    def _reveal(self) -> None:
        shown = self.hand_out.reveal()
        rows = (len(shown) + COLUMNS - 1) // COLUMNS
        for index, word in enumerate(shown):
            row, column = index % rows, index // rows
            number = PlainLabel(word.number)
            number.setObjectName(f"n{word.position}")
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label = PrivateLabel(word.word)
            label.setObjectName(f"w{word.position}")
            typography().apply(number, LARGE, bold=word.wrong)
            typography().apply(label, LARGE, bold=True)
            if word.wrong:  # the mark and the message say it; the colour only repeats it
                number.setStyleSheet(f"color: {FAILED};")
                label.setStyleSheet(f"border: 2px solid {FAILED}; padding: 0 4px;")
                label.setAccessibleDescription(f"word {word.position}: correct it on the paper")
            self._grid.addWidget(number, row, column * 2)
            self._grid.addWidget(label, row, column * 2 + 1)
        del shown
        self.words.show()
        self.message.setText(self.hand_out.message)
        self.button.setText(self.hand_out.hide_label)
        self.button.setFocus()
        self.card_button.setVisible(self.cards is not None)
        self.card_status.setVisible(self.cards is not None and bool(self.card_status.text()))

    def _print_card(self) -> None:
        """The holder asked for a card: the spool warning, then the card straight to paper."""
        if self.cards is None or self.hand_out.stage is not Stage.SHOWN:
            return
        card = self.hand_out.card()
        warning = SpoolWarning(card, self.cards, self)
        if warning.exec() != SpoolWarning.DialogCode.Accepted:
            return
        try:
            print_card(card, card_printer(warning.printer_name))
        except CardNotPrinted as ex:
            self.card_status.setText(str(ex))
        else:
            self.printed = True
            self.card_status.setText(f"The card was printed on {warning.printer_name}. "
                                     f"{self.hand_out.holder} still proves the copy next.")
        finally:
            del card
        self.card_status.show()

    def _hide(self) -> None:
        self.hand_out.hide()
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                if isinstance(widget, PrivateLabel):
                    widget.setText("")  # the words leave the screen at once, not at deletion
                widget.deleteLater()
        self.words.hide()
        self.card_button.hide()
        self.message.setText(self.hand_out.message)
        self.button.setEnabled(False)
        self.done.emit(self.printed)


class CopyCheckWidget(QWidget):
    """The holder types their share back (or the words asked for); ``answered`` carries the
    words (a secret) on."""

    answered = Signal(tuple)

    def __init__(self, form: CopyCheckForm, problem: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.entry: ShareEntryWidget | None = None
        self.edits: list[SecretLineEdit] = []
        title = PlainLabel(f"{form.holder}: prove your copy")
        typography().apply(title, HEADLINE, bold=True)
        message = PlainLabel(form.message)
        message.setWordWrap(True)
        typography().apply(message, LARGE)
        self.problem = PlainLabel(problem or "")
        self.problem.setObjectName("copyCheckProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a50e0e;")
        self.problem.setVisible(bool(problem))
        self.status = PlainLabel()
        self.status.setObjectName("copyCheckStatus")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(message)
        layout.addWidget(self.problem)
        if form.whole:
            self._build_whole(layout)
        else:
            self._build_sampled(layout)

    def _build_whole(self, layout: QVBoxLayout) -> None:
        # The share-entry form: prefixes complete to words, and the SLIP-39 checksum points at
        # a miscopied word while the holder still has the paper in hand.
        self.entry = ShareEntryWidget(ShareForm(self.form.word_count, copy_of=self.form.holder))
        self.entry.word_count_box.hide()  # the share's length is known
        self.entry.progress_label.hide()
        self.entry.submit_button.setText("Check my copy")
        self.entry.submitted.connect(lambda words: self.answered.emit(tuple(words.split())))
        self.button = QPushButton("My copy does not pass: show my share again")
        self.button.setObjectName("copyCheckAgain")
        self.button.clicked.connect(self._show_again)
        layout.addWidget(self.entry)
        layout.addWidget(self.status)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignLeft)

    def _build_sampled(self, layout: QVBoxLayout) -> None:
        grid = QGridLayout()
        for index, position in enumerate(self.form.positions):
            edit = SecretLineEdit()
            edit.setObjectName(f"copy{position}")
            edit.setAccessibleName(f"word {position}")
            edit.textEdited.connect(lambda text, i=index: self._edited(i, text))
            label = PlainLabel(f"Word {position}:")
            label.setBuddy(edit)
            grid.addWidget(label, index, 0)
            grid.addWidget(edit, index, 1)
            self.edits.append(edit)
        self.button = QPushButton("Check my copy")
        self.button.setObjectName("copyCheckButton")
        self.button.setDefault(True)
        make_primary(self.button)
        self.button.clicked.connect(self.submit)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignLeft)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)

    def _edited(self, index: int, text: str) -> None:
        word = self.form.set_answer(index, text)
        state = FieldState.EMPTY if word.state is FieldState.TYPING else word.state
        self.edits[index].setStyleSheet(FIELD_STYLES[state])
        set_tool_tip(self.edits[index], word.hint())

    def focus_first(self) -> None:
        if self.entry is not None:
            self.entry.focus_first()
        elif self.edits:
            self.edits[0].setFocus()

    def _show_again(self) -> None:
        """The copy does not pass its checks: hand on what was typed (every word that is not one
        counts as wrong), so the ceremony shows the share again to correct the paper."""
        if self.entry is None:
            return
        answers = tuple(f.completion or "" for f in self.entry.view.fields)
        for edit in self.entry.fields:
            edit.wipe()
        self.button.setEnabled(False)
        self.answered.emit(answers)

    def submit(self) -> None:
        """Hand the answers on when each is a word; otherwise say which is not."""
        if self.entry is not None:
            self.entry.submit()
            return
        if not self.form.ready:
            self.status.setText(self.form.problem or "")
            for edit, word in zip(self.edits, self.form.fields, strict=True):
                if not word.ok:
                    edit.setFocus()
                    break
            return
        answers = self.form.answers()
        for edit in self.edits:
            edit.wipe()
        self.button.setEnabled(False)
        self.answered.emit(answers)
