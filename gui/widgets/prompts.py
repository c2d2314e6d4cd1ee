"""The panels the ceremony view shows for each question of the runner.

Each panel is answered once, through ``answered``. Enter takes the default (the focused button
if one has focus), Esc backs out of a half-made choice or offers the refusal. Decisions name
the person acting; refusing or deviating needs a reason, typed into the panel.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ceremony.prompts import Outcome, SigningPreview
from gui.errors import GuiError
from gui.typography import LARGE, typography
from gui.viewmodels.decision import Choice, DecisionForm, Question
from gui.widgets.accent import make_primary
from gui.widgets.plaintext import PlainLabel, button_text
from gui.widgets.secure import SecretLineEdit

ERROR_STYLE = "color: #a50e0e; font-weight: bold;"


def _label(text: str, factor: float = 1.0, bold: bool = False, name: str = "") -> PlainLabel:
    label = PlainLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    if factor != 1.0 or bold:
        typography().apply(label, factor, bold)
    return label


class PromptPanel(QFrame):
    """A question in the ceremony view: Enter takes the default, Esc backs out."""

    answered = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._done = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            else:
                self.default_action()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_action()
            event.accept()
            return
        super().keyPressEvent(event)

    def default_action(self) -> None:
        """What Enter does when no button has focus."""

    def escape_action(self) -> None:
        """What Esc does."""

    def focus_first(self) -> None:
        """Give the keyboard focus to where the person starts."""
        self.setFocus()

    @property
    def answered_once(self) -> bool:
        """True once the panel has been answered."""
        return self._done

    def finish(self, value: Any) -> None:
        """Answer once; later calls are ignored (a double click must not answer twice)."""
        if self._done:
            return
        self._done = True
        self.setEnabled(False)
        self.answered.emit(value)


class DecisionPanel(PromptPanel):
    """A sign-off, a signing confirmation (with what will be signed) or a deviation."""

    def __init__(self, form: DecisionForm, preview: SigningPreview | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self._pending: Choice | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(_label(form.heading, LARGE, bold=True, name="decisionHeading"))
        if form.kind is Question.DEVIATION:
            problem = _label(form.text, LARGE, name="decisionText")
            problem.setStyleSheet(ERROR_STYLE)
            layout.addWidget(problem)
        elif preview is None:
            layout.addWidget(_label(form.text, LARGE, name="decisionText"))
        if preview is not None:
            layout.addWidget(SigningPreviewView(preview))

        self.reason_prompt = _label("", name="reasonPrompt")
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setAccessibleName("reason")
        self.reason.setPlaceholderText("the reason, in words")
        self.record_button = QPushButton("Record")
        self.record_button.setObjectName("recordReason")
        self.record_button.clicked.connect(self._record)
        self.error = _label("", name="decisionError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason, 1)
        reason_row.addWidget(self.record_button)
        self.reason_box = QWidget()
        reason_layout = QVBoxLayout(self.reason_box)
        reason_layout.setContentsMargins(0, 0, 0, 0)
        reason_layout.addWidget(self.reason_prompt)
        reason_layout.addLayout(reason_row)
        self.reason_box.hide()

        buttons = QHBoxLayout()
        self.buttons: dict[Outcome, QPushButton] = {}
        for index, choice in enumerate(form.choices):
            button = QPushButton(button_text(choice.label))
            button.setObjectName(f"choice-{choice.outcome.value}")
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            if index == 0:
                button.setDefault(True)
                typography().apply(button, LARGE, bold=True)
                make_primary(button)
            buttons.addWidget(button)
            self.buttons[choice.outcome] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.reason_box)
        layout.addWidget(self.error)

    def focus_first(self) -> None:
        self.buttons[self.form.choices[0].outcome].setFocus()

    def _choose(self, choice: Choice) -> None:
        if not choice.needs_reason:
            self.finish(self.form.decide(choice.outcome))
            return
        self._pending = choice
        self.reason_prompt.setText(self.form.reason_prompt(choice.outcome))
        self.record_button.setText("Record the refusal" if choice.outcome is Outcome.REFUSED
                                   else "Record the deviation")
        self.reason_box.show()
        self.reason.setFocus()

    def _record(self) -> None:
        if self._pending is None:
            return
        try:
            decision = self.form.decide(self._pending.outcome, self.reason.text())
        except GuiError as ex:
            self.error.setText(str(ex))
            self.error.show()
            self.reason.setFocus()
            return
        self.finish(decision)

    def default_action(self) -> None:
        if self._pending is not None:
            self._record()
        else:
            self._choose(self.form.choices[0])

    def escape_action(self) -> None:
        if self._pending is not None:  # back out of the half-made choice
            self._pending = None
            self.reason_box.hide()
            self.error.hide()
            self.focus_first()
            return
        refusal = next((c for c in self.form.choices if c.needs_reason), None)
        if refusal is not None:
            self._choose(refusal)


class SigningPreviewView(QWidget):
    """Exactly what will be signed: fields, extensions, lint result and signing key."""

    def __init__(self, preview: SigningPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_label(f"To be signed: the {preview.what}", LARGE, bold=True,
                                name="previewWhat"))
        fields = QFormLayout()
        for label, value in preview.fields:
            fields.addRow(PlainLabel(f"{label}:"), _label(value))
        fields.addRow(PlainLabel("Signing key:"), _label(preview.signer_key))
        layout.addLayout(fields)
        layout.addWidget(_label("Extensions", bold=True))
        extensions = QListWidget()
        extensions.setObjectName("previewExtensions")
        extensions.addItems(list(preview.extensions) or ["none"])
        extensions.setMaximumHeight(extensions.sizeHintForRow(0) * (len(preview.extensions) + 1)
                                    + 8)
        layout.addWidget(extensions)
        verdict = "Lint: clean" if preview.lint_clean else "Lint: FINDINGS that block signing"
        lint = _label(verdict, bold=True, name="previewLint")
        lint.setStyleSheet("color: #137333;" if preview.lint_clean else ERROR_STYLE)
        layout.addWidget(lint)
        for line in preview.lint:
            layout.addWidget(_label(line))


class PinPanel(PromptPanel):
    """A token PIN, masked; the token's last refusal (and tries left) shown above it."""

    def __init__(self, person: str, token_label: str, problem: str | None,
                 hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(f"{person}: type the PIN of token {token_label!r}", LARGE,
                                bold=True, name="pinHeading"))
        if problem:
            error = _label(problem, name="pinProblem")
            error.setStyleSheet(ERROR_STYLE)
            layout.addWidget(error)
        if hint:
            layout.addWidget(_label(hint, name="pinHint"))
        self.pin = SecretLineEdit(masked=True)
        self.pin.setObjectName("pin")
        self.pin.setAccessibleName("PIN")
        self.status = _label("", name="pinStatus")
        self.status.setStyleSheet(ERROR_STYLE)
        button = QPushButton("Log in to the token")
        button.setObjectName("pinSubmit")
        button.setDefault(True)
        make_primary(button)
        button.clicked.connect(self.default_action)
        row = QHBoxLayout()
        row.addWidget(self.pin, 1)
        row.addWidget(button)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def focus_first(self) -> None:
        self.pin.setFocus()

    def default_action(self) -> None:
        pin = self.pin.text()
        if not pin:
            self.status.setText("Type the PIN first; it is not shown as you type.")
            return
        self.pin.wipe()  # the PIN leaves the screen's memory as it goes to the runner
        self.finish(pin)

    def escape_action(self) -> None:
        self.pin.wipe()


