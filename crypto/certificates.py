"""Builders for the certificates a root CA makes: its own, subordinate CAs', transcript signers'.

Each function returns an unsigned ``x509.CertificateBuilder`` whose every extension comes from
the profile; ``crypto.issuance`` lints it and only then signs it with the token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from crypto.errors import ProfileError
from crypto.profiles import (
    ROOT_MAX_DAYS,
    ROOT_MIN_DAYS,
    DistinguishedName,
    DocumentSignerProfile,
    OcspSignerProfile,
    RootProfile,
)
from crypto.subordinates import SubordinateProfile

SERIAL_BYTES = 16  # 128 bits drawn; 126 of them random after fixing the top two bits
ID_KP_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def random_serial(random_bytes: Callable[[int], bytes]) -> int:
    """A positive serial of 126 random bits from ``random_bytes`` (the token's RNG).

    BR 7.1 asks for at least 64 bits of CSPRNG output, positive, at most 20 octets. The top bit
    is cleared (positive, so the DER is exactly 16 octets) and the next one set (so the serial
    is never short and its length does not leak how lucky the draw was).
    """
    raw = bytearray(random_bytes(SERIAL_BYTES))
    if len(raw) != SERIAL_BYTES:
        raise ProfileError("the token returned too few random bytes for a serial number")
    raw[0] = (raw[0] & 0x3F) | 0x40
    return int.from_bytes(raw, "big")


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _ca_key_usage(digital_signature: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )


def root_builder(profile: RootProfile, public_key: CertificatePublicKeyTypes, serial: int,
                 not_before: dt.datetime) -> x509.CertificateBuilder:
    """A self-signed root per BR 7.1.2.1: no pathLen, no EKU, AKI keyIdentifier equal to SKI."""
    profile.validate()
    return _self_signed(profile.subject.to_name(), public_key,
                        x509.SubjectKeyIdentifier.from_public_key(public_key), serial,
                        not_before, profile.validity_days)


def renewal_builder(current: x509.Certificate, validity_days: int, serial: int,
                    not_before: dt.datetime) -> x509.CertificateBuilder:
    """A renewed root: the same key, subject and subjectKeyIdentifier as ``current``, a new
    serial and validity, and the root profile's extensions (BR 7.1.2.1)."""
    if not ROOT_MIN_DAYS <= validity_days <= ROOT_MAX_DAYS:
        raise ProfileError(f"renewal.validity_days: a root is valid between {ROOT_MIN_DAYS} and "
                           f"{ROOT_MAX_DAYS} days (BR 6.3.2), not {validity_days}")
    return _self_signed(current.subject, current.public_key(), _issuer_ski(current), serial,
                        not_before, validity_days)


def _self_signed(name: x509.Name, public_key: CertificatePublicKeyTypes,
                 ski: x509.SubjectKeyIdentifier, serial: int, not_before: dt.datetime,
                 days: int) -> x509.CertificateBuilder:
    start = _utc(not_before)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(digital_signature=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False
        )
    )


def _issuer_ski(issuer: x509.Certificate) -> x509.SubjectKeyIdentifier:
    try:
        return issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        raise ProfileError("the issuer certificate has no subjectKeyIdentifier, so issued "
                           "certificates could not name it; reissue the issuer") from None


def _validity_within_issuer(issuer: x509.Certificate, start: dt.datetime,
                            days: int) -> tuple[dt.datetime, dt.datetime]:
    end = start + dt.timedelta(days=days)
    if start < issuer.not_valid_before_utc:
        raise ProfileError("the certificate would start before its issuer is valid")
    if end > issuer.not_valid_after_utc:
        raise ProfileError(
            f"profile.validity_days: {days} days would end {end:%Y-%m-%d}, after the issuer "
            f"expires on {issuer.not_valid_after_utc:%Y-%m-%d}; shorten the validity"
        )
    return start, end


def _issued_by(issuer: x509.Certificate, subject: x509.Name,
               public_key: CertificatePublicKeyTypes, serial: int, not_before: dt.datetime,
               days: int) -> x509.CertificateBuilder:
    """What every certificate ``issuer`` signs starts with: names, key, serial, ``days`` of
    validity within the issuer's, and the issuer's key identifier."""
    start, end = _validity_within_issuer(issuer, _utc(not_before), days)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            _issuer_ski(issuer)), critical=False)
    )


def subordinate_builder(profile: SubordinateProfile, csr: x509.CertificateSigningRequest,
                        issuer: x509.Certificate, serial: int,
                        not_before: dt.datetime) -> x509.CertificateBuilder:
    """A subordinate CA from a (checked) CSR: subject and key from the CSR, the rest from the
    profile (BR 7.1.2.6.1 and the other kinds); validity never outlives the issuer."""
    public_key = csr.public_key()
    return _ca_builder(profile, csr.subject, public_key,
                       x509.SubjectKeyIdentifier.from_public_key(public_key), issuer, serial,
                       not_before)


