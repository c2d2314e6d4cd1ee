"""Certificate signing requests an operator brings to be signed as a subordinate CA.

A CSR contributes only its public key and its subject; the profile decides every extension,
so requested extensions are reported as ignored, never copied and never a reason to refuse.
What is refused: a signature that does not verify (no proof of possession), a key the BRs do
not allow for a CA (BR 6.1.5, 6.1.6), a signature algorithm other than RSA or ECDSA with
SHA-2, and a subject that is not a well formed CA name (BR 7.1.2.10.2, 7.1.4) or whose values
hold characters that print nothing or reorder the text (``crypto.visible``). ``<``, ``>`` and
``&`` are allowed ("AT&T"); every front end shows them literally.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import core as asn1_core
from asn1crypto import csr as asn1_csr
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import ExtensionOID, NameOID, SignatureAlgorithmOID

from crypto.algorithms import spki_sha256
from crypto.errors import CsrRejected, UnusableInput
from crypto.files import read_input_file
from crypto.visible import describe, first_invisible

# A CSR is a few kilobytes; anything much larger is not one, and is not read into memory.
MAX_CSR_BYTES = 1 << 20

_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
# BR 6.1.6 recommends 2^16+1 to 2^256-1; pkilint warns outside it, and a warning blocks signing,
# so the CSR is refused here where the operator can still make a new key.
_RSA_MIN_EXPONENT = (1 << 16) + 1
_RSA_MAX_EXPONENT = (1 << 256) - 1
_SMALL_PRIMES = [p for p in range(3, 752, 2) if all(p % d for d in range(3, math.isqrt(p) + 1, 2))]
_SMALL_PRIME_PRODUCT = math.prod([2, *_SMALL_PRIMES])

_SIGNATURE_ALGORITHMS = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA512,
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
    SignatureAlgorithmOID.RSASSA_PSS,
}
_PSS_HASHES = {"sha256", "sha384", "sha512"}

# BR 7.1.2.10.2 attributes of a CA subject, in the order BR 7.1.4.2 requires, with the upper
# bounds of RFC 5280 Appendix A (streetAddress from X.520); countryName is checked on its own.
_ATTRIBUTE_ORDER = (
    NameOID.COUNTRY_NAME,
    NameOID.STATE_OR_PROVINCE_NAME,
    NameOID.LOCALITY_NAME,
    NameOID.POSTAL_CODE,
    NameOID.STREET_ADDRESS,
    NameOID.ORGANIZATION_NAME,
    NameOID.COMMON_NAME,
)
_ATTRIBUTE_NAMES = {
    NameOID.COUNTRY_NAME: "countryName",
    NameOID.STATE_OR_PROVINCE_NAME: "stateOrProvinceName",
    NameOID.LOCALITY_NAME: "localityName",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.STREET_ADDRESS: "streetAddress",
    NameOID.ORGANIZATION_NAME: "organizationName",
    NameOID.COMMON_NAME: "commonName",
}
_MAX_LENGTHS = {
    NameOID.STATE_OR_PROVINCE_NAME: 128,
    NameOID.LOCALITY_NAME: 128,
    NameOID.POSTAL_CODE: 16,
    NameOID.STREET_ADDRESS: 128,
    NameOID.ORGANIZATION_NAME: 64,
    NameOID.COMMON_NAME: 64,
}
_REQUIRED = (NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME)
_REPEATABLE = {NameOID.STREET_ADDRESS}
_PRINTABLE_STRING = 0x13
_UTF8_STRING = 0x0C

_EXTENSION_NAMES = {
    ExtensionOID.BASIC_CONSTRAINTS: "basicConstraints",
    ExtensionOID.KEY_USAGE: "keyUsage",
    ExtensionOID.EXTENDED_KEY_USAGE: "extendedKeyUsage",
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME: "subjectAltName",
    ExtensionOID.SUBJECT_KEY_IDENTIFIER: "subjectKeyIdentifier",
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER: "authorityKeyIdentifier",
    ExtensionOID.CERTIFICATE_POLICIES: "certificatePolicies",
    ExtensionOID.NAME_CONSTRAINTS: "nameConstraints",
    ExtensionOID.POLICY_CONSTRAINTS: "policyConstraints",
    ExtensionOID.INHIBIT_ANY_POLICY: "inhibitAnyPolicy",
    ExtensionOID.CRL_DISTRIBUTION_POINTS: "cRLDistributionPoints",
    ExtensionOID.AUTHORITY_INFORMATION_ACCESS: "authorityInfoAccess",
}


@dataclass(frozen=True)
class CsrSummary:
    """What was accepted from a CSR: its subject and key, and what the profile will ignore."""

    subject: str  # RFC 4514
    key_description: str  # "EC P-384", "RSA 3072"
    spki_sha256: str  # lowercase hex
    requested_extensions: tuple[str, ...]  # names (or dotted OIDs) the profile ignores

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "key": self.key_description,
            "spki_sha256": self.spki_sha256,
            "ignored_extensions": list(self.requested_extensions),
        }


def load_csr(data: bytes, source: str = "the input") -> x509.CertificateSigningRequest:
    """Parse a PEM or DER CSR; UnusableInput naming ``source`` when it is neither."""
    if not data.strip():
        raise UnusableInput(f"{source} is empty; it should hold a PEM or DER certificate "
                            "signing request")
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            if data.count(b"-----BEGIN") > 1:
                # cryptography reads the first block and ignores the rest: which one was
                # checked and signed would not be what a reviewer of the file saw.
                raise UnusableInput(f"{source} holds more than one PEM block; give one "
                                    "certificate signing request per file")
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise UnusableInput(f"{source} is not a PEM or DER certificate signing request") from exc


def load_csr_file(path: Path | str) -> x509.CertificateSigningRequest:
    """Read and parse the CSR in ``path``; UnusableInput when it cannot be read or parsed."""
    path = Path(path)
    data = read_input_file(path, MAX_CSR_BYTES, "a certificate signing request")
    return load_csr(data, str(path))


def check_csr(csr: x509.CertificateSigningRequest) -> CsrSummary:
    """Accept ``csr`` for signing as a CA, or raise CsrRejected saying why in one sentence."""
    try:
        public_key = csr.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CsrRejected("the CSR's public key cannot be read: it is malformed (an RSA key "
                          "with a zero, negative or oversized exponent, say) or of a kind other "
                          "than RSA and EC P-256, P-384 or P-521 (BR 6.1.5); ask for a new "
                          "CSR") from exc
    key_description = _check_key(public_key)
    _check_signature_algorithm(csr)
    try:
        signature_valid = csr.is_signature_valid
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CsrRejected("the CSR's signature cannot be checked (its algorithm parameters are "
                          "malformed); ask for a new CSR") from exc
    if not signature_valid:
        raise CsrRejected("the CSR's signature does not verify with its own public key, so it "
                          "does not prove possession of the private key; ask for a new CSR")
    subject = _check_subject(csr)
    return CsrSummary(subject, key_description, spki_sha256(public_key),
                      _requested_extensions(csr))


def _check_key(public_key: PublicKeyTypes) -> str:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = _CURVE_NAMES.get(public_key.curve.name)
        if curve is None:
            raise CsrRejected(f"the CSR's EC key is on curve {public_key.curve.name}; only P-256, "
                              "P-384 and P-521 are allowed (BR 6.1.5), so ask for a new key")
        return f"EC {curve}"
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        bits = numbers.n.bit_length()
        if bits < 2048:
            raise CsrRejected(f"the CSR's RSA key has {bits} bits; a CA key needs at least 2048 "
                              "(BR 6.1.5), so ask for a new key")
        if bits % 8:
            raise CsrRejected(f"the CSR's RSA modulus has {bits} bits, which is not a multiple "
                              "of 8 (BR 6.1.5); ask for a new key")
        if not (numbers.e % 2 and _RSA_MIN_EXPONENT <= numbers.e <= _RSA_MAX_EXPONENT):
            raise CsrRejected(f"the CSR's RSA public exponent {numbers.e} is not accepted; it "
                              "must be odd and from 65537 to 2^256-1 (BR 6.1.6)")
        if math.gcd(numbers.n, _SMALL_PRIME_PRODUCT) != 1:
            raise CsrRejected("the CSR's RSA modulus has a prime factor below 752, so it is not "
                              "a sound RSA key (BR 6.1.6); ask for a new key")
        return f"RSA {bits}"
    kind = type(public_key).__name__.removesuffix("PublicKey").removeprefix("_")
    raise CsrRejected(f"the CSR's key is {kind}; only RSA and EC P-256, P-384 or P-521 keys are "
                      "allowed (BR 6.1.5), so ask for a new key")


def _check_signature_algorithm(csr: x509.CertificateSigningRequest) -> None:
    oid = csr.signature_algorithm_oid
    accepted = oid in _SIGNATURE_ALGORITHMS
    if accepted and oid == SignatureAlgorithmOID.RSASSA_PSS:
        try:
            hash_algorithm: hashes.HashAlgorithm | None = csr.signature_hash_algorithm
        except (UnsupportedAlgorithm, ValueError):  # ValueError: PSS parameters absent or bad
            hash_algorithm = None
        accepted = hash_algorithm is not None and hash_algorithm.name in _PSS_HASHES
    if not accepted:
        raise CsrRejected(f"the CSR is signed with {_oid_name(oid)}, which is not accepted; "
                          "sign it with ECDSA or RSA and SHA-256, SHA-384 or SHA-512")


def _oid_name(oid: x509.ObjectIdentifier) -> str:
    name = oid._name  # cryptography's own name table; "Unknown OID" when it has none
    return oid.dotted_string if name == "Unknown OID" else f"{name} ({oid.dotted_string})"


def _subject_attributes(csr: x509.CertificateSigningRequest) -> list[list[tuple[str, bytes]]]:
    """The subject as RDNs of (dotted type, DER value), read from the CSR's own bytes."""
    der = csr.public_bytes(serialization.Encoding.DER)
    try:
        request = asn1_csr.CertificationRequest.load(der)
        name = request["certification_request_info"]["subject"]
        return [[(atv["type"].dotted, atv["value"].dump()) for atv in rdn]
                for rdn in name.chosen]
    except (ValueError, TypeError) as exc:
        raise CsrRejected("the CSR's subject cannot be decoded; ask for a new CSR") from exc


