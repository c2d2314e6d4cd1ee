"""Who signed: the ceremony's transcript signer against its journal, and the countersigners.

``ceremony-signature`` holds the first signature to what the ceremony's own journal says: the
signer's certificate is, byte for byte, the one the journal records issuing for this
ceremony's transcript, and it was certified by the key the journal says certified it (its
signature verifies under that key, its authority key identifier names that key, and its
issuer is that key's name wherever the transcript shows one). ``countersignatures`` holds every
later signature to what a countersignature may be: a signature only, drawn nowhere on the
pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.journal import Event, JournalRecord
from ceremony.transcript import SIGNATURE_FIELD, of, text
from ceremony.verify.chains import pool, public_keys, requests, signed_by
from ceremony.verify.checks import (
    CheckResult,
    Contents,
    Trust,
    certificate_sha256,
    failed,
    passed,
)
from crypto.algorithms import spki_sha256
from crypto.certfile import load_certificate
from crypto.certificates import ID_KP_DOCUMENT_SIGNING
from crypto.errors import UnusableInput

_SIGNER_SPKI = re.compile(r"SPKI SHA-256 ([0-9a-f]{64})")


def _expected_common_name(ceremony_id: str) -> str:
    from crypto.profiles import DocumentSignerProfile

    return DocumentSignerProfile().common_name(ceremony_id)


def _signer_profile_problem(certificate: x509.Certificate) -> str | None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        extended = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound as exc:
        return f"its certificate lacks {exc.oid._name}"
    if constraints.value.ca:
        return "its certificate is a CA certificate"
    if not (usage.digital_signature and usage.content_commitment):
        return "its certificate lacks digitalSignature or nonRepudiation"
    if ID_KP_DOCUMENT_SIGNING not in list(extended):
        return "its certificate is not for document signing"
    return None


def _certifying_spki(record: JournalRecord, records: Sequence[JournalRecord]) -> str | None:
    """The SPKI SHA-256 of the key the journal says signed ``record``'s certificate: the one
    its ``signing-confirmed`` names."""
    earlier = records[:records.index(record)]
    what = text(record.data.get("object"))
    confirmation = next((r for r in reversed(earlier) if r.event == Event.SIGNING_CONFIRMED
                         and text(r.data.get("object")) == what), None)
    if confirmation is None:
        return None
    found = _SIGNER_SPKI.search(text(confirmation.data.get("signer")))
    return found.group(1) if found else None


def _key_identifiers(key: PublicKeyTypes, holders: Sequence[x509.Certificate]) -> set[bytes]:
    """The identifiers an issuer with ``key`` gives it: its certificates' SKI, or the RFC 5280
    method (1) digest that a bare key's certificates use."""
    identifiers = {x509.SubjectKeyIdentifier.from_public_key(key).digest}  # type: ignore[arg-type]
    for certificate in holders:
        try:
            identifiers.add(certificate.extensions.get_extension_for_class(
                x509.SubjectKeyIdentifier).value.digest)
        except x509.ExtensionNotFound:
            continue
    return identifiers


def certifier_problem(certificate: x509.Certificate, record: JournalRecord, contents: Contents,
                      trust: Trust) -> str | None:
    """Why ``certificate`` was not certified by the key the journal names for it, or None."""
    digest = _certifying_spki(record, contents.records)
    if digest is None:
        return "the journal names no key that certified it"
    key = {**public_keys(contents), **trust.keys}.get(digest)
    if key is None:
        return f"the key the journal says certified it ({digest}) is not in the transcript"
    if not signed_by(key, certificate.signature, certificate.tbs_certificate_bytes,
                     certificate.signature_hash_algorithm):
        return f"its certificate was not signed by the key the journal names ({digest})"
    holders = [c for c in [*pool(contents), *trust.roots] if spki_sha256(c.public_key()) == digest]
    try:
        authority = certificate.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier).value.key_identifier
    except x509.ExtensionNotFound:
        authority = None
    if authority not in _key_identifiers(key, holders):
        return f"its authority key identifier does not name the key that certified it ({digest})"
    # The names the transcript itself gives the key; a root the auditor brings vouches for
    # the key, whatever name the signer's issuer field carries.
    names = {c.subject for c in pool(contents) if spki_sha256(c.public_key()) == digest}
    names |= {r.subject for r in requests(contents) if spki_sha256(r.public_key()) == digest}
    if names and certificate.issuer not in names:
        shown = " or ".join(sorted(n.rfc4514_string() for n in names))
        return (f"its issuer {certificate.issuer.rfc4514_string()} is not the name of the key "
                f"that certified it ({shown})")
    return None


