"""Recording into the inventory and reading it back.

Every write runs in a transaction; ``Inventory.transaction`` nests, so a ceremony step can record
a key, its certificate and its first CRL together or not at all. Recording the same thing again
is idempotent; recording something that contradicts the inventory raises InventoryConflictError
and changes nothing. An ``Inventory`` belongs to the thread that opened it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ceremony.errors import InventoryConflictError, InventoryError
from ceremony.inventory.database import open_database
from ceremony.inventory.entries import (
    BackupState,
    CeremonyEntry,
    CertificateEntry,
    CertificateRole,
    CertificateStatus,
    CrlEntry,
    KeyEntry,
    ShareSetEntry,
    from_iso,
    hex_digest,
    iso,
    parse_serial,
    require_text,
    serial_hex,
    text_value,
)
from ceremony.inventory.schema import schema_version

if TYPE_CHECKING:
    from cryptography import x509

# Each share set with its latest drill (by date, then by order recorded).
_SHARE_SET_QUERY = """
    SELECT s.*, d.drilled AS last_drill, d.ok AS last_drill_ok FROM share_sets s
    LEFT JOIN share_drills d ON d.id = (
        SELECT id FROM share_drills WHERE share_set_id = s.id
        ORDER BY drilled DESC, id DESC LIMIT 1)
