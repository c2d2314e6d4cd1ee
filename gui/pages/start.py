"""Starting a ceremony: open a plan (its check results first), write one from a template, or
rehearse on throwaway tokens.

Nothing starts while the plan has a problem; every problem is listed with its key path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.typography import LARGE, typography
from gui.viewmodels.messages import sentence
from gui.viewmodels.plan_review import (
    PlanReview,
    plan_template,
    review_plan,
    review_plan_text,
    template_types,
)

PROBLEM_COLOUR = "#a50e0e"
ALGORITHMS = ("ec-p384", "ec-p256", "ec-p521", "rsa-3072", "rsa-4096")


class ReviewView(QWidget):
    """A plan's check result: verdict, summary, problems (red) and notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = QLabel()
        self.verdict.setObjectName("planVerdict")
        self.verdict.setWordWrap(True)
        typography().apply(self.verdict, LARGE, bold=True)
        self.summary = QLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("planProblems")
        self.problems.setAccessibleName("problems in the plan")
        self.problems.setWordWrap(True)
        self.notes = QListWidget()
        self.notes.setObjectName("planNotes")
        self.notes.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Problems (each names its key in the plan):"))
        layout.addWidget(self.problems, 2)
        layout.addWidget(QLabel("Notes:"))
        layout.addWidget(self.notes, 1)

    def show_review(self, review: PlanReview) -> None:
        self.verdict.setText(review.verdict)
        self.verdict.setStyleSheet(f"color: {PROBLEM_COLOUR};" if review.problems
                                   else "color: #137333;")
        self.summary.setText(review.summary)
        self.problems.clear()
        for problem in review.problems:
            item = QListWidgetItem(problem)
            item.setForeground(QBrush(QColor(PROBLEM_COLOUR)))
            self.problems.addItem(item)
        self.notes.clear()
        self.notes.addItems(list(review.notes))


