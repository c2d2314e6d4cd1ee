"""The ceremony view: steps on the left, the current step large in the middle, the journal
and its chain head always in sight.

The ceremony runs on a worker ``QThread``. Its questions arrive here as queued signals (see
``gui.prompter``) and are shown as panels; the worker waits until the panel is answered, the
window never does. While the worker works between questions a busy indicator says on what.
The journal is read as the worker writes it, so what the room sees is what was recorded.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from ceremony.folder import JOURNAL_NAME
from ceremony.prompts import HeadMoment, StepView
from gui.prompter import WindowPrompter
from gui.typography import HEADLINE, LARGE, typography
from gui.viewmodels.decision import DecisionForm, Question
from gui.viewmodels.exchange import Prompt, PromptExchange
from gui.viewmodels.hand_out import CopyCheckForm, HandOut
from gui.viewmodels.jobs import CeremonyJob
from gui.viewmodels.journal_rows import JournalTail, deviation_message
from gui.viewmodels.look import acting
from gui.viewmodels.messages import sentence
from gui.viewmodels.paper_log import Completion, HeadMomentForm, job_inventory
from gui.viewmodels.progress import CeremonyProgress, RunState, StepState
from gui.viewmodels.share_form import ShareForm
from gui.widgets.acting import ActingRow
from gui.widgets.hand_out import CopyCheckWidget, HandOutWidget
from gui.widgets.journal_view import ChainHeadPanel, JournalTable
from gui.widgets.paper_log import CompletionBox, HeadMomentPanel
from gui.widgets.plaintext import ElidedLabel, PlainLabel
from gui.widgets.prompts import (
    DecisionPanel,
    PassphrasePanel,
    PinPanel,
    PromptPanel,
    WidgetPanel,
)
from gui.widgets.share_card import attached_printers
from gui.widgets.share_entry import ShareEntryWidget
from gui.worker import CeremonyWorker, PromptRelay

JOURNAL_POLL_MS = 200
STEP_COLOURS = {
    StepState.DONE: "#137333",
    StepState.CURRENT: "#1a73e8",
    StepState.REFUSED: "#a50e0e",
    StepState.FAILED: "#a50e0e",
}
NO_SHARES_YET = "No shares accepted yet."


class CeremonyView(QWidget):
    """Runs one job and shows it; ``ended`` carries the closing sentence."""

    ended = Signal(str)
    audit_requested = Signal(object)  # the ceremony folder, to open in the auditor view
    inventory_requested = Signal(object)  # an inventory, to open on the dashboard
    moment_changed = Signal(bool)  # a paper-log moment fills the view (True) or has gone

    def __init__(self, job: CeremonyJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.progress = CeremonyProgress(())
        self.tail: JournalTail | None = None
        self.folder: Path | None = None
        self.panel: PromptPanel | None = None
        self.share_form: ShareForm | None = None
        self.outcome: str | None = None
        self._notice: str | None = None  # the last message, shown with the next question
        self.stop_button: QPushButton | None = None
        self.completion_box: CompletionBox | None = None
        self._sides_set_aside: tuple[bool, ...] = ()  # side panels hidden for a share panel
        self._plan: Any = None
        self._before_presenting: tuple[bool, bool] | None = None
        self._relay = PromptRelay(self)
        self._relay.posted.connect(self._on_prompt, Qt.ConnectionType.QueuedConnection)
        self.exchange = PromptExchange(self._relay.posted.emit)
        self.worker = CeremonyWorker(job, WindowPrompter(self.exchange), self._begin, self)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.stopped.connect(self._stopped)
        self._poll = QTimer(self)
        self._poll.setInterval(JOURNAL_POLL_MS)
        self._poll.timeout.connect(self.poll_journal)
        self._build()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = ElidedLabel(self.job.title)
        self.title.setObjectName("ceremonyTitle")
        typography().apply(self.title, LARGE, bold=True)

        self.steps = QListWidget()
        self.steps.setObjectName("steps")
        self.steps.setAccessibleName("steps of the ceremony")
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setMinimumWidth(self.steps.fontMetrics().horizontalAdvance("M" * 16))
        self.steps.setWordWrap(True)

        self.step_title = PlainLabel("Starting…")
        self.step_title.setObjectName("stepTitle")
        self.step_title.setWordWrap(True)
        typography().apply(self.step_title, HEADLINE, bold=True)
        self.actors = ActingRow()
        self.instructions = PlainLabel()
        self.instructions.setObjectName("stepInstructions")
        self.instructions.setWordWrap(True)
        typography().apply(self.instructions, LARGE)
        self.messages = QListWidget()
        self.messages.setObjectName("messages")
        self.messages.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.messages.setWordWrap(True)
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
        self.audit_button.clicked.connect(lambda: self.audit_requested.emit(self.folder))
        self.audit_button.hide()

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.addWidget(self.step_title)
        center_layout.addWidget(self.actors)
        center_layout.addWidget(self.instructions)
        center_layout.addLayout(self.prompt_area)
        center_layout.addWidget(self.busy)
        center_layout.addWidget(self.result)
        center_layout.addWidget(self.audit_button, alignment=Qt.AlignmentFlag.AlignLeft)
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
        self.completion_area = QVBoxLayout()
        center_layout.insertLayout(center_layout.indexOf(self.audit_button) + 1,
                                   self.completion_area)

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

    def show_side_panels(self, steps: bool | None = None, journal: bool | None = None) -> None:
        """Show or hide the step list and the journal, so the current step gets the room."""
        if steps is not None:
            self.steps.setVisible(steps)
            self.steps_toggle.setText("Hide the steps" if steps else "Show the steps")
        if journal is not None:
            self._journal_pane.setVisible(journal)
            self.journal_toggle.setText("Hide the journal" if journal else "Show the journal")

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: the step, who acts and the question get the whole view; the
        step list and journal step aside (the toggles bring them back)."""
        if on and self._before_presenting is None:
            self._before_presenting = (not self.steps.isHidden(),
                                       not self._journal_pane.isHidden())
            self.show_side_panels(steps=False, journal=False)
        elif not on and self._before_presenting is not None:
            steps, journal = self._before_presenting
            self._before_presenting = None
            self.show_side_panels(steps=steps, journal=journal)

    @property
    def moment_shown(self) -> bool:
        return self._layers.currentWidget() is self.moment_page

    # --- running -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.worker.isRunning()

    def start(self) -> None:
        """Start the job on the worker thread."""
        self._set_busy("Starting the ceremony…")
        self._poll.start()
        self.worker.start()

    def stop(self) -> None:
        """Stop at the runner's next question; the journal records the interruption."""
        self.exchange.stop()
        self._clear_panel()
        self._set_busy("Stopping: the journal records where the ceremony stopped…")

    def _begin(self, plan: Any, folder: Path, steps: tuple[Any, ...]) -> None:
        # Worker thread: goes through the exchange so it is ordered with the prompts.
        self.exchange.notify("begin", plan, folder, tuple((s.id, s.title) for s in steps))

    def _on_prompt(self, prompt: Prompt) -> None:
        self.poll_journal()  # what the room is asked about follows what is on record
        handler = getattr(self, f"_show_{prompt.kind}")
        try:
            handler(prompt, *prompt.args)
        except Exception as ex:  # a prompt the window cannot show stops the ceremony cleanly
            self.messages.addItem(sentence(ex))
            self.exchange.stop()

    def _show_begin(self, prompt: Prompt, plan: Any, folder: Path,
                    steps: tuple[tuple[str, str], ...]) -> None:
        self.poll_journal()  # finish the previous ceremony's journal first
        self.folder = folder
        self._plan = plan
        self.progress = CeremonyProgress(steps)
        self.tail = JournalTail(folder / JOURNAL_NAME)
        self.share_form = None
        self.journal.setRowCount(0)
        self.title.setText(plan.title + (" (rehearsal)" if plan.rehearsal else "")
                           + f" — {folder}")
        self._clear_completion()
        self._show_steps()

    def _show_step(self, prompt: Prompt, view: StepView) -> None:
        # Everything alive now (modules, lint profiles, PDF machinery) is long-lived: keep it
        # out of full garbage collections, which otherwise stop both threads for tens of ms.
        gc.freeze()
        self._notice = None
        self.share_form = None  # shares checked in an earlier step leave memory with it
        self.head.release()
        self.progress.show(view)
        self.step_title.setText(f"Step {view.number} of {view.count}: {view.title}")
        plan = self._plan

        def role_of(name: str) -> str | None:
            find = getattr(plan, "person", None)  # a job may describe its plan in part
            person = find(name) if callable(find) else None
            role = getattr(person, "role", None)
            return str(role.value) if role is not None else None

        self.actors.set_people(acting(view.actors, view.roles, role_of))
        self.actors.setAccessibleName(self.actors.text())
        self.instructions.setText(view.instructions)
        self._set_busy(f"Working on: {view.title}…")
        self._show_steps()

    def _show_inform(self, prompt: Prompt, message: str) -> None:
        self._notice = message
        self.messages.addItem(message)
        self.messages.scrollToBottom()

    def _show_chain_head(self, prompt: Prompt, hex_head: str, words: str) -> None:
        self.head.show_spoken(hex_head, words)
        self.messages.addItem("The journal's chain head is shown below in full: read it aloud "
                              "and write it in the paper log.")

    def _ask(self, prompt: Prompt, panel: PromptPanel) -> None:
        self._clear_panel()
        self.busy.hide()
        if isinstance(panel, WidgetPanel) and not self._sides_set_aside:
            # A custodian at the screen with their share: it gets the whole width.
            self._sides_set_aside = (not self.steps.isHidden(), not self._journal_pane.isHidden())
            self.show_side_panels(steps=False, journal=False)
        self.panel = panel
        panel.answered.connect(lambda value, p=prompt: self._answer(p, value))
        self.prompt_area.addWidget(panel)
        panel.focus_first()

    def _show_record_head(self, prompt: Prompt, person: str, moment: HeadMoment) -> None:
        self.head.show_spoken(moment.hex, moment.words)
        completion = self._completion() if moment.final else None
        panel = HeadMomentPanel(HeadMomentForm(person, moment), completion)
        if panel.completion is not None:
            self._wire(panel.completion)
        self._clear_panel()
        self.busy.hide()
        self.panel = panel
        panel.answered.connect(lambda value, p=prompt: self._answer(p, value))
        self.moment_page.setWidget(panel)
        self._layers.setCurrentWidget(self.moment_page)
        self.moment_changed.emit(True)
        panel.focus_first()

    def _completion(self) -> Completion | None:
        if self.folder is None:
            return None
        return Completion(self.folder, job_inventory(self.job))

    def _wire(self, box: CompletionBox) -> None:
        box.verify_requested.connect(self.audit_requested.emit)
        box.inventory_requested.connect(self.inventory_requested.emit)

    def _clear_completion(self) -> None:
        while self.completion_area.count():
            item = self.completion_area.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.completion_box = None

    def _answer(self, prompt: Prompt, value: object) -> None:
        if not prompt.answered:
            prompt.answer(value)  # a secret answer goes to the worker; the panel forgets it
        self._notice = None
        self._clear_panel()
        if self.running and not self.exchange.stopped:
            self._set_busy("Working…")

    def _show_confirm_head(self, prompt: Prompt, person: str, hex_head: str, words: str) -> None:
        self.head.show_spoken(hex_head, words)
        question = ("The journal as found ends with the chain head shown below in full. Does it "
                    "match the last chain head written in the paper log? If not, the journal "
                    "may have been changed since the ceremony stopped: nothing more is done.")
        self._ask(prompt, DecisionPanel(DecisionForm(Question.HEAD, person, question)))

    def _show_sign_off(self, prompt: Prompt, person: str, question: str) -> None:
        self._ask(prompt, DecisionPanel(DecisionForm(Question.SIGN_OFF, person, question)))

    def _show_deviation(self, prompt: Prompt, person: str, problem: str) -> None:
        self._ask(prompt, DecisionPanel(DecisionForm(Question.DEVIATION, person, problem)))

    def _show_confirm_signing(self, prompt: Prompt, person: str, preview: Any) -> None:
        form = DecisionForm(Question.SIGNING, person, f"sign the {preview.what} shown")
        self._ask(prompt, DecisionPanel(form, preview))

    def _show_pin(self, prompt: Prompt, person: str, token_label: str,
                  problem: str | None) -> None:
        self._ask(prompt, PinPanel(person, token_label, problem, self.job.pin_hint))

    def _show_passphrase(self, prompt: Prompt, person: str, purpose: str, confirm: bool) -> None:
        self._ask(prompt, PassphrasePanel(person, purpose, confirm))

    def _show_hand_out_share(self, prompt: Prompt, holder: str, number: int, total: int,
                             words: tuple[str, ...], may_print: bool = False) -> None:
        cards = attached_printers() if may_print else None
        widget = HandOutWidget(HandOut(holder, number, total, words), self._notice, cards=cards)
        prompt.args = ()  # the hand-out holds the words now, and drops them when hidden
        self._ask(prompt, WidgetPanel(widget, widget.done))

    def _show_copy_check(self, prompt: Prompt, holder: str, positions: tuple[int, ...],
                         word_count: int) -> None:
        widget = CopyCheckWidget(CopyCheckForm(holder, positions, word_count), self._notice)
        self._ask(prompt, WidgetPanel(widget, widget.answered))

    def _show_enter_share(self, prompt: Prompt, progress: str, problem: str | None) -> None:
        if self.share_form is None or progress == NO_SHARES_YET:
            self.share_form = ShareForm()  # a new quorum: nothing accepted yet
        elif problem:
            self.share_form.forget_last()  # the ceremony refused the share last submitted
        widget = ShareEntryWidget(self.share_form)
        widget.set_progress(progress)
        widget.set_problem(problem)
        heading = PlainLabel("Next custodian: type your share, one word per field")
        typography().apply(heading, LARGE, bold=True)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addWidget(heading)
        layout.addWidget(widget)
        panel = WidgetPanel(box, widget.submitted)
        panel.focus_first = widget.focus_first  # type: ignore[method-assign]
        panel.default_action = widget.submit  # type: ignore[method-assign]
        self._ask(prompt, panel)

    def _clear_panel(self) -> None:
        if self.panel is not None:
            self.panel.hide()
            if self.moment_page.widget() is self.panel:
                self.moment_page.takeWidget()
                self._layers.setCurrentIndex(0)
                self.moment_changed.emit(False)
            else:
                self.prompt_area.removeWidget(self.panel)
            self.panel.deleteLater()
            self.panel = None
        if self._sides_set_aside:
            steps, journal = self._sides_set_aside
            self._sides_set_aside = ()
            self.show_side_panels(steps=steps, journal=journal)

    def _set_busy(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy.setVisible(self.panel is None)

    def _succeeded(self, summary: str) -> None:
        self._finish(summary, ok=True)

    def _stopped(self, message: str) -> None:
        self._finish(message, ok=False)

    def _finish(self, text: str, ok: bool) -> None:
        self.poll_journal()
        self._poll.stop()
        self._clear_panel()
        self.busy.hide()
        self.outcome = text
        self.result.setText(text)
        self.result.setStyleSheet("color: #137333;" if ok else "color: #a50e0e;")
        self.result.show()
        if self.folder is not None and (self.folder / JOURNAL_NAME).exists():
            self.audit_button.show()
            self.audit_button.setFocus()
            completion = self._completion()
            if ok and completion is not None:  # the completion screen stays in the view
                self.completion_box = CompletionBox(completion)
                self._wire(self.completion_box)
                self.completion_area.addWidget(self.completion_box)
        if not ok and self.progress.state is RunState.RUNNING:
            self.progress.state = RunState.STOPPED
        if not ok and self.exchange.stopped and self.tail is not None and \
                self.tail.head is not None:
            # Stopped from the window: the runner could no longer post the head, so it is
            # shown here from the journal, for the paper log and the check on resume.
            self.head.show_spoken(self.tail.head.hex, self.tail.head.words)
            self.messages.addItem("The ceremony stopped. Write the chain head shown below in the "
                                  "paper log: it is checked when the ceremony resumes.")
        self.step_title.setText(self.progress.describe())
        self.actors.hide()
        self.instructions.hide()
        if self.stop_button is not None:
            self.stop_button.hide()
        self._show_steps()
        self.ended.emit(text)

    # --- journal and steps -------------------------------------------------------------------

    def poll_journal(self) -> None:
        """Show the journal records written since the last poll, and the chain head."""
        if self.tail is None:
            return
        rows = self.tail.poll()
        if not rows:
            return
        for row in rows:
            self.journal.add(row)
            deviation = deviation_message(row)  # automatic ones too: the room reads why
            if deviation is not None:
                self.messages.addItem(deviation)
                self.messages.scrollToBottom()
        self.journal.scrollToBottom()
        if self.tail.head is not None:
            self.head.show_live(self.tail.head)
        if self.progress.apply(rows):
            self._show_steps()

    def _show_steps(self) -> None:
        self.steps.clear()
        for row in self.progress.rows:
            item = QListWidgetItem(row.label)
            colour = STEP_COLOURS.get(row.state)
            if colour:
                item.setForeground(QBrush(QColor(colour)))
            if row.state is StepState.CURRENT:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.steps.addItem(item)

    def add_stop_button(self, on_click: Any) -> QPushButton:
        """A button that asks to stop the ceremony (the main window wires it)."""
        button = QPushButton("Stop the ceremony…")
        button.setObjectName("stopCeremony")
        button.clicked.connect(on_click)
        self.stop_button = button
        self.top_row.addWidget(button)
        return button