"""


class Inventory:
    """An open inventory; get one with ``Inventory.open`` and close it (or use ``with``)."""

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self._db = db
        self._depth = 0  # transaction nesting

    @classmethod
    def open(cls, path: Path | str | None = None) -> Self:
        """Open (creating if needed) the inventory at ``path``, or the default one if None."""
        return cls(*open_database(path))

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file (PRAGMA user_version)."""
        return schema_version(self._db)

    def close(self) -> None:
        """Close the database; the object is unusable afterwards."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything recorded inside is written together or not at all; nests."""
        outer = self._depth == 0
        name = f"sp{self._depth}"
        try:
            # IMMEDIATE takes the write lock up front, so a concurrent writer waits, not fails.
            self._db.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {name}")
        except sqlite3.Error as ex:
            raise InventoryError(f"cannot write to inventory {self.path} ({ex})") from ex
        self._depth += 1
        try:
            yield
        except BaseException as ex:
            self._depth -= 1
            self._undo(outer, name)
            if isinstance(ex, sqlite3.Error):
                raise InventoryError(f"cannot write to inventory {self.path} ({ex}); nothing "
                                     "of this record was written") from ex
            raise
        self._depth -= 1
        try:
            self._db.execute("COMMIT" if outer else f"RELEASE {name}")
        except sqlite3.Error as ex:
            self._undo(outer, name)
            raise InventoryError(f"cannot write to inventory {self.path} ({ex}); nothing of "
                                 "this record was written") from ex

    def _undo(self, outer: bool, name: str) -> None:
        if not self._db.in_transaction:
            return  # SQLite has already rolled back (e.g. after a full disk)
        if outer:
            self._db.execute("ROLLBACK")
        else:
            self._db.execute(f"ROLLBACK TO {name}")
            self._db.execute(f"RELEASE {name}")

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as ex:
            raise InventoryError(f"cannot read inventory {self.path} ({ex})") from ex

    # --- CA keys -----------------------------------------------------------------------------

    def record_key(self, *, token_label: str, token_serial: str, key_label: str,
                   spki_sha256: str, algorithm: str, created: datetime,
                   backup: BackupState | str = BackupState.NONE,
                   ceremony_id: str | None = None) -> KeyEntry:
        """Record a CA key in a token (serial from its token info, SPKI SHA-256 in hex).

        The same key in the same token again keeps the first record but takes the new backup
        state, as a key may be backed up after it was made. A restored key in another token is
        a second entry with the same SPKI SHA-256.
        """
        require_text(token_label=token_label, token_serial=token_serial, key_label=key_label,
                  algorithm=algorithm)
        spki = hex_digest(spki_sha256, "spki_sha256", length=64)
        state = BackupState(backup)
        with self.transaction():
            self._db.execute(
                "INSERT INTO ca_keys (token_label, token_serial, key_label, spki_sha256, "
                "algorithm, backup, created, ceremony_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (token_serial, spki_sha256) DO UPDATE SET backup = excluded.backup",
                (token_label, token_serial, key_label, spki, algorithm, state.value,
                 iso(created), ceremony_id))
            row = self._rows("SELECT * FROM ca_keys WHERE token_serial = ? AND spki_sha256 = ?",
                             (token_serial, spki))[0]
        return KeyEntry.from_row(row)

    def retire_key(self, spki_sha256: str, token_serial: str, date: datetime, *,
                   ceremony_id: str | None = None) -> KeyEntry:
        """Mark the key destroyed in the token ``token_serial``; again changes nothing.

        Other copies of the same key (a restored one in another token) stay live.
        """
        spki = hex_digest(spki_sha256, "spki_sha256", length=64)
        with self.transaction():
            self._db.execute(
                "UPDATE ca_keys SET retired = COALESCE(retired, ?), retired_ceremony_id = "
                "COALESCE(retired_ceremony_id, ?) WHERE spki_sha256 = ? AND token_serial = ?",
                (iso(date), ceremony_id, spki, token_serial))
            rows = self._rows("SELECT * FROM ca_keys WHERE spki_sha256 = ? AND token_serial = ?",
                              (spki, token_serial))
        if not rows:
            raise InventoryError(f"inventory {self.path} knows no key {spki} in token "
                                 f"{token_serial}; nothing was marked retired")
        return KeyEntry.from_row(rows[0])

    def keys(self) -> tuple[KeyEntry, ...]:
        """Every CA key, oldest first."""
        return tuple(KeyEntry.from_row(r)
                     for r in self._rows("SELECT * FROM ca_keys ORDER BY created, id"))

    # --- certificates ------------------------------------------------------------------------

    def record_certificate(self, certificate: x509.Certificate, role: CertificateRole | str, *,
                           pem_path: Path | str | None = None,
                           ceremony_id: str | None = None) -> CertificateEntry:
        """Record a certificate as valid; the same one again (same SHA-256) changes nothing
        but a PEM path that was not known before."""
        # Imported here so that listing the inventory does not pay for them.
        from cryptography.hazmat.primitives import hashes

        from crypto.keys import spki_sha256

        kind = CertificateRole(role)
        sha256 = certificate.fingerprint(hashes.SHA256()).hex()
        with self.transaction():
            self._db.execute(
                "INSERT INTO certificates (sha256, serial_hex, subject, issuer, not_before, "
                "not_after, role, spki_sha256, status, pem_path, ceremony_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?) ON CONFLICT (sha256) "
                "DO UPDATE SET pem_path = coalesce(pem_path, excluded.pem_path)",
                (sha256, serial_hex(certificate.serial_number),
                 certificate.subject.rfc4514_string(), certificate.issuer.rfc4514_string(),
                 iso(certificate.not_valid_before_utc), iso(certificate.not_valid_after_utc),
                 kind.value, spki_sha256(certificate.public_key()), text_value(pem_path),
                 ceremony_id))
            return self._certificates_where("sha256 = ?", (sha256,))[0]

    def mark_revoked(self, serial: int | str, reason: x509.ReasonFlags | str, date: datetime,
                     *, issuer: str | None = None) -> CertificateEntry:
        """Mark the certificate with this serial (int or hex) revoked; name the issuer (RFC 4514
        string, as listed) if two issuers used the serial. Marking it again the same way is a
        no-op; another reason or date is a conflict, as the first revocation stands."""
        from cryptography import x509

        why = x509.ReasonFlags(reason).value
        wanted = serial_hex(serial if isinstance(serial, int) else parse_serial(serial))
        when = iso(date)
        with self.transaction():
            condition, params = "serial_hex = ?", [wanted]
            if issuer is not None:
                condition, params = "serial_hex = ? AND issuer = ?", [wanted, issuer]
            found = self._certificates_where(condition, params)
            if not found:
                raise InventoryError(f"no certificate with serial {wanted} is in the inventory; "
                                     "record the certificate first")
            if len(found) > 1:
                raise InventoryError(f"{len(found)} certificates have serial {wanted}; name the "
                                     "issuer too")
            entry = found[0]
            if entry.status is CertificateStatus.REVOKED:
                if (entry.revocation_reason, entry.revocation_date) == (why, from_iso(when)):
                    return entry
                raise InventoryConflictError(
                    f"certificate {wanted} was already revoked on "
                    f"{text_value(entry.revocation_date)} ({entry.revocation_reason}); the first "
                    "revocation stands")
            self._db.execute("UPDATE certificates SET status = 'revoked', revocation_reason = ?, "
                             "revocation_date = ? WHERE id = ?", (why, when, entry.id))
            return self._certificates_where("id = ?", (entry.id,))[0]

    def certificates(self) -> tuple[CertificateEntry, ...]:
        """Every certificate, in the order recorded."""
        return self._certificates_where("1", ())

    def _certificates_where(self, condition: str,
                            params: Sequence[object]) -> tuple[CertificateEntry, ...]:
        rows = self._rows(f"SELECT * FROM certificates WHERE {condition} ORDER BY id", params)
        return tuple(CertificateEntry.from_row(r) for r in rows)

    # --- CRLs --------------------------------------------------------------------------------

    def record_crl(self, crl: x509.CertificateRevocationList, *, path: Path | str | None = None,
                   ceremony_id: str | None = None) -> CrlEntry:
        """Record a CRL; the same one again (same SHA-256) changes nothing but an unknown path.

        Revocations it lists are not applied to certificates here: use ``mark_revoked``.
        """
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        sha256 = crl.fingerprint(hashes.SHA256()).hex()
        try:
            number: int | None = crl.extensions.get_extension_for_class(
                x509.CRLNumber).value.crl_number
        except x509.ExtensionNotFound:
            number = None
        try:
            key_id = crl.extensions.get_extension_for_class(
                x509.AuthorityKeyIdentifier).value.key_identifier
        except x509.ExtensionNotFound:
            key_id = None
        next_update = crl.next_update_utc
        with self.transaction():
            self._db.execute(
                "INSERT INTO crls (sha256, issuer, issuer_key_id, number, this_update, "
                "next_update, path, ceremony_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256) DO UPDATE SET path = coalesce(path, excluded.path)",
                (sha256, crl.issuer.rfc4514_string(), None if key_id is None else key_id.hex(),
                 text_value(number), iso(crl.last_update_utc),
                 None if next_update is None else iso(next_update), text_value(path), ceremony_id))
            row = self._rows("SELECT * FROM crls WHERE sha256 = ?", (sha256,))[0]
        return CrlEntry.from_row(row)

    def crls(self) -> tuple[CrlEntry, ...]:
        """Every CRL, oldest first."""
        return tuple(CrlEntry.from_row(r)
                     for r in self._rows("SELECT * FROM crls ORDER BY this_update, id"))

    # --- share sets --------------------------------------------------------------------------

    def record_share_set(self, *, scheme: str, holders: Sequence[str], check_value: str,
                         created: datetime, purpose: str = "",
                         ceremony_id: str | None = None) -> ShareSetEntry:
        """Record who holds the shares of a split secret and its check value; never a share.

        The check value names the set: the same set again is a no-op, the same check value with
        another scheme or other holders is a conflict (a new split has a new check value).
        """
        require_text(scheme=scheme)
        if isinstance(holders, str) or not holders or not all(h.strip() for h in holders):
            raise ValueError("holders must be a non-empty list of names")
        value = hex_digest(check_value, "check_value")
        names = tuple(holders)
        with self.transaction():
            existing = self._share_sets_where("s.check_value = ?", (value,))
            if existing:
                if (existing[0].scheme, existing[0].holders) != (scheme, names):
                    raise InventoryConflictError(
                        f"the share set with check value {value} is already recorded with "
                        "another scheme or other holders; a new split has a new check value")
                return existing[0]
            self._db.execute(
                "INSERT INTO share_sets (check_value, scheme, holders, purpose, created, "
                "ceremony_id) VALUES (?, ?, ?, ?, ?, ?)",
                (value, scheme, json.dumps(names), purpose, iso(created), ceremony_id))
            return self._share_sets_where("s.check_value = ?", (value,))[0]

    def record_drill(self, share_set: int | str, date: datetime, ok: bool, *,
                     ceremony_id: str | None = None) -> ShareSetEntry:
        """Record a drill of the share set with this id (int) or check value (str)."""
        with self.transaction():
            entry = self._share_set(share_set)
            self._db.execute(
                "INSERT INTO share_drills (share_set_id, drilled, ok, ceremony_id) "
                "VALUES (?, ?, ?, ?)", (entry.id, iso(date), int(bool(ok)), ceremony_id))
            return self._share_set(entry.id)

    def retire_share_set(self, share_set: int | str, date: datetime) -> ShareSetEntry:
        """Mark a share set useless (a reshare replaced it), so it is no longer due for drills.
        Retiring it again keeps the first date."""
        with self.transaction():
            entry = self._share_set(share_set)
            self._db.execute("UPDATE share_sets SET retired = coalesce(retired, ?) WHERE id = ?",
                             (iso(date), entry.id))
            return self._share_set(entry.id)

    def share_sets(self) -> tuple[ShareSetEntry, ...]:
        """Every share set, in the order recorded, each with its latest drill."""
        return self._share_sets_where("1", ())

    def _share_set(self, key: int | str) -> ShareSetEntry:
        if isinstance(key, int):
            found = self._share_sets_where("s.id = ?", (key,))
        else:
            found = self._share_sets_where("s.check_value = ?", (key.strip().lower(),))
        if not found:
            raise InventoryError(f"no share set {key} is in the inventory; give its id or its "
                                 "check value as 'keyceremony inventory' lists them")
        return found[0]

    def _share_sets_where(self, condition: str,
                          params: Sequence[object]) -> tuple[ShareSetEntry, ...]:
        rows = self._rows(f"{_SHARE_SET_QUERY} WHERE {condition} ORDER BY s.id", params)
        return tuple(ShareSetEntry.from_row(r) for r in rows)

    # --- ceremonies --------------------------------------------------------------------------

    def record_ceremony(self, *, ceremony_id: str, ceremony_type: str, title: str,
                        started: datetime, folder: Path | str,
                        rehearsal: bool = False) -> CeremonyEntry:
        """Record that a ceremony started; the same start again is a no-op."""
        require_text(ceremony_id=ceremony_id, ceremony_type=ceremony_type, title=title)
        values = (ceremony_id, ceremony_type, title, int(rehearsal), iso(started), str(folder))
        with self.transaction():
            found = self._rows("SELECT id, type, title, rehearsal, started, folder "
                               "FROM ceremonies WHERE id = ?", (ceremony_id,))
            if not found:
                self._db.execute("INSERT INTO ceremonies (id, type, title, rehearsal, started, "
                                 "folder) VALUES (?, ?, ?, ?, ?, ?)", values)
            elif tuple(found[0]) != values:
                raise InventoryConflictError(f"ceremony {ceremony_id} is already recorded with "
                                             "other details; give the new one its own id")
            return self._ceremony(ceremony_id)

    def finish_ceremony(self, ceremony_id: str, *, finished: datetime, outcome: str,
                        journal_head: str) -> CeremonyEntry:
        """Record how a ceremony ended (e.g. "completed", "aborted") and its journal head."""
        require_text(outcome=outcome, journal_head=journal_head)
        values = (iso(finished), outcome, journal_head.strip().lower())
        with self.transaction():
            entry = self._ceremony(ceremony_id)
            if entry.finished is not None:
                if (iso(entry.finished), entry.outcome, entry.journal_head) == values:
                    return entry
                raise InventoryConflictError(f"ceremony {ceremony_id} already finished on "
                                             f"{iso(entry.finished)} ({entry.outcome})")
            self._db.execute("UPDATE ceremonies SET finished = ?, outcome = ?, journal_head = ? "
                             "WHERE id = ?", (*values, ceremony_id))
            return self._ceremony(ceremony_id)

    def ceremonies(self) -> tuple[CeremonyEntry, ...]:
        """Every ceremony, earliest start first."""
        return tuple(CeremonyEntry.from_row(r)
                     for r in self._rows("SELECT * FROM ceremonies ORDER BY started, id"))

    def _ceremony(self, ceremony_id: str) -> CeremonyEntry:
        found = self._rows("SELECT * FROM ceremonies WHERE id = ?", (ceremony_id,))
        if not found:
            raise InventoryError(f"no ceremony {ceremony_id} is in the inventory; record its "
                                 "start first")
        return CeremonyEntry.from_row(found[0])
