"""Names for the object identifiers a person reads before signing: extended key usages and
certificate policies, each shown with its dotted number ("documentSigning
(1.3.6.1.5.5.7.3.36)"), never as "Unknown OID".

cryptography's own table names the common extended key usages but not documentSigning, the
Microsoft ones or any certificate policy; this one does, for what CA/Browser Forum profiles
and this program's own certificates use.
"""

from __future__ import annotations

from cryptography import x509

EXTENDED_KEY_USAGES: dict[str, str] = {
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "1.3.6.1.5.5.7.3.17": "ipsecIKE",
    "1.3.6.1.5.5.7.3.36": "documentSigning",  # RFC 9336
    "2.5.29.37.0": "anyExtendedKeyUsage",
    "1.3.6.1.4.1.311.2.1.21": "msCodeInd",  # Microsoft individual code signing
    "1.3.6.1.4.1.311.2.1.22": "msCodeCom",  # Microsoft commercial code signing
    "1.3.6.1.4.1.311.10.3.4": "msEFS",  # Microsoft encrypting file system
    "1.3.6.1.4.1.311.10.3.12": "msDocumentSigning",
    "1.3.6.1.4.1.311.20.2.2": "msSmartcardLogin",
    "1.3.6.1.4.1.11129.2.4.4": "ctPrecertificateSigning",  # RFC 6962
    "1.2.840.113583.1.1.5": "adobeAuthenticDocumentsTrust",
}

CERTIFICATE_POLICIES: dict[str, str] = {
    "2.5.29.32.0": "anyPolicy",
    # CA/Browser Forum: TLS Baseline Requirements and EV Guidelines
    "2.23.140.1.1": "CA/B Forum extended validation (TLS)",
    "2.23.140.1.2.1": "CA/B Forum domain validated (TLS)",
    "2.23.140.1.2.2": "CA/B Forum organization validated (TLS)",
    "2.23.140.1.2.3": "CA/B Forum individual validated (TLS)",
    # Code Signing Baseline Requirements
    "2.23.140.1.3": "CA/B Forum extended validation code signing",
    "2.23.140.1.4.1": "CA/B Forum code signing",
    "2.23.140.1.4.2": "CA/B Forum code signing time stamping",
}

# S/MIME Baseline Requirements 7.1.6.1: 2.23.140.1.5.<validation>.<generation>
_SMIME_ARC = "2.23.140.1.5."
_SMIME_VALIDATION = {"1": "mailbox", "2": "organization", "3": "sponsor", "4": "individual"}
_SMIME_GENERATION = {"1": "legacy", "2": "multipurpose", "3": "strict"}


def _smime_policy(dotted: str) -> str | None:
    if not dotted.startswith(_SMIME_ARC):
        return None
    parts = dotted[len(_SMIME_ARC):].split(".")
    if len(parts) != 2 or parts[0] not in _SMIME_VALIDATION \
            or parts[1] not in _SMIME_GENERATION:
        return None
    return (f"CA/B Forum S/MIME {_SMIME_VALIDATION[parts[0]]}-validated "
            f"{_SMIME_GENERATION[parts[1]]}")


def oid_name(oid: x509.ObjectIdentifier) -> str | None:
    """The name of ``oid`` as an extended key usage or a certificate policy; cryptography's
    name for anything else it knows; None when nobody has one."""
    dotted = oid.dotted_string
    known = EXTENDED_KEY_USAGES.get(dotted) or CERTIFICATE_POLICIES.get(dotted) \
        or _smime_policy(dotted)
    if known is not None:
        return known
    name = oid._name  # cryptography's own table; "Unknown OID" when it has none
    return None if name == "Unknown OID" else name


def oid_text(oid: x509.ObjectIdentifier) -> str:
    """``oid`` as a person reads it: 'documentSigning (1.3.6.1.5.5.7.3.36)', or the dotted
    number alone when it has no name."""
    name = oid_name(oid)
    return oid.dotted_string if name is None else f"{name} ({oid.dotted_string})"
