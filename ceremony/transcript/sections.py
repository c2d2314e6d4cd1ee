"""What a transcript says, read from a ceremony's journal records: rows, not layout.

``transcript_pdf`` lays these out with reportlab; keeping the reading here means the rules
(which record belongs to which step, which lint preceded which signing) are plain functions
that tests and other views can use without reportlab.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceremony.journal import PROGRAM_ACTOR, Event, JournalRecord

PROBLEM_EVENTS = frozenset({
    Event.DEVIATION, Event.STEP_REFUSED, Event.ERROR, Event.TOKEN_LOGIN_FAILED,
    Event.CEREMONY_ABORTED, Event.CEREMONY_RESUMED, Event.JOURNAL_REPAIRED,
    Event.SHARE_COPY_MISMATCH, Event.SHARE_REFUSED, Event.SHARE_CHECK_FAILED, Event.SHARES_VOIDED,
})
"""Events the transcript lists again under "Deviations, refusals and errors"."""

_REASON_KEYS = ("reason", "problem", "message", "error", "description", "statement")
SYSTEM_ACTORS = frozenset({PROGRAM_ACTOR, "system"})


def text(value: object) -> str:
    """A journal value as one line of text (lists and objects as compact JSON)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return str(value)


def summary(data: Mapping[str, Any], limit: int = 240) -> str:
    """``key: value`` pairs of a record's data on one line, cut at ``limit`` characters."""
    line = "; ".join(f"{key}: {text(value)}" for key, value in data.items())
    return line if len(line) <= limit else line[:limit - 1] + "\u2026"


def reason_of(data: Mapping[str, Any]) -> str:
    """The sentence a problem record gives for itself, whatever its key is called."""
    for key in _REASON_KEYS:
        if data.get(key):
            return text(data[key])
    return summary(data)


@dataclass(frozen=True)
class CeremonyFacts:
    """The ``ceremony-started`` record's statements about the ceremony."""

    id: str
    type: str
    title: str
    rehearsal: bool
    plan_sha256: str
    location: str
    participants: tuple[tuple[str, str], ...]  # (name, role)
    steps: tuple[tuple[str, str], ...]  # (id, title)
    started: str
    ended: str
    outcome: str  # "completed", "aborted", "stopped"

    @classmethod
    def from_records(cls, records: Sequence[JournalRecord]) -> CeremonyFacts:
        """Read the facts; ValueError when the first record is not ``ceremony-started``."""
        if not records or records[0].event != Event.CEREMONY_STARTED:
            raise ValueError("the journal does not begin with a ceremony-started record")
        data = records[0].data
        events = {r.event for r in records}
        outcome = ("completed" if Event.CEREMONY_COMPLETED in events
                   else "aborted" if Event.CEREMONY_ABORTED in events else "stopped")
        return cls(
            id=text(data.get("id")), type=text(data.get("type")), title=text(data.get("title")),
            rehearsal=bool(data.get("rehearsal")), plan_sha256=text(data.get("plan_sha256")),
            location=text(data.get("location")),
            participants=tuple((text(p.get("name")), text(p.get("role")))
                               for p in data.get("participants") or () if isinstance(p, Mapping)),
            steps=tuple((text(s.get("id")), text(s.get("title")))
                        for s in data.get("steps") or () if isinstance(s, Mapping)),
            started=records[0].time, ended=records[-1].time, outcome=outcome,
        )

    @property
    def people(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.participants)


def of(records: Sequence[JournalRecord], *events: Event) -> list[JournalRecord]:
    """The records of the given events, in journal order."""
    return [r for r in records if r.event in events]


@dataclass(frozen=True)
class StepRow:
    id: str
    title: str
    started: str
    completed: str
    actors: tuple[str, ...]
    outcome: str


