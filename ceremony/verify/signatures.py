"""Reading a transcript PDF and checking its signatures (pyHanko, imported when used).

``read_contents`` gives the embedded files, document information and page text of the
revision the ceremony's signature covers. The four signature checks judge pyHanko's
validation of each signature against what the auditor trusts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ceremony.journal import verify_journal
from ceremony.transcript import JOURNAL_ATTACHMENT, CeremonyFacts
from ceremony.verify.chains import signed_by
from ceremony.verify.checks import (
    CheckResult,
    Contents,
    Trust,
    failed,
    passed,
)
from crypto.algorithms import spki_sha256
from crypto.visible import visible

MAX_NAME_TREE_DEPTH = 16


def _asn1(certificate: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _cryptography(certificate: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def _get(dictionary: Any, key: str, default: Any = None) -> Any:
    """``dictionary[key]`` with references resolved (pyHanko's ``get`` leaves them)."""
    return dictionary[key] if key in dictionary else default


def _name_tree(node: Any, depth: int = 0) -> Iterable[tuple[str, Any]]:
    if depth > MAX_NAME_TREE_DEPTH:
        raise ValueError("the embedded files name tree is too deep")
    names = _get(node, "/Names")
    if names is not None:
        for i in range(0, len(names) - 1, 2):
            yield str(names[i]), names[i + 1]
    for kid in _get(node, "/Kids", ()):
        yield from _name_tree(kid.get_object(), depth + 1)


def _pages(node: Any, depth: int = 0) -> Iterable[Any]:
    if depth > MAX_NAME_TREE_DEPTH:
        raise ValueError("the page tree is too deep")
    if _get(node, "/Type") == "/Pages":
        for kid in _get(node, "/Kids", ()):
            yield from _pages(kid.get_object(), depth + 1)
    else:
        yield node


def _page_text(root: Any) -> bytes:
    parts = []
    for page in _pages(root["/Pages"]):
        contents = _get(page, "/Contents")
        if contents is None:
            continue
        contents = contents.get_object()
        streams = contents if isinstance(contents, list) else [contents]
        parts += [stream.get_object().data for stream in streams]
    return b"\n".join(parts)


def read_contents(data: bytes, certificates: Sequence[x509.Certificate]) -> Contents:
    """The embedded files, document information and page text of ``data`` (a PDF revision)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    root = reader.root
    attachments: dict[str, bytes] = {}
    names = _get(root, "/Names")
    tree = _get(names, "/EmbeddedFiles") if names is not None else None
    duplicates = []
    for name, spec in _name_tree(tree) if tree is not None else ():
        spec = spec.get_object()
        if name in attachments:
            duplicates.append(name)
        attachments[name] = spec["/EF"]["/F"].get_object().data
    if duplicates:
        raise ValueError(f"files embedded twice under one name: {', '.join(duplicates)}")
    info: dict[str, str] = {}
    if "/Info" in reader.trailer:
        for key, value in reader.trailer["/Info"].items():
            info[str(key)] = str(value)
    journal = verify_journal(attachments[JOURNAL_ATTACHMENT]) \
        if JOURNAL_ATTACHMENT in attachments else None
    facts = None
    if journal is not None:
        try:
            facts = CeremonyFacts.from_records(journal.records)
        except ValueError:
            facts = None
    return Contents(attachments, info, _page_text(root), journal, facts, tuple(certificates))


@dataclass(frozen=True, eq=False)
class ValidatedSignature:
    """One PDF signature with pyHanko's verdict (None when validation itself failed)."""

    embedded: Any  # pyhanko EmbeddedPdfSignature
    certificate: x509.Certificate
    status: Any  # PdfSignatureStatus, or None when validation raised
    problem: str | None


def _validation_context(trust: Trust, certificates: Sequence[x509.Certificate],
                        moment: dt.datetime | None) -> Any:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.authority import NamedKeyAuthority, TrustAnchor

    anchors: list[Any] = [_asn1(root) for root in trust.roots]
    for key in trust.keys.values():
        spki = asn1_keys.PublicKeyInfo.load(key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
        # A bare key has no name of its own: it is trusted under the issuer name of each
        # certificate it signed.
        for name in {c.issuer.public_bytes() for c in certificates
                     if signed_by(key, c.signature, c.tbs_certificate_bytes,
                                  c.signature_hash_algorithm)}:
            anchors.append(TrustAnchor(NamedKeyAuthority(asn1_x509.Name.load(name), spki)))
    return ValidationContext(trust_roots=anchors,
                             other_certs=[_asn1(c) for c in certificates],
                             allow_fetching=False, revocation_mode="soft-fail",
                             moment=moment or dt.datetime.now(dt.UTC))


def validate_signature(embedded: Any, trust: Trust,
                       certificates: Sequence[x509.Certificate]) -> Any:
    """pyHanko's ``PdfSignatureStatus`` of one embedded signature, offline, against ``trust``."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    # B-B has no timestamp: the only time there is, is the one the signer claims. Validating
    # then lets a transcript be checked after its signer certificate expired.
    context = _validation_context(trust, certificates, embedded.self_reported_timestamp)
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                match_all_key_usages=False)
    return validate_pdf_signature(embedded, signer_validation_context=context,
                                  key_usage_settings=usage)


def embedded_signatures(reader: Any) -> list[tuple[Any, x509.Certificate]]:
    """Each signature of the file in signing order, with its signer's certificate."""
    return [(s, _cryptography(s.signer_cert)) for s in reader.embedded_regular_signatures]


def cms_certificates(reader: Any) -> list[x509.Certificate]:
    """Every certificate the signatures carry."""
    found = []
    for embedded in reader.embedded_regular_signatures:
        found.append(_cryptography(embedded.signer_cert))
        found += [_cryptography(c) for c in embedded.other_embedded_certs]
    return found


def check_signatures_intact(signatures: Sequence[ValidatedSignature]) -> CheckResult:
    name = "signatures-intact"
    if not signatures:
        return failed(name, "there is no signature to check")
    problems = [f"{s.embedded.field_name}: {s.problem}" for s in signatures if s.problem]
    problems += [f"{s.embedded.field_name}: the document's digest or the signature does not "
                 "verify (the signed bytes were changed)" for s in signatures
                 if s.status is not None and not (s.status.intact and s.status.valid)]
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{len(signatures)} signature(s) intact: "
                        + ", ".join(s.embedded.field_name for s in signatures))


# What pyHanko found wrong with a chain, in words (its AdESIndeterminate names).
_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain of certificates leads from it to {anchor}",
    "CHAIN_CONSTRAINTS_FAILURE": "a certificate on its way to {anchor} breaks a constraint "
                                 "(key usage, basic constraints, validity or name)",
    "EXPIRED": "its certificate had expired at the signing time it claims",
    "NOT_YET_VALID": "its certificate was not yet valid at the signing time it claims",
    "OUT_OF_BOUNDS_NO_POE": "a certificate on its chain was not valid at the signing time "
                            "it claims",
    "REVOKED_NO_POE": "its certificate is revoked",
    "REVOKED_CA_NO_POE": "a CA certificate on its chain is revoked",
    "CRYPTO_CONSTRAINTS_FAILURE": "its chain uses an algorithm that is not accepted",
}


