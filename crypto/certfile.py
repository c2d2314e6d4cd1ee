"""Certificates and CRLs as people hand them over: a file in PEM or DER form.

One reader for every place that takes a certificate from a file (a plan's issuer, an auditor's
root, a countersigner's chain, a transcript's embedded artifacts), so that each accepts the
same forms and refuses the rest with the same sentence. PEM may have text before its block
(OpenSSL's ``Bag Attributes`` or a ``-text`` dump); a file asked for one certificate that holds
several is refused, as a CSR is, since which one counted would not be what a reader saw.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from crypto.errors import UnusableInput
from crypto.files import read_input_file

MAX_CERTIFICATE_BYTES = 1 << 20  # a certificate is a few kB; a CRL may list many serials
_PEM_BEGIN = b"-----BEGIN"
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
# What cryptography raises for bytes that are not a certificate, besides ValueError.
_NOT_PARSED = (ValueError, UnsupportedAlgorithm, x509.InvalidVersion)


def _refuse(source: str, why: str, what: str = "certificate") -> UnusableInput:
    return UnusableInput(f"{source} is not a {what} (PEM or DER): {why}")


def _why(data: bytes, block: bytes) -> str:
    if not data.strip():
        return "the file is empty"
    if _PEM_BEGIN in data:
        return ("its PEM block is damaged" if block in data
                else f"it holds no {block.decode()[11:-5]} PEM block")
    return "it is neither PEM text nor a DER structure"


def load_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, or the one of a DER file; UnusableInput if none."""
    try:
        if _PEM_BEGIN in data:
            found = x509.load_pem_x509_certificates(data)
        else:
            found = [x509.load_der_x509_certificate(data)]
    except _NOT_PARSED as exc:
        raise _refuse(source, _why(data, _PEM_CERTIFICATE)) from exc
    return found


def load_certificate(data: bytes, source: str) -> x509.Certificate:
    """The one certificate in ``data`` (PEM or DER); UnusableInput naming ``source`` if not."""
    found = load_certificates(data, source)
    if len(found) > 1:
        raise UnusableInput(f"{source} holds {len(found)} certificates; give one certificate "
                            "per file")
    return found[0]


def read_certificate_file(path: Path | str) -> x509.Certificate:
    """The one certificate in the file ``path``; UnusableInput when it cannot be read or is
    not one certificate (``UnreadableInput``, a kind of it, when the file cannot be read)."""
    return load_certificate(read_input_file(path, MAX_CERTIFICATE_BYTES, "a certificate"),
                            str(path))


def load_crl(data: bytes, source: str) -> x509.CertificateRevocationList:
    """The CRL in ``data`` (PEM or DER); UnusableInput naming ``source`` if not."""
    try:
        if _PEM_BEGIN in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except _NOT_PARSED as exc:
        raise _refuse(source, _why(data, b"-----BEGIN X509 CRL-----"), "CRL") from exc
