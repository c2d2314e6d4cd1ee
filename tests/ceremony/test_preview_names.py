"""What a person confirms before signing names the extended key usages and certificate
policies it knows, each with its dotted number; never "Unknown OID" (issue 13, item 14)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ceremony.preview import certificate_preview, describe_extension
from crypto.certificates import ID_KP_DOCUMENT_SIGNING
from crypto.oids import oid_name, oid_text

MS_CODE_IND = x509.ObjectIdentifier("1.3.6.1.4.1.311.2.1.21")
PRIVATE = x509.ObjectIdentifier("1.3.6.1.4.1.99999.1")


def _certificate() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signer")])
    now = dt.datetime.now(dt.UTC)
    policies = [x509.PolicyInformation(x509.ObjectIdentifier(dotted), None) for dotted in
                ("2.23.140.1.2.2", "2.23.140.1.5.1.2", "2.5.29.32.0", "1.3.6.1.4.1.99999.7")]
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                  ID_KP_DOCUMENT_SIGNING, MS_CODE_IND,
                                                  PRIVATE]), critical=False)
            .add_extension(x509.CertificatePolicies(policies), critical=False)
            .sign(key, hashes.SHA256()))


def test_known_oids_are_named_with_their_number_and_unknown_ones_are_numbers() -> None:
    assert oid_text(ID_KP_DOCUMENT_SIGNING) == "documentSigning (1.3.6.1.5.5.7.3.36)"
    assert oid_text(ExtendedKeyUsageOID.OCSP_SIGNING) == "OCSPSigning (1.3.6.1.5.5.7.3.9)"
    for dotted, name in (("2.23.140.1.1", "CA/B Forum extended validation (TLS)"),
                         ("2.23.140.1.2.1", "CA/B Forum domain validated (TLS)"),
                         ("2.23.140.1.2.3", "CA/B Forum individual validated (TLS)"),
                         ("2.23.140.1.3", "CA/B Forum extended validation code signing"),
                         ("2.23.140.1.4.1", "CA/B Forum code signing"),
                         ("2.23.140.1.5.4.3", "CA/B Forum S/MIME individual-validated strict"),
                         ("2.5.29.32.0", "anyPolicy")):
        assert oid_name(x509.ObjectIdentifier(dotted)) == name
    assert oid_name(x509.ObjectIdentifier("2.23.140.1.5.9.9")) is None  # no such S/MIME type
    assert oid_text(PRIVATE) == "1.3.6.1.4.1.99999.1"


def test_the_signing_preview_names_usages_and_policies() -> None:
    certificate = _certificate()
    lines = [describe_extension(e) for e in certificate.extensions]
    assert lines == [
        "extendedKeyUsage: emailProtection (1.3.6.1.5.5.7.3.4), documentSigning "
        "(1.3.6.1.5.5.7.3.36), msCodeInd (1.3.6.1.4.1.311.2.1.21), 1.3.6.1.4.1.99999.1",
        "certificatePolicies: CA/B Forum organization validated (TLS) (2.23.140.1.2.2), "
        "CA/B Forum S/MIME mailbox-validated multipurpose (2.23.140.1.5.1.2), anyPolicy "
        "(2.5.29.32.0), 1.3.6.1.4.1.99999.7",
    ]
    preview = certificate_preview("a certificate", certificate, None, "key")
    assert not any("Unknown OID" in line for line in preview.extensions)
