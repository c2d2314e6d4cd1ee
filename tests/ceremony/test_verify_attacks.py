"""Attacks on verify found by an outside review (issue 8, items 2 and 3), on real transcripts.

A forger who holds a certificate with the right subject name under another CA the auditor
trusts (an "audit CA") edits the journal, re-chains it, re-embeds it and signs: trusting that
CA for countersignatures must never make it an anchor of the ceremony. And bytes written
inside a signature (its zero padding, an unsigned CMS attribute) must fail a named check,
though every digest still verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ceremony.transcript.pdfsigner import TokenPdfSigner
from ceremony.transcript.sign import countersign
from ceremony.verify.audit import TrustAnchors, verify_transcript
from crypto.algorithms import spki_sha256
from crypto.certificates import ID_KP_DOCUMENT_SIGNING
from crypto.softhsm import SoftHsmStore
from tests.ceremony.test_transcript import BuiltCeremony, build_root_ceremony
from tests.ceremony.test_verify import _lines, _rechain, forge, keyceremony

pytestmark = pytest.mark.softhsm
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> BuiltCeremony:
    base = tmp_path_factory.mktemp("attacks")
    store = SoftHsmStore.create(base / "softhsm")
    store.activate()
    return build_root_ceremony(base, store)


def _builder(subject: x509.Name, issuer: x509.Name, key: Any, serial: int) -> Any:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key).serial_number(serial)
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=30)))


class AuditCa:
    """A CA the auditor trusts for countersignatures, and certificates under it."""

    def __init__(self, folder: Path) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Audit Firm"),
                               x509.NameAttribute(NameOID.COMMON_NAME, "Audit CA")])
        public = self.key.public_key()
        self.certificate = (
            _builder(self.name, self.name, public, 99)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.key, hashes.SHA384()))
        self.file = folder / "audit-ca.pem"
        self.file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, subject: x509.Name, serial: int,
              usage: tuple[x509.ObjectIdentifier, ...] = (ID_KP_DOCUMENT_SIGNING,)
              ) -> tuple[Any, x509.Certificate]:
        """A document-signing key and certificate under the audit CA."""
        key = ec.generate_private_key(ec.SECP384R1())
        certificate = (
            _builder(subject, self.name, key.public_key(), serial)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(usage)), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA384()))
        return key, certificate


def _forged(root: BuiltCeremony, audit: AuditCa, *, name_audit_key: bool) -> bytes:
    """The ceremony's journal edited (the location), its transcript signer replaced by one
    under the audit CA with the same subject and serial, everything re-chained and re-signed.
    With ``name_audit_key`` the journal also says the audit CA's key certified the signer."""
    key, signer = audit.issue(root.signer.subject, root.signer.serial_number)
    der = signer.public_bytes(serialization.Encoding.DER)
    pem = signer.public_bytes(serialization.Encoding.PEM)
    spki = spki_sha256(audit.key.public_key())
    records = [json.loads(line) for line in _lines(root)]
    for record in records:
        data = record["data"]
        if record["event"] == "ceremony-started":
            data["location"] = "Vault C"
        elif record["event"] == "certificate-issued" and data["path"] == "transcript-signer.pem":
            data.update(sha256=hashlib.sha256(der).hexdigest(),
                        issuer=audit.name.rfc4514_string())
        elif record["event"] == "artifact-written" and data["path"] == "transcript-signer.pem":
            data.update(sha256=hashlib.sha256(pem).hexdigest(), size=len(pem))
        elif (record["event"] == "signing-confirmed" and name_audit_key
              and data["object"] == "transcript signer certificate"):
            data["signer"] = f"audit-ca (SPKI SHA-256 {spki})"
    lines = [json.dumps(r).encode() + b"\n" for r in records]
    journal = b"".join(_rechain(lines))
    return forge(root, journal, signed=True, rerender=True,
                 swap={"transcript-signer.pem": pem}, signer=(key, [signer, audit.certificate]))


def _failures(output: str) -> dict[str, dict[str, Any]]:
    report = json.loads(output)["transcripts"][0]
    return {c["name"]: c for c in report["checks"] if not c["ok"]}


@pytest.mark.parametrize("name_audit_key", [False, True], ids=["journal-names-root",
                                                               "journal-names-audit-ca"])
