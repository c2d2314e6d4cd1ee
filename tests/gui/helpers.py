"""Real artifacts for the GUI tests: root certificate and CRL, shares, inventories, journals."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ceremony.inventory import Inventory
from ceremony.journal import Journal
from crypto.certificates import random_serial, root_builder
from crypto.crl import crl_builder, next_crl_number
from crypto.profiles import CrlProfile, DistinguishedName, RootProfile
from crypto.shares import ShareScheme, SplitSecret, split_secret

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def root_certificate(now: dt.datetime = NOW) -> tuple[x509.Certificate,
                                                       ec.EllipticCurvePrivateKey]:
    """A root CA certificate built by the project's own profile, signed in software."""
    key = ec.generate_private_key(ec.SECP384R1())
    profile = RootProfile(DistinguishedName("NL", "GUI Test", "GUI Test Root CA"), 7305)
    builder = root_builder(profile, key.public_key(), random_serial(os.urandom), now)
    return builder.sign(key, hashes.SHA384()), key


def root_crl(certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey,
             now: dt.datetime = NOW) -> x509.CertificateRevocationList:
    builder = crl_builder(certificate, next_crl_number(None), now, CrlProfile())
    return builder.sign(key, hashes.SHA384())


def pem(obj: x509.Certificate | x509.CertificateRevocationList) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


def split(threshold: int = 2, count: int = 3, size: int = 16) -> SplitSecret:
    """A fresh SLIP-39 split of a random secret."""
    return split_secret(secrets.token_bytes(size), ShareScheme.single(threshold, count))


def mistype(share: str, position: int) -> str:
    """``share`` with the word at ``position`` (1-based) replaced by another real word."""
    words = share.split()
    # Both are SLIP-39 words ("zoom", the old fallback, is not: one share in 1024 failed).
    words[position - 1] = "zero" if words[position - 1] != "zero" else "academic"
    return " ".join(words)


def certificate(common_name: str, not_before: dt.datetime,
                not_after: dt.datetime) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))


def overdue_inventory(path: Path) -> None:
    """An inventory where one certificate expired, a CRL is due soon and a drill is overdue."""
    with Inventory.open(path) as inventory:
        inventory.record_certificate(certificate("Expired Root", NOW - dt.timedelta(days=400),
                                                 NOW - dt.timedelta(days=5)), "root")
        inventory.record_certificate(certificate("Fine Root", NOW - dt.timedelta(days=100),
                                                 NOW + dt.timedelta(days=3000)), "root")
        root, key = root_certificate(NOW - dt.timedelta(days=300))
        inventory.record_crl(root_crl(root, key, NOW - dt.timedelta(days=300)))
        inventory.record_share_set(scheme="3-of-5", holders=["Carol", "Dave", "Erin", "Frank",
                                                             "Grace"],
                                   check_value="0123456789abcdef",
                                   created=NOW - dt.timedelta(days=800), purpose="root backup")
        inventory.record_ceremony(ceremony_id="c1", ceremony_type="root", title="Root ceremony",
                                  started=NOW - dt.timedelta(days=800), folder="/ceremonies/c1")
        inventory.finish_ceremony("c1", finished=NOW - dt.timedelta(days=800),
                                  outcome="completed", journal_head="ab" * 32)


def ceremony_journal(folder: Path) -> Path:
    """A short, sound journal of a ceremony 'x' in ``folder``."""
    with Journal.create(folder) as journal:
        journal.append("ceremony-started", "keyceremony", "system", {"id": "x", "type": "root"})
        journal.append("sign-off", "Bob", "witness", {"question": "ok?"})
    return folder / "journal.jsonl"


def shown(text: str) -> str:
    """What Qt shows for a label's or tool tip's ``text`` left to guess its format: the text
    itself when it looks plain, the rendered rich text when it looks like markup."""
    from PySide6.QtGui import Qt, QTextDocument

    if not Qt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()