def _check_subject(csr: x509.CertificateSigningRequest) -> str:
    rdns = _subject_attributes(csr)
    if not rdns:
        raise CsrRejected("the CSR's subject is empty; a CA subject needs countryName, "
                          "organizationName and commonName (BR 7.1.2.10.2)")
    allowed = {oid.dotted_string: oid for oid in _ATTRIBUTE_ORDER}
    seen: list[x509.ObjectIdentifier] = []
    for rdn in rdns:
        if len(rdn) != 1:
            raise CsrRejected("the CSR's subject has a multi-valued RDN; each attribute must be "
                              "its own RDN (BR 7.1.4.2), so ask for a new CSR")
        dotted, value_der = rdn[0]
        oid = allowed.get(dotted)
        if oid is None:
            if dotted == NameOID.ORGANIZATIONAL_UNIT_NAME.dotted_string:
                raise CsrRejected("the CSR's subject has an organizationalUnitName, which a root "
                                  "or TLS CA subject must not have (BR 7.1.2.10.2)")
            raise CsrRejected(
                f"the CSR's subject has attribute {_oid_name(x509.ObjectIdentifier(dotted))}; a "
                "CA subject may hold only " + ", ".join(_ATTRIBUTE_NAMES.values()) +
                " (BR 7.1.2.10.2)"
            )
        if oid in seen and oid not in _REPEATABLE:
            raise CsrRejected(f"the CSR's subject has {_ATTRIBUTE_NAMES[oid]} more than once; "
                              "it may appear only once (BR 7.1.2.10.2)")
        if seen and _ATTRIBUTE_ORDER.index(oid) < _ATTRIBUTE_ORDER.index(seen[-1]):
            raise CsrRejected("the CSR's subject attributes are not in the order BR 7.1.4.2 "
                              "requires (" + ", ".join(_ATTRIBUTE_NAMES.values()) + "); ask "
                              "for a CSR in that order")
        seen.append(oid)
        _check_value(oid, value_der)
    for oid in _REQUIRED:
        if oid not in seen:
            raise CsrRejected(f"the CSR's subject has no {_ATTRIBUTE_NAMES[oid]}; a CA subject "
                              "needs countryName, organizationName and commonName "
                              "(BR 7.1.2.10.2)")
    # cryptography warns about a malformed countryName on parsing; it was refused above.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return csr.subject.rfc4514_string()


