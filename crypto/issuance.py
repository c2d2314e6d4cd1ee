"""Lint, then sign, then check: the only way this tool signs a certificate or a CRL.

BR 4.3.1.2 asks for linting before signing, and Boulder's ceremony tool shows the order:
1. build the to-be-signed object and sign it with a throwaway software key of the issuer's
   algorithm, so it can be linted as a complete object (``prepare_*``);
2. refuse on any WARNING or worse from pkilint or our own checks;
3. let a person see the preview and its lint result (the ceremony's job), then sign with the
   token (``sign_*``);
4. re-parse the result, check its to-be-signed bytes are exactly those previewed, verify the
   signature against the issuer's public key, and lint it again.
A throwaway key is not a secret: it signs only previews that are thrown away.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PublicKeyTypes,
)

from crypto.algorithms import KeyAlgorithm, algorithm_of, issuer_hash
from crypto.errors import LintFailed, ProfileError, SignatureCheckFailed

# What kind of object is being issued decides the pkilint profile it is judged by.
ROOT = "root"
TLS_SUBORDINATE = "tls-subordinate"
TLS_CONSTRAINED_SUBORDINATE = "tls-constrained-subordinate"
SMIME_SUBORDINATE = "smime-subordinate"
CODE_SIGNING_SUBORDINATE = "code-signing-subordinate"
PRIVATE_SUBORDINATE = "private-subordinate"
CROSS_CERTIFICATE = "cross-certificate"
RENEWED_ROOT = "renewed-root"
OCSP_SIGNER = "ocsp-signer"
DOCUMENT_SIGNER = "document-signer"
# The pkilint profile each kind is linted by; see crypto.purposechecks for what is added.
_PKILINT_TYPES = {
    ROOT: "ROOT_CA",
    TLS_SUBORDINATE: "INTERNAL_UNCONSTRAINED_TLS_CA",
    TLS_CONSTRAINED_SUBORDINATE: "INTERNAL_CONSTRAINED_TLS_CA",
    # pkilint 0.13 has no S/MIME or code-signing CA profile: a CA outside TLS (BR 7.1.2.3).
    SMIME_SUBORDINATE: "NON_TLS_CA",
    CODE_SIGNING_SUBORDINATE: "NON_TLS_CA",
    PRIVATE_SUBORDINATE: "PKIX",
    # A CA of the same organisation cross-signed (BR 7.1.2.2); a private one is a private
    # subordinate.
    CROSS_CERTIFICATE: "INTERNAL_CROSS_CA",
    RENEWED_ROOT: "ROOT_CA",  # a root all the same; its own kind so the inventory can tell
    OCSP_SIGNER: "OCSP_RESPONDER",  # BR 7.1.2.8
}
CERT_KINDS = (*_PKILINT_TYPES, DOCUMENT_SIGNER)


@functools.cache
def _throwaway_key(algorithm: KeyAlgorithm) -> CertificateIssuerPrivateKeyTypes:
    # Cached: an RSA-4096 software key takes about a second to make, and it signs only previews.
    if algorithm.is_ec:
        return ec.generate_private_key(algorithm.curve)
    return rsa.generate_private_key(public_exponent=65537, key_size=algorithm.rsa_bits)


def _throwaway_for(public_key: PublicKeyTypes) -> CertificateIssuerPrivateKeyTypes:
    algorithm = algorithm_of(public_key)
    if algorithm is None:
        raise ProfileError("the issuer key is not one of the algorithms this tool signs with")
    return _throwaway_key(algorithm)


def verify_signature(public_key: PublicKeyTypes, signature: bytes, data: bytes,
                     hash_algorithm: hashes.HashAlgorithm | None) -> None:
    """Raise SignatureCheckFailed unless ``signature`` over ``data`` verifies."""
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey) and hash_algorithm is not None:
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
        elif isinstance(public_key, rsa.RSAPublicKey) and hash_algorithm is not None:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        else:
            raise SignatureCheckFailed("the signature uses an algorithm this tool does not accept")
    except InvalidSignature:
        raise SignatureCheckFailed("the signature does not verify against the issuer's public "
                                   "key; the token signed with a different key") from None


def lint_issued(certificate: x509.Certificate, kind: str, issuer_subject_der: bytes,
                issuer_public_key: PublicKeyTypes) -> Any:
    """The lint issuance runs for a certificate of ``kind`` (``verify`` repeats it)."""
    from crypto import lint
    from crypto.purposechecks import purpose_findings

    if kind == DOCUMENT_SIGNER:
        # pkilint has no document-signing profile; our own checks still apply.
        return lint.own_certificate_checks(certificate, issuer_subject_der, issuer_public_key)
    report = lint.lint_for_issuance(certificate, _PKILINT_TYPES[kind], issuer_subject_der,
                                    issuer_public_key)
    return report.with_findings(purpose_findings(certificate, kind))


def _refuse_if_blocking(report: Any, what: str) -> None:
    if report.blocking:
        first = report.blocking[0]
        raise LintFailed(
            f"the {what} fails linting ({first.severity} {first.code}: {first.message}); "
            "nothing was signed: correct the plan or profile",
            tuple(f"{f.severity} {f.code}: {f.message}" for f in report.blocking),
        )


@dataclass(frozen=True, eq=False)
class PreparedCertificate:
    """A certificate ready to be signed: what a person confirms before the token signs it."""

    builder: x509.CertificateBuilder
    preview: x509.Certificate
    kind: str
    issuer_public_key: PublicKeyTypes
    issuer_subject_der: bytes
    lint: Any  # crypto.lint.LintReport

    @property
    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return issuer_hash(self.issuer_public_key)


class _Issued:
    """The encodings of what the token signed (a certificate or a CRL), as written and
    journaled."""

    @property
    def signed(self) -> x509.Certificate | x509.CertificateRevocationList:
        raise NotImplementedError

    @property
    def der(self) -> bytes:
        return self.signed.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.signed.public_bytes(serialization.Encoding.PEM)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()


@dataclass(frozen=True, eq=False)
class IssuedCertificate(_Issued):
    """A signed, re-parsed, verified and re-linted certificate."""

    certificate: x509.Certificate
    lint_before: Any
    lint_after: Any

    @property
    def signed(self) -> x509.Certificate:
        return self.certificate


def prepare_certificate(builder: x509.CertificateBuilder, kind: str,
                        issuer_public_key: PublicKeyTypes,
                        issuer_name: x509.Name) -> PreparedCertificate:
    """Sign ``builder`` with a throwaway key and lint it; LintFailed on WARNING or worse."""
    if kind not in CERT_KINDS:
        raise ValueError(f"unknown certificate kind {kind!r}")
    throwaway = _throwaway_for(issuer_public_key)
    preview = builder.sign(throwaway, issuer_hash(issuer_public_key))  # type: ignore[arg-type]
    issuer_der = issuer_name.public_bytes()
    report = lint_issued(preview, kind, issuer_der, throwaway.public_key())
    _refuse_if_blocking(report, f"{kind} certificate")
    return PreparedCertificate(builder, preview, kind, issuer_public_key, issuer_der, report)


def sign_certificate(prepared: PreparedCertificate,
                     signing_key: CertificateIssuerPrivateKeyTypes) -> IssuedCertificate:
    """Sign with the token key and check the result before anyone writes it down."""
    signed = prepared.builder.sign(signing_key, prepared.hash_algorithm)  # type: ignore[arg-type]
    certificate = x509.load_der_x509_certificate(signed.public_bytes(serialization.Encoding.DER))
    if certificate.tbs_certificate_bytes != prepared.preview.tbs_certificate_bytes:
        raise SignatureCheckFailed("the signed certificate differs from the one that was "
                                   "confirmed; it was not kept")
    verify_signature(prepared.issuer_public_key, certificate.signature,
                     certificate.tbs_certificate_bytes, certificate.signature_hash_algorithm)
    after = lint_issued(certificate, prepared.kind, prepared.issuer_subject_der,
                              prepared.issuer_public_key)
    _refuse_if_blocking(after, f"signed {prepared.kind} certificate")
    return IssuedCertificate(certificate, prepared.lint, after)


@dataclass(frozen=True, eq=False)
class PreparedCrl:
    """A CRL ready to be signed, with the lint of its preview."""

    builder: x509.CertificateRevocationListBuilder
    preview: x509.CertificateRevocationList
    issuer_public_key: PublicKeyTypes
    issuer_subject_der: bytes
    lint: Any

    @property
    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return issuer_hash(self.issuer_public_key)


@dataclass(frozen=True, eq=False)
class IssuedCrl(_Issued):
    """A signed, re-parsed, verified and re-linted CRL."""

    crl: x509.CertificateRevocationList
    lint_before: Any
    lint_after: Any

    @property
    def signed(self) -> x509.CertificateRevocationList:
        return self.crl


def prepare_crl(builder: x509.CertificateRevocationListBuilder,
                issuer: x509.Certificate) -> PreparedCrl:
    """Sign the CRL with a throwaway key and lint it as a BR ARL."""
    from crypto import lint

    issuer_public_key = issuer.public_key()
    throwaway = _throwaway_for(issuer_public_key)
    preview = builder.sign(throwaway, issuer_hash(issuer_public_key))  # type: ignore[arg-type]
    issuer_der = issuer.subject.public_bytes()
    report = lint.lint_crl_for_issuance(preview, issuer_der, throwaway.public_key())
    _refuse_if_blocking(report, "CRL")
    return PreparedCrl(builder, preview, issuer_public_key, issuer_der, report)


def sign_crl(prepared: PreparedCrl,
             signing_key: CertificateIssuerPrivateKeyTypes) -> IssuedCrl:
    """Sign the CRL with the token key, then re-parse, verify and lint it again."""
    from crypto import lint

    signed = prepared.builder.sign(signing_key, prepared.hash_algorithm)  # type: ignore[arg-type]
    crl = x509.load_der_x509_crl(signed.public_bytes(serialization.Encoding.DER))
    if crl.tbs_certlist_bytes != prepared.preview.tbs_certlist_bytes:
        raise SignatureCheckFailed("the signed CRL differs from the one that was confirmed")
    verify_signature(prepared.issuer_public_key, crl.signature, crl.tbs_certlist_bytes,
                     crl.signature_hash_algorithm)
    after = lint.lint_crl_for_issuance(crl, prepared.issuer_subject_der,
                                       prepared.issuer_public_key)
    _refuse_if_blocking(after, "signed CRL")
    return IssuedCrl(crl, prepared.lint, after)
