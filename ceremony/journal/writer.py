"""The ceremony journal: an append-only, hash-chained record of everything a ceremony does.

``journal.jsonl`` in the ceremony folder holds one JSON object per line. Each record carries
the SHA-256 of its own canonical JSON (``hash``) and of the record before it (``prev``), so
editing, removing or reordering any line breaks the chain where it happened. The format, the
event catalogue and a ten-line check an auditor can write themselves are in
``docs/journal-format.md``. The record and its hash are in ``record``, the check in ``check``;
the package front (``ceremony.journal``) exports their public names.

A record is on disk (written with one ``write`` to a file opened ``O_APPEND``, then fsynced)
before ``append`` returns, so an action counts as done only once its record is durable.
Secrets never enter the journal: ``append`` refuses data keys named like a PIN, share,
mnemonic, passphrase, secret, wrap key or private key, at any depth.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType

from ceremony.errors import JournalError, JournalTornTailError
from ceremony.folder import JOURNAL_NAME
from ceremony.journal.check import JournalVerification, verify_journal
from ceremony.journal.events import Event
from ceremony.journal.record import GENESIS, JournalRecord, canonical_json, record_hash
from crypto.files import FILE_MODE, fsync_dir

PROGRAM_ACTOR = "keyceremony"
PROGRAM_ROLE = "program"
"""Actor and role of records the program makes on its own (a repair, an artifact written)."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Larger integers are refused: JavaScript and many JSON readers would round them."""


# --- the guard against journalling secrets and values without one canonical form ----------

_SECRET_NOUNS = frozenset({
    "pin", "pins", "share", "shares", "mnemonic", "mnemonics", "passphrase", "passphrases",
    "password", "passwords", "secret", "secrets", "privkey", "wrapkey",
})
_SECRET_PAIRS = frozenset({("wrap", "key"), ("private", "key")})
# A secret noun followed by one of these names a fact about the secret, not the secret.
_QUALIFIERS = frozenset({
    "index", "indices", "number", "numbers", "count", "threshold", "holder", "holders", "label",
    "labels", "id", "ids", "length", "tries", "check", "set", "group", "groups", "scheme",
})


def _key_words(key: str) -> list[str]:
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", key)
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced)
    return re.findall(r"[a-z]+|[0-9]+", spaced.lower())


def names_a_secret(key: str) -> bool:
    """Whether a data key looks like it holds a secret (``user_pin``, ``wrapKey``, ``shares``).

    A secret noun immediately followed by a qualifier (``share_index``, ``pin_length``,
    ``private_key_label``) names a fact about the secret and is allowed.
    """
    words = _key_words(key)
    for i, word in enumerate(words):
        if word in _SECRET_NOUNS:
            end = i + 1
        elif tuple(words[i:i + 2]) in _SECRET_PAIRS:
            end = i + 2
        else:
            continue
        if end >= len(words) or words[end] not in _QUALIFIERS:
            return True
    return False


