"""Writing a new plan in a form, checked as it is filled in, saved, then started.

The form (``gui.widgets.plan_form``) writes the plan's TOML, shown under "TOML (advanced)"
exactly as it will be saved; it can be edited there by hand (for what the form does not offer,
such as share groups), and read back into the form. Every change is checked a moment later with
``plan check``, each problem listed with its key path and marked on its field. Saving never
overwrites a file. A plan starts only once it is clean and saved, through the same path as an
opened plan (the ceremony's transcript embeds the plan file).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ceremony.plan import CeremonyType
from gui.errors import GuiError
from gui.typography import LARGE, typography
from gui.viewmodels.messages import sentence
from gui.viewmodels.plan_form import PlanForm, default_plan_name, secret_problems
from gui.viewmodels.plan_review import PlanReview, review_plan_text
from gui.widgets.banner import enter_clicks_buttons
from gui.widgets.dialogs import open_file, save_file
from gui.widgets.plaintext import PlainLabel, ask, set_tool_tip
from gui.widgets.plan_form import PlanFormWidget
from gui.widgets.plan_review import ReviewView

CHECK_DELAY_MS = 250  # check once typing pauses, not on every key
FORM_TAB, TOML_TAB = 0, 1


class NewPlanTab(QWidget):
    """The form for a new plan of any ceremony type, its live check, Save and Start."""

    failed = Signal(str)
    informed = Signal(str)
    start_requested = Signal(object)  # the Path of the saved, clean plan
    reviewed = Signal(object)  # the PlanReview of the latest check

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path.home()  # where plans are saved unless chosen otherwise
        self.saved: tuple[Path, str] | None = None  # the last plan saved and its text
        self.review: PlanReview | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)

        self.type_box = QComboBox()
        self.type_box.setObjectName("planType")
        self.type_box.addItems([t.value for t in CeremonyType])
        type_label = PlainLabel("Ceremony &type:")
        type_label.setBuddy(self.type_box)
        new_button = QPushButton("New form")
        new_button.setObjectName("newForm")
        set_tool_tip(new_button, "Start an empty form of this type; each field shows what a "
                                 "value looks like")
        new_button.clicked.connect(lambda: self.new_form())
        example_button = QPushButton("E&xample values")
        example_button.setObjectName("exampleForm")
        set_tool_tip(example_button, "Start a form of this type filled with its example plan's "
                                     "values, to change into your own")
        example_button.clicked.connect(lambda: self.example_form())
        fill_button = QPushButton("Fill from a plan file…")
        fill_button.setObjectName("fillForm")
        fill_button.clicked.connect(self._choose_fill)

        self.form_view = PlanFormWidget(PlanForm.new(CeremonyType.ROOT))
        self.form_view.changed.connect(self._edited)
        self.toml = QPlainTextEdit()
        self.toml.setObjectName("planEditor")
        self.toml.setAccessibleName("the plan as TOML")
        self.toml.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.toml.setTabChangesFocus(True)  # keyboard users can leave the editor with Tab
        self.toml.setReadOnly(True)
        self.toml.textChanged.connect(self._hand_edited)
        self.by_hand = QCheckBox("&Edit the TOML by hand")
        self.by_hand.setObjectName("editByHand")
        self.by_hand.toggled.connect(self._hand_toggled)
        hand_note = PlainLabel("This is the plan exactly as it will be saved. Edited by hand, it "
                           "can hold what the form does not offer (share groups); the form is "
                           "set aside until the box is unticked, which reads the text back.")
        hand_note.setWordWrap(True)
        toml_tab = QWidget()
        toml_layout = QVBoxLayout(toml_tab)
        toml_layout.addWidget(hand_note)
        toml_layout.addWidget(self.by_hand)
        toml_layout.addWidget(self.toml, 1)
        self.views = QTabWidget()
        self.views.setObjectName("planViews")
        self.views.addTab(self.form_view, "&Form")
        self.views.addTab(toml_tab, "TOML (a&dvanced)")

        self.check_view = ReviewView()
        self.check_view.setObjectName("formReview")
        self.check_view.problems.itemActivated.connect(self._go_to_problem)
        self.save_button = QPushButton("&Save plan…")
        self.save_button.setObjectName("savePlan")
        self.save_button.clicked.connect(self._choose_save)
        self.start_button = QPushButton("Start this ceremony")
        self.start_button.setObjectName("startFormPlan")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_ceremony)
        typography().apply(self.start_button, LARGE, bold=True)
        self.status = PlainLabel()
        self.status.setObjectName("formStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(type_label)
        top.addWidget(self.type_box)
        top.addWidget(new_button)
        top.addWidget(example_button)
        top.addStretch(1)
        top.addWidget(fill_button)
        split = QSplitter(Qt.Orientation.Horizontal)  # the check beside the form: both tall
        split.addWidget(self.views)
        split.addWidget(self.check_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.split = split
        self._sized = False
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.start_button)
        bottom.addWidget(self.status, 1)
        intro = PlainLabel("Fill in the form; it is checked as you type, and each problem names "
                       "its field. Relative paths are relative to the folder the plan is saved "
                       "in. Save the plan, then start it once it has no problems.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._edited()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:  # the form gets most of the width; the person can move it
            self._sized = True
            total = sum(self.split.sizes())
            self.split.setSizes([total * 3 // 5, total - total * 3 // 5])

    @property
    def form(self) -> PlanForm:
        return self.form_view.form

    # --- the form ----------------------------------------------------------------------------

    def new_form(self, ceremony: CeremonyType | str | None = None) -> bool:
        """Start an empty form for ``ceremony`` (default: the type chosen), once the person
        agrees to lose the edits of the form shown, if it has any."""
        if not self.may_discard():
            return False
        self.set_form(PlanForm.new(ceremony or self.type_box.currentText()))
        return True

    def example_form(self, ceremony: CeremonyType | str | None = None) -> bool:
        """Start a form for ``ceremony`` (default: the type chosen) with its example values,
        once the person agrees to lose the edits of the form shown, if it has any."""
        if not self.may_discard():
            return False
        self.set_form(PlanForm.example(ceremony or self.type_box.currentText()))
        return True

    def has_edits(self) -> bool:
        """Whether the form (or the TOML edited by hand) holds edits not saved."""
        return self.form.is_edited(self.toml.toPlainText() if self.by_hand.isChecked()
                                   else None)

    def may_discard(self) -> bool:
        """True when nothing would be lost by replacing the form, or the person says so."""
        return not self.has_edits() or ask(
            self, "Discard the edits?", "The plan in the form has edits that are not saved. "
            "Discard them?")

    def set_form(self, form: PlanForm) -> None:
        """Show ``form`` in the form view and check it."""
        self.by_hand.blockSignals(True)
        self.by_hand.setChecked(False)
        self.by_hand.blockSignals(False)
        self._hand_mode(False)
        self.type_box.setCurrentText(form.type.value)
        self.form_view.set_form(form)
        enter_clicks_buttons(self.form_view)
        self._edited()

    def _choose_fill(self) -> None:
        path = open_file(self, "Fill the form from a plan", "Plans (*.toml);;All files (*)",
                         self.folder)
        if path is not None:
            self.fill_from(path)

    def fill_from(self, path: Path) -> bool:
        """Fill the form from the plan at ``path`` (once the person agrees to lose the edits
        of the form shown, if it has any); what the form cannot show stays in the TOML
        editor, to be edited by hand."""
        if not self.may_discard():
            return False
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeError) as ex:
            self.failed.emit(sentence(ex))
            return False
        self.folder = path.parent  # its relative paths resolve there
        try:
            form = PlanForm.from_plan_text(text)
        except GuiError as ex:
            self.by_hand.setChecked(True)
            self.toml.setPlainText(text)
            self.failed.emit(sentence(ex))
            return False
        self.set_form(form)
        return True

    def current_text(self) -> str:
        """The plan as it would be saved: the form's TOML, or the text edited by hand."""
        return self.toml.toPlainText() if self.by_hand.isChecked() else self.form.to_toml()

    def draft_path(self) -> Path:
        """Where the plan is checked as if saved: where it was saved, or in ``folder``."""
        if self.saved is not None and self.saved[1] == self.current_text():
            return self.saved[0]
        return self.folder / default_plan_name(self.form)

    def _edited(self) -> None:
        if not self.by_hand.isChecked():
            try:
                text = self.form.to_toml()
            except ValueError as ex:
                text = f"# {sentence(ex)}"
            self.toml.blockSignals(True)
            self.toml.setPlainText(text)
            self.toml.blockSignals(False)
        self.start_button.setEnabled(False)
        self._timer.start()

    def _hand_edited(self) -> None:
        if self.by_hand.isChecked():
            self.start_button.setEnabled(False)
            self._timer.start()

    def _hand_toggled(self, on: bool) -> None:
        if on:
            self._hand_mode(True)
            self.views.setCurrentIndex(TOML_TAB)
            self.toml.setFocus()
            self._timer.start()
            return
        try:
            form = PlanForm.from_plan_text(self.toml.toPlainText())
        except GuiError as ex:
            self.by_hand.blockSignals(True)
            self.by_hand.setChecked(True)
            self.by_hand.blockSignals(False)
            self.failed.emit(sentence(ex))
            return
        form.carry_edits_from(self.form)  # edits by hand are edits too
        self.set_form(form)
        self.views.setCurrentIndex(FORM_TAB)

    def _hand_mode(self, on: bool) -> None:
        self.toml.setReadOnly(not on)
        self.form_view.setEnabled(not on)
        self.views.setTabText(FORM_TAB, "&Form (set aside while the TOML is edited by hand)"
                              if on else "&Form")

    # --- the check ---------------------------------------------------------------------------

    def check_now(self) -> PlanReview | None:
        """Check the plan now (as typing pauses, or before saving and starting)."""
        self._timer.stop()
        try:
            review = review_plan_text(self.current_text(), self.draft_path())
        except Exception as ex:  # a check that crashes is reported, never shown as a trace
            self.failed.emit(sentence(ex))
            return None
        self.review = review
        self.check_view.show_review(review)
        self.form_view.mark_problems(() if self.by_hand.isChecked() else review.problems)
        self.start_button.setEnabled(review.can_start)
        self.reviewed.emit(review)
        return review

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        if not self.by_hand.isChecked():
            self.views.setCurrentIndex(FORM_TAB)
            self.form_view.focus_problem(item.text())

    # --- saving and starting -----------------------------------------------------------------

    def _choose_save(self) -> bool:
        suggested = self.folder / default_plan_name(self.form)
        path = save_file(self, "Save the plan (an existing file is never replaced)", suggested,
                         "Plans (*.toml)", options=QFileDialog.Option.DontConfirmOverwrite)
        return path is not None and self.save_plan(path)

    def save_plan(self, path: Path) -> bool:
        """Write the plan to ``path``, which must not exist yet: a plan is never overwritten."""
        try:
            text = self.current_text()
            secrets = secret_problems(text)
            if secrets:
                self._tell(f"The plan is not saved: {secrets[0]}.", error=True)
                return False
            data = text.encode("utf-8")
            with path.open("xb") as f:  # create-exclusive
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except FileExistsError:
            self._tell(f"{path} already exists; a plan is never overwritten, so choose another "
                       "name.", error=True)
            return False
        except (OSError, ValueError) as ex:
            self._tell(sentence(ex), error=True)
            return False
        self.saved = (path, data.decode("utf-8"))
        self.form.mark_clean(self.saved[1])
        self.folder = path.parent
        review = self.check_now()
        problems = len(review.problems) if review is not None else 0
        self._tell(f"Saved as {path}." + (f" It still has {problems} problem"
                                            f"{'s' if problems != 1 else ''}, so it cannot "
                                            "start yet." if problems else ""))
        return True

    def start_ceremony(self) -> bool:
        """Start the plan: it must pass its check and be saved as it is now (the ceremony
        reads the saved file); without a saved copy, ask where to save it first."""
        review = self.check_now()
        if review is None or not review.can_start:
            self._tell("The plan has problems; fix the fields marked in red before starting.",
                       error=True)
            return False
        if self.saved is None or self.saved[1] != self.current_text():
            self._tell("Save the plan first: the ceremony runs from the saved file.")
            if not self._choose_save() or self.review is None or not self.review.can_start:
                return False
        if self.saved is None:  # the save dialog was left without a file
            return False
        self.start_requested.emit(self.saved[0])
        return True

    def _tell(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #a50e0e;" if error else "")
        (self.failed if error else self.informed).emit(text)
