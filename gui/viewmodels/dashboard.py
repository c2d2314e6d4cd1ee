"""The home screen's rows, read from the inventory (no Qt).

What is overdue or due within 90 days comes first (``ceremony.inventory.due`` decides what is due,
the same answer as the ``due`` command), then the CA keys, certificates with their validity, CRLs
with their next update, share sets with holders and last drill, and recent ceremonies with their
journal head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from ceremony.inventory import CertificateStatus, Inventory
from ceremony.inventory.due import DEFAULT_WITHIN_DAYS, DRILL_INTERVAL, DueItem, due_items
from ceremony.journal import short_head_words
from crypto.pkcs11_uri import token_uri

RECENT_CEREMONIES = 10


class Urgency(Enum):
    """How soon something needs action; the dashboard colours rows by it."""

    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    OK = "ok"
    INACTIVE = "inactive"  # revoked, retired: shown, never due


def urgency_of(due: datetime | None, now: datetime,
               within_days: int = DEFAULT_WITHIN_DAYS) -> Urgency:
    if due is None:
        return Urgency.OK
    if due < now:
        return Urgency.OVERDUE
    return Urgency.DUE_SOON if due <= now + timedelta(days=within_days) else Urgency.OK


def days_left(due: datetime, now: datetime) -> int:
    """Whole days until ``due``, negative when past."""
    return math.floor((due - now) / timedelta(days=1))


def when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d}"


def in_days(days: int) -> str:
    """'in 12 days', 'today', '3 days ago'."""
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


@dataclass(frozen=True)
class DueRow:
    what: str
    kind: str
    due: str
    left: str
    urgency: Urgency

    @classmethod
    def of(cls, item: DueItem) -> DueRow:
        return cls(item.what, item.kind.value.replace("-", " "), when(item.due),
                   in_days(item.days_left),
                   Urgency.OVERDUE if item.overdue else Urgency.DUE_SOON)


@dataclass(frozen=True)
class KeyRow:
    label: str
    algorithm: str
    token: str
    backup: str
    spki_sha256: str
    created: str


@dataclass(frozen=True)
class CertificateRow:
    subject: str
    role: str
    serial: str
    not_after: str
    left: str
    elapsed: float  # share of the validity period gone by, 0.0 to 1.0 (the validity bar)
    status: str
    urgency: Urgency


@dataclass(frozen=True)
class CrlRow:
    issuer: str
    number: str
    this_update: str
    next_update: str
    left: str
    urgency: Urgency


@dataclass(frozen=True)
class ShareSetRow:
    scheme: str
    purpose: str
    holders: str
    check_value: str
    last_drill: str
    urgency: Urgency


@dataclass(frozen=True)
class CeremonyRow:
    title: str
    type: str
    started: str
    outcome: str
    head_words: str
    folder: str


@dataclass(frozen=True)
class Column:
    """One column of a dashboard table, laid out before it has rows: an empty table is as
    readable as a full one (no header cut off, no room given to one column only)."""

    header: str
    sample: str = ""  # the widest text the column usually holds
    stretch: bool = False  # the column of free text: it takes the room left over


DATE, LEFT = "2026-01-15", "in 365 days"
MARK = Column("", "OVERDUE")  # the urgency in words, beside its colour
DUE_COLUMNS = (MARK, Column("Due", DATE), Column("When", LEFT), Column("What", stretch=True),
               Column("Kind", "certificate expiry"))
CERTIFICATE_COLUMNS = (MARK, Column("Subject", stretch=True), Column("Role", "intermediate"),
                       Column("Serial", "0123456789abcdef01"), Column("Expires", DATE),
                       Column("Left", LEFT), Column("Validity used", "100 % used"),
                       Column("Status", "expired"))
CRL_COLUMNS = (MARK, Column("Issuer", stretch=True), Column("Number", "100"),
               Column("This update", DATE), Column("Next update", DATE), Column("Left", LEFT))
SHARE_SET_COLUMNS = (MARK, Column("Scheme", "3-of-5"), Column("Purpose", "root key backup"),
                     Column("Holders", stretch=True), Column("Last drill", DATE),
                     Column("Check value", "0123456789abcdef"))
KEY_COLUMNS = (Column("Label", "root-key"), Column("Algorithm", "rsa-4096"),
               Column("Token", "pkcs11:token=root-r1"), Column("Backup", "wrapped"),
               Column("Created", DATE), Column("SPKI SHA-256", stretch=True))
CEREMONY_COLUMNS = (Column("Title", "Root ceremony (rehearsal)"),
                    Column("Type", "intermediate-key"), Column("Started", DATE),
                    Column("Outcome", "not finished"),
                    Column("Journal head", "aardvark absurd accrue acme"),
                    Column("Folder", stretch=True))


@dataclass(frozen=True)
class Dashboard:
    """Everything the home screen shows, as of ``now``."""

    path: str
    now: datetime
    due: tuple[DueRow, ...]
    keys: tuple[KeyRow, ...]
    certificates: tuple[CertificateRow, ...]
    crls: tuple[CrlRow, ...]
    share_sets: tuple[ShareSetRow, ...]
    ceremonies: tuple[CeremonyRow, ...]

    @property
    def summary(self) -> str:
        """One line over the tables: how much is overdue or due soon."""
        overdue = sum(1 for row in self.due if row.urgency is Urgency.OVERDUE)
        soon = len(self.due) - overdue
        if not self.due:
            return f"Nothing is overdue or due within {DEFAULT_WITHIN_DAYS} days."
        parts = []
        if overdue:
            parts.append(f"{overdue} overdue")
        if soon:
            parts.append(f"{soon} due within {DEFAULT_WITHIN_DAYS} days")
        return " and ".join(parts).capitalize() + "."


def _elapsed(start: datetime, end: datetime, now: datetime) -> float:
    total = (end - start).total_seconds()
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (now - start).total_seconds() / total))


def _head(head: str | None) -> str:
    if not head:
        return "-"
    try:
        return short_head_words(head)
    except ValueError:
        return head[:16]


def read_dashboard(inventory: Inventory, now: datetime) -> Dashboard:
    """The dashboard of an open inventory as of ``now`` (timezone-aware)."""
    keys = tuple(KeyRow(k.key_label, k.algorithm, token_uri(k.token_label, serial=k.token_serial),
                        k.backup.value, k.spki_sha256, when(k.created))
                 for k in inventory.keys())
    certificates = []
    for cert in sorted(inventory.certificates(), key=lambda c: c.not_after):
        revoked = cert.status is CertificateStatus.REVOKED
        status = (f"revoked {when(cert.revocation_date)} ({cert.revocation_reason})"
                  if revoked else "valid" if cert.not_after >= now else "expired")
        certificates.append(CertificateRow(
            cert.subject, cert.role.value, cert.serial_hex, when(cert.not_after),
            in_days(days_left(cert.not_after, now)), _elapsed(cert.not_before, cert.not_after, now),
            status, Urgency.INACTIVE if revoked else urgency_of(cert.not_after, now)))
    crls = tuple(CrlRow(c.issuer, "-" if c.number is None else str(c.number),
                        when(c.this_update), when(c.next_update),
                        "-" if c.next_update is None else in_days(days_left(c.next_update, now)),
                        urgency_of(c.next_update, now))
                 for c in sorted(inventory.crls(), key=lambda c: c.this_update, reverse=True))
    share_sets = []
    for share_set in inventory.share_sets():
        if share_set.retired is not None:
            drill, urgency = f"retired {when(share_set.retired)}", Urgency.INACTIVE
        elif share_set.last_drill is None:
            drill = "never"
            urgency = urgency_of(share_set.created + DRILL_INTERVAL, now)
        else:
            drill = when(share_set.last_drill) + ("" if share_set.last_drill_ok else " FAILED")
            urgency = (urgency_of(share_set.last_drill + DRILL_INTERVAL, now)
                       if share_set.last_drill_ok else Urgency.OVERDUE)
        share_sets.append(ShareSetRow(share_set.scheme, share_set.purpose or "-",
                                      ", ".join(share_set.holders), share_set.check_value,
                                      drill, urgency))
    ceremonies = tuple(
        CeremonyRow(c.title + (" (rehearsal)" if c.rehearsal else ""), c.type, when(c.started),
                    c.outcome or "not finished", _head(c.journal_head), c.folder)
        for c in reversed(inventory.ceremonies()[-RECENT_CEREMONIES:]))
    due = tuple(DueRow.of(item) for item in due_items(inventory, now))
    return Dashboard(str(inventory.path), now, due, keys, tuple(certificates), crls,
                     tuple(share_sets), ceremonies)


def load_dashboard(path: Path | None, now: datetime) -> Dashboard:
    """Open the inventory at ``path`` (the default one if None), read it, close it.

    Raises InventoryError with one sentence when the file is not a sound inventory.
    """
    with Inventory.open(path) as inventory:
        return read_dashboard(inventory, now)
