"""Linting of certificates and CRLs before they are signed (BR 4.3.1.2) and after.

pkilint is the independent linter (CA/B Forum serverauth profiles, the BR CRL profile, the PKIX
issuer/subject chain). Our own checks cover what pkilint does not, or does not for a single
document: serial numbers that are short or visibly low in entropy, a signature hash that does
not pair with the issuer's key, an issuer name not byte-identical to the issuer's subject (a
NOTICE in pkilint's chain lint), an authorityKeyIdentifier other than the issuer's key
identifier, the exact DER of the signature algorithm, and the signature itself.

Anything at WARNING or worse blocks signing; NOTICE and INFO are reported only. pkilint is
imported inside the functions that use it: it takes about 0.3 s to import, and building one
profile's validators takes about 0.14 s more, so those are built once per profile and reused.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from asn1crypto import algos as asn1_algos
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import SignatureAlgorithmOID

from crypto.errors import LintFailed

SEVERITIES = ("FATAL", "ERROR", "WARNING", "NOTICE", "INFO")
BLOCKING_SEVERITIES = frozenset({"FATAL", "ERROR", "WARNING"})

# pkilint CertificateType names. A subordinate operated by the same organisation as the root
# is "internal" in pkilint's terms; BR 7.1.2.6 TLS subordinates without name constraints are
# "unconstrained".
ROOT_CA_TYPE = "ROOT_CA"
TLS_SUBORDINATE_CA_TYPE = "INTERNAL_UNCONSTRAINED_TLS_CA"
NON_TLS_SUBORDINATE_CA_TYPE = "NON_TLS_CA"
CRL_KINDS = ("CRL", "ARL")
# pkilint 0.13's serverauth CertificateType names, listed here so that checking a name does not
# import pkilint; a test compares them with pkilint's own enumeration.
CERTIFICATE_TYPES = (
    "ROOT_CA", "INTERNAL_CROSS_CA", "EXTERNAL_CROSS_CA", "INTERNAL_SUBSCRIBER_ISSUING_CROSS_CA",
    "EXTERNAL_SUBSCRIBER_ISSUING_CROSS_CA", "NON_TLS_CA", "PRECERT_SIGNING_CA",
    "INTERNAL_UNCONSTRAINED_TLS_CA", "INTERNAL_CONSTRAINED_TLS_CA",
    "EXTERNAL_UNCONSTRAINED_TLS_CA", "EXTERNAL_UNCONSTRAINED_EV_TLS_CA",
    "EXTERNAL_CONSTRAINED_TLS_CA", "EXTERNAL_CONSTRAINED_EV_TLS_CA", "DV_FINAL_CERTIFICATE",
    "IV_FINAL_CERTIFICATE", "OV_FINAL_CERTIFICATE", "EV_FINAL_CERTIFICATE", "OCSP_RESPONDER",
    "DV_PRE_CERTIFICATE", "IV_PRE_CERTIFICATE", "OV_PRE_CERTIFICATE", "EV_PRE_CERTIFICATE",
)

Source = Literal["pkilint", "keyceremony"]

# The serial must carry at least 64 bits from a CSPRNG (BR 7.1); ours are 16 random bytes, so a
# serial below 2^63 cannot be one of ours. RFC 5280 4.1.2.2 caps the encoding at 20 octets.
MIN_SERIAL = 1 << 63
MAX_SERIAL_OCTETS = 20

_ECDSA_BY_CURVE = {
    "secp256r1": SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    "secp384r1": SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    "secp521r1": SignatureAlgorithmOID.ECDSA_WITH_SHA512,
}
_RSA_PKCS1 = (
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
)
_HASH_BY_ALGORITHM: dict[x509.ObjectIdentifier, type[hashes.HashAlgorithm]] = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256: hashes.SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384: hashes.SHA384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA512: hashes.SHA512,
    SignatureAlgorithmOID.RSA_WITH_SHA256: hashes.SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384: hashes.SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512: hashes.SHA512,
}
# The only DER each signature algorithm may have (BR 7.1.3.2): ECDSA without parameters, RSA
# PKCS#1 v1.5 with an explicit NULL.
_CANONICAL_ALGORITHM_DER = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256.dotted_string:
        bytes.fromhex("300a06082a8648ce3d040302"),
    SignatureAlgorithmOID.ECDSA_WITH_SHA384.dotted_string:
        bytes.fromhex("300a06082a8648ce3d040303"),
    SignatureAlgorithmOID.ECDSA_WITH_SHA512.dotted_string:
        bytes.fromhex("300a06082a8648ce3d040304"),
    SignatureAlgorithmOID.RSA_WITH_SHA256.dotted_string:
        bytes.fromhex("300d06092a864886f70d01010b0500"),
    SignatureAlgorithmOID.RSA_WITH_SHA384.dotted_string:
        bytes.fromhex("300d06092a864886f70d01010c0500"),
    SignatureAlgorithmOID.RSA_WITH_SHA512.dotted_string:
        bytes.fromhex("300d06092a864886f70d01010d0500"),
}

_pkilint_lock = threading.Lock()  # validators are reused; one document at a time


@dataclass(frozen=True)
class LintFinding:
    """One finding of pkilint or of our own checks."""

    severity: str  # one of SEVERITIES
    code: str
    message: str
    source: Source
    node_path: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING_SEVERITIES

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "source": self.source,
            "node_path": self.node_path,
        }

    def __str__(self) -> str:
        text = f"{self.severity} {self.code}"
        if self.message:
            text += f": {self.message}"
        return f"{text} (at {self.node_path})" if self.node_path else text


@dataclass(frozen=True)
class LintReport:
    """All findings for one certificate or CRL; ``ok`` when nothing blocks signing."""

    subject: str  # RFC 4514 subject of a certificate, issuer of a CRL
    kind: str  # certificate type, CRL kind, "chain" or what our own checks looked at
    findings: tuple[LintFinding, ...]

    @property
    def blocking(self) -> tuple[LintFinding, ...]:
        """The findings at WARNING or worse."""
        return tuple(f for f in self.findings if f.blocking)

    @property
    def ok(self) -> bool:
        return not self.blocking

    def with_findings(self, findings: Iterable[LintFinding]) -> LintReport:
        """This report with more findings added."""
        return LintReport(self.subject, self.kind, self.findings + tuple(findings))

    def require_ok(self) -> None:
        """Raise LintFailed listing the blocking findings, if there are any."""
        blocking = self.blocking
        if blocking:
            raise LintFailed(
                f"linting the {self.kind} {self.subject!r} found {len(blocking)} finding(s) at "
                f"WARNING or worse, first {blocking[0]}; fix the profile or input and try again",
                tuple(str(f) for f in blocking),
            )

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "ok": self.ok,
            "findings": [f.as_dict() for f in self.findings],
        }


# --- pkilint --------------------------------------------------------------------------------


def certificate_types() -> tuple[str, ...]:
    """The pkilint CA/B Forum serverauth certificate type names ``lint_certificate`` accepts."""
    return CERTIFICATE_TYPES


def lint_certificate(cert: x509.Certificate, cert_type: str) -> LintReport:
    """Lint ``cert`` against the BR profile for ``cert_type`` (ValueError when unknown)."""
    if cert_type not in CERTIFICATE_TYPES:
        raise ValueError(f"unknown certificate type {cert_type!r}; use one of "
                         f"{', '.join(CERTIFICATE_TYPES)}")
    from pkilint import finding_filter, loader

    validator, filters = _certificate_linter(cert_type)
    subject = _rfc4514(cert.subject)
    with _pkilint_lock:
        try:
            doc = loader.load_der_certificate(_der(cert), "certificate")
            results = validator.validate(doc.root)
        except Exception as exc:  # pkilint raises pyasn1 and its own errors; all mean "refuse"
            return LintReport(subject, cert_type, (_decode_failure(exc),))
        results, _ = finding_filter.filter_results(filters, results)
    return LintReport(subject, cert_type, _pkilint_findings(results))


def lint_crl(crl: x509.CertificateRevocationList, kind: str = "ARL") -> LintReport:
    """Lint ``crl`` with pkilint's BR CRL profile, as ``lint_crl lint -t ARL -p BR`` does."""
    if kind not in CRL_KINDS:
        raise ValueError(f"unknown CRL kind {kind!r}; use one of {', '.join(CRL_KINDS)}")
    from pkilint import loader

    validator = _crl_linter(kind)
    subject = _rfc4514(crl.issuer)
    with _pkilint_lock:
        try:
            doc = loader.load_der_crl(crl.public_bytes(serialization.Encoding.DER), "crl")
            results = validator.validate(doc.root)
        except Exception as exc:  # as in lint_certificate
            return LintReport(subject, kind, (_decode_failure(exc),))
    return LintReport(subject, kind, _pkilint_findings(results))


