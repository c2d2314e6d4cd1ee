"""Running one ceremony job in the view: the worker, its questions, its journal, its end."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from ceremony.folder import JOURNAL_NAME
from ceremony.prompts import HeadMoment, StepView
from gui.pages.ceremony import questions
from gui.pages.ceremony.layout import Aside, CeremonyLayout
from gui.prompter import WindowPrompter
from gui.viewmodels.decision import Question
from gui.viewmodels.exchange import Prompt, PromptExchange
from gui.viewmodels.hand_out import copy_mismatch, copy_verified
from gui.viewmodels.jobs import CeremonyJob
from gui.viewmodels.journal_rows import JournalRow, JournalTail, deviation_message
from gui.viewmodels.look import acting
from gui.viewmodels.messages import sentence
from gui.viewmodels.palette import FAILED, OK
from gui.viewmodels.paper_log import Completion, HeadMomentForm, job_inventory
from gui.viewmodels.progress import CeremonyProgress, RunState
from gui.viewmodels.share_form import ShareForm
from gui.widgets.paper_log import CompletionBox, HeadMomentPanel
from gui.widgets.prompts import PassphrasePanel, PinPanel, PromptPanel, WidgetPanel
from gui.widgets.share_card import attached_printers
from gui.worker import CeremonyWorker, PromptRelay

JOURNAL_POLL_MS = 200
NO_SHARES_YET = "No shares accepted yet."


class CeremonyView(CeremonyLayout):
    """Runs one job and shows it; ``ended`` carries the closing sentence."""

    ended = Signal(str)
    audit_requested = Signal(object)  # the ceremony folder, to open in the auditor view
    inventory_requested = Signal(object)  # an inventory, to open on the dashboard

    def __init__(self, job: CeremonyJob, parent: QWidget | None = None) -> None:
        super().__init__(job.title, parent)
        self.job = job
        self.tail: JournalTail | None = None
        self.folder: Path | None = None
        self.share_form: ShareForm | None = None
        self.outcome: str | None = None
        self._notice: str | None = None  # the last message, shown with the next question
        self.stop_button: QPushButton | None = None
        self.completion_box: CompletionBox | None = None
        self._plan: Any = None
        self._wrong_copies: dict[str, tuple[int, ...]] = {}  # holder -> words their copy missed
        self._relay = PromptRelay(self)
        self._relay.posted.connect(self._on_prompt, Qt.ConnectionType.QueuedConnection)
        self.exchange = PromptExchange(self._relay.posted.emit)
        self.worker = CeremonyWorker(job, WindowPrompter(self.exchange), self._begin, self)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.stopped.connect(self._stopped)
        self._poll = QTimer(self)
        self._poll.setInterval(JOURNAL_POLL_MS)
        self._poll.timeout.connect(self.poll_journal)
        self.audit_button.clicked.connect(lambda: self.audit_requested.emit(self.folder))

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
        self.confirm(None)
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
        self._note(message)

    def _show_chain_head(self, prompt: Prompt, hex_head: str, words: str) -> None:
        self.head.show_spoken(hex_head, words)
        self.messages.addItem("The journal's chain head is shown below in full: read it aloud "
                              "and write it in the paper log.")

    def _ask(self, prompt: Prompt, panel: PromptPanel) -> None:
        self._clear_panel()
        self.busy.hide()
        if isinstance(panel, WidgetPanel):
            # A custodian at the screen with their share: it gets the whole width.
            self.set_aside(Aside.SHARE, True)
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
        self.show_moment(panel)
        panel.focus_first()

    def _completion(self) -> Completion | None:
        if self.folder is None:
            return None
        return Completion(self.folder, job_inventory(self.job))

    def _wire(self, box: CompletionBox) -> None:
        box.verify_requested.connect(self.audit_requested.emit)
        box.inventory_requested.connect(self.inventory_requested.emit)

    def _clear_completion(self) -> None:
        if self.completion_box is not None:  # the one widget the area ever holds
            self.completion_area.removeWidget(self.completion_box)
            self.completion_box.deleteLater()
            self.completion_box = None

    def _note(self, text: str) -> None:
        """Add ``text`` to Messages and keep the newest in sight."""
        self.messages.addItem(text)
        self.messages.scrollToBottom()

    def _answer(self, prompt: Prompt, value: object) -> None:
        if not prompt.answered:
            prompt.answer(value)  # a secret answer goes to the worker; the panel forgets it
        self._notice = None
        self._clear_panel()
        if self.running and not self.exchange.stopped:
            self._set_busy("Working…")

    def _show_confirm_head(self, prompt: Prompt, person: str, hex_head: str, words: str) -> None:
        self.head.show_spoken(hex_head, words)
        self._ask(prompt, questions.decision(Question.HEAD, person, questions.CONFIRM_HEAD))

    def _show_sign_off(self, prompt: Prompt, person: str, question: str) -> None:
        self._ask(prompt, questions.decision(Question.SIGN_OFF, person, question))

    def _show_deviation(self, prompt: Prompt, person: str, problem: str) -> None:
        self._ask(prompt, questions.decision(Question.DEVIATION, person, problem))

    def _show_confirm_signing(self, prompt: Prompt, person: str, preview: Any) -> None:
        self._ask(prompt, questions.signing(person, preview))

    def _show_pin(self, prompt: Prompt, person: str, token_label: str,
                  problem: str | None) -> None:
        self._ask(prompt, PinPanel(person, token_label, problem, self.job.pin_hint))

    def _show_passphrase(self, prompt: Prompt, person: str, purpose: str, confirm: bool) -> None:
        self._ask(prompt, PassphrasePanel(person, purpose, confirm))

    def _show_hand_out_share(self, prompt: Prompt, holder: str, number: int, total: int,
                             words: tuple[str, ...], may_print: bool = False) -> None:
        wrong = self._wrong_copies.pop(holder, ())
        panel = questions.hand_out(holder, number, total, words, self._notice, wrong,
                                   attached_printers() if may_print else None)
        prompt.args = ()  # the hand-out holds the words now, and drops them when hidden
        self._ask(prompt, panel)

    def _show_copy_check(self, prompt: Prompt, holder: str, positions: tuple[int, ...],
                         word_count: int) -> None:
        self._ask(prompt, questions.copy_check(holder, positions, word_count, self._notice))

    def _show_enter_share(self, prompt: Prompt, progress: str, problem: str | None) -> None:
        if self.share_form is None or progress == NO_SHARES_YET:
            self.share_form = ShareForm()  # a new quorum: nothing accepted yet
        elif problem:
            self.share_form.forget_last()  # the ceremony refused the share last submitted
        self._ask(prompt, questions.enter_share(self.share_form, progress, problem))

    def _clear_panel(self) -> None:
        if self.panel is not None:
            self.panel.hide()
            self.take_panel(self.panel)
            self.panel.deleteLater()
            self.panel = None
        self.set_aside(Aside.SHARE, False)

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
        self.result.setStyleSheet(f"color: {OK if ok else FAILED};")
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
                self._note(deviation)
            self._follow_copy_check(row)
        self.journal.scrollToBottom()
        if self.tail.head is not None:
            self.head.show_live(self.tail.head)
        if self.progress.apply(rows):
            self._show_steps()

    def _follow_copy_check(self, row: JournalRow) -> None:
        """A copy that passed is confirmed in words; one that did not has its wrong words
        marked when the share is shown again."""
        mismatch = copy_mismatch(row)
        if mismatch is not None:
            holder, wrong = mismatch
            self._wrong_copies[holder] = wrong
        verified = copy_verified(row)
        if verified is not None:
            self.confirm(verified)
            self._note(verified)

    def add_stop_button(self, on_click: Any) -> QPushButton:
        """A button that asks to stop the ceremony (the main window wires it)."""
        button = QPushButton("Stop the ceremony…")
        button.setObjectName("stopCeremony")
        button.clicked.connect(on_click)
        self.stop_button = button
        self.top_row.addWidget(button)
        return button
