"""A plan's check result as the start page shows it: verdict, summary, problems and notes."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from gui.typography import LARGE, typography
from gui.viewmodels.plan_review import PlanReview
from gui.widgets.plaintext import PlainLabel

PROBLEM_COLOUR = "#a50e0e"
CLEAN_COLOUR = "#137333"


class ReviewView(QWidget):
    """A plan's check result: verdict, summary, problems (red) and notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = PlainLabel()
        self.verdict.setObjectName("planVerdict")
        self.verdict.setWordWrap(True)
        typography().apply(self.verdict, LARGE, bold=True)
        self.summary = PlainLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("planProblems")
        self.problems.setAccessibleName("problems in the plan")
        self.problems.setWordWrap(True)
        self.notes = QListWidget()
        self.notes.setObjectName("planNotes")
        self.notes.setAccessibleName("notes on the plan")
        self.notes.setWordWrap(True)
        problems_label = PlainLabel("Problems (each names its key in the plan):")
        problems_label.setBuddy(self.problems)
        notes_label = PlainLabel("Notes:")
        notes_label.setBuddy(self.notes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(problems_label)
        layout.addWidget(self.problems, 2)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes, 1)

    def show_review(self, review: PlanReview) -> None:
        self.verdict.setText(review.verdict)
        self.verdict.setStyleSheet(f"color: {PROBLEM_COLOUR};" if review.problems
                                   else f"color: {CLEAN_COLOUR};")
        self.summary.setText(review.summary)
        self.problems.clear()
        for problem in review.problems:
            item = QListWidgetItem(problem)
            item.setForeground(QBrush(QColor(PROBLEM_COLOUR)))
            self.problems.addItem(item)
        self.notes.clear()
        self.notes.addItems(list(review.notes))