def lint_chain(issuer: x509.Certificate, subject: x509.Certificate) -> LintReport:
    """pkilint's PKIX issuer/subject lint: names, key identifiers, policies, signature."""
    from pkilint import loader

    decoders, issuer_checks, subject_checks = _chain_linter()
    name = _rfc4514(subject.subject)
    with _pkilint_lock:
        try:
            documents: dict[str, Any] = {}
            issuer_doc = loader.load_der_certificate(_der(issuer), "issuer", "issuer", documents)
            subject_doc = loader.load_der_certificate(_der(subject), "subject", "subject",
                                                      documents)
            documents.update(issuer=issuer_doc, subject=subject_doc)
            results = decoders.validate(issuer_doc.root)
            results += decoders.validate(subject_doc.root)
            results += issuer_checks.validate(issuer_doc.root)
            results += subject_checks.validate(subject_doc.root)
        except Exception as exc:  # as in lint_certificate
            return LintReport(name, "chain", (_decode_failure(exc),))
    return LintReport(name, "chain", _pkilint_findings(results))


@functools.cache
def _certificate_linter(cert_type: str) -> tuple[Any, Any]:
    from pkilint.cabf import serverauth
    from pkilint.cabf.serverauth import serverauth_constants
    from pkilint.pkix import certificate

    certificate_type = serverauth_constants.CertificateType[cert_type]
    validator = certificate.create_pkix_certificate_validator_container(
        serverauth.create_decoding_validators(),
        serverauth.create_validators(certificate_type),
    )
    return validator, serverauth.create_serverauth_finding_filters(certificate_type)