def _check_value(oid: x509.ObjectIdentifier, value_der: bytes) -> None:
    label = _ATTRIBUTE_NAMES[oid]
    tag = value_der[0] if value_der else None
    allowed_tags = ({_PRINTABLE_STRING} if oid == NameOID.COUNTRY_NAME
                    else {_PRINTABLE_STRING, _UTF8_STRING})
    if tag not in allowed_tags:
        kinds = "PrintableString" if len(allowed_tags) == 1 else "PrintableString or UTF8String"
        raise CsrRejected(f"the CSR's {label} is not encoded as {kinds} (BR 7.1.4.1)")
    try:
        value = asn1_core.load(value_der).native
    except (ValueError, TypeError) as exc:
        raise CsrRejected(f"the CSR's {label} cannot be decoded; ask for a new CSR") from exc
    if not isinstance(value, str):
        raise CsrRejected(f"the CSR's {label} cannot be decoded; ask for a new CSR")
    hidden = first_invisible(value)
    if hidden is not None:
        raise CsrRejected(f"the CSR's {label} holds {describe(hidden)}, a control, format or "
                          "other invisible character that can hide or reorder what the room "
                          "reads; ask for a corrected CSR")
    if oid == NameOID.COUNTRY_NAME:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise CsrRejected(f"the CSR's countryName {value!r} is not a two-letter ISO 3166 "
                              "code in capitals (BR 7.1.2.10.2); ask for a corrected CSR")
        return
    if len(value) > _MAX_LENGTHS[oid]:
        raise CsrRejected(f"the CSR's {label} has {len(value)} characters; at most "
                          f"{_MAX_LENGTHS[oid]} are allowed (RFC 5280); ask for a shorter one")
    if value != value.strip():
        raise CsrRejected(f"the CSR's {label} starts or ends with white space; ask for a "
                          "corrected CSR")
    if not any(unicodedata.category(c)[0] in "LNS" for c in value):
        raise CsrRejected(f"the CSR's {label} is empty or holds no letter, digit or symbol "
                          "(BR 7.1.4.1)")
    if html.unescape(value) != value:
        raise CsrRejected(f"the CSR's {label} holds an HTML entity; ask for a CSR with the "
                          "character itself")


def _requested_extensions(csr: x509.CertificateSigningRequest) -> tuple[str, ...]:
    try:
        extensions = csr.extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        # The profile ignores them anyway; an unreadable request is reported, not refused.
        return ("(unreadable extension request)",)
    return tuple(_EXTENSION_NAMES.get(ext.oid, ext.oid.dotted_string) for ext in extensions)
