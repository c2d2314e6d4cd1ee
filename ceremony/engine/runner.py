"""The ceremony engine: walks a plan's steps with the right people, journaling every act.

One engine serves every front end: the terminal, scripted answers and the desktop app differ
only in the ``Prompter`` they hand in. A step is done when its ``step-completed`` record is in
the journal; running a plan again resumes after the last completed step.

The run's secrets live in ``CeremonyContext.secrets`` (``context``); the runner clears them
when the run ends, however it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ceremony.engine.context import SYSTEM, CeremonyContext, Step
from ceremony.engine.pins import obtain_pin
from ceremony.errors import CeremonyError, JournalDisputed, StepRefused, UsageError
from ceremony.folder import JOURNAL_NAME
from ceremony.journal import PROGRAM_ROLE, Event, Journal, JournalRecord, head_words
from ceremony.plan import CeremonyPlan, Role
from ceremony.prompts import Outcome, Prompter, StepView
from crypto.errors import CryptoError
from crypto.files import commit_staged_file, make_private_folder


class CeremonyRunner:
    """Runs one plan's steps in order in ``folder``, resuming an interrupted run."""

    def __init__(self, plan: CeremonyPlan, folder: Path, prompter: Prompter,
                 steps: tuple[Step, ...],
                 clock: Callable[[], dt.datetime] | None = None,
                 closing: Callable[[CeremonyContext], None] | None = None) -> None:
        self.plan = plan
        self.folder = folder
        self.prompter = prompter
        self.steps = steps
        self.clock = clock
        # Runs after ceremony-completed, tokens still open (the transcript is written here).
        self.closing = closing

    def run(self) -> CeremonyContext:
        """Run (or resume) the ceremony; returns the context of a completed run."""
        journal, completed, resuming = self._open_journal()
        context = CeremonyContext(self.plan, self.folder, journal, self.prompter,
                                  obtain_pin=obtain_pin)
        if self.clock is not None:
            context.clock = self.clock
        try:
            if resuming:
                self._confirm_resume(context, completed)
            with self._stops_recorded(context):
                for number, step in enumerate(self.steps, start=1):
                    if step.id in completed:
                        continue
                    self._run_step(context, step, number)
                if not context.records(Event.CEREMONY_COMPLETED):
                    context.record(Event.CEREMONY_COMPLETED, {"steps": len(self.steps)})
                context.step = None
                if self.closing is not None:
                    self.closing(context)
                context.record_head(final=True)  # the head the transcript covers (paperlog)
        finally:
            context.close_tokens()
            context.secrets.clear()
            journal.close()
        return context

    def _open_journal(self) -> tuple[Journal, set[str], bool]:
        """The journal (new, or an earlier run's), the steps completed, and whether resuming."""
        journal_path = self.folder / JOURNAL_NAME
        if not journal_path.exists():
            if self.folder.exists() and any(p for p in self.folder.iterdir()
                                            if not p.name.startswith(".")):
                raise UsageError(f"{self.folder} holds files but no journal; choose an empty "
                                 "or new folder for the ceremony")
            make_private_folder(self.folder)
            return self._start(Journal.create(self.folder)), set(), False
        journal = Journal.open(self.folder)
        if not journal.records:  # stopped between creating the journal and its first record
            return self._start(journal), set(), False
        started = [r for r in journal.records if r.event == Event.CEREMONY_STARTED]
        if not started or started[0].data.get("plan_sha256") != self.plan.sha256:
            journal.close()
            raise UsageError(f"{self.folder} holds the journal of another plan (or another "
                             "version of this one); choose another folder")
        events = {r.event for r in journal.records}
        # Complete once the final head is in the paper log (a stop just before it resumes to it).
        head_written = any(r.data.get("final") for r in journal.records
                           if r.event == Event.HEAD_RECORDED)
        if Event.CEREMONY_COMPLETED in events and head_written and (
                self.closing is None or Event.TRANSCRIPT_WRITTEN in events):
            _finish_writes(self.folder, journal.records)
            journal.close()
            raise UsageError(f"the ceremony in {self.folder} is already complete; nothing was "
                             "done")
        # What a stop left staged after journaling it is put in place first: a step already
        # completed (the transcript's, say, stopped before its final head) is not run again.
        _finish_writes(self.folder, journal.records)
        completed = {r.data.get("step") for r in journal.records if r.event == Event.STEP_COMPLETED}
        return journal, {str(c) for c in completed}, True

    def _start(self, journal: Journal) -> Journal:
        """Journal ``ceremony-started``: the plan's digest, people and steps."""
        journal.append(Event.CEREMONY_STARTED, SYSTEM, PROGRAM_ROLE, {
            "id": self.plan.id, "type": self.plan.type.value, "title": self.plan.title,
            "rehearsal": self.plan.rehearsal, "plan_sha256": self.plan.sha256,
            "location": self.plan.location,
            "participants": [{"name": p.name, "role": p.role.value}
                             for p in self.plan.participants],
            "steps": [{"id": s.id, "title": s.title} for s in self.steps],
        })
        return journal

    def _confirm_resume(self, context: CeremonyContext, completed: set[str]) -> None:
        """Before anything else on resume: a named person checks the journal's head as found
        against the last head in the paper log, and the confirmation is journaled with it.

        If they say it does not match, the journal may have been changed since the stop (a
        line cut, records removed and the chain recomputed): nothing is written to it, no token
        is opened, and the ceremony stops.
        """

        journal = context.journal
        remaining = [s for s in self.steps if s.id not in completed]
        done = [s.title for s in self.steps if s.id in completed]
        where = f"after '{done[-1]}'" if done else "before its first step was completed"
        next_step = remaining[0].title if remaining else "closing the ceremony"
        self.prompter.inform(f"This ceremony stopped {where}; resuming with '{next_step}' once "
                             "the journal's chain head is checked against the paper log.")
        head = journal.head
        person = context.first(Role.WITNESS, Role.AUDITOR, Role.ADMINISTRATOR)
        decision = self.prompter.confirm_head(person, head, head_words(head))
        if decision.outcome is not Outcome.CONFIRMED:
            raise JournalDisputed(
                f"{decision.person} found that the journal's chain head {head[:16]}... does not "
                f"match the last head in the paper log ({decision.reason or 'no reason given'})"
                "; the journal may have been changed since the ceremony stopped, so nothing "
                "was done and nothing was written to it: have it examined before anything else")
        context.record(Event.RESUME_CONFIRMED, {"head": head, "paper_log": "matches"},
                       decision.person)
        context.record(Event.CEREMONY_RESUMED, {
            "completed_steps": sorted(completed),
            "resume_at": remaining[0].id if remaining else None})

    def _run_step(self, context: CeremonyContext, step: Step, number: int) -> None:
        context.step = step
        acting = tuple((p.name, role.value) for role in step.roles
                       for p in self.plan.people(role))
        actors = tuple(name for name, _ in acting)
        context.record(Event.STEP_STARTED, {"step": step.id, "title": step.title})
        self.prompter.step(StepView(step.id, number, len(self.steps), step.title,
                                    step.instructions, actors,
                                    tuple(r.value for r in step.roles),
                                    tuple(role for _, role in acting)))
        if step.sign_off:
            person = actors[0] if actors else context.administrator
            context.decide(self.prompter.sign_off(person, step.sign_off), step.sign_off)
        step.action(context)
        if step.shows_head:
            context.record_head()
        context.record(Event.STEP_COMPLETED, {"step": step.id})

    @contextmanager
    def _stops_recorded(self, context: CeremonyContext) -> Iterator[None]:
        """Journal why a ceremony stopped, so the record is whole up to the stop."""
        try:
            yield
        except StepRefused:
            context.show_head_at_stop()
            raise
        except (CeremonyError, CryptoError) as ex:
            context.record(Event.ERROR, {"step": context.step.id if context.step else None,
                                         "message": str(ex)})
            context.show_head_at_stop()
            raise
        except KeyboardInterrupt:  # Ctrl-C, or the window's Stop
            context.record(Event.CEREMONY_ABORTED, {"step": context.step.id if context.step
                                                    else None, "reason": "interrupted"})
            context.show_head_at_stop()
            raise
        except Exception:  # a bug: nothing to journal about it, but the head is still due
            context.show_head_at_stop()
            raise


def _finish_writes(folder: Path, records: tuple[JournalRecord, ...]) -> None:
    """Put in place what a stop left staged after it was journaled (the last write, mostly)."""
    for record in records:
        if record.event in (Event.ARTIFACT_WRITTEN, Event.TRANSCRIPT_WRITTEN):
            commit_staged_file(folder / str(record.data["path"]), str(record.data["sha256"]))