@functools.cache
def _crl_linter(kind: str) -> Any:
    from pkilint import pkix
    from pkilint.cabf import cabf_crl
    from pkilint.pkix import crl, extension, name

    crl_type = crl.CertificateRevocationListType[kind]
    return crl.create_pkix_crl_validator_container(
        [
            pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
            pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS),
        ],
        [
            crl.create_issuer_validator_container([]),
            crl.create_validity_validator_container(
                [cabf_crl.create_validity_period_validator(crl_type)]
            ),
            crl.create_extensions_validator_container([]),
            cabf_crl.CabfCrlReasonCodeAllowlistValidator(crl_type),
        ],
    )


@functools.cache
def _chain_linter() -> tuple[Any, Any, Any]:
    # pkilint keeps these builders in its CLI module; they are its chain-lint API.
    from pkilint.bin import lint_pkix_signer_signee_cert_chain as chain

    return (chain.create_decoder_validation_container(),
            chain.create_issuer_validation_container(),
            chain.create_subject_validation_container())


def _pkilint_findings(results: Iterable[Any]) -> tuple[LintFinding, ...]:
    findings = []
    for result in results:
        for description in result.finding_descriptions:
            severity = description.finding.severity.name
            if severity not in SEVERITIES:  # DEBUG
                continue
            findings.append(LintFinding(
                severity, description.finding.code,
                description.message or f"reported by {result.validator}",
                "pkilint", result.node.path,
            ))
    return tuple(findings)


def _decode_failure(exc: Exception) -> LintFinding:
    return LintFinding("FATAL", "keyceremony.pkilint_cannot_decode",
                       f"pkilint could not decode the document: {exc}", "pkilint")


# --- our own checks -------------------------------------------------------------------------


def own_certificate_checks(cert: x509.Certificate, issuer_subject_der: bytes,
                           issuer_public_key: PublicKeyTypes, *,
                           issuer_key_identifier: bytes | None = None,
                           check_signature: bool = True) -> LintReport:
    """Our checks of a certificate signed (or to be signed) by the given issuer.

    ``issuer_key_identifier``, when given, is the issuer's subjectKeyIdentifier, which the
    authorityKeyIdentifier must repeat. ``check_signature=False`` is for a to-be-signed
    certificate signed with a throwaway key of the issuer's algorithm: everything but the
    signature value is checked.
    """
    parsed = asn1_x509.Certificate.load(_der(cert))
    tbs = parsed["tbs_certificate"]
    findings = [
        *_serial_findings(cert.serial_number, tbs["serial_number"].contents),
        *_issuer_name_findings(tbs["issuer"].dump(), issuer_subject_der),
        *_authority_key_id_findings(cert.extensions, issuer_key_identifier),
        *_hash_pairing_findings(cert.signature_algorithm_oid, issuer_public_key),
        *signature_algorithm_findings(parsed["signature_algorithm"].dump(),
                                      tbs["signature"].dump()),
    ]
    if check_signature:
        findings += _signature_findings(cert.signature, cert.tbs_certificate_bytes,
                                        cert.signature_algorithm_oid, issuer_public_key)
    return LintReport(_rfc4514(cert.subject), "certificate (own checks)", tuple(findings))