def step_rows(facts: CeremonyFacts, records: Sequence[JournalRecord]) -> list[StepRow]:
    """Each planned step with when it ran, the people who acted in it, and how it ended."""
    started: dict[str, str] = {}
    completed: dict[str, str] = {}
    actors: dict[str, list[str]] = {}
    outcome: dict[str, str] = {}
    current: str | None = None
    for record in records:
        step = record.data.get("step")
        if record.event == Event.STEP_STARTED and isinstance(step, str):
            current = step
            started.setdefault(step, record.time)
            outcome[step] = "started, not completed"
        elif record.event == Event.STEP_COMPLETED and isinstance(step, str):
            completed[step] = record.time
            outcome[step] = "completed"
            current = None
        elif current is not None:
            if record.actor not in SYSTEM_ACTORS and record.actor not in actors.setdefault(
                    current, []):
                actors[current].append(record.actor)
            if record.event == Event.STEP_REFUSED:
                outcome[current] = f"refused: {reason_of(record.data)}"
            elif record.event in (Event.ERROR, Event.CEREMONY_ABORTED):
                outcome[current] = f"stopped: {reason_of(record.data)}"
    return [StepRow(step_id, title, started.get(step_id, "-"), completed.get(step_id, "-"),
                    tuple(actors.get(step_id, ())), outcome.get(step_id, "not reached"))
            for step_id, title in facts.steps]


@dataclass(frozen=True)
class Signing:
    """One signing: the person's confirmation, the lint before it and what was issued."""

    confirmation: JournalRecord
    lint_before: JournalRecord | None
    issued: JournalRecord | None
    lint_after: JournalRecord | None


def _object_of(record: JournalRecord) -> str:
    if record.event == Event.CRL_ISSUED:
        return text(record.data.get("object", "CRL"))
    return text(record.data.get("object"))


def signings(records: Sequence[JournalRecord]) -> list[Signing]:
    """Every ``signing-confirmed`` with the lint of the same object just before it, and the
    ``certificate-issued``/``crl-issued`` and after-signing lint that followed."""
    result = []
    for index, record in enumerate(records):
        if record.event != Event.SIGNING_CONFIRMED:
            continue
        what = text(record.data.get("object"))
        before = next((r for r in reversed(records[:index]) if r.event == Event.LINT_RESULT
                       and text(r.data.get("object")) == what), None)
        later = records[index + 1:]
        issued = next((r for r in later if r.event in (Event.CERTIFICATE_ISSUED, Event.CRL_ISSUED)
                       and _object_of(r) == what), None)
        after = next((r for r in later if r.event == Event.LINT_RESULT
                      and text(r.data.get("object")) == what
                      and r.data.get("stage") == "after signing"), None)
        result.append(Signing(record, before, issued, after))
    return result


@dataclass(frozen=True)
class ShareSet:
    """A share set as created, and which share number each holder was handed."""

    created: JournalRecord
    handed_out: tuple[JournalRecord, ...]
    verified: frozenset[tuple[str, int]]  # (holder, number) whose copy was proven
    carded: frozenset[tuple[str, int]] = frozenset()  # (holder, number) printed as a card


def share_sets(records: Sequence[JournalRecord]) -> list[ShareSet]:
    """Each ``shares-created`` with the hand-outs recorded until the next set was created."""
    result: list[ShareSet] = []
    for index, record in enumerate(records):
        if record.event != Event.SHARES_CREATED:
            continue
        later = records[index + 1:]
        end = next((i for i, r in enumerate(later) if r.event == Event.SHARES_CREATED), len(later))
        window = later[:end]
        handed = tuple(r for r in window if r.event == Event.SHARE_HANDED_OUT)
        verified = frozenset((text(r.data.get("holder")), int(r.data.get("number", 0)))
                             for r in window if r.event == Event.SHARE_VERIFIED)
        carded = frozenset((text(r.data.get("holder")), int(r.data.get("number", 0)))
                           for r in window if r.event == Event.SHARE_CARD_PRINTED)
        result.append(ShareSet(record, handed, verified, carded))
    return result
