"""The rows of the inventory as frozen values, and how times and serials are written down."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from ceremony.errors import InventoryError


def iso(moment: datetime) -> str:
    """A timezone-aware time as UTC ISO 8601 to whole seconds (``2025-06-01T12:00:00Z``).

    Fixed width, so stored times sort correctly as text; certificates carry whole seconds too.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment} has no time zone; pass an aware datetime (UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    """The aware UTC datetime written by ``iso``."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _maybe_time(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


def _maybe_iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def serial_hex(serial: int) -> str:
    """A serial number as lowercase hex of whole octets, as tools print it."""
    if serial < 0:
        raise ValueError("serial numbers are positive")
    text = f"{serial:x}"
    return text if len(text) % 2 == 0 else "0" + text


class BackupState(StrEnum):
    """Whether a CA key has a backup outside its token."""

    NONE = "none"
    WRAPPED = "wrapped"


class CertificateRole(StrEnum):
    """What a certificate in the inventory is for."""

    ROOT = "root"
    INTERMEDIATE = "intermediate"
    DOCUMENT_SIGNING = "document-signing"
    CROSS = "cross"  # another CA's key, certified by this one (a second issuer for that key)
    OCSP_SIGNER = "ocsp-signer"  # a delegated OCSP responder (BR 7.1.2.8)


class CertificateStatus(StrEnum):
    """Whether a certificate has been revoked (expiry is read from ``not_after``)."""

    VALID = "valid"
    REVOKED = "revoked"


@dataclass(frozen=True)
class KeyEntry:
    """A CA key in a token, named by the SHA-256 of its SubjectPublicKeyInfo."""

    id: int
    token_label: str
    token_serial: str
    key_label: str
    spki_sha256: str
    algorithm: str
    backup: BackupState
    created: datetime
    ceremony_id: str | None
    retired: datetime | None = None  # when the key was destroyed in its token
    retired_ceremony_id: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> KeyEntry:
        return cls(row["id"], row["token_label"], row["token_serial"], row["key_label"],
                   row["spki_sha256"], row["algorithm"], BackupState(row["backup"]),
                   from_iso(row["created"]), row["ceremony_id"], _maybe_time(row["retired"]),
                   row["retired_ceremony_id"])

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines."""
        return {
            "id": self.id, "token_label": self.token_label, "token_serial": self.token_serial,
            "key_label": self.key_label, "spki_sha256": self.spki_sha256,
            "algorithm": self.algorithm, "backup": self.backup.value,
            "created": iso(self.created), "ceremony_id": self.ceremony_id,
            "retired": _maybe_iso(self.retired), "retired_ceremony_id": self.retired_ceremony_id,
        }


@dataclass(frozen=True)
class CertificateEntry:
    """A certificate the CA issued or holds, with its revocation state."""

    id: int
    sha256: str
    serial_hex: str
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    role: CertificateRole
    spki_sha256: str
    status: CertificateStatus
    revocation_reason: str | None  # an x509.ReasonFlags value, e.g. "keyCompromise"
    revocation_date: datetime | None
    pem_path: str | None
    ceremony_id: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CertificateEntry:
        return cls(row["id"], row["sha256"], row["serial_hex"], row["subject"], row["issuer"],
                   from_iso(row["not_before"]), from_iso(row["not_after"]),
                   CertificateRole(row["role"]), row["spki_sha256"],
                   CertificateStatus(row["status"]), row["revocation_reason"],
                   _maybe_time(row["revocation_date"]), row["pem_path"], row["ceremony_id"])

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines."""
        return {
            "id": self.id, "sha256": self.sha256, "serial_hex": self.serial_hex,
            "subject": self.subject, "issuer": self.issuer,
            "not_before": iso(self.not_before), "not_after": iso(self.not_after),
            "role": self.role.value, "spki_sha256": self.spki_sha256,
            "status": self.status.value, "revocation_reason": self.revocation_reason,
            "revocation_date": _maybe_iso(self.revocation_date), "pem_path": self.pem_path,
            "ceremony_id": self.ceremony_id,
        }


@dataclass(frozen=True)
class CrlEntry:
    """A CRL; ``issuer_key_id`` (its authority key identifier) tells apart two CAs of one name."""

    id: int
    sha256: str
    issuer: str
    issuer_key_id: str | None
    number: int | None
    this_update: datetime
    next_update: datetime | None
    path: str | None
    ceremony_id: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CrlEntry:
        number = row["number"]
        return cls(row["id"], row["sha256"], row["issuer"], row["issuer_key_id"],
                   None if number is None else int(number), from_iso(row["this_update"]),
                   _maybe_time(row["next_update"]), row["path"], row["ceremony_id"])

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines (the number is a string, as
        CRL numbers can exceed what JSON readers hold exactly)."""
        return {
            "id": self.id, "sha256": self.sha256, "issuer": self.issuer,
            "issuer_key_id": self.issuer_key_id,
            "number": None if self.number is None else str(self.number),
            "this_update": iso(self.this_update), "next_update": _maybe_iso(self.next_update),
            "path": self.path, "ceremony_id": self.ceremony_id,
        }


@dataclass(frozen=True)
class ShareSetEntry:
    """Who holds the shares of one split secret, and its check value; never a share."""

    id: int
    check_value: str
    scheme: str  # e.g. "3-of-5"
    holders: tuple[str, ...]
    purpose: str
    created: datetime
    ceremony_id: str | None
    last_drill: datetime | None
    last_drill_ok: bool | None
    retired: datetime | None  # set when a reshare made the shares useless

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ShareSetEntry:
        ok = row["last_drill_ok"]
        return cls(row["id"], row["check_value"], row["scheme"],
                   tuple(json.loads(row["holders"])), row["purpose"], from_iso(row["created"]),
                   row["ceremony_id"], _maybe_time(row["last_drill"]),
                   None if ok is None else bool(ok), _maybe_time(row["retired"]))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines."""
        return {
            "id": self.id, "check_value": self.check_value, "scheme": self.scheme,
            "holders": list(self.holders), "purpose": self.purpose,
            "created": iso(self.created), "ceremony_id": self.ceremony_id,
            "last_drill": _maybe_iso(self.last_drill), "last_drill_ok": self.last_drill_ok,
            "retired": _maybe_iso(self.retired),
        }


@dataclass(frozen=True)
class CeremonyEntry:
    """A ceremony (or rehearsal), where its folder is and how it ended."""

    id: str
    type: str
    title: str
    rehearsal: bool
    started: datetime
    finished: datetime | None
    outcome: str | None
    journal_head: str | None
    folder: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CeremonyEntry:
        return cls(row["id"], row["type"], row["title"], bool(row["rehearsal"]),
                   from_iso(row["started"]), _maybe_time(row["finished"]), row["outcome"],
                   row["journal_head"], row["folder"])

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines."""
        return {
            "id": self.id, "type": self.type, "title": self.title, "rehearsal": self.rehearsal,
            "started": iso(self.started), "finished": _maybe_iso(self.finished),
            "outcome": self.outcome, "journal_head": self.journal_head, "folder": self.folder,
        }


def require_text(**values: str) -> None:
    """Refuse an empty or blank value, naming it."""
    for name, value in values.items():
        if not value.strip():
            raise ValueError(f"{name} must not be empty")


def text_value(value: object) -> str | None:
    """A value as stored in a text column (times in ISO form)."""
    if value is None:
        return None
    return iso(value) if isinstance(value, datetime) else str(value)


def parse_serial(text: str) -> int:
    """A serial number typed in hex (colons and 0x allowed)."""
    cleaned = text.strip().lower().replace(":", "").removeprefix("0x")
    try:
        return int(cleaned, 16)
    except ValueError:
        raise InventoryError(f"{text!r} is not a hexadecimal serial number") from None


def hex_digest(value: str, name: str, length: int | None = None) -> str:
    """A hex digest in lower case, of ``length`` digits when given."""
    cleaned = value.strip().lower()
    if not cleaned or (length is not None and len(cleaned) != length) \
            or any(c not in "0123456789abcdef" for c in cleaned):
        size = f"{length} " if length else ""
        raise ValueError(f"{name} must be {size}hexadecimal digits, not {value!r}")
    return cleaned
