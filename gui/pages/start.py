"""Starting a ceremony: open a plan (its check results first), print its script for the room,
write one in a form (``gui.pages.new_plan``), or rehearse on throwaway tokens.

Nothing starts while the plan has a problem; every problem is listed with its key path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.typography import LARGE, typography
from gui.viewmodels.folders import rehearsal_folder
from gui.viewmodels.messages import sentence
from gui.viewmodels.plan_review import PlanReview, print_script, review_plan, script_name
from gui.widgets.background import Task, run_in_background
from gui.widgets.dialogs import choose_folder, open_file, save_file
from gui.widgets.plaintext import PlainLabel, set_tool_tip
from gui.widgets.plan_review import PROBLEM_COLOUR, ReviewView

__all__ = ["PROBLEM_COLOUR", "ReviewView", "StartPage"]

ALGORITHMS = ("ec-p384", "ec-p256", "ec-p521", "rsa-3072", "rsa-4096")


class StartPage(QWidget):
    """Three ways to start: a plan file, a plan written in a form, a rehearsal."""

    failed = Signal(str)
    informed = Signal(str)
    resolved = Signal()  # the plan was read and checked: an earlier error about it is moot

    def __init__(self, window: Any = None) -> None:
        super().__init__()
        self.window_ = window
        self.review: PlanReview | None = None
        self.plan_path: Path | None = None
        tabs = QTabWidget()
        tabs.setObjectName("startTabs")
        tabs.addTab(self._plan_tab(), "Open a plan")
        tabs.addTab(self._new_plan_tab(), "Write a new plan")
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
        self.plan_label = PlainLabel("No plan opened.")
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
        self.print_button = QPushButton("Print script…")
        self.print_button.setObjectName("printScript")
        set_tool_tip(self.print_button, "Write the script the room follows on paper (a PDF)")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self._choose_script_file)
        self.plan_review = ReviewView()

        top = QHBoxLayout()
        top.addWidget(open_button)
        top.addWidget(self.plan_label, 1)
        folder = QHBoxLayout()
        folder.addWidget(PlainLabel("Ceremony folder:"))
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(folder_button)
        folder.addWidget(check_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addLayout(folder)
        layout.addWidget(self.plan_review, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.start_button)
        actions.addWidget(self.print_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        return tab

    def _choose_plan(self) -> None:
        path = open_file(self, "Open a ceremony plan", "Plans (*.toml);;All files (*)",
                         self.plan_path)
        if path is not None:
            self.open_path(path)

    def _choose_folder(self) -> None:
        typed = Path(self.folder_edit.text()) if self.folder_edit.text().strip() else None
        proposed = self.review.folder if self.review is not None else None
        path = choose_folder(self, "Ceremony folder", typed, proposed, self.plan_path)
        if path is not None:
            self.folder_edit.setText(str(path))
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
        self.resolved.emit()
        self.print_button.setEnabled(True)  # a plan with problems is refused with a sentence
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

    def _choose_script_file(self) -> None:
        if self.plan_path is None:
            return
        path = save_file(self, "Print the ceremony script", script_name(self.plan_path),
                         "PDF (*.pdf)", self.plan_path)
        if path is not None:
            self.print_script_to(path)

    def print_script_to(self, out: Path) -> Task | None:
        """Write the open plan's script to ``out`` in the background; the window says how it
        went (a plan that fails its check is refused in a sentence, nothing written)."""
        plan_path = self.plan_path
        if plan_path is None:
            self.failed.emit("Open a plan first.")
            return None
        return run_in_background(lambda: print_script(plan_path, out), self.informed.emit,
                                 self.failed.emit)

    # --- a new plan -------------------------------------------------------------------------

    def _new_plan_tab(self) -> QWidget:
        from gui.pages.new_plan import NewPlanTab

        self.new_plan = NewPlanTab()
        self.new_plan.failed.connect(self.failed)
        self.new_plan.informed.connect(self.informed)
        self.new_plan.start_requested.connect(self.start_saved_plan)
        return self.new_plan

    def start_saved_plan(self, path: Path) -> Any:
        """Start the plan written in the form and saved at ``path``, as an opened plan starts:
        read again from the file, checked, then run."""
        review = self.open_path(path)
        if review is None or not review.can_start:
            return None
        return self.start_plan()

    # --- a rehearsal -------------------------------------------------------------------------

    def _rehearsal_tab(self) -> QWidget:
        tab = QWidget()
        self.rehearsal_folder = QLineEdit(str(rehearsal_folder(dt.datetime.now())))
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
        form.addRow(PlainLabel("Folder (new or empty):"), self.rehearsal_folder)
        form.addRow(PlainLabel("Key algorithm:"), self.algorithm)
        form.addRow(PlainLabel(""), self.root_only)
        text = PlainLabel("A rehearsal runs the root, intermediate-key and sign ceremonies on "
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
        from ceremony.demo.rehearsal import CEREMONY_ORDER
        from gui.viewmodels.jobs import RehearsalJob

        text = self.rehearsal_folder.text().strip()
        if not text:
            self.failed.emit("Give a new or empty folder for the rehearsal.")
            return None
        ceremonies = ("root",) if self.root_only.isChecked() else CEREMONY_ORDER
        folder = Path(text).expanduser()
        view = self.window_.start_job(RehearsalJob(folder, ceremonies,
                                                   self.algorithm.currentText()))
        if view is not None:  # this folder is used now: the next rehearsal gets a new one
            self.rehearsal_folder.setText(str(rehearsal_folder(dt.datetime.now(),
                                                               folder.parent, (folder,))))
        return view
