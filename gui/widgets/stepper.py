"""The ceremony's steps as a stepper: each step with its state's icon (a circle, an arrow, a
tick, a triangle, a cross: told apart by shape, not only by colour), its number and title; the
current step bold, on a tinted band, with its state spoken for screen readers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from gui.viewmodels.look import SELECTED, STEP_COLOURS, STEP_ICONS
from gui.viewmodels.progress import StepRow, StepState
from gui.widgets.icons import icon
from gui.widgets.plaintext import set_tool_tip

CURRENT_BAND = SELECTED  # behind the current step; its text (the accent) keeps AA on it


class Stepper(QListWidget):
    """The step list of a ceremony; ``show_rows`` redraws it from the progress rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("steps")
        self.setAccessibleName("steps of the ceremony")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 16))
        self.setWordWrap(True)
        self.setSpacing(2)
        self.rows: tuple[StepRow, ...] = ()

    def show_rows(self, rows: Sequence[StepRow]) -> None:
        """Show ``rows``: icon, number and title each; the current one stands out."""
        self.rows = tuple(rows)
        side = self.fontMetrics().height() + 4
        self.setIconSize(QSize(side, side))
        self.clear()
        current: QListWidgetItem | None = None
        for row in self.rows:
            item = QListWidgetItem(icon(STEP_ICONS[row.state]), f"{row.number}. {row.title}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, row.spoken)
            set_tool_tip(item, row.spoken)
            item.setForeground(QBrush(QColor(STEP_COLOURS[row.state])))
            if row.state is StepState.CURRENT:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setBackground(QBrush(QColor(CURRENT_BAND)))
                current = item
            self.addItem(item)
        if current is not None:
            self.scrollToItem(current)

    def current_row(self) -> StepRow | None:
        """The step shown as current, if any."""
        return next((r for r in self.rows if r.state is StepState.CURRENT), None)