def _check_data(value: object, path: str) -> None:
    """Refuse (``ValueError``: a programming error) what must never be journalled."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"journal data {path} is not valid Unicode text") from None
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"journal data {path} is an integer beyond 2**53 - 1; write it as a "
                             "string (hex for serial numbers) so every JSON reader agrees")
    elif isinstance(value, float):
        raise ValueError(f"journal data {path} is a float; floats have no single canonical JSON "
                         "form, so write it as an integer or a string")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_data(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key or not key.isascii() or not key.isprintable():
                raise ValueError(f"journal data {path} has key {key!r}; keys are non-empty "
                                 "printable ASCII strings")
            if names_a_secret(key):
                # The message names the key only, never the value, which may be the secret.
                raise ValueError(f"journal data key {path}[{key!r}] is named like a secret "
                                 "(PIN, share, mnemonic, passphrase, wrap or private key); "
                                 "secrets are never journalled, record a label or check value")
            _check_data(item, f"{path}[{key!r}]")
    else:
        raise ValueError(f"journal data {path} is a {type(value).__name__}; only str, int, "
                         "bool, None, list and dict can be journalled")


def _check_name(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"journal {what} must be a non-empty string")
    _check_data(value, what)
    return str(value)


# --- the writer -----------------------------------------------------------------------------

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _lock(fd: int, path: Path) -> None:
    # One writer per journal: two processes appending would fork the chain.
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalError(f"{path} is in use by another keyceremony process; finish or close "
                           "that one first") from None


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


class Journal:
    """An open ``journal.jsonl``: verified, locked against other writers, and continued."""

    def __init__(self, path: Path, fd: int, records: tuple[JournalRecord, ...], size: int,
                 clock: Clock | None) -> None:
        """Use ``Journal.create`` or ``Journal.open``."""
        self._path = path
        self._fd: int | None = fd
        self._records = list(records)
        self._size = size
        self._clock = clock or _utc_now
        self._broken: str | None = None

    @classmethod
    def create(cls, folder: Path | str, *, clock: Clock | None = None) -> Journal:
        """Start a new, empty journal in ``folder``; refuses if one is already there."""
        folder = Path(folder)
        if not folder.is_dir():
            raise JournalError(f"the ceremony folder {folder} does not exist; create it first")
        path = folder / JOURNAL_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, FILE_MODE)
        except FileExistsError:
            raise JournalError(f"{path} already exists; a journal is never started twice, so "
                               "open it to continue or choose a new ceremony folder") from None
        try:
            _lock(fd, path)
            os.fsync(fd)
            fsync_dir(folder)  # the new name must survive a crash as well as its content
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, (), 0, clock)

    @classmethod
    def open(cls, folder: Path | str, *, repair: bool = False,
             clock: Clock | None = None) -> Journal:
        """Open the journal in ``folder``, verify it, and continue its chain.

        A journal with any problem is refused (``JournalError``). One that ends in an
        incomplete line is refused too (``JournalTornTailError``) unless ``repair`` is true: then
        the complete lines are kept byte for byte and the incomplete bytes go, hex-encoded,
        into a ``journal-repaired`` record, so nothing is lost. The repaired file replaces the
        old one in a single rename, so a crash during repair leaves one or the other.
        """
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        try:
            # O_NONBLOCK: a FIFO in its place must not wait for a writer; it is refused below.
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NONBLOCK)
        except FileNotFoundError:
            raise JournalError(f"there is no journal at {path}; check the ceremony folder") \
                from None
        except OSError as exc:
            raise JournalError(f"{path} cannot be opened as a journal ({exc.strerror}); check "
                               "the ceremony folder") from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise JournalError(f"{path} is not a regular file, so it is not a journal; check "
                               "the ceremony folder")
        os.set_blocking(fd, True)
        try:
            _lock(fd, path)
            content = _read_all(fd)
            result = verify_journal(content)
            if result.ok:
                return cls(path, fd, result.records, len(content), clock)
            if not result.truncated_tail or len(result.problems) > 1:
                more = len(result.problems) - 1
                raise JournalError(
                    f"{path} does not verify: {result.problems[0]}"
                    + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
                    + "; do not continue it, and run verify to see every problem",
                    result.problems)
            if not repair:
                raise JournalTornTailError(
                    f"{path} ends in an incomplete line {len(result.records) + 1} (the program "
                    "stopped while writing it); open it with repair to keep those bytes in a "
                    "journal-repaired record and continue", result.problems)
        except BaseException:
            os.close(fd)
            raise
        try:
            return cls._repair(folder, content, result, clock)
        finally:
            os.close(fd)  # the old file and its lock; the repaired file has its own

    @classmethod
    def _repair(cls, folder: Path, content: bytes, result: JournalVerification,
                clock: Clock | None) -> Journal:
        path = folder / JOURNAL_NAME
        kept = content[:len(content) - len(result.torn_tail)]
        tmp = folder / f".tmp-{JOURNAL_NAME}-{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, FILE_MODE)
        try:
            _lock(fd, path)
            view = memoryview(kept)
            while view:
                view = view[os.write(fd, view):]
            journal = cls(path, fd, result.records, len(kept), clock)
            journal.append(Event.JOURNAL_REPAIRED, PROGRAM_ACTOR, PROGRAM_ROLE, {
                "after_line": len(result.records),
                "torn_tail_size": len(result.torn_tail),
                "torn_tail_hex": result.torn_tail.hex(),
            })  # append fsyncs the whole file before the rename makes it the journal
            os.replace(tmp, path)
            fsync_dir(folder)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        return journal

    @property
    def path(self) -> Path:
        """The ``journal.jsonl`` file."""
        return self._path

    @property
    def records(self) -> tuple[JournalRecord, ...]:
        """Every record so far, in order."""
        return tuple(self._records)

    @property
    def head(self) -> str:
        """Hash of the last record (``GENESIS`` for an empty journal): the chain head."""
        return self._records[-1].hash if self._records else GENESIS

    def append(self, event: Event, actor: str, role: str,
               data: Mapping[str, object] | None = None) -> JournalRecord:
        """Record ``event`` by ``actor`` in ``role``; returns once the record is on disk.

        ``data`` holds JSON values only (no floats, integers within 2**53 - 1, ASCII keys) and
        never a secret; a breach is a programming error (``ValueError``). A failed write or
        fsync raises ``JournalError`` and refuses every later append: the ceremony must stop.
        """
        fd = self._fd
        if fd is None:
            raise ValueError("this journal is closed")
        if self._broken:
            raise JournalError(self._broken)
        event = Event(event)  # an unknown event name is a ValueError
        actor, role = _check_name("actor", actor), _check_name("role", role)
        if data is not None and not isinstance(data, Mapping):
            raise ValueError("journal data must be a mapping of names to JSON values")
        # A private copy, so a caller changing its dict later cannot change the record.
        content = dict(data or {})
        _check_data(content, "data")
        seq, time, prev = len(self._records) + 1, self._now(), self.head
        body = {"seq": seq, "time": time, "actor": actor, "role": role, "event": event.value,
                "data": content, "prev": prev}
        hash_ = record_hash(body)
        line = canonical_json({**body, "hash": hash_}) + b"\n"
        self._write(fd, line, seq)
        record = JournalRecord(seq=seq, time=time, actor=actor, role=role, event=event.value,
                               data=MappingProxyType(json.loads(canonical_json(content))),
                               prev=prev, hash=hash_)
        self._records.append(record)
        return record

    def _write(self, fd: int, line: bytes, seq: int) -> None:
        size = os.fstat(fd).st_size
        if size != self._size:
            self._broken = (f"{self._path} changed on disk while the ceremony ran ({self._size} "
                            f"bytes expected, {size} found); stop and verify it")
            raise JournalError(self._broken)
        try:
            written = os.write(fd, line)  # one write of the whole line, at the end
            if written != len(line):
                raise OSError(f"only {written} of {len(line)} bytes were written")
            os.fsync(fd)
        except OSError as exc:
            # The file may now end in part of this record: stop here; open with repair later.
            self._broken = (f"record {seq} could not be written to {self._path} ({exc}); the "
                            "ceremony must stop, and the journal be reopened with repair")
            raise JournalError(self._broken) from exc
        self._size += len(line)

    def _now(self) -> str:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the journal clock must return an aware datetime")
        return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def close(self) -> None:
        """Release the file and its lock; later appends are refused."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
