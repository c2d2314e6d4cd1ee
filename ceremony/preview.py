"""Human summaries of certificates and CRLs: what a person confirms before signing, and what
the transcript and the viewers show."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ceremony.prompts import SigningPreview
from crypto.algorithms import spki_sha256
from crypto.oids import oid_text
from crypto.visible import visible


def _key_text(certificate: x509.Certificate) -> str:
    from crypto.algorithms import algorithm_of

    algorithm = algorithm_of(certificate.public_key())
    name = algorithm.value if algorithm else type(certificate.public_key()).__name__
    return f"{name}, SPKI SHA-256 {spki_sha256(certificate.public_key())}"


def describe_extension(extension: x509.Extension[x509.ExtensionType]) -> str:
    """One line per extension: name, criticality and the values that matter."""
    value = extension.value
    name = extension.oid._name  # cryptography's name of the extension itself
    if name == "Unknown OID":
        name = extension.oid.dotted_string
    critical = " (critical)" if extension.critical else ""
    if isinstance(value, x509.BasicConstraints):
        detail = f"CA={value.ca}" + (f", pathLen={value.path_length}"
                                     if value.path_length is not None else "")
    elif isinstance(value, x509.KeyUsage):
        usages = [n for n in ("digital_signature", "content_commitment", "key_encipherment",
                              "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")
                  if getattr(value, n)]
        detail = ", ".join(usages)
    elif isinstance(value, x509.ExtendedKeyUsage):
        detail = ", ".join(oid_text(oid) for oid in value)
    elif isinstance(value, x509.SubjectKeyIdentifier):
        detail = value.digest.hex()
    elif isinstance(value, x509.AuthorityKeyIdentifier):
        detail = f"keyid {value.key_identifier.hex()}" if value.key_identifier else "-"
    elif isinstance(value, x509.CertificatePolicies):
        detail = ", ".join(oid_text(p.policy_identifier) for p in value)
    elif isinstance(value, x509.CRLDistributionPoints):
        detail = ", ".join(str(n.value) for dp in value for n in (dp.full_name or []))
    elif isinstance(value, x509.AuthorityInformationAccess):
        detail = ", ".join(f"{d.access_method._name} {d.access_location.value}" for d in value)
    elif isinstance(value, x509.CRLNumber):
        detail = str(value.crl_number)
    else:
        detail = ""
    return f"{name}{critical}: {detail}" if detail else f"{name}{critical}"


def name_text(name: x509.Name) -> str:
    """``name`` in RFC 4514 form, with invisible characters written as ``<U+XXXX>``."""
    return visible(name.rfc4514_string())


def name_rows(prefix: str, name: x509.Name) -> tuple[tuple[str, str], ...]:
    """One row per attribute of ``name``, in its order: ``("Subject commonName", value)``.

    The value is the attribute's own text, not RFC 4514 (so ``<`` and ``&`` read as
    themselves), with invisible characters written as ``<U+XXXX>``. A repeated attribute is
    numbered (``Subject streetAddress (2)``), so the labels stay unique.
    """
    rows: list[tuple[str, str]] = []
    for attribute in name:
        label = attribute.oid._name  # cryptography's name table; "Unknown OID" when none
        if label == "Unknown OID":
            label = attribute.oid.dotted_string
        label = f"{prefix} {label}"
        repeats = sum(1 for row in rows if row[0].split(" (")[0] == label)
        if repeats:  # a second streetAddress, say: labels stay unique
            label = f"{label} ({repeats + 1})"
        value = attribute.value
        rows.append((label, value.hex() if isinstance(value, bytes) else visible(value)))
    return tuple(rows)


def certificate_fields(certificate: x509.Certificate) -> tuple[tuple[str, str], ...]:
    der = certificate.public_bytes(serialization.Encoding.DER)
    hash_name = certificate.signature_hash_algorithm
    return (
        ("Subject", name_text(certificate.subject)),
        ("Issuer", name_text(certificate.issuer)),
        ("Serial", f"{certificate.serial_number:x}"),
        ("Not before", f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"),
        ("Not after", f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"),
        ("Key", _key_text(certificate)),
        ("Signature", f"{certificate.signature_algorithm_oid._name}"
                      + (f" ({hash_name.name})" if hash_name else "")),
        ("SHA-256", hashlib.sha256(der).hexdigest()),
    )


def crl_fields(crl: x509.CertificateRevocationList) -> tuple[tuple[str, str], ...]:
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    next_update = crl.next_update_utc
    return (
        ("Issuer", name_text(crl.issuer)),
        ("CRL number", str(number)),
        ("This update", f"{crl.last_update_utc:%Y-%m-%d %H:%M:%S} UTC"),
        ("Next update", f"{next_update:%Y-%m-%d %H:%M:%S} UTC" if next_update else "-"),
        ("Revoked", ", ".join(f"{r.serial_number:x}" for r in crl) or "none"),
    )


def lint_lines(report: object) -> tuple[tuple[str, ...], bool]:
    findings = getattr(report, "findings", ())
    lines = tuple(f"{f.severity} {f.code}: {f.message} ({f.source})" for f in findings)
    return (lines or ("clean: no findings",)), not getattr(report, "blocking", ())


def certificate_preview(what: str, certificate: x509.Certificate, report: object,
                        signer_key: str) -> SigningPreview:
    """The preview of a certificate about to be signed (its fields come from the preview).

    The subject is shown attribute by attribute, so markup or a look-alike in one value cannot
    pass for another attribute.
    """
    fields: list[tuple[str, str]] = []
    for label, value in certificate_fields(certificate):
        if label == "Subject":
            fields += name_rows("Subject", certificate.subject)
        elif label not in ("SHA-256", "Signature"):
            fields.append((label, value))
    lines, clean = lint_lines(report)
    return SigningPreview(what, tuple(fields), tuple(describe_extension(e)
                                              for e in certificate.extensions),
                          lines, clean, signer_key)


def crl_preview(crl: x509.CertificateRevocationList, report: object,
                signer_key: str) -> SigningPreview:
    lines, clean = lint_lines(report)
    return SigningPreview("CRL", crl_fields(crl), tuple(describe_extension(e)
                                                        for e in crl.extensions),
                          lines, clean, signer_key)
