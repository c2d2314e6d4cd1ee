"""Certificate chains and lint of what a transcript says was issued.

Every certificate and CRL the journal records issuing must chain, signature by signature, to
what the auditor trusts (a root certificate or a bare key), and pass lint at the level its
issuance recorded (``lint_kind``): pkilint's BR profile plus our own checks, as
``crypto.issuance`` ran them. Linting is split into jobs of plain bytes so that the command
line can run them in a worker process while the signatures are validated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.journal import Event, JournalRecord
from ceremony.transcript import of, text
from ceremony.verify.checks import (
    SIGNING_EVENTS,
    CheckResult,
    Contents,
    Trust,
    failed,
    passed,
)
from crypto.algorithms import spki_sha256
from crypto.certfile import load_certificate, load_crl
from crypto.errors import UnusableInput
from crypto.issuance import CERT_KINDS

MAX_CHAIN = 8




@dataclass(frozen=True)
class Issued:
    """A certificate or CRL the journal says was issued, as embedded."""

    record: JournalRecord
    certificate: x509.Certificate | None
    crl: x509.CertificateRevocationList | None
    problem: str | None


def issued_objects(contents: Contents) -> list[Issued]:
    """Every certificate-issued and crl-issued record with its parsed artifact."""
    result = []
    for record in of(contents.records, *SIGNING_EVENTS):
        path = text(record.data.get("path"))
        data = contents.attachments.get(path)
        if data is None:
            result.append(Issued(record, None, None, f"{path} is not embedded"))
            continue
        try:
            if record.event == Event.CERTIFICATE_ISSUED:
                result.append(Issued(record, load_certificate(data, path), None, None))
            else:
                result.append(Issued(record, None, load_crl(data, path), None))
        except UnusableInput:
            result.append(Issued(record, None, None, f"{path} cannot be parsed"))
    return result


def _embedded(contents: Contents, marker: bytes, load: Callable[[bytes], Any]) -> list[Any]:
    """Every embedded file with ``marker`` in it that ``load`` reads (a crafted one is
    passed over: the checks that need it fail on their own)."""
    found = []
    for data in contents.attachments.values():
        if marker in data:
            try:
                found.append(load(data))
            except (ValueError, x509.InvalidVersion):
                continue
    return found


def requests(contents: Contents) -> list[x509.CertificateSigningRequest]:
    """Every CSR embedded in the transcript."""
    return _embedded(contents, b"CERTIFICATE REQUEST-----", x509.load_pem_x509_csr)


def _recorded_keys(contents: Contents) -> list[PublicKeyTypes]:
    """Public keys the journal carries (``public_key`` of a ``backup-read``), each only where
    it hashes to the SPKI SHA-256 the same record names."""
    found = []
    for record in contents.records:
        pem, digest = record.data.get("public_key"), record.data.get("spki_sha256")
        if not isinstance(pem, str) or not isinstance(digest, str):
            continue
        try:
            key = serialization.load_pem_public_key(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
            continue
        if spki_sha256(key) == digest:
            found.append(key)
    return found


def public_keys(contents: Contents) -> dict[str, PublicKeyTypes]:
    """SPKI SHA-256 -> public key of every certificate, CSR and journaled key in the
    transcript."""
    keys: dict[str, PublicKeyTypes] = {}
    found = []
    items: list[x509.Certificate | x509.CertificateSigningRequest] = [
        *pool(contents), *requests(contents)]
    for item in items:
        try:
            found.append(item.public_key())
        except (ValueError, UnsupportedAlgorithm):  # a crafted key names no anchor; the
            continue                                # checks that use it fail on their own
    for key in [*found, *_recorded_keys(contents)]:
        keys.setdefault(spki_sha256(key), key)
    return keys


def pool(contents: Contents) -> list[x509.Certificate]:
    """Every certificate in the transcript: from the signatures and the artifacts."""
    return [*contents.certificates, *_embedded(contents, b"-----BEGIN CERTIFICATE-----",
                                               x509.load_pem_x509_certificate)]


def signed_by(public_key: PublicKeyTypes, signature: bytes, data: bytes,
              hash_algorithm: Any) -> bool:
    """Whether ``signature`` over ``data`` verifies with ``public_key`` (PKCS#1 v1.5 or ECDSA)."""
    from crypto.errors import SignatureCheckFailed
    from crypto.issuance import verify_signature

    try:
        verify_signature(public_key, signature, data, hash_algorithm)
    except (SignatureCheckFailed, UnsupportedAlgorithm, ValueError):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints)
                    .value.ca)
    except x509.ExtensionNotFound:
        return False


