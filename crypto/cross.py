"""The CA a cross-certificate names: its subject and key identifier, exactly as its own
certificate (or CSR) has them.

A cross-certificate lets paths be built through another issuer, so its subject must be the
cross-signed CA's subject byte for byte (RFC 5280 name chaining compares encodings in
practice) and its subjectKeyIdentifier the same, or relying parties will not see the two
certificates as one CA. ``check_cross_certificate`` checks both on the signed result.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import csr as asn1_csr
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from crypto.errors import ProfileError, SignatureCheckFailed


def subject_der(certificate: x509.Certificate) -> bytes:
    """The subject of ``certificate`` as it is encoded in it (not re-encoded)."""
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    return bytes(parsed["tbs_certificate"]["subject"].dump())


@dataclass(frozen=True)
class CrossSubject:
    """The cross-signed CA: subject (and its DER as found), public key, key identifier."""

    subject: x509.Name
    subject_der: bytes
    public_key: CertificatePublicKeyTypes
    key_identifier: x509.SubjectKeyIdentifier
    source: str  # "certificate" or "CSR"

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate) -> CrossSubject:
        """From the CA's own self-signed certificate; ProfileError when it is not one."""
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
            ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        except x509.ExtensionNotFound:
            raise ProfileError("is not a CA certificate with a subjectKeyIdentifier; name the "
                               "cross-signed CA's own certificate") from None
        if not constraints.value.ca:
            raise ProfileError("is not a CA certificate (basicConstraints cA is false)")
        try:
            certificate.verify_directly_issued_by(certificate)
        except (ValueError, TypeError, InvalidSignature):
            raise ProfileError("is not self-signed; name the cross-signed CA's own "
                               "self-signed certificate, or give its CSR") from None
        der = subject_der(certificate)
        if certificate.subject.public_bytes() != der:
            raise ProfileError("has a subject this tool cannot repeat byte for byte; give the "
                               "CA's CSR instead")
        return cls(certificate.subject, der, certificate.public_key(), ski.value, "certificate")

    @classmethod
    def from_csr(cls, csr: x509.CertificateSigningRequest) -> CrossSubject:
        """From a (checked) CSR: its subject as encoded, and a key identifier made from its
        key (RFC 5280 method 1); ProfileError when the subject cannot be repeated exactly."""
        request = asn1_csr.CertificationRequest.load(
            csr.public_bytes(serialization.Encoding.DER))
        der = bytes(request["certification_request_info"]["subject"].dump())
        if csr.subject.public_bytes() != der:
            raise ProfileError("has a subject this tool cannot repeat byte for byte")
        key = csr.public_key()
        return cls(csr.subject, der, key,
                   x509.SubjectKeyIdentifier.from_public_key(key), "CSR")


def check_cross_certificate(certificate: x509.Certificate, cross: CrossSubject) -> None:
    """Raise SignatureCheckFailed unless the signed cross-certificate names ``cross`` exactly."""
    if subject_der(certificate) != cross.subject_der:
        raise SignatureCheckFailed("the cross-certificate's subject differs byte for byte from "
                                   "the cross-signed CA's; it was not kept")
    ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    if ski.digest != cross.key_identifier.digest:
        raise SignatureCheckFailed("the cross-certificate's subjectKeyIdentifier differs from "
                                   "the cross-signed CA's; it was not kept")
    own = serialization.PublicFormat.SubjectPublicKeyInfo
    if certificate.public_key().public_bytes(serialization.Encoding.DER, own) != \
            cross.public_key.public_bytes(serialization.Encoding.DER, own):
        raise SignatureCheckFailed("the cross-certificate holds another key than the "
                                   "cross-signed CA's; it was not kept")