def cross_certificate_builder(profile: SubordinateProfile, subject: x509.Name,
                              public_key: CertificatePublicKeyTypes,
                              subject_key_identifier: x509.SubjectKeyIdentifier,
                              issuer: x509.Certificate, serial: int,
                              not_before: dt.datetime) -> x509.CertificateBuilder:
    """A cross-certificate: another CA's subject and key identifier exactly as its own
    certificate has them (so either certificate builds the same paths), this issuer's AKI,
    and the rest from a subordinate profile; validity never outlives the issuer."""
    return _ca_builder(profile, subject, public_key, subject_key_identifier, issuer, serial,
                       not_before)


def _ca_builder(profile: SubordinateProfile, subject: x509.Name,
                public_key: CertificatePublicKeyTypes, ski: x509.SubjectKeyIdentifier,
                issuer: x509.Certificate, serial: int,
                not_before: dt.datetime) -> x509.CertificateBuilder:
    profile.validate()
    head = _issued_by(issuer, subject, public_key, serial, not_before, profile.validity_days)
    access = [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                     x509.UniformResourceIdentifier(profile.ca_issuers_url))]
    if profile.ocsp_url:
        access.insert(0, x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                                x509.UniformResourceIdentifier(profile.ocsp_url)))
    builder = (
        head.add_extension(x509.AuthorityInformationAccess(access), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=profile.path_length),
                       critical=True)
    )
    if profile.policies:  # every kind but private requires them (validate says so)
        builder = builder.add_extension(x509.CertificatePolicies([
            x509.PolicyInformation(x509.ObjectIdentifier(oid), None) for oid in profile.policies
        ]), critical=False)
    builder = (
        builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(profile.crl_url)], None, None, None)]),
            critical=False)
        .add_extension(_ca_key_usage(digital_signature=True), critical=True)
    )
    if profile.extended_key_usages:  # a private CA may have none (RFC 5280 4.2.1.12)
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(profile.eku_oids)),
                                        critical=False)
    if profile.name_constraints is not None:
        # Critical, as RFC 5280 4.2.1.10 asks; BR 7.1.2.5.2 allows either.
        builder = builder.add_extension(
            profile.name_constraints.extension(profile.kind, subject), critical=True)
    return builder.add_extension(ski, critical=False)


def ocsp_signer_builder(profile: OcspSignerProfile, subject: x509.Name,
                        public_key: CertificatePublicKeyTypes, issuer: x509.Certificate,
                        serial: int, not_before: dt.datetime) -> x509.CertificateBuilder:
    """A delegated OCSP responder per BR 7.1.2.8: keyUsage digitalSignature, EKU OCSPSigning
    only, id-pkix-ocsp-nocheck, AKI and SKI, nothing else; within the issuer's validity."""
    profile.validate()
    return (
        _issued_by(issuer, subject, public_key, serial, not_before, profile.validity_days)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]),
                       critical=False)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def document_signer_builder(profile: DocumentSignerProfile, ceremony_id: str,
                            issuer_subject: DistinguishedName | x509.Name,
                            public_key: CertificatePublicKeyTypes,
                            issuer: x509.Certificate | None, issuer_ski: bytes, serial: int,
                            not_before: dt.datetime) -> x509.CertificateBuilder:
    """The end-entity certificate that signs a ceremony's transcript.

    ``issuer`` is None only at an intermediate-key ceremony, whose key has no certificate
    yet: then the signer is issued under the bare key named ``issuer_subject``.
    """
    start = _utc(not_before)
    end = start + dt.timedelta(days=profile.validity_days)
    if issuer is not None:
        # The signer signs one transcript, now: it ends with its issuer rather than refuse a
        # CA whose certificate has less left than the signer profile's validity.
        days = min(profile.validity_days, (issuer.not_valid_after_utc - start).days)
        start, end = _validity_within_issuer(issuer, start, max(days, 1))
        issuer_name = issuer.subject
        org = [a.value for a in issuer.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        country = [a.value for a in issuer.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)]
    else:
        issuer_name = (issuer_subject.to_name() if isinstance(issuer_subject, DistinguishedName)
                       else issuer_subject)
        org = [a.value for a in issuer_name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        country = [a.value for a in issuer_name.get_attributes_for_oid(NameOID.COUNTRY_NAME)]
    attributes = []
    if country:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, str(country[0])))
    if org:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(org[0])))
    attributes.append(x509.NameAttribute(
        NameOID.COMMON_NAME, profile.common_name(ceremony_id)))
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                              ID_KP_DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier(issuer_ski, None, None), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
