"""Our own checks of a certificate or CRL: what pkilint misses, or misses for one document.

Serial numbers that are short or visibly low in entropy, a signature hash that does not pair
with the issuer's key, an issuer name not byte-identical to the issuer's subject (a NOTICE in
pkilint's chain lint), an authorityKeyIdentifier other than the issuer's key identifier, the
exact DER of the signature algorithm, and the signature itself. Findings have the source
"keyceremony"; ``crypto.lint`` combines them with pkilint's before issuance.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from asn1crypto import algos as asn1_algos
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import SignatureAlgorithmOID

from crypto.lintreport import LintFinding, LintReport

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
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    findings = [*_serial_findings(cert.serial_number, tbs["serial_number"].contents),
                *_signed_object_findings(cert, parsed, tbs, issuer_subject_der,
                                         issuer_public_key, issuer_key_identifier,
                                         check_signature)]
    return LintReport(cert.subject.rfc4514_string(), "certificate (own checks)", tuple(findings))


def own_crl_checks(crl: x509.CertificateRevocationList, issuer_subject_der: bytes,
                   issuer_public_key: PublicKeyTypes, *,
                   issuer_key_identifier: bytes | None = None,
                   check_signature: bool = True) -> LintReport:
    """Our checks of a CRL signed (or to be signed) by the given issuer; as for certificates."""
    parsed = asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))
    findings = _signed_object_findings(crl, parsed, parsed["tbs_cert_list"], issuer_subject_der,
                                       issuer_public_key, issuer_key_identifier,
                                       check_signature)
    return LintReport(crl.issuer.rfc4514_string(), "CRL (own checks)", tuple(findings))


def _signed_object_findings(signed: x509.Certificate | x509.CertificateRevocationList,
                            parsed: Any, tbs: Any, issuer_subject_der: bytes,
                            issuer_public_key: PublicKeyTypes,
                            issuer_key_identifier: bytes | None,
                            check_signature: bool) -> list[LintFinding]:
    """The checks a certificate and a CRL share: issuer name, authority key identifier, hash
    pairing, the two signature algorithm fields and (unless a preview) the signature."""
    tbs_bytes = (signed.tbs_certificate_bytes if isinstance(signed, x509.Certificate)
                 else signed.tbs_certlist_bytes)
    findings = [
        *_issuer_name_findings(tbs["issuer"].dump(), issuer_subject_der),
        *_authority_key_id_findings(signed.extensions, issuer_key_identifier),
        *_hash_pairing_findings(signed.signature_algorithm_oid, issuer_public_key),
        *signature_algorithm_findings(parsed["signature_algorithm"].dump(),
                                      tbs["signature"].dump()),
    ]
    if check_signature:
        findings += _signature_findings(signed.signature, tbs_bytes,
                                        signed.signature_algorithm_oid, issuer_public_key)
    return findings


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
