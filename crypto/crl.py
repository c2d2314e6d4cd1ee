"""Builders for a CA's CRL (BR 7.2, RFC 5280 5): v2, increasing number, AKI, reason codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509

from crypto.errors import ProfileError
from crypto.profiles import ALLOWED_REASONS, CrlProfile, RevokedEntry

MAX_CRL_NUMBER = 2**159 - 1  # RFC 5280 5.2.3: at most 20 octets


def next_crl_number(previous: int | None) -> int:
    """The number after ``previous`` (1 for a CA's first CRL)."""
    number = 1 if previous is None else previous + 1
    if number > MAX_CRL_NUMBER:
        raise ProfileError("the CRL number would exceed 20 octets (RFC 5280 5.2.3)")
    return number


def crl_builder(issuer: x509.Certificate, number: int, this_update: dt.datetime,
                profile: CrlProfile,
                revoked: Sequence[RevokedEntry] = ()) -> x509.CertificateRevocationListBuilder:
    """An unsigned CRL for ``issuer`` listing ``revoked``; nextUpdate from the profile."""
    profile.validate()
    if this_update.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    start = this_update.astimezone(dt.UTC).replace(microsecond=0)
    try:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        raise ProfileError("the issuer certificate has no subjectKeyIdentifier") from None
    seen: set[int] = set()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(start)
        .next_update(start + dt.timedelta(days=profile.next_update_days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                       critical=False)
    )
    for entry in sorted(revoked, key=lambda e: e.serial):
        entry.validate()
        if entry.serial in seen:
            raise ProfileError(f"serial {entry.serial:x} is listed twice for revocation")
        seen.add(entry.serial)
        when = dt.datetime.fromtimestamp(entry.revoked_at_epoch, dt.UTC)
        if when > start:
            raise ProfileError(f"serial {entry.serial:x} is revoked after the CRL's thisUpdate")
        item = (x509.RevokedCertificateBuilder().serial_number(entry.serial)
                .revocation_date(when))
        reason = ALLOWED_REASONS[entry.reason]
        if reason is not None:
            item = item.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    return builder
