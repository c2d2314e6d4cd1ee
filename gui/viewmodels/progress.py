"""The step list of a running ceremony and the state of each step (no Qt).

States come from the journal, the record of what happened: ``step-started`` makes a step
current, ``step-completed`` done (or done with a deviation, when a ``deviation`` was recorded
in it), ``step-refused`` refused and ``error`` failed. A resumed
ceremony therefore shows its earlier steps as done from the first poll of the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from ceremony.journal import Event
from ceremony.prompts import StepView
from gui.viewmodels.journal_rows import JournalRow


class StepState(Enum):
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"
    DEVIATION = "done with a deviation"
    REFUSED = "refused"
    FAILED = "failed"


STATE_MARKS = {
    StepState.PENDING: "○",
    StepState.CURRENT: "▶",
    StepState.DONE: "✓",
    StepState.DEVIATION: "⚠",
    StepState.REFUSED: "✗",
    StepState.FAILED: "!",
}


@dataclass(frozen=True)
class StepRow:
    """One step in the list."""

    id: str
    number: int
    title: str
    state: StepState

    @property
    def label(self) -> str:
        """E.g. '✓ 2. Open the root token'."""
        return f"{STATE_MARKS[self.state]} {self.number}. {self.title}"

    @property
    def spoken(self) -> str:
        """The row in words, for a screen reader: 'Step 2, done: Open the root token'."""
        return f"Step {self.number}, {self.state.value}: {self.title}"


class RunState(Enum):
    """How the ceremony as a whole stands."""

    NOT_STARTED = "not started"
    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"  # refused, failed or interrupted: it can be resumed


class CeremonyProgress:
    """The ceremony's steps (id, title) and what the journal says of each."""

    def __init__(self, steps: Sequence[tuple[str, str]]) -> None:
        self._rows = [StepRow(step_id, number, title, StepState.PENDING)
                      for number, (step_id, title) in enumerate(steps, start=1)]
        self.state = RunState.NOT_STARTED
        self.current: StepView | None = None
        self._deviated: set[str] = set()  # steps in which a deviation was recorded

    @property
    def rows(self) -> tuple[StepRow, ...]:
        return tuple(self._rows)

    def _set(self, step_id: object, state: StepState) -> bool:
        for index, row in enumerate(self._rows):
            if row.id == step_id and row.state is not state:
                self._rows[index] = replace(row, state=state)
                return True
        return False

    def show(self, view: StepView) -> None:
        """The runner shows ``view``: it is the current step."""
        self.current = view
        self.state = RunState.RUNNING
        # The journal may already say the step is over (the worker runs ahead of the queued
        # prompt): what is on record wins.
        if any(r.id == view.id and r.state is StepState.PENDING for r in self._rows):
            self._set(view.id, StepState.CURRENT)

    def apply(self, rows: Iterable[JournalRow]) -> bool:
        """Take journal rows into account; True if anything shown changed."""
        changed = False
        for row in rows:
            step = row.data.get("step")
            if row.event in (Event.CEREMONY_STARTED, Event.CEREMONY_RESUMED):
                steps = row.data.get("steps") or []
                if not self._rows and isinstance(steps, list):  # steps known from the journal
                    self._rows = [StepRow(str(s.get("id")), n, str(s.get("title")),
                                          StepState.PENDING)
                                  for n, s in enumerate(steps, start=1) if isinstance(s, dict)]
                self.state = RunState.RUNNING
                changed = True
            elif row.event == Event.STEP_STARTED:
                changed |= self._set(step, StepState.CURRENT)
            elif row.event == Event.DEVIATION and isinstance(step, str):
                self._deviated.add(step)
                if any(r.id == step and r.state is StepState.DONE for r in self._rows):
                    changed |= self._set(step, StepState.DEVIATION)
            elif row.event == Event.STEP_COMPLETED:
                done = StepState.DEVIATION if step in self._deviated else StepState.DONE
                changed |= self._set(step, done)
            elif row.event == Event.STEP_REFUSED:
                changed |= self._set(step, StepState.REFUSED)
                self.state = RunState.STOPPED
            elif row.event in (Event.ERROR, Event.CEREMONY_ABORTED):
                changed |= self._set(step, StepState.FAILED)
                self.state = RunState.STOPPED
                changed = True
            elif row.event == Event.CEREMONY_COMPLETED:
                self.state = RunState.COMPLETED
                changed = True
        return changed

    @property
    def done_count(self) -> int:
        return sum(1 for row in self._rows
                   if row.state in (StepState.DONE, StepState.DEVIATION))

    def describe(self) -> str:
        """E.g. 'Step 3 of 6 running; 2 done.'."""
        total = len(self._rows)
        if self.state is RunState.COMPLETED:
            return f"Ceremony complete: all {total} steps done."
        if self.state is RunState.STOPPED:
            return (f"Ceremony stopped after {self.done_count} of {total} steps; it can be "
                    "resumed from the same folder.")
        if self.current is not None:
            return f"Step {self.current.number} of {self.current.count}: {self.current.title}."
        return f"{total} steps; not started."
