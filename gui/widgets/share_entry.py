"""The share entry widget: one field per word, checked as the custodian types.

A thin shell over ``gui.viewmodels.share_form.ShareForm``: each keystroke updates the form,
and every field is coloured and described by what the form says of it. Completion offers the
SLIP-39 words that start with the letters typed; Space (or Tab) takes the one word a unique
prefix stands for and moves on; Backspace in an empty field goes back; Enter submits a share
that passes every check, or jumps to the first word to fix.

The fields are ``SecretLineEdit``s: nothing typed can reach the clipboard. The share leaves this
widget only through ``submitted``, whose receiver hands it to the ceremony and drops it.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crypto.errors import ShareError
from gui.typography import LARGE, typography
from gui.viewmodels.share_form import WORD_COUNTS, FieldState, FormView, ShareForm, Verdict
from gui.widgets.accent import make_primary
from gui.widgets.plaintext import PlainLabel, set_tool_tip
from gui.widgets.secure import SecretLineEdit

COLUMNS = 4  # 33 words in 9 rows: the whole share and its buttons fit a laptop screen
FIELD_STYLES = {
    FieldState.EMPTY: "",
    FieldState.TYPING: "QLineEdit { background: #fff8dc; }",
    # A word of the list, no more: neutral, since a valid word may still be the wrong one.
    FieldState.WORD: "QLineEdit { border: 1px solid #5f6368; }",
    FieldState.UNKNOWN: "QLineEdit { background: #fde2e1; border: 2px solid #c5221f; }",
    FieldState.SUSPECT: "QLineEdit { background: #fde2e1; border: 2px solid #c5221f; }",
}
VERDICT_STYLES = {
    Verdict.INCOMPLETE: "",
    Verdict.WRONG: "color: #a50e0e; font-weight: bold;",
    Verdict.READY: "color: #137333; font-weight: bold;",
}
_wordlist_model: QStringListModel | None = None


def _wordlist() -> QStringListModel:
    global _wordlist_model
    if _wordlist_model is None:
        from crypto.shares import WORDLIST

        _wordlist_model = QStringListModel(list(WORDLIST))
    return _wordlist_model


class WordEdit(SecretLineEdit):
    """One word's field: Space moves on, Backspace in an empty field moves back."""

    advance = Signal()
    retreat = Signal()

    def __init__(self, position: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position = position
        self.setObjectName(f"word{position}")
        self.setAccessibleName(f"word {position}")
        self.shown: tuple[FieldState, str] | None = None  # the state and note last applied

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:
            event.accept()
            self.advance.emit()
            return
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            event.accept()
            self.retreat.emit()
            return
        super().keyPressEvent(event)


class ShareEntryWidget(QWidget):
    """Fields for one share, the form's verdict, and progress towards the quorum."""

    submitted = Signal(str)  # the share's words: a secret, handed on and dropped by the receiver

    def __init__(self, form: ShareForm | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form if form is not None else ShareForm()
        self._fields: list[WordEdit] = []
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)

        self.progress_label = PlainLabel()
        self.progress_label.setObjectName("shareProgress")
        typography().apply(self.progress_label, LARGE, bold=True)
        self.problem_label = PlainLabel()
        self.problem_label.setObjectName("shareProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #a50e0e;")
        self.problem_label.hide()
        self.message_label = PlainLabel()
        self.message_label.setObjectName("shareMessage")
        self.message_label.setWordWrap(True)

        self.word_count_box = QComboBox()
        self.word_count_box.setAccessibleName("words in the share")
        for count in WORD_COUNTS:
            self.word_count_box.addItem(f"{count} words", count)
        self.word_count_box.setCurrentIndex(
            max(0, self.word_count_box.findData(self.form.word_count)))
        self.word_count_box.currentIndexChanged.connect(self._word_count_changed)
        self.hide_box = QCheckBox("Hide the words (screen projected)")
        self.hide_box.toggled.connect(self._set_hidden)
        self.submit_button = QPushButton("Submit this share")
        self.submit_button.setObjectName("submitShare")
        make_primary(self.submit_button)
        self.submit_button.clicked.connect(self.submit)

        options = QHBoxLayout()
        options.addWidget(self.word_count_box)
        options.addWidget(self.hide_box)
        options.addStretch(1)
        options.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.problem_label)
        layout.addLayout(self._grid)
        layout.addWidget(self.message_label)
        layout.addLayout(options)
        self._build_fields()
        self.set_progress(self.form.view.progress)

    # --- fields ------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        for edit in self._fields:
            edit.setParent(None)
            edit.deleteLater()
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._fields = []
        count = self.form.word_count
        rows = (count + COLUMNS - 1) // COLUMNS
        for index in range(count):
            position = index + 1
            edit = WordEdit(position)
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("M" * 9))
            if not self.hide_box.isChecked():
                edit.setCompleter(self._completer(edit))
            edit.textEdited.connect(lambda text, p=position: self._edited(p, text))
            edit.advance.connect(lambda p=position: self._advance(p))
            edit.retreat.connect(lambda p=position: self._focus(p - 1))
            if self.hide_box.isChecked():
                edit.setEchoMode(SecretLineEdit.EchoMode.Password)
            # Fill down the columns, as words are written on paper in numbered columns.
            row, column = index % rows, index // rows
            number = PlainLabel(f"{position}.")
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            number.setBuddy(edit)
            self._grid.addWidget(number, row, column * 2)
            self._grid.addWidget(edit, row, column * 2 + 1)
            self._fields.append(edit)
        # Tab follows the word order, not the grid.
        for first, second in zip(self._fields, self._fields[1:], strict=False):
            QWidget.setTabOrder(first, second)
        if self._fields:
            QWidget.setTabOrder(self._fields[-1], self.submit_button)
        self._show(self.form.view)

    def _completer(self, edit: WordEdit) -> QCompleter:
        completer = QCompleter(_wordlist(), edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setModelSorting(QCompleter.ModelSorting.CaseSensitivelySortedModel)
        completer.activated.connect(lambda text, e=edit: self._edited(e.position, text))
        return completer

    def field(self, position: int) -> WordEdit:
        """The field of word ``position`` (1-based)."""
        return self._fields[position - 1]

    @property
    def fields(self) -> tuple[WordEdit, ...]:
        return tuple(self._fields)

    def _focus(self, position: int) -> None:
        if 1 <= position <= len(self._fields):
            self._fields[position - 1].setFocus(Qt.FocusReason.OtherFocusReason)

    def _edited(self, position: int, text: str) -> None:
        self._show(self.form.set_word(position, text))

    def _advance(self, position: int) -> None:
        """Space: take the word a unique prefix stands for, then go to the next field."""
        view = self.form.view
        word = view.fields[position - 1]
        edit = self._fields[position - 1]
        if word.completion and edit.text() != word.completion:
            edit.setText(word.completion)
            view = self.form.set_word(position, word.completion)
        self._show(view)
        if position < len(self._fields):
            self._focus(position + 1)
        else:
            self.submit_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _word_count_changed(self) -> None:
        count = int(self.word_count_box.currentData())
        if count != self.form.word_count:
            self.form.word_count = count
            self._build_fields()

    def _set_hidden(self, hidden: bool) -> None:
        for edit in self._fields:
            edit.setEchoMode(SecretLineEdit.EchoMode.Password if hidden
                             else SecretLineEdit.EchoMode.Normal)
            # A completion popup would show the words: none while they are hidden.
            edit.setCompleter(None if hidden else self._completer(edit))  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Return from any field (they pass it up) submits, or points at what to fix.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)

    # --- state -------------------------------------------------------------------------------

    def _show(self, view: FormView) -> None:
        for edit, word in zip(self._fields, view.fields, strict=True):
            # Restyle only a field whose state or note changed: setting a style sheet re-polishes
            # the widget, and doing it for every field at each keystroke stalled the window.
            shown = (word.state, word.hint())
            if edit.shown == shown:
                continue
            edit.shown = shown
            edit.setStyleSheet(FIELD_STYLES[word.state])
            set_tool_tip(edit, shown[1])
            edit.setAccessibleDescription(shown[1] or word.state.value)
        self.message_label.setText(view.message)
        neutral = view.verdict is Verdict.READY and self.form.copy_of is not None
        self.message_label.setStyleSheet("" if neutral else VERDICT_STYLES[view.verdict])
        self.submit_button.setEnabled(view.verdict is Verdict.READY)
        self.submit_button.setDefault(view.verdict is Verdict.READY)

    @property
    def view(self) -> FormView:
        return self.form.view

    def set_progress(self, text: str) -> None:
        """Show progress towards the quorum, e.g. '2 of 3 shares accepted.'."""
        self.progress_label.setText(text)

    def set_problem(self, text: str | None) -> None:
        """Show why the last share was refused (by the ceremony), or nothing."""
        self.problem_label.setText(text or "")
        self.problem_label.setVisible(bool(text))

    def focus_first(self) -> None:
        """Put the cursor in the first field to fill or fix."""
        view = self.form.view
        target = view.first_problem
        if target is None:
            target = next((f.position for f in view.fields if not f.ok), 1)
        self._focus(target)

    def submit(self) -> None:
        """Accept a share that passes every check and hand it on; otherwise point at the fault."""
        view = self.form.view
        if view.verdict is not Verdict.READY:
            self.message_label.setText(view.message)
            self.focus_first()
            return
        words = " ".join(f.completion or "" for f in view.fields)
        try:
            accepted = self.form.accept()
        except ShareError as ex:  # the form said READY, so this is a race with nothing: show it
            self.message_label.setText(str(ex))
            return
        for edit in self._fields:
            edit.wipe()
        self.set_problem(None)
        self.set_progress(accepted.progress.describe())
        self._show(self.form.view)
        self.submitted.emit(words)
        del words
        self._focus(1)