def own_crl_checks(crl: x509.CertificateRevocationList, issuer_subject_der: bytes,
                   issuer_public_key: PublicKeyTypes, *,
                   issuer_key_identifier: bytes | None = None,
                   check_signature: bool = True) -> LintReport:
    """Our checks of a CRL signed (or to be signed) by the given issuer; as for certificates."""
    parsed = asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_cert_list"]
    findings = [
        *_issuer_name_findings(tbs["issuer"].dump(), issuer_subject_der),
        *_authority_key_id_findings(crl.extensions, issuer_key_identifier),
        *_hash_pairing_findings(crl.signature_algorithm_oid, issuer_public_key),
        *signature_algorithm_findings(parsed["signature_algorithm"].dump(),
                                      tbs["signature"].dump()),
    ]
    if check_signature:
        findings += _signature_findings(crl.signature, crl.tbs_certlist_bytes,
                                        crl.signature_algorithm_oid, issuer_public_key)
    return LintReport(_rfc4514(crl.issuer), "CRL (own checks)", tuple(findings))


def lint_for_issuance(cert: x509.Certificate, cert_type: str, issuer_subject_der: bytes,
                      issuer_public_key: PublicKeyTypes, *,
                      issuer_key_identifier: bytes | None = None,
                      check_signature: bool = True) -> LintReport:
    """pkilint's profile lint and our own checks of ``cert``, in one report."""
    own = own_certificate_checks(cert, issuer_subject_der, issuer_public_key,
                                 issuer_key_identifier=issuer_key_identifier,
                                 check_signature=check_signature)
    return lint_certificate(cert, cert_type).with_findings(own.findings)


def lint_crl_for_issuance(crl: x509.CertificateRevocationList, issuer_subject_der: bytes,
                          issuer_public_key: PublicKeyTypes, kind: str = "ARL", *,
                          issuer_key_identifier: bytes | None = None,
                          check_signature: bool = True) -> LintReport:
    """pkilint's BR CRL lint and our own checks of ``crl``, in one report."""
    own = own_crl_checks(crl, issuer_subject_der, issuer_public_key,
                         issuer_key_identifier=issuer_key_identifier,
                         check_signature=check_signature)
    return lint_crl(crl, kind).with_findings(own.findings)


def signature_algorithm_findings(outer_der: bytes, inner_der: bytes) -> tuple[LintFinding, ...]:
    """Findings on the DER of the outer signatureAlgorithm and the signature field inside the
    signed part. Public because cryptography refuses to load some bad encodings at all (ECDSA
    with parameters), so tests reach this check through DER alone."""
    findings = []
    if outer_der != inner_der:
        findings.append(_own(
            "ERROR", "keyceremony.signature_algorithm_mismatch",
            "the signature algorithm inside the signed part differs byte for byte from the "
            "outer one (RFC 5280 4.1.1.2)"))
    for where, der in (("signatureAlgorithm", outer_der), ("inner signature", inner_der)):
        finding = _algorithm_encoding_finding(der, where)
        if finding is not None:
            findings.append(finding)
        if outer_der == inner_der:
            break
    return tuple(findings)


def _algorithm_encoding_finding(der: bytes, where: str) -> LintFinding | None:
    try:
        algorithm = asn1_algos.SignedDigestAlgorithm.load(der)
        dotted = algorithm["algorithm"].dotted
    except (ValueError, TypeError):
        return _own("ERROR", "keyceremony.signature_algorithm_encoding",
                    f"the {where} AlgorithmIdentifier cannot be decoded")
    canonical = _CANONICAL_ALGORITHM_DER.get(dotted)
    if canonical is None or der == canonical:
        return None  # algorithms outside the table are the hash-pairing check's business
    if dotted.startswith("1.2.840.10045."):
        detail = "ECDSA must have no parameters (RFC 5758 3.2)"
    else:
        detail = "RSA PKCS#1 v1.5 must have an explicit NULL parameter (RFC 4055 5)"
    return _own("ERROR", "keyceremony.signature_algorithm_encoding",
                f"the {where} AlgorithmIdentifier is encoded as {der.hex()}; {detail}")


