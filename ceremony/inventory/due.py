"""What expires or falls due: certificates, CRL renewals and share drills, soonest first.

The rules, so that the list asks for action only where action is needed:

- a certificate falls due at its ``not_after``, unless it is revoked or was renewed (another
  unrevoked certificate with the same subject and role lasts longer);
- a CRL falls due at its ``next_update``, and only the newest CRL of each issuer counts (highest
  CRL number, then latest this_update; an issuer is its name plus authority key identifier, so a
  re-keyed CA of the same name keeps its own CRL line);
- a share set falls due for a drill a year after its last drill, or after its creation if it was
  never drilled; when the last drill failed it is due at once, since the backup it protects may
  not be recoverable. A retired share set (replaced by a reshare) is never due;
- a root must be renewed or rolled over while it can still grant what it grants: when its
  remaining life falls below the longest validity of the CA, cross and OCSP signer certificates
  it issued (``root-renewal``, due at ``not_after`` minus that validity; a renewed root's
  newest certificate counts, not the old one);
- OCSP signer and cross-certificates fall due at their ``not_after`` like any certificate
  (each role is its own line: a cross-certificate never renews the root it names);
- a retired key (destroyed in its token by a retire ceremony, with no live copy in another
  token) signs nothing more: its certificates and the CRLs it issued are never due.

``due_items`` is a pure function of the inventory and ``now``, so the GUI dashboard and the
``due`` command show the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ceremony.inventory import (
    CertificateEntry,
    CertificateRole,
    CertificateStatus,
    CrlEntry,
    Inventory,
    ShareSetEntry,
)
from ceremony.inventory.entries import iso

DEFAULT_WITHIN_DAYS = 90
DRILL_INTERVAL = timedelta(days=365)


class DueKind(StrEnum):
    """What kind of thing falls due."""

    CERTIFICATE_EXPIRY = "certificate-expiry"
    CRL_NEXT_UPDATE = "crl-next-update"
    SHARE_DRILL = "share-drill"
    ROOT_RENEWAL = "root-renewal"


@dataclass(frozen=True)
class DueItem:
    """One thing that falls due; ``days_left`` is whole days, negative when overdue."""

    kind: DueKind
    what: str
    due: datetime
    days_left: int
    overdue: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields; the keys are stable for machines."""
        return {"kind": self.kind.value, "what": self.what, "due": iso(self.due),
                "days_left": self.days_left, "overdue": self.overdue}


def due_items(inventory: Inventory, now: datetime,
              within_days: int = DEFAULT_WITHIN_DAYS) -> tuple[DueItem, ...]:
    """Everything overdue or due within ``within_days`` of ``now`` (aware), soonest first."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if within_days < 0:
        raise ValueError("within_days must not be negative")
    horizon = now + timedelta(days=within_days)
    keys = inventory.keys()
    retired = ({k.spki_sha256 for k in keys if k.retired is not None}
               - {k.spki_sha256 for k in keys if k.retired is None})
    certificates = [c for c in inventory.certificates() if c.spki_sha256 not in retired]
    silent = ({c.subject for c in inventory.certificates() if c.spki_sha256 in retired}
              - {c.subject for c in certificates})
    found = [
        *_certificates_due(certificates),
        *_crls_due(c for c in inventory.crls() if c.issuer not in silent),
        *_drills_due(inventory.share_sets()),
        *_roots_due(certificates),
    ]
    items = (
        DueItem(kind, what, due, math.floor((due - now) / timedelta(days=1)), due < now)
        for kind, what, due in found
        if due <= horizon
    )
    return tuple(sorted(items, key=lambda item: (item.due, item.kind, item.what)))


_Found = tuple[DueKind, str, datetime]


def _certificates_due(certificates: Iterable[CertificateEntry]) -> Iterator[_Found]:
    # A transcript signer's certificate signs one transcript, once; verify judges it at that
    # signing time, so its expiry is nothing anyone must act on.
    live = [c for c in certificates if c.status is not CertificateStatus.REVOKED
            and c.role is not CertificateRole.DOCUMENT_SIGNING]
    last_expiry: dict[tuple[str, str], datetime] = {}
    for cert in live:
        line = (cert.subject, cert.role.value)
        last_expiry[line] = max(cert.not_after, last_expiry.get(line, cert.not_after))
    for cert in live:
        if cert.not_after == last_expiry[(cert.subject, cert.role.value)]:  # not renewed
            yield (DueKind.CERTIFICATE_EXPIRY,
                   f"{cert.role.value} certificate {cert.subject} (serial {cert.serial_hex})",
                   cert.not_after)


_GRANTED = (CertificateRole.INTERMEDIATE, CertificateRole.CROSS, CertificateRole.OCSP_SIGNER)


def _roots_due(certificates: list[CertificateEntry]) -> Iterator[_Found]:
    live = [c for c in certificates if c.status is not CertificateStatus.REVOKED]
    newest: dict[str, CertificateEntry] = {}
    for cert in live:
        if cert.role is CertificateRole.ROOT and (
                cert.subject not in newest or cert.not_after > newest[cert.subject].not_after):
            newest[cert.subject] = cert
    for subject, root in newest.items():
        granted = [c.not_after - c.not_before for c in live
                   if c.issuer == subject and c.role in _GRANTED]
        if not granted:
            continue  # it has issued nothing yet: nothing says how long it must last
        longest = max(granted)
        yield (DueKind.ROOT_RENEWAL,
               f"root {subject} (serial {root.serial_hex}): renew or roll over; from then on "
               f"it has less life left than the {longest.days} days it grants",
               root.not_after - longest)


def _crls_due(crls: Iterable[CrlEntry]) -> Iterator[_Found]:
    newest: dict[tuple[str, str | None], CrlEntry] = {}
    for crl in crls:
        issuer = (crl.issuer, crl.issuer_key_id)
        if issuer not in newest or _crl_order(crl) > _crl_order(newest[issuer]):
            newest[issuer] = crl
    for crl in newest.values():
        if crl.next_update is not None:
            number = "" if crl.number is None else f" (number {crl.number})"
            yield DueKind.CRL_NEXT_UPDATE, f"CRL of {crl.issuer}{number}", crl.next_update


def _crl_order(crl: CrlEntry) -> tuple[int, datetime, int]:
    return (-1 if crl.number is None else crl.number, crl.this_update, crl.id)


def _drills_due(share_sets: Iterable[ShareSetEntry]) -> Iterator[_Found]:
    for share_set in share_sets:
        if share_set.retired is not None:
            continue
        name = f"share set {share_set.scheme}"
        if share_set.purpose:
            name += f" for {share_set.purpose}"
        name += f" (check value {share_set.check_value})"
        if share_set.last_drill is None:
            yield (DueKind.SHARE_DRILL, f"{name}, never drilled",
                   share_set.created + DRILL_INTERVAL)
        elif share_set.last_drill_ok:
            yield DueKind.SHARE_DRILL, name, share_set.last_drill + DRILL_INTERVAL
        else:
            yield DueKind.SHARE_DRILL, f"{name}, last drill FAILED", share_set.last_drill
