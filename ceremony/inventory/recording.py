"""Bring the inventory up to date from a ceremony's journal and artifacts.

The journal is the record; the inventory is an index of it. Reading it from the journal
(rather than recording as the ceremony goes) means a resumed ceremony, or one whose inventory
was unavailable, is indexed the same way, and recording twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography import x509

from ceremony.inventory import Inventory
from ceremony.journal import Event, JournalRecord, final_head

# The inventory role of what a certificate-issued record's lint_kind says was issued; every
# subordinate kind is "intermediate". A cross-certificate is told by its object, as a private
# one is linted as a private subordinate.
_ROLES = {"root": "root", "renewed-root": "root", "cross-certificate": "cross",
          "ocsp-signer": "ocsp-signer", "document-signer": "document-signing"}


def _role(data: Mapping[str, Any]) -> str:
    if data.get("object") == "cross-certificate":
        return "cross"
    return _ROLES.get(str(data.get("lint_kind")), "intermediate")


def record_ceremony(inventory: Inventory, folder: Path,
                    records: tuple[JournalRecord, ...], outcome: str) -> None:
    """Index everything ``records`` (a ceremony's journal) says was made."""
    started = records[0]
    info: dict[str, Any] = dict(started.data)
    ceremony_id = str(info["id"])
    inventory.record_ceremony(ceremony_id=ceremony_id, ceremony_type=str(info["type"]),
                              title=str(info["title"]), started=started.timestamp,
                              folder=folder, rehearsal=bool(info.get("rehearsal")))
    backed_up = {r.data.get("label") for r in records if r.event == Event.KEY_BACKED_UP}
    for record in records:
        data = record.data
        if record.event == Event.KEY_GENERATED or record.event == Event.KEY_RESTORED:
            inventory.record_key(
                token_label=str(data["token"]), token_serial=str(data.get("token_serial", "")),
                key_label=str(data["label"]), spki_sha256=str(data["spki_sha256"]),
                algorithm=str(data["algorithm"]), created=record.timestamp,
                backup="wrapped" if data["label"] in backed_up else "none",
                ceremony_id=ceremony_id)
        elif record.event == Event.CERTIFICATE_ISSUED:
            path = folder / str(data["path"])
            if path.exists():
                certificate = x509.load_pem_x509_certificate(path.read_bytes())
                inventory.record_certificate(certificate, _role(data), pem_path=path,
                                             ceremony_id=ceremony_id)
        elif record.event == Event.CRL_ISSUED:
            path = folder / str(data["path"])
            if path.exists():
                inventory.record_crl(x509.load_pem_x509_crl(path.read_bytes()), path=path,
                                     ceremony_id=ceremony_id)
        elif record.event == Event.CERTIFICATE_REVOKED:
            inventory.mark_revoked(str(data["serial"]), str(data["reason"]),
                                   dt.datetime.fromisoformat(str(data["revoked_at"])))
        elif record.event == Event.SHARES_CREATED:
            holders = [name for group in data["holders"] for name in group]
            inventory.record_share_set(scheme=str(data["scheme"]), holders=holders,
                                       check_value=str(data["check_value"]),
                                       created=record.timestamp,
                                       purpose=str(data.get("purpose", "")),
                                       ceremony_id=ceremony_id)
        elif record.event == Event.SHARES_DRILLED:
            inventory.record_drill(str(data["check_value"]), record.timestamp,
                                   bool(data.get("ok")), ceremony_id=ceremony_id)
        elif record.event == Event.SHARES_RETIRED:
            inventory.retire_share_set(str(data["check_value"]), record.timestamp)
        elif record.event == Event.KEY_DESTROYED:
            inventory.retire_key(str(data["spki_sha256"]), str(data["token_serial"]),
                                 record.timestamp, ceremony_id=ceremony_id)
    if outcome != "completed":
        return  # a stopped ceremony may be resumed; it is finished only once, when complete
    last = records[-1]
    final = final_head(records)  # the head the room wrote and the transcript ends with
    inventory.finish_ceremony(ceremony_id, finished=last.timestamp, outcome=outcome,
                              journal_head=final.head if final else last.hash)