def test_a_forgery_under_an_audit_ca_fails_even_with_both_as_roots(
        root: BuiltCeremony, tmp_path: Path, name_audit_key: bool) -> None:
    audit = AuditCa(tmp_path)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_forged(root, audit, name_audit_key=name_audit_key))
    # The old advice: both roots as --root. The ceremony then chains to two anchors.
    both = keyceremony("verify", str(forged), "--root", str(root.trusted), "--root",
                       str(audit.file), "--json")
    assert both.returncode == 1, both.stdout + both.stderr
    failures = _failures(both.stdout)
    assert "more than one anchor" in failures["certificate-chains"]["detail"]
    if not name_audit_key:
        assert "authority key identifier" in failures["ceremony-signature"]["detail"] or \
            "not signed by the key the journal names" in failures["ceremony-signature"]["detail"]
    # The split: the audit CA is whom the auditor accepts as countersigner, nothing more.
    split = keyceremony("verify", str(forged), "--root", str(root.trusted),
                        "--countersigner-root", str(audit.file), "--json")
    assert split.returncode == 1
    failures = _failures(split.stdout)
    assert "CeremonySignature" in failures["signatures-trusted"]["detail"]
    assert "does not chain to the ceremony's anchor" in failures["certificate-chains"]["detail"]
    plain = keyceremony("verify", str(forged), "--root", str(root.trusted),
                        "--countersigner-root", str(audit.file))
    assert "FAILED" in plain.stdout and "FAIL  signatures-trusted" in plain.stdout


def _countersigned(root: BuiltCeremony, audit: AuditCa, **fields: Any) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ann Auditor")])
    key, mine = audit.issue(name, 5)
    if not fields:
        return countersign(root.transcript.read_bytes(), key, [mine, audit.certificate])
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    writer = IncrementalPdfFileWriter(io.BytesIO(root.transcript.read_bytes()))
    signer = TokenPdfSigner(key, [mine, audit.certificate])
    out = PdfSigner(PdfSignatureMetadata(field_name="Countersignature1"), signer=signer,
                    new_field_spec=SigFieldSpec("Countersignature1", **fields)).sign_pdf(writer)
    return bytes(out.getvalue())


def test_a_countersigned_transcript_verifies_with_its_countersigner_root(
        root: BuiltCeremony, tmp_path: Path) -> None:
    audit = AuditCa(tmp_path)
    signed = tmp_path / "countersigned.pdf"
    signed.write_bytes(_countersigned(root, audit))
    good = keyceremony("verify", str(signed), "--root", str(root.trusted),
                       "--countersigner-root", str(audit.file), "--json")
    assert good.returncode == 0, good.stdout + good.stderr
    report = json.loads(good.stdout)["transcripts"][0]
    assert [s["role"] for s in report["signatures"]] == ["ceremony", "countersigner"]
    assert report["trusted"]["countersigners"]["roots"][0]["subject"] == "CN=Audit CA,O=Audit Firm"
    assert report["trusted"]["ceremony"]["roots"][0]["spki_sha256"] == root.anchor_spki
    # Trusting the audit CA as a ceremony root does not make it a countersigner root.
    mixed = verify_transcript(signed, TrustAnchors.load([root.trusted, audit.file]))
    assert {c.name for c in mixed.failures} == {"signatures-trusted"}
    # The sentence is true of a file whose ceremony chain passed: it says so, and names the
    # countersignature, its signer and issuer, and what it lacks (issue 13, item 14).
    assert mixed.failures[0].detail == (
        "the ceremony's signature chains to the ceremony's anchor, but Countersignature1 "
        "(signer CN=Ann Auditor, issued by CN=Audit CA,O=Audit Firm): no "
        "countersigner root is accepted, so this countersignature is not trusted (give its "
        "CA's root with --countersigner-root, or in the app under Accept countersigners "
        "under…)")
    # Nor does a countersigner root make the ceremony's own root unnecessary.
    alone = verify_transcript(signed, TrustAnchors.load(
        anchor_spkis=["ab" * 32], countersigner_roots=[audit.file]))
    untrusted = {c.name: c.detail for c in alone.failures}["signatures-trusted"]
    assert untrusted == (
        "CeremonySignature (signer CN=Ceremony Transcript Signer root-2026,O=Example Org,C=DE, "
        "issued by CN=Example Root CA,O=Example Org,C=DE): no chain of certificates leads from "
        "it to the ceremony's anchor (none of the anchors given was found) "
        "[NO_CERTIFICATE_CHAIN_FOUND]; not found in the transcript: key " + "ab" * 32)


