"""The chain heads the room writes in the paper log, and which one is a ceremony's final head.

The final head is the head of the journal as the transcript signs it: the last record the
transcript covers (normally ``ceremony-completed``). ``transcript-written`` follows it; then the
room is shown the final head with its record number, and ``head-recorded`` journals who wrote
it down. Both come after the head, so they are in ``journal.jsonl`` but not in the signed
transcript. A ceremony stopped before ``head-recorded`` resumes to show the head again.
The dashboard, the auditor view, ``verify`` and the printed script all name this one head. A
ceremony with no transcript (a drill without a token) ends in its last record before the
final ``head-recorded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ceremony.journal.events import Event
from ceremony.journal.record import JournalRecord


@dataclass(frozen=True)
class PaperHead:
    """A head the room writes down: the hash of journal record number ``record``."""

    record: int
    head: str


def final_head(records: Sequence[JournalRecord]) -> PaperHead | None:
    """The ceremony's final head: the one its transcript covers (see the module's docstring);
    for a journal with no transcript, the head the room was shown last or, failing that, the
    journal's own head. None for an empty journal."""
    if not records:
        return None
    by_hash = {r.hash: r.seq for r in records}
    for record in reversed(records):
        if record.event == Event.TRANSCRIPT_WRITTEN:
            head = str(record.data.get("journal_head", ""))
            if head in by_hash:
                return PaperHead(by_hash[head], head)
        if record.event == Event.HEAD_RECORDED and record.data.get("final"):
            head = str(record.data.get("head", ""))
            if head in by_hash:
                return PaperHead(by_hash[head], head)
    last = records[-1]
    return PaperHead(last.seq, last.hash)
