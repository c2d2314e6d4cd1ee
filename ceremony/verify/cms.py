"""The bytes inside each signature: nothing may change there without ``verify`` noticing.

A PDF signature's ``/Contents`` is a hex string the byte range leaves out; its CMS structure
is followed by zero padding. Neither the padding nor the CMS's unsigned parts are covered by
the signature itself, so text written into them would leave every digest intact while the
file's SHA-256 (the one the journal's ``transcript-written`` records) changes. The
``signature-contents`` check therefore accepts exactly what this tool writes: the hex string
as pyHanko writes it, one DER-encoded CMS SignedData with one signer, zero bytes after it, no
unsigned attributes, no revocation data, and no certificate that is not the signer's or one
of its issuers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from ceremony.verify.checks import CheckResult, failed, passed

_HEX_STRING = re.compile(rb"<([0-9A-F]*)>")


def _der_length(data: bytes) -> int:
    """The length of the DER element at the start of ``data`` (ValueError when it has none)."""
    if len(data) < 2 or data[0] != 0x30:
        raise ValueError("it does not start with a DER SEQUENCE")
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        raise ValueError("its DER length is malformed")
    length = int.from_bytes(data[2:2 + count], "big")
    if length < 0x80 or length >> (8 * (count - 1)) == 0:
        raise ValueError("its DER length is not in the shortest form")
    return 2 + count + length


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _certificates_problem(signed_data: Any, signer: x509.Certificate) -> str | None:
    """Whether every certificate the CMS carries is the signer's or on its chain."""
    choices = list(signed_data["certificates"]) if signed_data["certificates"].native else []
    if any(choice.name != "certificate" for choice in choices):
        return "it carries something other than X.509 certificates"
    carried = [x509.load_der_x509_certificate(choice.chosen.dump()) for choice in choices]
    chain = [signer]
    remaining = [c for c in carried if c != signer]
    while True:
        parent = next((c for c in remaining if _issued_by(chain[-1], c)), None)
        if parent is None:
            break
        chain.append(parent)
        remaining.remove(parent)
    if remaining:
        return (f"it carries {remaining[0].subject.rfc4514_string()}, which is not on the "
                "signer's chain")
    return None


def contents_problem(data: bytes, embedded: Any, signer: x509.Certificate) -> str | None:
    """Why the ``/Contents`` of ``embedded`` is not exactly what this tool writes, or None."""
    from asn1crypto import cms

    start, end = embedded.byte_range[1], embedded.byte_range[2]
    found = _HEX_STRING.fullmatch(data[start:end])
    if found is None:
        return ("the bytes the signature leaves out are not one hex string in the form this "
                "tool writes")
    contents = bytes.fromhex(found.group(1).decode("ascii"))
    try:
        length = _der_length(contents)
    except ValueError as exc:
        return f"its CMS structure cannot be read ({exc})"
    if length > len(contents):
        return "its CMS structure is longer than the space reserved for it"
    if any(contents[length:]):
        offset = next(i for i, b in enumerate(contents[length:]) if b)
        return (f"{len(contents) - length - offset} bytes of the padding after the CMS "
                f"structure (from byte {length + offset}) are not zero: something was written "
                "into the signature")
    info = cms.ContentInfo.load(contents[:length], strict=True)
    if info.dump(force=True) != contents[:length]:
        return "its CMS structure is not in DER, as this tool writes it"
    signed_data = info["content"]
    if info["content_type"].native != "signed_data":
        return "its CMS structure is not SignedData"
    signers = signed_data["signer_infos"]
    if len(signers) != 1:
        return f"its CMS structure has {len(signers)} signers, not one"
    unsigned = signers[0]["unsigned_attrs"]
    if unsigned.native:
        names = ", ".join(str(attribute["type"].native) for attribute in unsigned)
        return f"it carries unsigned attributes this tool never writes ({names})"
    if signed_data["crls"].native:
        return "it carries revocation data this tool never writes"
    return _certificates_problem(signed_data, signer)


def check_signature_contents(data: bytes, signatures: Sequence[Any]) -> CheckResult:
    """``signature-contents``: each signature's ``/Contents`` is what this tool writes.

    ``signatures`` are ``ValidatedSignature`` values (their ``embedded`` and ``certificate``).
    """
    name = "signature-contents"
    if not signatures:
        return failed(name, "there is no signature to check")
    problems = []
    for s in signatures:
        try:
            problem = contents_problem(data, s.embedded, s.certificate)
        except Exception as exc:  # asn1crypto raises many kinds for malformed DER
            problem = f"its CMS structure cannot be read ({type(exc).__name__})"
        if problem is not None:
            problems.append(f"{s.embedded.field_name}: {problem}")
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{len(signatures)} signature(s): one DER CMS structure each, zero "
                        "padding after it, no unsigned attributes")
