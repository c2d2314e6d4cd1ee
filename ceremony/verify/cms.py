"""The bytes inside each signature: nothing may change there without ``verify`` noticing.

A PDF signature's ``/Contents`` is a hex string the byte range leaves out; its CMS structure
is followed by zero padding. Neither the padding nor the CMS's unsigned parts are covered by
the signature itself, so text written into them would leave every digest intact while the
file's SHA-256 (the one the journal's ``transcript-written`` records) changes. The
``signature-contents`` check therefore accepts exactly what this tool writes: the hex string
as pyHanko writes it, one DER-encoded CMS SignedData (v1, detached data) with one signer named
by its certificate's issuer and serial and its one digest algorithm, zero bytes after it, no
unsigned attributes, no revocation data, and no certificate that is not the signer's or one of
its issuers: the top one validly self-signed if it is a root, and never a changed copy of a
trusted root.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from ceremony.verify.checks import CheckResult, failed, passed
from crypto.algorithms import spki_sha256

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


def _certificates_problem(signed_data: Any, signer: x509.Certificate,
                          trusted_root_keys: frozenset[str]) -> str | None:
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
    # Each carried certificate is checked by the one above it; the top one, which this tool
    # always makes the root (a countersigner's chain may end at any CA), by its own signature.
    # Path validation trusts the auditor's copy of the root, never this one, so without this a
    # changed serial or name in the carried copy would pass unnoticed.
    top = chain[-1]
    if len(chain) > 1 and top.issuer == top.subject and not _issued_by(top, top):
        return (f"its copy of {top.subject.rfc4514_string()} is not validly self-signed: "
                "something was changed inside the signature")
    # One that is not self-issued is checked by path validation, unless it is a copy of a
    # trusted root with its names changed: path validation then uses the auditor's root.
    if (len(chain) > 1 and top.issuer != top.subject and not _issued_by(top, top)
            and spki_sha256(top.public_key()) in trusted_root_keys):
        return (f"it carries a changed copy of a trusted root ({top.subject.rfc4514_string()}): "
                "something was changed inside the signature")
    return None


def contents_problem(data: bytes, embedded: Any, signer: x509.Certificate,
                     trusted_root_keys: frozenset[str] = frozenset()) -> str | None:
    """Why the ``/Contents`` of ``embedded`` is not exactly what this tool writes, or None.

    ``trusted_root_keys``: the SPKI SHA-256 of each root certificate the auditor trusts.
    """
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
    # The parts of SignedData the signature does not cover, each as this tool writes it.
    signer_info = signers[0]
    sid = signer_info["sid"]
    if signed_data["version"].native != "v1" or signer_info["version"].native != "v1":
        return "its CMS versions are not the ones this tool writes (v1)"
    if signed_data["encap_content_info"].native != {"content_type": "data", "content": None}:
        return "its encapsulated content is not the detached data this tool writes"
    if sid.name != "issuer_and_serial_number" or (
            sid.chosen["serial_number"].native != signer.serial_number
            or sid.chosen["issuer"].dump() != signer.issuer.public_bytes()):
        return "its signer identifier does not name the signer's certificate"
    declared = [algorithm.dump() for algorithm in signed_data["digest_algorithms"]]
    if declared != [signers[0]["digest_algorithm"].dump()]:
        return ("its list of digest algorithms is not the signer's one algorithm, as this tool "
                "writes it")
    unsigned = signers[0]["unsigned_attrs"]
    if unsigned.native:
        names = ", ".join(str(attribute["type"].native) for attribute in unsigned)
        return f"it carries unsigned attributes this tool never writes ({names})"
    if signed_data["crls"].native:
        return "it carries revocation data this tool never writes"
    return _certificates_problem(signed_data, signer, trusted_root_keys)


def check_signature_contents(data: bytes, signatures: Sequence[Any],
                             trusted_root_keys: frozenset[str] = frozenset()) -> CheckResult:
    """``signature-contents``: each signature's ``/Contents`` is what this tool writes.

    ``signatures`` are ``ValidatedSignature`` values (their ``embedded`` and ``certificate``).
    """
    name = "signature-contents"
    if not signatures:
        return failed(name, "there is no signature to check")
    problems = []
    for s in signatures:
        try:
            problem = contents_problem(data, s.embedded, s.certificate, trusted_root_keys)
        except Exception as exc:  # asn1crypto raises many kinds for malformed DER
            problem = f"its CMS structure cannot be read ({type(exc).__name__})"
        if problem is not None:
            problems.append(f"{s.embedded.field_name}: {problem}")
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{len(signatures)} signature(s): one DER CMS structure each, zero "
                        "padding after it, no unsigned attributes")
