"""What the certificate and CRL viewer shows for a file: fields, extensions, fingerprints, lint.

Any file may be dropped on the window, so reading never raises anything but ``UnreadableFile``
with one sentence. Linting (pkilint, slow to load) is a separate call the view makes off the
GUI thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gui.errors import UnreadableFile

MAX_ARTIFACT_BYTES = 10 << 20
CERTIFICATE = "certificate"
CRL = "CRL"
CSR = "certificate signing request"


@dataclass(frozen=True)
class ArtifactView:
    """One certificate, CRL or CSR as the viewer shows it."""

    kind: str
    source: str
    fields: tuple[tuple[str, str], ...]
    extensions: tuple[str, ...]
    fingerprints: tuple[tuple[str, str], ...]
    lint_as: str | None  # the pkilint type it is linted as, None when it is not linted
    note: str = ""  # e.g. "the file holds 3 certificates; the first is shown"
    parsed: Any = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        subject = dict(self.fields).get("Subject") or dict(self.fields).get("Issuer", "")
        return f"{self.kind[0].upper()}{self.kind[1:]}: {subject}"


@dataclass(frozen=True)
class LintView:
    """Lint findings for an artifact, as lines."""

    lines: tuple[str, ...]
    clean: bool | None  # None: not linted
    summary: str


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """(label, DER) for each PEM block, in order."""
    import base64
    import binascii
    import re

    blocks = []
    for match in re.finditer(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", data, re.S):
        try:
            der = base64.b64decode(b"".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        blocks.append((match.group(1).decode("ascii"), der))
    return blocks


def _lint_type(certificate: Any) -> str | None:
    from cryptography import x509

    from crypto.lint import NON_TLS_SUBORDINATE_CA_TYPE, ROOT_CA_TYPE, TLS_SUBORDINATE_CA_TYPE

    try:
        ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return None
    if not ca:
        return None
    if certificate.issuer == certificate.subject:
        return ROOT_CA_TYPE
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return TLS_SUBORDINATE_CA_TYPE
    server_auth = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH
    return TLS_SUBORDINATE_CA_TYPE if server_auth in usages else NON_TLS_SUBORDINATE_CA_TYPE


def _fingerprints(der: bytes) -> tuple[tuple[str, str], ...]:
    def colons(digest: str) -> str:
        return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()

    return (("SHA-256", colons(hashlib.sha256(der).hexdigest())),
            ("SHA-1", colons(hashlib.sha1(der).hexdigest())))  # tools print it too


def _certificate(der: bytes, source: str, note: str) -> ArtifactView:
    from cryptography import x509

    from ceremony.preview import certificate_fields, describe_extension

    certificate = x509.load_der_x509_certificate(der)
    fields = certificate_fields(certificate)
    extensions = tuple(describe_extension(e) for e in certificate.extensions)
    return ArtifactView(CERTIFICATE, source, fields, extensions, _fingerprints(der),
                        _lint_type(certificate), note, certificate)


def _crl(der: bytes, source: str, note: str) -> ArtifactView:
    from cryptography import x509

    from ceremony.preview import crl_fields, describe_extension, name_text

    crl = x509.load_der_x509_crl(der)
    try:
        fields = crl_fields(crl)
    except x509.ExtensionNotFound:  # a CRL without a number still deserves a look
        fields = (("Issuer", name_text(crl.issuer)), ("CRL number", "none (not allowed)"),
                  ("This update", f"{crl.last_update_utc:%Y-%m-%d %H:%M:%S} UTC"))
    extensions = tuple(describe_extension(e) for e in crl.extensions)
    return ArtifactView(CRL, source, fields, extensions, _fingerprints(der), "ARL", note, crl)


def _csr(der: bytes, source: str, note: str) -> ArtifactView:
    from cryptography import x509

    from ceremony.preview import describe_extension, name_rows, name_text
    from crypto.keys import spki_sha256

    csr = x509.load_der_x509_csr(der)
    # The subject in one line and attribute by attribute, as the signing confirmation shows it.
    fields = (("Subject", name_text(csr.subject)), *name_rows("Subject", csr.subject),
              ("Key SPKI SHA-256", spki_sha256(csr.public_key())),
              ("Signature valid", "yes" if csr.is_signature_valid else "NO"))
    extensions = tuple(describe_extension(e) for e in csr.extensions)
    return ArtifactView(CSR, source, fields, extensions, _fingerprints(der), None, note, csr)


_READERS = {"CERTIFICATE": _certificate, "X509 CRL": _crl, "CERTIFICATE REQUEST": _csr,
            "NEW CERTIFICATE REQUEST": _csr}


def read_artifact(data: bytes, source: str) -> ArtifactView:
    """Read a PEM or DER certificate, CRL or CSR; UnreadableFile when it is none of them."""
    from cryptography.exceptions import UnsupportedAlgorithm

    if not data.strip():
        raise UnreadableFile(f"{source} is empty; open a PEM or DER certificate, CRL or CSR.")
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            blocks = [(label, der) for label, der in _pem_blocks(data) if label in _READERS]
            if not blocks:
                raise UnreadableFile(f"{source} holds no PEM certificate, CRL or certificate "
                                     "request; open one of those.")
            label, der = blocks[0]
            note = (f"The file holds {len(blocks)} objects; the first is shown."
                    if len(blocks) > 1 else "")
            return _READERS[label](der, source, note)
        for reader in (_certificate, _crl, _csr):
            try:
                return reader(data, source, "")
            except ValueError:
                continue
    except (ValueError, UnsupportedAlgorithm, TypeError) as ex:
        raise UnreadableFile(f"{source} looks like a certificate, CRL or CSR but cannot be read "
                             f"({ex}); it may be damaged.") from ex
    raise UnreadableFile(f"{source} is not a certificate, CRL or certificate signing request "
                         "in PEM or DER form.")


def load_artifact(path: Path | str) -> ArtifactView:
    """Read the file at ``path`` as a certificate, CRL or CSR."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_ARTIFACT_BYTES + 1)
    except OSError as ex:
        raise UnreadableFile(f"{path} cannot be read ({ex.strerror or type(ex).__name__}); "
                             "check the path.") from ex
    if len(data) > MAX_ARTIFACT_BYTES:
        raise UnreadableFile(f"{path} is larger than {MAX_ARTIFACT_BYTES >> 20} MB, too large "
                             "for a certificate, CRL or CSR.")
    return read_artifact(data, str(path))


def lint_artifact(view: ArtifactView) -> LintView:
    """Lint the artifact with pkilint and the tool's own checks (slow: call it off the GUI)."""
    from crypto.lint import lint_certificate, lint_crl

    if view.lint_as is None:
        reason = ("it is not a CA certificate" if view.kind == CERTIFICATE
                  else f"a {view.kind} is checked by the csr command")
        return LintView((), None, f"Not linted: {reason}.")
    if view.kind == CRL:
        report = lint_crl(view.parsed, view.lint_as)
    else:
        report = lint_certificate(view.parsed, view.lint_as)
    lines = tuple(str(finding) for finding in report.findings)
    if report.ok:
        notes = f"{len(lines)} note{'s' if len(lines) != 1 else ''}"
        summary = (f"Lint as {view.lint_as}: clean" if not lines
                   else f"Lint as {view.lint_as}: no blocking findings ({notes})")
    else:
        summary = f"Lint as {view.lint_as}: {len(report.blocking)} findings at WARNING or worse"
    return LintView(lines, report.ok, summary + ".")