def check_ceremony_signature(signatures: Sequence[Any], contents: Contents | None,
                             trust: Trust) -> CheckResult:
    """``signatures`` are ``ValidatedSignature`` values, in signing order."""
    name = "ceremony-signature"
    if not signatures:
        return failed(name, "the document carries no signature")
    first = signatures[0]
    if first.embedded.field_name != SIGNATURE_FIELD:
        return failed(name, f"the first signature is {first.embedded.field_name!r}, not the "
                      f"ceremony's {SIGNATURE_FIELD!r}")
    certificate = first.certificate
    subject = certificate.subject.rfc4514_string()
    problem = _signer_profile_problem(certificate)
    if problem:
        return failed(name, f"signed by {subject}, but {problem}")
    facts = contents.facts if contents is not None else None
    if contents is None or facts is None:
        return failed(name, f"signed by {subject}, but there is no journal naming the signer")
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if not names or names[0].value != _expected_common_name(facts.id):
        return failed(name, f"signed by {subject}, not by the transcript signer of ceremony "
                      f"{facts.id}")
    fingerprint = certificate_sha256(certificate)
    record = next((r for r in of(contents.records, Event.CERTIFICATE_ISSUED)
                   if r.data.get("sha256") == fingerprint
                   and r.data.get("lint_kind") == "document-signer"), None)
    if record is None:
        return failed(name, f"signed by {subject}, whose certificate ({fingerprint}) the "
                      "journal does not record issuing")
    path = text(record.data.get("path"))
    embedded = contents.attachments.get(path)
    try:
        recorded = load_certificate(embedded, path) if embedded is not None else None
    except UnusableInput:
        recorded = None
    der = serialization.Encoding.DER
    if recorded is None or recorded.public_bytes(der) != certificate.public_bytes(der):
        return failed(name, f"signed by {subject}, whose certificate is not byte for byte the "
                      f"{path} the journal records issuing (record {record.seq})")
    problem = certifier_problem(certificate, record, contents, trust)
    if problem:
        return failed(name, f"signed by {subject}, but {problem}")
    return passed(name, f"signed by {subject} (certificate SHA-256 {fingerprint}, issued at "
                        f"journal record {record.seq} by the key the journal names)")


def _widgets(field: Any) -> list[Any]:
    kids = field["/Kids"] if "/Kids" in field else ()
    return [field, *(kid.get_object() for kid in kids)]


def _drawn(widget: Any) -> str | None:
    """Why a signature widget shows on a page (a rectangle or an appearance), or None."""
    if "/Rect" in widget:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        if x1 != x2 and y1 != y2:
            return f"a rectangle of {abs(x2 - x1):g} by {abs(y2 - y1):g} points on a page"
    if "/AP" in widget:
        return "an appearance stream"
    return None


def check_countersignatures(signatures: Sequence[Any]) -> CheckResult:
    """``countersignatures``: every signature after the ceremony's is drawn nowhere."""
    name = "countersignatures"
    later = signatures[1:]
    if not later:
        return passed(name, "there is no countersignature")
    problems = []
    for s in later:
        field = s.embedded.sig_field
        why = next((w for w in map(_drawn, _widgets(field)) if w is not None), None)
        if why is not None:
            problems.append(f"{s.embedded.field_name} draws on the transcript ({why}); a "
                            "countersignature must not change what the pages show")
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{len(later)} countersignature(s), none drawn on the pages")