@dataclass(frozen=True)
class Issuer:
    """Who signed an object: a certificate in the chain, or a trusted bare key."""

    name: x509.Name
    public_key: PublicKeyTypes
    certificate: x509.Certificate | None


@dataclass(frozen=True)
class Chain:
    """Where a signed object's chain goes: its direct issuer, the trusted key it reaches
    (``anchor``, an SPKI SHA-256), or why it reaches none (``problem``)."""

    issuer: Issuer | None
    problem: str | None
    anchor: str | None = None


def chain_of(name: x509.Name, signature: bytes, tbs: bytes, hash_algorithm: Any,
             certificates: Sequence[x509.Certificate], trust: Trust) -> Chain:
    """The direct issuer of a signed object and the anchor it reaches, or why it reaches none.

    Walks up from the object through ``certificates`` (each signature verified, each issuer a
    CA) until a trusted key (a root's key or a bare key) or a trusted root certificate.
    """
    direct: Issuer | None = None
    for _ in range(MAX_CHAIN):
        for digest, key in trust.keys.items():
            if signed_by(key, signature, tbs, hash_algorithm):
                return Chain(direct or Issuer(name, key, None), None, digest)
        parent = next((c for c in certificates if c.subject == name
                       and signed_by(c.public_key(), signature, tbs, hash_algorithm)), None)
        if parent is None:
            return Chain(direct, f"no certificate of its issuer {name.rfc4514_string()} is at "
                                 "hand")
        if not _is_ca(parent):
            return Chain(direct, f"its issuer {parent.subject.rfc4514_string()} is not a CA")
        direct = direct or Issuer(parent.subject, parent.public_key(), parent)
        if trust.is_root(parent):
            return Chain(direct, None, spki_sha256(parent.public_key()))
        if parent.issuer == parent.subject:
            return Chain(direct, f"{parent.subject.rfc4514_string()} is self-signed but not "
                                 "trusted")
        name, signature, tbs = parent.issuer, parent.signature, parent.tbs_certificate_bytes
        hash_algorithm = parent.signature_hash_algorithm
    return Chain(direct, "the chain is longer than any this tool issues")


def _chain(obj: Issued, certificates: Sequence[x509.Certificate], trust: Trust) -> Chain:
    """The chain of ``obj`` to what is trusted."""
    if obj.certificate is not None:
        c = obj.certificate
        if c.issuer == c.subject and signed_by(c.public_key(), c.signature,
                                                c.tbs_certificate_bytes,
                                                c.signature_hash_algorithm):
            issuer = Issuer(c.subject, c.public_key(), c)
            digest = spki_sha256(c.public_key())
            if trust.is_root(c) or digest in trust.keys:
                return Chain(issuer, None, digest)
            return Chain(issuer, "self-signed but not a trusted root")
        return chain_of(c.issuer, c.signature, c.tbs_certificate_bytes,
                        c.signature_hash_algorithm, certificates, trust)
    crl = obj.crl
    if crl is None:
        raise ValueError(f"{_label(obj)} is neither a certificate nor a CRL")
    return chain_of(crl.issuer, crl.signature, crl.tbs_certlist_bytes,
                    crl.signature_hash_algorithm, certificates, trust)


def _label(obj: Issued) -> str:
    return f"{text(obj.record.data.get('path'))} (record {obj.record.seq})"


def check_certificate_chains(contents: Contents, trust: Trust) -> CheckResult:
    name = "certificate-chains"
    objects = issued_objects(contents)
    if not objects:
        return passed(name, "the journal records no certificate or CRL")
    certificates = [*pool(contents), *trust.roots]
    problems = []
    anchors: dict[str, list[str]] = {}
    for obj in objects:
        if obj.problem is not None:
            problems.append(obj.problem)
            continue
        digest = hashlib.sha256(
            (obj.certificate or obj.crl).public_bytes(serialization.Encoding.DER)  # type: ignore[union-attr]
        ).hexdigest()
        if digest != obj.record.data.get("sha256"):
            problems.append(f"{_label(obj)} is not the object the journal recorded issuing")
            continue
        chain = _chain(obj, certificates, trust)
        if chain.problem is not None:
            problems.append(f"{_label(obj)} does not chain to the ceremony's anchor: "
                            f"{chain.problem}")
        elif chain.anchor is not None:
            anchors.setdefault(chain.anchor, []).append(_label(obj))
    if len(anchors) > 1:
        # A ceremony uses one CA key: objects chaining to different anchors mean one of
        # them was put there by someone holding another key the auditor happens to trust.
        problems.append("the ceremony's certificates and CRLs chain to more than one anchor "
                        "(a ceremony uses one CA key): " + "; ".join(
                            f"{', '.join(labels)} to the key with SPKI SHA-256 {digest}"
                            for digest, labels in anchors.items()))
    if problems:
        return failed(name, "; ".join(problems))
    (anchor,) = anchors or {"": []}
    return passed(name, f"{len(objects)} certificates and CRLs chain to the ceremony's anchor "
                        f"(the key with SPKI SHA-256 {anchor})")


