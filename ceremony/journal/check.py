"""Checking a journal: every line, the hash chain and the end of the file, with each fault named.

The check trusts nothing the writer kept: it parses each line strictly (fields, types, the time
format, canonical form), recomputes each hash, follows ``prev`` from ``GENESIS``, and reports every
problem once, on the line where it is. ``writer`` uses it to refuse continuing a journal that does
not verify; an auditor's ``verify`` uses it too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ceremony.errors import JournalError
from ceremony.journal.record import FIELDS, GENESIS, JournalRecord, canonical_json, record_hash

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class JournalVerification:
    """The outcome of checking a journal.

    ``records`` are the leading records whose chain verifies and ``head`` is the hash of the
    last of them (``GENESIS`` when there are none). ``problems`` are sentences naming the line,
    empty when the whole file verifies. ``truncated_tail`` says the file ends in an incomplete
    line, whose bytes are ``torn_tail``.
    """

    records: tuple[JournalRecord, ...]
    head: str
    problems: tuple[str, ...]
    truncated_tail: bool = False
    torn_tail: bytes = b""

    @property
    def ok(self) -> bool:
        """Whether every line verifies and the file ends cleanly."""
        return not self.problems


def _refuse_number(text: str) -> object:
    raise ValueError(f"{text} is not an integer")


def _parse(number: int, line: bytes) -> tuple[JournalRecord | None, list[str]]:
    """A well-formed record from one complete line, or the sentences saying why not."""
    if not line:
        return None, [f"line {number} is empty"]
    try:
        obj = json.loads(line, parse_float=_refuse_number, parse_constant=_refuse_number)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [f"line {number} is not a JSON record ({exc})"]
    except RecursionError:
        return None, [f"line {number} nests its JSON too deeply to be a journal record"]
    if not isinstance(obj, dict):
        return None, [f"line {number} is not a JSON object"]
    if obj.keys() != FIELDS:
        missing = ", ".join(sorted(FIELDS - obj.keys())) or "none"
        extra = ", ".join(sorted(obj.keys() - FIELDS)) or "none"
        return None, [f"line {number} has the wrong fields (missing: {missing}; "
                      f"unexpected: {extra})"]
    wrong = [name for name in ("actor", "role", "event") if not isinstance(obj[name], str)
             or not obj[name]]
    if type(obj["seq"]) is not int:
        wrong.append("seq")
    if not isinstance(obj["time"], str) or not _TIME.fullmatch(obj["time"]):
        wrong.append("time")
    if not isinstance(obj["data"], dict):
        wrong.append("data")
    wrong += [name for name in ("prev", "hash")
              if not isinstance(obj[name], str) or not _HEX64.fullmatch(obj[name])]
    if wrong:
        return None, [f"line {number} has malformed {', '.join(wrong)}"]
    hash_ = obj.pop("hash")
    problems = []
    if record_hash(obj) != hash_:
        problems.append(f"line {number}: hash does not match its content")
    obj["hash"] = hash_
    if canonical_json(obj) != line:
        problems.append(f"line {number} is not in canonical form (sorted keys, no spaces)")
    record = JournalRecord(seq=obj["seq"], time=obj["time"], actor=obj["actor"],
                           role=obj["role"], event=obj["event"],
                           data=MappingProxyType(obj["data"]), prev=obj["prev"], hash=hash_)
    return record, problems


def _verify(content: bytes) -> JournalVerification:
    *lines, tail = content.split(b"\n")  # a clean file ends in "\n", leaving an empty tail
    verified: list[JournalRecord] = []
    problems: list[str] = []
    prev: str | None = GENESIS  # None: the line before could not be read, so skip the check
    prev_seq: int | None = 0
    for number, line in enumerate(lines, start=1):
        record, line_problems = _parse(number, line)
        if record is not None:
            if prev is not None and record.prev != prev:
                line_problems.append(
                    f"line {number}: prev does not match line {number - 1}'s hash" if number > 1
                    else "line 1: prev is not 64 zeros, as the first record's must be")
            # seq must equal the line number; one that continues the line before is a
            # consequence of a fault already reported there (a removed line), not a new one.
            if record.seq != number and (prev_seq is None or record.seq != prev_seq + 1):
                line_problems.append(f"line {number}: seq {record.seq} expected {number}")
            # The next line is compared with what this one claims, so each fault is reported
            # once, on the line where it is.
            prev, prev_seq = record.hash, record.seq
        else:
            prev = prev_seq = None
        if record is not None and not problems and not line_problems:
            verified.append(record)
        problems += line_problems
    if tail:
        where = f"lines 1 to {len(verified)} verify" if verified else "no line before it verifies"
        if problems:
            where = f"only lines 1 to {len(verified)} verify" if verified else where
        problems.append(f"line {len(lines) + 1} is incomplete (the program stopped while writing "
                        f"it); {where}")
    return JournalVerification(records=tuple(verified),
                               head=verified[-1].hash if verified else GENESIS,
                               problems=tuple(problems), truncated_tail=bool(tail),
                               torn_tail=tail)


# Far beyond any ceremony (10,000 records are about 4.5 MB), yet bounded.
MAX_JOURNAL_BYTES = 256 * 1024 * 1024


def verify_journal(source: Path | str | bytes) -> JournalVerification:
    """Check a journal file (a path) or its content (bytes): every line, the chain, the tail."""
    if isinstance(source, bytes):
        return _verify(source)
    from crypto.files import UnreadableInput, read_input_file

    try:
        content = read_input_file(source, MAX_JOURNAL_BYTES, "a journal")
    except UnreadableInput as exc:
        raise JournalError(f"the journal {source} {exc.problem}") from exc
    return _verify(content)
