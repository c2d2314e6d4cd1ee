"""The journal as rows for a table, read live as the ceremony writes it (no Qt).

``JournalTail`` reads only the complete lines added since the last poll, so the ceremony view
can show the journal and its chain head while the worker thread appends to it. The display
here is informative; whether the chain verifies is ``ceremony.journal.verify_journal``'s call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceremony.journal import head_words, short_head_words

# Fields worth a glance, in the order shown; the rest of a record's data is in the journal file.
_SUMMARY_KEYS = ("title", "question", "reason", "problem", "message", "object", "path", "token",
                 "label", "holder", "number", "scheme", "check_value", "progress", "subject",
                 "serial", "spki_sha256", "sha256", "ok")
_MAX_SUMMARY = 160


@dataclass(frozen=True)
class JournalRow:
    """One journal record as a table row."""

    seq: int
    time: str
    actor: str
    role: str
    event: str
    summary: str
    hash: str
    data: Mapping[str, Any]


def summarise(data: Mapping[str, Any]) -> str:
    """A one-line summary of a record's data: the fields that say most, shortened."""
    parts = []
    for key in _SUMMARY_KEYS:
        if key in data and data[key] not in (None, "", [], {}):
            value = data[key]
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if key in ("sha256", "spki_sha256") and len(text) > 16:
                text = text[:16] + "…"
            parts.append(f"{key}: {text}")
    summary = "; ".join(parts)
    return summary if len(summary) <= _MAX_SUMMARY else summary[:_MAX_SUMMARY - 1] + "…"


def row_of(record: Mapping[str, Any]) -> JournalRow:
    """A row for a decoded journal line (fields as in docs/journal-format.md)."""
    data = record.get("data")
    data = data if isinstance(data, dict) else {}
    return JournalRow(int(record.get("seq", 0)), str(record.get("time", "")),
                      str(record.get("actor", "")), str(record.get("role", "")),
                      str(record.get("event", "")), summarise(data), str(record.get("hash", "")),
                      data)


def deviation_message(row: JournalRow) -> str | None:
    """The whole of a deviation record for the Messages list (the table cuts it short);
    None for any other record."""
    if row.event != "deviation":
        return None
    data = row.data
    who = "recorded automatically" if data.get("automatic") else f"recorded by {row.actor}"
    problem = data.get("problem") or data.get("question") or ""
    where = f" at step {data['step']}" if data.get("step") else ""
    what = f": {problem}" if problem else ""
    return f"Deviation {who}{where}{what}; reason: {data.get('reason') or 'none given'}."


@dataclass(frozen=True)
class ChainHead:
    """The journal's chain head as shown: hex, the short words and all 32 words."""

    hex: str
    short_words: str
    words: str

    @classmethod
    def of(cls, hex_head: str) -> ChainHead:
        return cls(hex_head, short_head_words(hex_head), head_words(hex_head))


class JournalTail:
    """Follows ``journal.jsonl`` in a ceremony folder as it grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._rows: list[JournalRow] = []

    @property
    def rows(self) -> tuple[JournalRow, ...]:
        """Every row read so far."""
        return tuple(self._rows)

    @property
    def head(self) -> ChainHead | None:
        """The chain head as far as read, or None before the first record."""
        if not self._rows or len(self._rows[-1].hash) != 64:
            return None
        try:
            return ChainHead.of(self._rows[-1].hash)
        except ValueError:
            return None

    def poll(self) -> tuple[JournalRow, ...]:
        """The rows of the complete lines written since the last poll (none if no file yet)."""
        try:
            with self.path.open("rb") as journal:
                journal.seek(self._offset)
                content = journal.read()
        except FileNotFoundError:
            return ()
        end = content.rfind(b"\n")
        if end < 0:
            return ()  # a line is still being written
        self._offset += end + 1
        new = []
        for line in content[:end].split(b"\n"):
            try:
                record = json.loads(line)
            except ValueError:
                record = {"event": "unreadable line", "data": {}}
            if isinstance(record, dict):
                new.append(row_of(record))
        self._rows.extend(new)
        return tuple(new)