class StartPage(QWidget):
    """Three ways to start: a plan file, a template, a rehearsal."""

    failed = Signal(str)

    def __init__(self, window: Any = None) -> None:
        super().__init__()
        self.window_ = window
        self.review: PlanReview | None = None
        self.plan_path: Path | None = None
        tabs = QTabWidget()
        tabs.setObjectName("startTabs")
        tabs.addTab(self._plan_tab(), "Open a plan")
        tabs.addTab(self._template_tab(), "New plan from a template")
        tabs.addTab(self._rehearsal_tab(), "Rehearsal")
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)

    # --- a plan file -------------------------------------------------------------------------

    def _plan_tab(self) -> QWidget:
        tab = QWidget()
        open_button = QPushButton("Open a plan…")
        open_button.setObjectName("openPlan")
        open_button.clicked.connect(self._choose_plan)
        self.plan_label = QLabel("No plan opened.")
        self.plan_label.setObjectName("planPath")
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("ceremonyFolder")
        self.folder_edit.setAccessibleName("ceremony folder")
        self.folder_edit.setPlaceholderText("beside the plan, named by its id")
        folder_button = QPushButton("Choose…")
        folder_button.clicked.connect(self._choose_folder)
        check_button = QPushButton("Check again")
        check_button.setObjectName("checkPlan")
        check_button.clicked.connect(self.check_again)
        self.start_button = QPushButton("Start the ceremony")
        self.start_button.setObjectName("startCeremony")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_plan)
        typography().apply(self.start_button, LARGE, bold=True)
        self.plan_review = ReviewView()

        top = QHBoxLayout()
        top.addWidget(open_button)
        top.addWidget(self.plan_label, 1)
        folder = QHBoxLayout()
        folder.addWidget(QLabel("Ceremony folder:"))
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(folder_button)
        folder.addWidget(check_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addLayout(folder)
        layout.addWidget(self.plan_review, 1)
        layout.addWidget(self.start_button, alignment=Qt.AlignmentFlag.AlignLeft)
        return tab

    def _choose_plan(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a ceremony plan", "",
                                              "Plans (*.toml);;All files (*)")
        if path:
            self.open_path(Path(path))

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Ceremony folder")
        if path:
            self.folder_edit.setText(path)
            self.check_again()

    def open_path(self, path: Path) -> PlanReview | None:
        """Open the plan at ``path`` and show its check results."""
        self.tabs.setCurrentIndex(0)
        self.plan_path = path
        self.folder_edit.clear()
        return self.check_again()

    def check_again(self) -> PlanReview | None:
        if self.plan_path is None:
            return None
        folder = Path(self.folder_edit.text()) if self.folder_edit.text().strip() else None
        self.plan_label.setText(str(self.plan_path))
        try:
            review = review_plan(self.plan_path, folder)
        except Exception as ex:  # a check that crashes is reported, never shown as a trace
            self.failed.emit(sentence(ex))
            return None
        self.review = review
        if review.folder is not None and not self.folder_edit.text().strip():
            self.folder_edit.setPlaceholderText(str(review.folder))
        self.plan_review.show_review(review)
        self.start_button.setEnabled(review.can_start)
        self.start_button.setText("Resume the ceremony" if review.resuming
                                  else "Start the ceremony")
        return review

    def start_plan(self) -> Any:
        review = self.review
        if review is None or not review.can_start or review.plan is None \
                or review.folder is None:
            self.failed.emit("Open a plan that passes its check first.")
            return None
        from gui.viewmodels.jobs import PlanJob

        inventory = getattr(self.window_, "inventory", None)
        return self.window_.start_job(PlanJob(review.plan, review.folder, inventory))

    # --- a template --------------------------------------------------------------------------

    def _template_tab(self) -> QWidget:
        tab = QWidget()
        self.template_type = QComboBox()
        self.template_type.setObjectName("templateType")
        self.template_type.setAccessibleName("ceremony type")
        self.template_type.addItems(list(template_types()))
        use = QPushButton("Use this template")
        use.setObjectName("useTemplate")
        use.clicked.connect(self.load_template)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("planEditor")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setTabChangesFocus(True)  # keyboard users can leave the editor with Tab
        check = QPushButton("Check")
        check.setObjectName("checkTemplate")
        check.clicked.connect(self.check_template)
        save = QPushButton("Save as…")
        save.setObjectName("saveTemplate")
        save.clicked.connect(self._save_template)
        self.template_review = ReviewView()
        top = QHBoxLayout()
        top.addWidget(QLabel("Ceremony type:"))
        top.addWidget(self.template_type)
        top.addWidget(use)
        top.addStretch(1)
        top.addWidget(check)
        top.addWidget(save)
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("Each template is an example plan; change every value for your "
                                "ceremony, check it, then save it and open it to start."))
        layout.addLayout(top)
        layout.addWidget(self.editor, 3)
        layout.addWidget(self.template_review, 2)
        return tab

    def load_template(self) -> None:
        try:
            self.editor.setPlainText(plan_template(self.template_type.currentText()))
        except Exception as ex:
            self.failed.emit(sentence(ex))

    def check_template(self, path: Path | None = None) -> PlanReview | None:
        target = path or Path.cwd() / "new-plan.toml"
        try:
            review = review_plan_text(self.editor.toPlainText(), target)
        except Exception as ex:
            self.failed.emit(sentence(ex))
            return None
        self.template_review.show_review(review)
        return review

    def _save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the plan", "plan.toml",
                                              "Plans (*.toml)")
        if path:
            self.save_template(Path(path))

    def save_template(self, path: Path) -> bool:
        """Write the edited plan to ``path`` and open it for checking and starting."""
        try:
            path.write_text(self.editor.toPlainText(), encoding="utf-8")
        except OSError as ex:
            self.failed.emit(sentence(ex))
            return False
        self.open_path(path)
        return True

    # --- a rehearsal -------------------------------------------------------------------------

    def _rehearsal_tab(self) -> QWidget:
        tab = QWidget()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.rehearsal_folder = QLineEdit(str(Path.home() / "keyceremony-rehearsals" / stamp))
        self.rehearsal_folder.setObjectName("rehearsalFolder")
        self.rehearsal_folder.setAccessibleName("rehearsal folder")
        self.algorithm = QComboBox()
        self.algorithm.setObjectName("rehearsalAlgorithm")
        self.algorithm.addItems(list(ALGORITHMS))
        self.root_only = QCheckBox("Only the root ceremony")
        self.root_only.setObjectName("rehearsalRootOnly")
        start = QPushButton("Start the rehearsal")
        start.setObjectName("startRehearsal")
        start.clicked.connect(self.start_rehearsal)
        typography().apply(start, LARGE, bold=True)
        form = QFormLayout()
        form.addRow("Folder (new or empty):", self.rehearsal_folder)
        form.addRow("Key algorithm:", self.algorithm)
        form.addRow("", self.root_only)
        text = QLabel("A rehearsal runs the root, intermediate-key and sign ceremonies on "
                      "throwaway SoftHSM tokens, with the people in the room answering every "
                      "sign-off, PIN and share, exactly as in a real ceremony. Everything it "
                      "makes is marked as a rehearsal.")
        text.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(start, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return tab

    def start_rehearsal(self) -> Any:
        from gui.viewmodels.jobs import DEMO_CEREMONIES, RehearsalJob

        text = self.rehearsal_folder.text().strip()
        if not text:
            self.failed.emit("Give a new or empty folder for the rehearsal.")
            return None
        ceremonies = ("root",) if self.root_only.isChecked() else DEMO_CEREMONIES
        job = RehearsalJob(Path(text).expanduser(), ceremonies, self.algorithm.currentText())
        return self.window_.start_job(job)
