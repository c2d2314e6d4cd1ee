"""``keyceremony inventory``: list every CA key, certificate, CRL, share set and ceremony."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ceremony.errors import InventoryError
from ceremony.inventory import (
    CertificateEntry,
    CertificateRole,
    CertificateStatus,
    Inventory,
    ShareSetEntry,
    add_inventory_argument,
)

T = TypeVar("T")



def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print JSON with stable keys, for machines")
    add_inventory_argument(parser)


def run(args: argparse.Namespace) -> int:
    text = read_inventory(args.inventory, lambda inventory: json.dumps(
        _listing(inventory), indent=2) if args.json else "\n".join(_human(inventory)))
    print(text)
    return 0


def read_inventory(path: Path | None, read: Callable[[Inventory], T]) -> T:
    """``read`` the inventory at ``path``; a record it cannot decode is an InventoryError.

    Rows are decoded as they are read (dates, holder lists); a row another program or a hand
    edit damaged would otherwise surface as a bare ValueError. The decoding itself belongs in
    ``ceremony.inventory.entries``; this keeps the command's refusal to one sentence meanwhile.
    """
    with Inventory.open(path) as inventory:
        try:
            return read(inventory)
        except (ValueError, TypeError, KeyError) as ex:
            raise InventoryError(f"inventory {inventory.path} holds a record this keyceremony "
                                 f"cannot read ({ex}); restore it from a backup") from ex


def _listing(inventory: Inventory) -> dict[str, object]:
    return {
        "inventory": str(inventory.path),
        "schema_version": inventory.schema_version,
        "keys": [k.as_dict() for k in inventory.keys()],
        "certificates": [c.as_dict() for c in inventory.certificates()],
        "crls": [c.as_dict() for c in inventory.crls()],
        "share_sets": [s.as_dict() for s in inventory.share_sets()],
        "ceremonies": [c.as_dict() for c in inventory.ceremonies()],
    }


def _human(inventory: Inventory) -> list[str]:
    lines = [f"Inventory {inventory.path} (schema {inventory.schema_version})"]
    lines += _section("CA keys", ["KEY LABEL", "TOKEN (SERIAL)", "ALGORITHM", "BACKUP", "CREATED",
                                  "STATE", "SPKI SHA-256"], [
        [k.key_label, f"{k.token_label} ({k.token_serial})", k.algorithm, k.backup.value,
         day(k.created), "live" if k.retired is None else f"retired {day(k.retired)}",
         short(k.spki_sha256)] for k in inventory.keys()])
    lines += _section("Certificates", ["ROLE", "STATUS", "NOT AFTER", "SERIAL", "SUBJECT",
                                       "SHA-256"], [
        [c.role.value, _status(c), day(c.not_after), c.serial_hex, c.subject, short(c.sha256)]
        for c in inventory.certificates()])
    lines += _several(list(inventory.certificates()))
    lines += _section("CRLs", ["ISSUER", "NUMBER", "THIS UPDATE", "NEXT UPDATE", "SHA-256"], [
        [c.issuer, "-" if c.number is None else str(c.number), day(c.this_update),
         day(c.next_update), short(c.sha256)] for c in inventory.crls()])
    lines += _section("Share sets", ["ID", "SCHEME", "CHECK VALUE", "CREATED", "LAST DRILL",
                                     "HOLDERS", "PURPOSE"], [
        [str(s.id), s.scheme, s.check_value, day(s.created), _drill(s), ", ".join(s.holders),
         s.purpose] for s in inventory.share_sets()])
    lines += _section("Ceremonies", ["ID", "TYPE", "STARTED", "OUTCOME", "JOURNAL HEAD",
                                     "TITLE"], [
        [c.id, c.type + (" (rehearsal)" if c.rehearsal else ""), day(c.started),
         c.outcome or "unfinished", short(c.journal_head), c.title]
        for c in inventory.ceremonies()])
    return lines


def _several(certificates: Sequence[CertificateEntry]) -> list[str]:
    """Keys certified more than once: renewals (the same issuer again) and cross-certificates
    (another issuer); shown only when there are any."""
    by_key: dict[str, list[CertificateEntry]] = {}
    for cert in certificates:
        if cert.role is not CertificateRole.DOCUMENT_SIGNING:
            by_key.setdefault(cert.spki_sha256, []).append(cert)
    rows = []
    for spki, certs in by_key.items():
        if len(certs) < 2:
            continue
        issuers = {c.issuer for c in certs}
        kind = "cross-certified" if len(issuers) > 1 else "renewed"
        for cert in certs:
            rows.append([short(spki), kind, cert.role.value, day(cert.not_after), cert.issuer])
    if not rows:
        return []
    return ["", f"Keys with several certificates ({len(rows)} certificates)",
            *table(["SPKI SHA-256", "HOW", "ROLE", "NOT AFTER", "ISSUER"], rows)]


def _section(title: str, headers: Sequence[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["", f"{title}: none"]
    return ["", f"{title} ({len(rows)})", *table(headers, rows)]


def _status(cert: CertificateEntry) -> str:
    if cert.status is CertificateStatus.REVOKED:
        return f"revoked {day(cert.revocation_date)} ({cert.revocation_reason})"
    return cert.status.value


def _drill(share_set: ShareSetEntry) -> str:
    if share_set.retired is not None:
        return f"retired {day(share_set.retired)}"
    if share_set.last_drill is None:
        return "never"
    return f"{day(share_set.last_drill)} {'ok' if share_set.last_drill_ok else 'FAILED'}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows as left-aligned columns under their headers (the last column is not padded)."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return [indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            .rstrip() for row in [headers, *rows]]


def day(moment: datetime | None) -> str:
    """A UTC date for tables; the JSON output has the full time."""
    return "-" if moment is None else moment.strftime("%Y-%m-%d")


def short(digest: str | None) -> str:
    """The first 16 hex digits of a digest, enough to tell entries apart in a table."""
    if digest is None:
        return "-"
    return digest if len(digest) <= 16 else digest[:16] + "..."