class PassphrasePanel(PromptPanel):
    """A share passphrase, masked, typed twice when it is being set."""

    def __init__(self, person: str, purpose: str, confirm: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(f"{person}: type {purpose}", LARGE, bold=True))
        layout.addWidget(_label("It is not shown. Leave it empty if the custodians agreed "
                                "on none."))
        self.first = SecretLineEdit(masked=True)
        self.first.setObjectName("passphrase")
        self.first.setAccessibleName("passphrase")
        self.second = SecretLineEdit(masked=True)
        self.second.setObjectName("passphraseAgain")
        self.second.setAccessibleName("passphrase again")
        form = QFormLayout()
        form.addRow(PlainLabel("Passphrase:"), self.first)
        if confirm:
            form.addRow(PlainLabel("Again:"), self.second)
        else:
            self.second.hide()
        self._confirm = confirm
        layout.addLayout(form)
        self.status = _label("", name="passphraseStatus")
        self.status.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.status)
        button = QPushButton("Use this passphrase")
        button.setDefault(True)
        make_primary(button)
        button.clicked.connect(self.default_action)
        layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)

    def focus_first(self) -> None:
        self.first.setFocus()

    def default_action(self) -> None:
        if self._confirm and self.first.text() != self.second.text():
            self.status.setText("The two entries differ; type the passphrase again.")
            self.first.wipe()
            self.second.wipe()
            self.first.setFocus()
            return
        passphrase = self.first.text()
        self.first.wipe()
        self.second.wipe()
        self.finish(passphrase)

    def escape_action(self) -> None:
        self.first.wipe()
        self.second.wipe()
        self.first.setFocus()


class WidgetPanel(PromptPanel):
    """A panel around a widget that answers through its own signal (hand-out, share entry)."""

    def __init__(self, widget: QWidget, signal: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        layout = QVBoxLayout(self)
        layout.addWidget(widget)
        signal.connect(lambda *value: self.finish(value[0] if value else None))

    def focus_first(self) -> None:
        focus = getattr(self.widget, "focus_first", None)
        if callable(focus):
            focus()
        else:
            self.widget.setFocus()

    def default_action(self) -> None:
        if self._done:
            return
        for name in ("submit", "button"):
            target = getattr(self.widget, name, None)
            if isinstance(target, QPushButton):
                if target.isEnabled():
                    target.click()
                return
            if callable(target):
                target()
                return
