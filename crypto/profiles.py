"""Certificate and CRL profiles: what the CA/Browser Forum BRs (7.1, 7.2, 6.3.2) and RFC 5280
allow, as values a plan fills in and ``validate`` checks before any token is touched.

The profile decides every extension of an issued certificate; nothing is copied from a CSR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from cryptography import x509
from cryptography.x509.oid import NameOID

from crypto.errors import ProfileError
from crypto.visible import describe, first_invisible

# BR 6.3.2: a root certificate's validity is at least 2922 days and at most 9132 days.
ROOT_MIN_DAYS = 2922
ROOT_MAX_DAYS = 9132
# BR 7.2: a root's CRL is reissued at least every 12 months (nextUpdate at most 365 days on).
CRL_MAX_DAYS = 365

# A delegated OCSP responder's certificate is short-lived (BR 7.1.2.8 sets no limit; it carries
# id-pkix-ocsp-nocheck, so it cannot be revoked in practice and must expire soon instead).
OCSP_SIGNER_MAX_DAYS = 365

# A longer chain of CAs below a root than anyone runs; bounds an otherwise open integer.
MAX_PATH_LENGTH = 16

# CA/Browser Forum reserved policy identifiers (BR 7.1.6.1).
POLICY_DOMAIN_VALIDATED = "2.23.140.1.2.1"
POLICY_ORGANIZATION_VALIDATED = "2.23.140.1.2.2"
POLICY_INDIVIDUAL_VALIDATED = "2.23.140.1.2.3"
CABF_POLICIES = (POLICY_DOMAIN_VALIDATED, POLICY_ORGANIZATION_VALIDATED,
                 POLICY_INDIVIDUAL_VALIDATED)

OID_PATTERN = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")


@dataclass(frozen=True)
class DistinguishedName:
    """A CA subject per BR 7.1.2.10.2: countryName, organizationName and commonName."""

    country: str
    organization: str
    common_name: str

    def validate(self, where: str = "subject") -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            raise ProfileError(f"{where}.country: must be a two-letter ISO 3166 code in capitals, "
                               f"not {self.country!r}")
        for key, value in (("organization", self.organization),
                           ("common_name", self.common_name)):
            if not value.strip():
                raise ProfileError(f"{where}.{key}: must not be empty")
            if value != value.strip():
                raise ProfileError(f"{where}.{key}: must not start or end with white space")
            if len(value) > 64:
                raise ProfileError(f"{where}.{key}: is {len(value)} characters; at most 64 "
                                   "are allowed")
            hidden = first_invisible(value)
            if hidden is not None:
                raise ProfileError(f"{where}.{key}: holds {describe(hidden)}, a control, "
                                   "format or other invisible character; remove it")

    def to_name(self) -> x509.Name:
        # PrintableString for the country (RFC 5280), UTF8String otherwise (BR 7.1.4.1).
        return x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, self.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization),
            x509.NameAttribute(NameOID.COMMON_NAME, self.common_name),
        ])


def check_http_url(url: str, where: str) -> None:
    # Certificates carry URLs as IA5String: ASCII only, no spaces or control characters.
    if not (url.isascii() and url.isprintable() and " " not in url):
        raise ProfileError(f"{where}: must be plain ASCII without spaces; write an "
                           "internationalised host name in its xn-- form and percent-encode "
                           "the rest")
    parsed = urlparse(url)
    if parsed.scheme != "http" or not parsed.netloc:
        raise ProfileError(f"{where}: must be a plain http:// URL (BR 7.1.2.11.2 and "
                           f"7.1.2.7.7), not {url!r}")


@dataclass(frozen=True)
class RootProfile:
    """A self-signed root CA certificate (BR 7.1.2.1)."""

    subject: DistinguishedName
    validity_days: int

    def validate(self) -> None:
        self.subject.validate("certificate.subject")
        if not ROOT_MIN_DAYS <= self.validity_days <= ROOT_MAX_DAYS:
            raise ProfileError(
                f"certificate.validity_days: a root is valid between {ROOT_MIN_DAYS} and "
                f"{ROOT_MAX_DAYS} days (8 to 25 years, BR 6.3.2), not {self.validity_days}"
            )


@dataclass(frozen=True)
class DocumentSignerProfile:
    """The ceremony's transcript-signing certificate (see docs/transcript-signing.md).

    digitalSignature and nonRepudiation (pyHanko requires the latter by default); EKU
    emailProtection plus id-kp-documentSigning, because NSS (pdfsig) rejects a signer whose
    only EKU is documentSigning. Not a CA; issued by the CA key the ceremony used.
    """

    validity_days: int = 3650
    subject_suffix: str = "Ceremony Transcript Signer"

    def common_name(self, ceremony_id: str) -> str:
        """The signer's commonName for ceremony ``ceremony_id`` (at most 64 characters)."""
        return f"{self.subject_suffix} {ceremony_id}"[:64]


@dataclass(frozen=True)
class OcspSignerProfile:
    """A delegated OCSP responder's certificate (BR 7.1.2.8): OCSPSigning only, no-check."""

    validity_days: int = OCSP_SIGNER_MAX_DAYS

    def validate(self) -> None:
        if not 1 <= self.validity_days <= OCSP_SIGNER_MAX_DAYS:
            raise ProfileError(f"responder.validity_days: must be 1 to {OCSP_SIGNER_MAX_DAYS} "
                               "days; a responder certificate carries id-pkix-ocsp-nocheck, so "
                               f"it must expire soon, not after {self.validity_days}")


@dataclass(frozen=True)
class CrlProfile:
    """A root CA's CRL (BR 7.2): v2, increasing number, AKI, nextUpdate within 365 days."""

    next_update_days: int = CRL_MAX_DAYS

    def validate(self) -> None:
        if not 1 <= self.next_update_days <= CRL_MAX_DAYS:
            raise ProfileError(f"crl.next_update_days: must be 1 to {CRL_MAX_DAYS} days for a "
                               f"root's CRL (BR 7.2.2), not {self.next_update_days}")


# Reasons a CRL of CA certificates may carry (BR 7.2.2); "unspecified" omits reasonCode.
ALLOWED_REASONS: dict[str, x509.ReasonFlags | None] = {
    "unspecified": None,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "cACompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "privilegeWithdrawn": x509.ReasonFlags.privilege_withdrawn,
}


@dataclass(frozen=True)
class RevokedEntry:
    """A certificate to list on a CRL: serial, when, and why."""

    serial: int
    revoked_at_epoch: int
    reason: str = "unspecified"

    def validate(self) -> None:
        if self.reason not in ALLOWED_REASONS:
            raise ProfileError(f"revocation reason {self.reason!r} is not allowed on a CA's CRL; "
                               f"use one of {', '.join(ALLOWED_REASONS)}")
        if self.serial <= 0:
            raise ProfileError("a revoked serial number must be positive")
