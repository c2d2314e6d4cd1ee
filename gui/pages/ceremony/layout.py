"""The ceremony view's widgets and how they share the room.

The step list on the left, the current step in the middle (its title, who acts, the question,
the messages), the journal and its live chain head on the right. The step list and the journal
step aside for a custodian's share panel and in presentation mode, and come back after; a
paper-log moment covers the whole view, with the ceremony unchanged behind it.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from gui.typography import HEADLINE, LARGE, typography
from gui.viewmodels.look import OK
from gui.viewmodels.progress import STATE_MARKS, CeremonyProgress, StepState
from gui.widgets.acting import ActingRow
from gui.widgets.journal_view import ChainHeadPanel, JournalTable
from gui.widgets.plaintext import ElidedLabel, PlainLabel
from gui.widgets.prompts import PromptPanel
from gui.widgets.stepper import Stepper

DONE_MARK = STATE_MARKS[StepState.DONE]


class Aside(Enum):
    """Why the step list and the journal step aside for the current step."""

    PRESENTING = "presentation mode"
    SHARE = "a custodian's share on screen"


class CeremonyLayout(QWidget):
    """The widgets of the ceremony view; ``CeremonyView`` runs the ceremony in them."""

    moment_changed = Signal(bool)  # a paper-log moment fills the view (True) or has gone

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = CeremonyProgress(())
        self.panel: PromptPanel | None = None
        self._wanted = {"steps": True, "journal": True}  # the room's choice, by the toggles
        self._asides: set[Aside] = set()  # why the side panels are set aside now
        self._pinned: set[str] = set()  # brought back by the room while set aside
        self._build(title)

    def _build(self, title: str) -> None:
        self.title = ElidedLabel(title)
        self.title.setObjectName("ceremonyTitle")
        typography().apply(self.title, LARGE, bold=True)

        self.steps = Stepper()

        self.step_title = PlainLabel("Starting…")
        self.step_title.setObjectName("stepTitle")
        self.step_title.setWordWrap(True)
        typography().apply(self.step_title, HEADLINE, bold=True)
        self.actors = ActingRow()
        self.instructions = PlainLabel()
        self.instructions.setObjectName("stepInstructions")
        self.instructions.setWordWrap(True)
        typography().apply(self.instructions, LARGE)
        self.confirmation = PlainLabel()  # e.g. a custodian's copy passed its check
        self.confirmation.setObjectName("stepConfirmation")
        self.confirmation.setWordWrap(True)
        self.confirmation.setStyleSheet(f"color: {OK};")
        typography().apply(self.confirmation, LARGE, bold=True)
        self.confirmation.hide()
        self.messages = QListWidget()
        self.messages.setObjectName("messages")
        self.messages.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.messages.setWordWrap(True)
        # A long path cannot wrap: it is shortened in the middle, not scrolled sideways.
        self.messages.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.messages.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.messages.setMaximumHeight(self.messages.fontMetrics().height() * 4)

        self.busy = QWidget()
        busy_layout = QHBoxLayout(self.busy)
        busy_layout.setContentsMargins(0, 0, 0, 0)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate: the worker is busy
        self.busy_bar.setMaximumWidth(self.busy_bar.fontMetrics().horizontalAdvance("M" * 12))
        self.busy_label = PlainLabel("Working…")
        self.busy_label.setObjectName("busyLabel")
        busy_layout.addWidget(self.busy_bar)
        busy_layout.addWidget(self.busy_label, 1)
        self.busy.hide()

        self.prompt_area = QVBoxLayout()
        self.result = PlainLabel()
        self.result.setObjectName("ceremonyResult")
        self.result.setWordWrap(True)
        typography().apply(self.result, LARGE, bold=True)
        self.result.hide()
        self.audit_button = QPushButton("Check this ceremony's journal in the auditor view")
        self.audit_button.setObjectName("auditCeremony")
        self.audit_button.hide()
        self.completion_area = QVBoxLayout()

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.addWidget(self.step_title)
        center_layout.addWidget(self.actors)
        center_layout.addWidget(self.instructions)
        center_layout.addWidget(self.confirmation)
        center_layout.addLayout(self.prompt_area)
        center_layout.addWidget(self.busy)
        center_layout.addWidget(self.result)
        center_layout.addWidget(self.audit_button, alignment=Qt.AlignmentFlag.AlignLeft)
        center_layout.addLayout(self.completion_area)
        center_layout.addStretch(1)
        center_layout.addWidget(PlainLabel("Messages"))
        center_layout.addWidget(self.messages)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(center)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.journal = JournalTable()
        self.head = ChainHeadPanel()

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(PlainLabel("Journal"))
        right_layout.addWidget(self.journal, 1)
        right_layout.addWidget(self.head)  # the live head sits with the journal it ends

        splitter = QSplitter()
        splitter.addWidget(self.steps)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setStretchFactor(2, 2)
        unit = self.fontMetrics().horizontalAdvance("M")
        splitter.setSizes([16 * unit, 52 * unit, 26 * unit])

        self.splitter = splitter
        self._journal_pane: QWidget = right
        self.steps_toggle = QPushButton("Hide the steps")
        self.steps_toggle.setObjectName("toggleSteps")
        self.steps_toggle.clicked.connect(lambda: self.show_side_panels(
            steps=self.steps.isHidden()))
        self.journal_toggle = QPushButton("Hide the journal")
        self.journal_toggle.setObjectName("toggleJournal")
        self.journal_toggle.clicked.connect(lambda: self.show_side_panels(
            journal=self._journal_pane.isHidden()))

        self.top_row = QHBoxLayout()
        self.top_row.addWidget(self.title, 1)
        self.top_row.addWidget(self.steps_toggle)
        self.top_row.addWidget(self.journal_toggle)
        content = QWidget()
        content.setObjectName("ceremonyContent")
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addLayout(self.top_row)
        self._layout.addWidget(splitter, 1)
        # A paper-log moment covers the whole view; the ceremony is behind it, unchanged.
        self.moment_page = QScrollArea()
        self.moment_page.setObjectName("momentPage")
        self.moment_page.setWidgetResizable(True)
        self.moment_page.setFrameShape(QScrollArea.Shape.NoFrame)
        self._layers = QStackedLayout(self)
        self._layers.addWidget(content)
        self._layers.addWidget(self.moment_page)

    # --- sharing the room --------------------------------------------------------------------

    def show_side_panels(self, steps: bool | None = None, journal: bool | None = None) -> None:
        """The room's own choice (the toggles): show or hide the step list and the journal.

        One shown while they are set aside (presentation mode, a share on screen) comes back
        at once, alone; one hidden stays hidden when the reasons to set them aside end.
        """
        for name, wanted in (("steps", steps), ("journal", journal)):
            if wanted is None:
                continue
            self._wanted[name] = wanted
            if wanted and self._asides:
                self._pinned.add(name)
            else:
                self._pinned.discard(name)
        self._apply_sides()

    def set_aside(self, reason: Aside, on: bool) -> None:
        """Set the side panels aside for ``reason`` (or stop doing so); they come back as the
        room last wanted them once no reason is left."""
        if on and reason not in self._asides:
            self._asides.add(reason)
            if reason is Aside.SHARE:
                self._pinned.clear()  # a custodian's share gets the whole width
        elif not on:
            self._asides.discard(reason)
        if not self._asides:
            self._pinned.clear()
        self._apply_sides()

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: the step, who acts and the question get the whole view; the
        step list and journal step aside (the toggles bring them back)."""
        self.set_aside(Aside.PRESENTING, on)

    def _apply_sides(self) -> None:
        for name, widget, toggle, label in (
                ("steps", self.steps, self.steps_toggle, "the steps"),
                ("journal", self._journal_pane, self.journal_toggle, "the journal")):
            shown = self._wanted[name] and (not self._asides or name in self._pinned)
            widget.setVisible(shown)
            toggle.setText(f"Hide {label}" if shown else f"Show {label}")

    def show_moment(self, panel: PromptPanel) -> None:
        """``panel`` (a paper-log moment) covers the whole view."""
        self.moment_page.setWidget(panel)
        self._layers.setCurrentWidget(self.moment_page)
        self.moment_changed.emit(True)

    def take_panel(self, panel: PromptPanel) -> None:
        """Take ``panel`` out of the view, wherever it is shown."""
        if self.moment_page.widget() is panel:
            self.moment_page.takeWidget()
            self._layers.setCurrentIndex(0)
            self.moment_changed.emit(False)
        else:
            self.prompt_area.removeWidget(panel)

    def confirm(self, text: str | None) -> None:
        """Say that something the room did passed (with a ✓, in words), or say nothing."""
        self.confirmation.setText(f"{DONE_MARK} {text}" if text else "")
        self.confirmation.setVisible(bool(text))

    def _set_busy(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy.setVisible(self.panel is None)

    def _show_steps(self) -> None:
        self.steps.show_rows(self.progress.rows)