@dataclass(frozen=True)
class LintJob:
    """One object to lint as its issuance did, in plain bytes (so a worker process can)."""

    label: str
    kind: str  # the certificate's lint_kind, or "crl"
    der: bytes
    issuer_name: bytes  # DER of the name the issuer signs as
    issuer_spki: bytes  # DER SubjectPublicKeyInfo of the issuer's key


Linter = Callable[[Sequence[LintJob]], Callable[[], Sequence[Any]]]
"""Starts linting jobs and returns the function that waits for their reports, in order."""


LINT_KINDS = (*CERT_KINDS, "crl")


def run_lint_job(job: LintJob) -> Any:
    """The ``crypto.lint.LintReport`` of one job (pkilint at the recorded level, our checks)."""
    from crypto import lint

    issuer_key = serialization.load_der_public_key(job.issuer_spki)
    if job.kind == "crl":
        crl = x509.load_der_x509_crl(job.der)
        return lint.lint_crl_for_issuance(crl, job.issuer_name, issuer_key)
    from crypto.issuance import lint_issued

    return lint_issued(x509.load_der_x509_certificate(job.der), job.kind, job.issuer_name,
                       issuer_key)


def lint_in_process(jobs: Sequence[LintJob]) -> Callable[[], Sequence[Any]]:
    """The default ``Linter``: lint when the reports are asked for, in this process."""

    def collect() -> list[Any]:
        reports: list[Any] = []
        for job in jobs:
            try:
                reports.append(run_lint_job(job))
            except Exception as exc:  # an object that breaks the linter fails its lint
                reports.append(exc)
        return reports

    return collect


def lint_jobs(contents: Contents, trust: Trust) -> tuple[list[LintJob], list[str]]:
    """What to lint, and the objects that cannot be linted (with why)."""
    certificates = [*pool(contents), *trust.roots]
    jobs, problems = [], []
    for obj in issued_objects(contents):
        if obj.problem is not None:
            continue  # the chain check reports it
        kind = "crl" if obj.crl is not None else text(obj.record.data.get("lint_kind"))
        if kind not in LINT_KINDS:
            problems.append(f"{_label(obj)} records an unknown lint level {kind!r}")
            continue
        issuer = _chain(obj, certificates, trust).issuer
        if issuer is None:
            problems.append(f"{_label(obj)}: its issuer is not at hand, so it cannot be linted")
            continue
        signed: x509.Certificate | x509.CertificateRevocationList | None = (
            obj.crl if obj.crl is not None else obj.certificate)
        if signed is None:
            continue
        jobs.append(LintJob(_label(obj), kind, signed.public_bytes(serialization.Encoding.DER),
                            issuer.name.public_bytes(), issuer.public_key.public_bytes(
                                serialization.Encoding.DER,
                                serialization.PublicFormat.SubjectPublicKeyInfo)))
    return jobs, problems


def check_lint(jobs: Sequence[LintJob], reports: Sequence[Any],
               problems: Sequence[str]) -> CheckResult:
    """``reports[i]`` is the LintReport of ``jobs[i]``, or the exception linting it raised."""
    name = "lint"
    found = list(problems)
    for job, report in zip(jobs, reports, strict=True):
        if isinstance(report, BaseException):
            found.append(f"{job.label} could not be linted ({report})")
        elif report.blocking:
            found.append(f"{job.label} fails {job.kind} lint: {report.blocking[0]}")
    if found:
        return failed(name, "; ".join(found))
    if not jobs:
        return passed(name, "the journal records no certificate or CRL to lint")
    kinds = ", ".join(sorted({job.kind for job in jobs}))
    return passed(name, f"{len(jobs)} objects pass lint at their recorded level ({kinds})")
