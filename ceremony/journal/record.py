"""One journal record and its hash: the canonical JSON that the writer and the check share.

A record's ``hash`` is the SHA-256 of the canonical JSON of the record without it, and ``prev``
is the hash of the record before (``GENESIS`` for the first), as ``docs/journal-format.md``
describes. Writing is ``ceremony.journal.writer``, checking ``ceremony.journal.check``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64
"""The ``prev`` of the first record."""

FIELDS = frozenset({"seq", "time", "actor", "role", "event", "data", "prev", "hash"})


@dataclass(frozen=True)
class JournalRecord:
    """One line of the journal. ``seq`` is 1-based and equals the line number."""

    seq: int
    time: str
    actor: str
    role: str
    event: str
    data: Mapping[str, Any]
    prev: str
    hash: str

    @property
    def timestamp(self) -> datetime:
        """``time`` as an aware UTC datetime."""
        return datetime.fromisoformat(self.time)


def canonical_json(value: object) -> bytes:
    """Sorted keys, ``,`` and ``:`` separators, no white space, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def record_hash(body: Mapping[str, object]) -> str:
    """Lowercase hex SHA-256 of the canonical JSON of a record without its ``hash`` field."""
    return hashlib.sha256(canonical_json(body)).hexdigest()