def _subject(certificate: x509.Certificate) -> str:
    return visible(certificate.subject.rfc4514_string()) or "(an empty name)"


def _anchors(trust: Trust) -> str:
    """The ceremony's anchors as given: each root by name, each bare key by its SPKI."""
    roots = [f"root {_subject(r)}" for r in trust.roots]
    root_keys = {spki_sha256(r.public_key()) for r in trust.roots}
    keys = [f"key SPKI SHA-256 {spki[:16]}…" for spki in trust.keys if spki not in root_keys]
    return "; ".join(roots + keys) or "none of the anchors given was found"


def _untrusted(index: int, s: ValidatedSignature, trust: Trust) -> str:
    """Why signature ``index`` is not trusted, naming its signer and what it was held to."""
    field = s.embedded.field_name
    signer = f"{field} (signer {_subject(s.certificate)}, issued by " \
             f"{visible(s.certificate.issuer.rfc4514_string())})"
    if index > 0 and not trust.countersigners:
        return (f"{signer}: no countersigner root is accepted, so this countersignature is "
                "not trusted (give its CA's root with --countersigner-root, or in the app "
                "under Accept countersigners under…)")
    if index == 0:
        anchor = f"the ceremony's anchor ({_anchors(trust)})"
    else:
        anchor = ("any countersigner root accepted ("
                  + "; ".join(_subject(r) for r in trust.countersigners) + ")")
    why = s.status.trust_problem_indic
    reason = _TRUST_PROBLEMS.get(why.name if why is not None else "",
                                 "it does not chain to {anchor}")
    return f"{signer}: " + reason.format(anchor=anchor) \
        + (f" [{why.name}]" if why is not None else "")


def check_signatures_trusted(signatures: Sequence[ValidatedSignature], trust: Trust) -> CheckResult:
    """The ceremony's signature chains to the ceremony's anchor, every later one to a
    countersigner root; the two kinds of trust never stand in for each other. A failure names
    the signature, its signer and issuer, and what it was held to."""
    name = "signatures-trusted"
    if not signatures:
        return failed(name, "there is no signature to check")
    problems = []
    for index, s in enumerate(signatures):
        if s.status is None:
            problems.append(f"{s.embedded.field_name}: not validated ({s.problem})")
        elif not s.status.trusted:
            problems.append(_untrusted(index, s, trust))
    if trust.missing:
        problems.append("not found in the transcript: " + ", ".join(trust.missing))
    if problems:
        first = signatures[0].status
        if first is not None and first.trusted and not trust.missing:
            # Say what did hold, so the sentence is true of a file whose ceremony chain passed.
            problems.insert(0, "the ceremony's signature chains to the ceremony's anchor, but")
            return failed(name, problems[0] + " " + "; ".join(problems[1:]))
        return failed(name, "; ".join(problems))
    others = len(signatures) - 1
    return passed(name, "the ceremony's signature chains to the ceremony's anchor"
                  + (f", {others} countersignature(s) to a countersigner root" if others else "")
                  + " (validated at the signing time each signature claims; B-B carries no "
                    "timestamp)")


def check_signature_coverage(signatures: Sequence[ValidatedSignature], reader: Any) -> CheckResult:
    name = "signature-coverage"
    if not signatures:
        return failed(name, "there is no signature to check")
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    last = signatures[-1]
    if last.status is None or last.status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return failed(name, f"the last signature ({last.embedded.field_name}) does not cover "
                      "the whole file: something was appended after it")
    signed = {s.embedded.signed_revision for s in signatures}
    first = signatures[0].embedded.signed_revision
    unsigned = [r for r in range(first, reader.total_revisions) if r not in signed]
    if unsigned:
        return failed(name, f"revision(s) {', '.join(map(str, unsigned))} after the ceremony's "
                      "signature are not signatures")
    for s in signatures[:-1]:
        if s.status is None or s.status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
            return failed(name, f"{s.embedded.field_name} does not cover the whole revision it "
                          "signs")
        level = s.status.modification_level
        if level is None or level > ModificationLevel.FORM_FILLING:
            return failed(name, f"after {s.embedded.field_name}, more than further signatures "
                          "was changed")
    return passed(name, "the last signature covers the whole file"
                  + (", earlier ones are followed only by signatures"
                     if len(signatures) > 1 else ""))