def _serial_findings(serial: int, content_octets: bytes) -> list[LintFinding]:
    if serial <= 0:
        return [_own("ERROR", "keyceremony.serial_not_positive",
                     f"the serial number {serial} is not positive (RFC 5280 4.1.2.2)")]
    findings = []
    if len(content_octets) > MAX_SERIAL_OCTETS:
        findings.append(_own("ERROR", "keyceremony.serial_too_long",
                             f"the serial number takes {len(content_octets)} octets; at most "
                             f"{MAX_SERIAL_OCTETS} are allowed (RFC 5280 4.1.2.2)"))
    if serial < MIN_SERIAL:
        findings.append(_own("ERROR", "keyceremony.serial_too_short",
                             f"the serial number {serial:#x} has {serial.bit_length()} bits, too "
                             "few to hold 64 bits of CSPRNG output (BR 7.1)"))
        return findings
    magnitude = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    _, most = Counter(magnitude).most_common(1)[0]
    steps = {(b - a) % 256 for a, b in itertools.pairwise(magnitude)}
    if most * 2 > len(magnitude) or steps in ({1}, {255}):
        findings.append(_own("WARNING", "keyceremony.serial_low_entropy",
                             f"the serial number {serial:#x} has an obvious pattern (repeated or "
                             "counting bytes), unlikely from a CSPRNG (BR 7.1)"))
    return findings


def _issuer_name_findings(issuer_der: bytes, issuer_subject_der: bytes) -> list[LintFinding]:
    if issuer_der == issuer_subject_der:
        return []
    return [_own("ERROR", "keyceremony.issuer_name_mismatch",
                 "the issuer name is not byte for byte the issuer's subject name, so path "
                 "building may fail (RFC 5280 4.1.2.4, BR 7.1.4.1)")]


def _authority_key_id_findings(extensions: x509.Extensions,
                               expected: bytes | None) -> list[LintFinding]:
    if expected is None:
        return []
    try:
        aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return [_own("ERROR", "keyceremony.authority_key_identifier_missing",
                     "there is no authorityKeyIdentifier (RFC 5280 4.2.1.1)")]
    if aki.key_identifier == expected:
        return []
    found = aki.key_identifier.hex() if aki.key_identifier is not None else "none"
    return [_own("ERROR", "keyceremony.authority_key_identifier_mismatch",
                 f"the authorityKeyIdentifier is {found}, not the issuer's subjectKeyIdentifier "
                 f"{expected.hex()} (RFC 5280 4.2.1.1)")]


def _expected_signature_algorithms(
        public_key: PublicKeyTypes) -> tuple[x509.ObjectIdentifier, ...] | None:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        expected = _ECDSA_BY_CURVE.get(public_key.curve.name)
        return None if expected is None else (expected,)
    if isinstance(public_key, rsa.RSAPublicKey):
        return _RSA_PKCS1
    return None


def _hash_pairing_findings(algorithm: x509.ObjectIdentifier,
                           issuer_public_key: PublicKeyTypes) -> list[LintFinding]:
    expected = _expected_signature_algorithms(issuer_public_key)
    if expected is None:
        return [_own("ERROR", "keyceremony.issuer_key_not_allowed",
                     "the issuer key is neither RSA nor EC on P-256, P-384 or P-521 (BR 6.1.5)")]
    if algorithm in expected:
        return []
    names = " or ".join(_oid_name(oid) for oid in expected)
    return [_own("ERROR", "keyceremony.signature_hash_mismatch",
                 f"signed with {_oid_name(algorithm)}, but this issuer key signs with {names} "
                 "(BR 7.1.3.2)")]


def _signature_findings(signature: bytes, signed: bytes, algorithm: x509.ObjectIdentifier,
                        issuer_public_key: PublicKeyTypes) -> list[LintFinding]:
    hash_type = _HASH_BY_ALGORITHM.get(algorithm)
    if hash_type is None:
        return []  # not an algorithm we sign with; the pairing check has reported it
    try:
        if isinstance(issuer_public_key, ec.EllipticCurvePublicKey):
            issuer_public_key.verify(signature, signed, ec.ECDSA(hash_type()))
        elif isinstance(issuer_public_key, rsa.RSAPublicKey):
            issuer_public_key.verify(signature, signed, padding.PKCS1v15(), hash_type())
        else:
            return []  # the pairing check has reported the key
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return [_own("ERROR", "keyceremony.signature_invalid",
                     "the signature does not verify with the issuer's public key")]
    return []


def _own(severity: str, code: str, message: str) -> LintFinding:
    return LintFinding(severity, code, message, "keyceremony")


def _oid_name(oid: x509.ObjectIdentifier) -> str:
    name = oid._name  # cryptography's own name table; "Unknown OID" when it has none
    return oid.dotted_string if name == "Unknown OID" else name


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _rfc4514(name: x509.Name) -> str:
    return name.rfc4514_string()