def test_a_countersignature_drawn_on_the_page_fails(root: BuiltCeremony, tmp_path: Path) -> None:
    audit = AuditCa(tmp_path)
    drawn = tmp_path / "drawn.pdf"
    drawn.write_bytes(_countersigned(root, audit, on_page=0, box=(40, 40, 300, 120)))
    report = verify_transcript(drawn, TrustAnchors.load(
        [root.trusted], countersigner_roots=[audit.file]))
    failures = {c.name: c.detail for c in report.failures}
    assert "countersignatures" in failures, report.checks
    assert "Countersignature1 draws on the transcript" in failures["countersignatures"]


# --- bytes inside the signature ------------------------------------------------------------------


def _contents_span(data: bytes) -> tuple[int, int]:
    """Where the hex digits of the ceremony signature's /Contents are in the file."""
    start = data.index(b"/Contents <") + len(b"/Contents <")
    return start, data.index(b">", start)


def _in_padding(data: bytes) -> bytes:
    start, end = _contents_span(data)
    hex_digits = data[start:end]
    padding = len(hex_digits) - len(hex_digits.rstrip(b"0"))
    assert padding > 100
    text = b"nothing to see here".hex().upper()
    position = end - padding + 40
    return data[:position] + text.encode() + data[position + len(text):]


def _lowercase(data: bytes) -> bytes:
    start, end = _contents_span(data)
    return data[:start] + data[start:end].lower() + data[end:]


def _unsigned_attribute(data: bytes) -> bytes:
    from asn1crypto import cms

    start, end = _contents_span(data)
    contents = bytes.fromhex(data[start:end].decode())
    info = cms.ContentInfo.load(contents)
    length = len(info.dump())
    info = cms.ContentInfo.load(contents[:length])
    signer_info = info["content"]["signer_infos"][0]
    signer_info["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute(
        {"type": "signing_time", "values": [cms.Time({"utc_time": NOW})]})])
    changed = info.dump(force=True)
    assert len(changed) < len(contents)
    padded = changed + bytes(len(contents) - len(changed))
    return data[:start] + padded.hex().upper().encode() + data[end:]


def _long_form_length(data: bytes) -> bytes:
    # The encapsulated content info's length in three bytes (BER) instead of one (DER); the
    # three enclosing lengths (ContentInfo, [0], SignedData: each two bytes long) grow by one.
    start, end = _contents_span(data)
    contents = bytearray(bytes.fromhex(data[start:end].decode()))
    encapsulated = bytes.fromhex("300b06092a864886f70d010701")
    at = contents.index(encapsulated)
    assert contents[1] == contents[16] == contents[20] == 0x82
    for offset in (2, 17, 21):
        grown = int.from_bytes(contents[offset:offset + 2], "big") + 1
        contents[offset:offset + 2] = grown.to_bytes(2, "big")
    contents[at:at + 2] = b"\x30\x81\x0b"
    assert contents[-1] == 0  # the padding gives up the byte the longer length takes
    changed = bytes(contents[:-1])
    return data[:start] + changed.hex().upper().encode() + data[end:]


@pytest.mark.parametrize(("change", "expected"), [
    (_in_padding, "padding after the CMS structure"),
    (_unsigned_attribute, "unsigned attributes"),
    (_lowercase, "hex string in the form this tool writes"),
    (_long_form_length, "not in DER"),
], ids=["padding", "unsigned-attribute", "lowercase-hex", "ber-length"])
def test_bytes_changed_inside_the_signature_fail(root: BuiltCeremony, tmp_path: Path,
                                                 change: Any, expected: str) -> None:
    data = root.transcript.read_bytes()
    changed = change(data)
    assert len(changed) == len(data) and changed != data
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(changed)
    result = keyceremony("verify", str(tampered), "--root", str(root.trusted), "--json")
    assert result.returncode == 1, result.stdout
    failures = _failures(result.stdout)
    assert set(failures) == {"signature-contents"}, failures
    assert expected in failures["signature-contents"]["detail"]
    assert "CeremonySignature" in failures["signature-contents"]["detail"]
