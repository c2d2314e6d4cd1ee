"""The auditor's verify: every check passes on a real transcript, and every kind of tampering
(a flipped byte, an appended update, a journal record edited, removed or reordered by someone
who cannot sign, an artifact swapped) makes it fail with exit status 1."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ceremony.errors import UsageError
from ceremony.journal import (
    JOURNAL_NAME,
    Journal,
    canonical_json,
    record_hash,
    verify_journal,
)
from ceremony.transcript import (
    INFO_CEREMONY_ID,
    INFO_FORMAT,
    INFO_JOURNAL_HEAD,
    INFO_PLAN,
    TRANSCRIPT_FORMAT,
    Attachment,
    CeremonyFacts,
)
from ceremony.transcript.pdf import TranscriptPages, render_transcript
from ceremony.transcript.sign import sign_transcript
from ceremony.verify.audit import (
    TranscriptReport,
    TrustAnchors,
    verify_transcript,
    verify_transcripts,
)
from ceremony.verify.checks import Contents, check_program_digest, check_signing_order
from crypto.certificates import ID_KP_DOCUMENT_SIGNING
from crypto.softhsm import SoftHsmStore
from tests.ceremony.test_transcript import (
    BuiltCeremony,
    build_intermediate_ceremony,
    build_root_ceremony,
)

RUNNER = """
import argparse, importlib, sys
from ceremony.cli import run_reporting_errors
module = importlib.import_module("ceremony.commands." + sys.argv[1])
parser = argparse.ArgumentParser(prog="keyceremony " + sys.argv[1])
module.register(parser)
sys.exit(run_reporting_errors(module.run, parser.parse_args(sys.argv[2:])))
"""


def keyceremony(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command module the way ``keyceremony`` does, in a fresh process."""
    return subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True,
                          text=True, input=stdin, check=False, start_new_session=True)


@pytest.fixture(scope="module")
def ceremonies(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuiltCeremony, BuiltCeremony]:
    """A root and an intermediate-key ceremony (their own token store), built once."""
    base = tmp_path_factory.mktemp("verify")
    store = SoftHsmStore.create(base / "softhsm")
    store.activate()
    return build_root_ceremony(base, store), build_intermediate_ceremony(base, store)


@pytest.fixture(scope="module")
def root(ceremonies: tuple[BuiltCeremony, BuiltCeremony]) -> BuiltCeremony:
    return ceremonies[0]


def trusting(built: BuiltCeremony) -> TrustAnchors:
    return TrustAnchors.load([built.trusted])


def failed_checks(report: TranscriptReport) -> set[str]:
    return {check.name for check in report.failures}


pytestmark = pytest.mark.softhsm


# --- a good transcript ---------------------------------------------------------------------


def test_every_check_passes_on_a_real_transcript(root: BuiltCeremony) -> None:
    report = verify_transcript(root.transcript, trusting(root))
    assert [c.name for c in report.checks] == [
        "ceremony-signature", "signatures-intact", "signature-contents", "signatures-trusted",
        "countersignatures", "signature-coverage", "journal-chain", "journal-head", "artifacts",
        "certificate-chains", "lint", "signing-order", "program-digest"]
    assert report.ok and report.exit_status == 0, report.failures
    assert report.journal_head == root.head and report.ceremony_id == root.ceremony_id
    assert report.signatures[0].field == "CeremonySignature"
    records = verify_journal(root.folder / JOURNAL_NAME).records
    digest = next(r for r in records if r.event == "environment-recorded").data["program_sha256"]
    assert report.program_sha256 == digest
    assert digest in next(c for c in report.checks if c.name == "program-digest").detail


def test_a_root_can_be_trusted_by_its_fingerprint(root: BuiltCeremony) -> None:
    certificate = x509.load_pem_x509_certificate(root.trusted.read_bytes())
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    assert verify_transcript(root.transcript, TrustAnchors.load(
        root_fingerprints=[fingerprint])).ok


def test_an_intermediate_ceremony_is_trusted_by_its_key_on_paper(
        ceremonies: tuple[BuiltCeremony, BuiltCeremony]) -> None:
    root, intermediate = ceremonies
    report = verify_transcript(intermediate.transcript,
                               TrustAnchors.load(anchor_spkis=[intermediate.anchor_spki]))
    assert report.ok, report.failures
    other = verify_transcript(intermediate.transcript, trusting(root))
    assert {"signatures-trusted", "certificate-chains"} <= failed_checks(other)
    assert other.exit_status == 1


def test_another_root_is_not_trusted(ceremonies: tuple[BuiltCeremony, BuiltCeremony]) -> None:
    root, intermediate = ceremonies
    report = verify_transcript(root.transcript,
                               TrustAnchors.load(anchor_spkis=[intermediate.anchor_spki]))
    assert {"signatures-trusted", "certificate-chains", "lint"} & failed_checks(report)
    assert report.exit_status == 1


def test_the_program_digest_can_be_required(root: BuiltCeremony) -> None:
    report = verify_transcript(root.transcript, trusting(root), program_sha256="00" * 32)
    assert failed_checks(report) == {"program-digest"}


# --- tampering ---------------------------------------------------------------------------


def flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


def _object_offset(data: bytes, name: str) -> int:
    """Where the stream of the embedded file ``name`` starts in ``data``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = next(names[i + 1].get_object() for i in range(0, len(names), 2) if names[i] == name)
    number = spec["/EF"].raw_get("/F").idnum
    start = re.search(rb"\n%d 0 obj" % number, data)
    assert start is not None
    return data.index(b"stream", start.end()) + len(b"stream\n")


@pytest.mark.parametrize("where", ["header", "pages", "journal", "signature", "trailer"])
def test_any_flipped_byte_fails(root: BuiltCeremony, tmp_path: Path, where: str) -> None:
    data = root.transcript.read_bytes()
    position = {
        "header": 9,
        "pages": len(data) // 4,
        "journal": _object_offset(data, JOURNAL_NAME) + 20,
        "signature": data.index(b"/Contents <") + 200,
        "trailer": len(data) - 30,
    }[where]
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(flip(data, position))
    report = verify_transcript(tampered, trusting(root))
    if where == "trailer":  # the file no longer parses: it is refused in one sentence
        assert report.exit_status == 2 and "cannot be parsed" in report.checks[0].detail
    else:
        assert report.exit_status == 1, report


def _append(data: bytes, change: Callable[[Any], None]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retitle(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("Nothing happened here")
    writer.update_container(info)


def _annotate(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n)
                                                          for n in (10, 10, 40, 40)]),
        generic.NameObject("/Contents"): generic.TextStringObject("the key was copied"),
    }))
    page["/Annots"] = generic.ArrayObject([note])
    writer.update_container(page)


def _swap_crl(writer: Any) -> None:
    from pyhanko.pdf_utils import embed

    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = next(names[i + 1].get_object() for i in range(0, len(names), 2)
                if names[i] == "root-ca.crl")
    stream = embed.EmbeddedFileObject.from_file_data(writer, data=b"another CRL")
    spec["/EF"]["/F"] = stream.ef_stream_ref
    writer.update_container(spec["/EF"])


@pytest.mark.parametrize("change", [_retitle, _annotate, _swap_crl])
def test_an_appended_update_fails(root: BuiltCeremony, tmp_path: Path,
                                  change: Callable[[Any], None]) -> None:
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(_append(root.transcript.read_bytes(), change))
    report = verify_transcript(tampered, trusting(root))
    assert "signature-coverage" in failed_checks(report)
    assert report.exit_status == 1


# --- rewritten by someone who cannot sign ------------------------------------------------------


def _lines(built: BuiltCeremony) -> list[bytes]:
    return (built.folder / JOURNAL_NAME).read_bytes().splitlines(keepends=True)


def _rechain(lines: list[bytes]) -> list[bytes]:
    """What an attacker does to make edited lines verify again: renumber and rehash."""
    out, prev = [], "0" * 64
    for seq, line in enumerate(lines, start=1):
        record = json.loads(line)
        record.pop("hash")
        record.update(seq=seq, prev=prev)
        record["hash"] = prev = record_hash(record)
        out.append(canonical_json(record) + b"\n")
    return out


def _edit(lines: list[bytes]) -> list[bytes]:
    return [lines[0].replace(b"Vault B", b"Vault C"), *lines[1:]]


def _remove(lines: list[bytes]) -> list[bytes]:
    return [*lines[:9], *lines[10:]]


def _reorder(lines: list[bytes]) -> list[bytes]:
    return [*lines[:5], lines[6], lines[5], *lines[7:]]


def stranger(common_name: str) -> tuple[Any, list[x509.Certificate]]:
    """A key and a certificate chain that look like a ceremony's but come from elsewhere."""
    now = dt.datetime.now(dt.UTC)
    root_key, key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(
        ec.SECP384R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org"),
                           x509.NameAttribute(NameOID.COMMON_NAME, "Example Root CA")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(7)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(root_key, hashes.SHA384()))
    signer = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
              .issuer_name(root_name).public_key(key.public_key()).serial_number(8)
              .not_valid_before(now - dt.timedelta(days=1))
              .not_valid_after(now + dt.timedelta(days=30))
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                           False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ID_KP_DOCUMENT_SIGNING]), critical=False)
              .sign(root_key, hashes.SHA384()))
    return key, [signer, root]


def forge(built: BuiltCeremony, journal: bytes, *, signed: bool, rerender: bool = False,
          swap: dict[str, bytes] | None = None,
          signer: tuple[Any, list[x509.Certificate]] | None = None) -> bytes:
    """A transcript rebuilt around ``journal``: unsigned, or signed by a stranger (or by
    ``signer``, a key and its chain)."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    original = built.transcript.read_bytes()
    files = {**_embedded(original), JOURNAL_NAME: journal, **(swap or {})}
    attachments = [Attachment(n, d, "file", n) for n, d in files.items()]
    checked = verify_journal(journal)
    head, records = checked.head, checked.records
    facts = CeremonyFacts.from_records(records if checked.ok else _original_records(built))
    pages = (render_transcript(TranscriptPages(facts, records, tuple(attachments), (), head))
             if rerender else original[:original.index(b"%%EOF") + 6])
    info = {INFO_FORMAT: TRANSCRIPT_FORMAT, INFO_CEREMONY_ID: facts.id,
            INFO_JOURNAL_HEAD: head, INFO_PLAN: built.plan.name}
    if signed:
        key, chain = signer or stranger(f"Ceremony Transcript Signer {built.ceremony_id}")
        return sign_transcript(pages, attachments, info, key, chain, facts)
    writer = IncrementalPdfFileWriter(io.BytesIO(pages))
    document_info = writer.trailer["/Info"]
    for name, value in info.items():
        document_info[generic.NameObject(name)] = generic.TextStringObject(value)
    writer.update_container(document_info)
    for attachment in sorted(attachments, key=lambda a: a.name):
        embed.embed_file(writer, embed.FileSpec(
            attachment.name, attachment.name,
            embed.EmbeddedFileObject.from_file_data(writer, attachment.data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _original_records(built: BuiltCeremony) -> Any:
    return verify_journal(built.folder / JOURNAL_NAME).records


def _embedded(data: bytes) -> dict[str, bytes]:
    from ceremony.verify.audit import read_contents

    return dict(read_contents(data, ()).attachments)


@pytest.mark.parametrize("mutate", [_edit, _remove, _reorder])
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "stranger-signed"])
def test_a_journal_edited_removed_or_reordered_fails(root: BuiltCeremony, tmp_path: Path,
                                                     mutate: Callable[[list[bytes]], list[bytes]],
                                                     signed: bool) -> None:
    lines = _lines(root)
    journal = b"".join(mutate(lines))
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(forge(root, journal, signed=signed))
    report = verify_transcript(tampered, trusting(root))
    assert report.exit_status == 1
    assert "journal-chain" in failed_checks(report)
    assert ("signatures-trusted" if signed else "ceremony-signature") in failed_checks(report)


@pytest.mark.parametrize("mutate", [_edit, _remove, _reorder])
def test_a_consistent_forgery_is_caught_by_its_signer(root: BuiltCeremony, tmp_path: Path,
                                                      mutate: Callable[[list[bytes]],
                                                                       list[bytes]]) -> None:
    journal = b"".join(_rechain(mutate(_lines(root))))
    assert verify_journal(journal).ok
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(forge(root, journal, signed=True, rerender=True))
    report = verify_transcript(tampered, trusting(root))
    assert report.exit_status == 1
    assert {"signatures-trusted", "ceremony-signature"} <= failed_checks(report)


def test_an_artifact_swapped_fails(root: BuiltCeremony, tmp_path: Path) -> None:
    journal = (root.folder / JOURNAL_NAME).read_bytes()
    crl = (root.folder / "root-ca.crl").read_bytes()
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(forge(root, journal, signed=True,
                               swap={"root-ca.crl": crl.replace(b"A", b"B", 1)}))
    report = verify_transcript(tampered, trusting(root))
    assert {"artifacts", "signatures-trusted"} <= failed_checks(report)


def test_the_head_stated_must_be_the_head_printed(root: BuiltCeremony, tmp_path: Path) -> None:
    journal = b"".join(_rechain(_remove(_lines(root))))
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(forge(root, journal, signed=False))  # the old pages, the new head
    assert "journal-head" in failed_checks(verify_transcript(tampered, trusting(root)))


# --- signing order, from journals alone --------------------------------------------------------


def _contents(tmp_path: Path, events: list[tuple[str, dict[str, Any], str]]) -> Contents:
    folder = tmp_path / "j"
    folder.mkdir()
    with Journal.create(folder) as journal:
        journal.append("ceremony-started", "keyceremony", "system", {
            "id": "c", "type": "root", "plan_sha256": "ab" * 32,
            "participants": [{"name": "Alice Admin", "role": "administrator"}]})
        for event, data, actor in events:
            journal.append(event, actor, "administrator" if actor != "keyceremony" else "system",
                           data)
    checked = verify_journal(folder / JOURNAL_NAME)
    return Contents({}, {}, b"", checked, CeremonyFacts.from_records(checked.records))


LINT_OK = ("lint-result", {"object": "root certificate", "stage": "before signing", "ok": True,
                           "findings": []}, "keyceremony")
CONFIRM = ("signing-confirmed", {"object": "root certificate",
                                 "fields": {"Serial": "4a", "Subject": "CN=Root"}}, "Alice Admin")
ISSUED = ("certificate-issued", {"object": "root certificate", "serial": "4a",
                                 "subject": "CN=Root", "sha256": "cd" * 32}, "keyceremony")


@pytest.mark.parametrize(("events", "why"), [
    ([LINT_OK, CONFIRM, ISSUED], None),
    ([CONFIRM, ISSUED], "without a lint before signing"),
    ([(LINT_OK[0], {**LINT_OK[1], "ok": False}, LINT_OK[2]), CONFIRM, ISSUED], "was not clean"),
    ([LINT_OK, ISSUED], "without a confirmation"),
    ([LINT_OK, (CONFIRM[0], CONFIRM[1], "Mallory"), ISSUED], "not a participant"),
    ([LINT_OK, CONFIRM, (ISSUED[0], {**ISSUED[1], "serial": "4b"}, ISSUED[2])],
     "serial confirmed differs"),
    ([LINT_OK, CONFIRM, ISSUED, ISSUED], "without a confirmation of its own"),
], ids=["ok", "no-lint", "lint-not-clean", "no-confirmation", "stranger", "other-serial",
        "signed-twice"])
def test_every_signing_needs_a_clean_lint_and_a_named_confirmation(
        tmp_path: Path, events: list[tuple[str, dict[str, Any], str]], why: str | None) -> None:
    result = check_signing_order(_contents(tmp_path, events))
    assert result.ok is (why is None)
    if why is not None:
        assert why in result.detail


def test_a_journal_without_environment_shows_no_digest(tmp_path: Path) -> None:
    result = check_program_digest(_contents(tmp_path, []), None)
    assert not result.ok and "no environment" in result.detail


# --- inputs, batches and the command line ------------------------------------------------------


def test_unusable_input_is_status_2(tmp_path: Path, root: BuiltCeremony) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a pdf at all\n")
    reports = verify_transcripts([tmp_path / "missing.pdf", text], trusting(root))
    assert [r.exit_status for r in reports] == [2, 2]
    assert "cannot be read" in reports[0].checks[0].detail
    assert "not a PDF" in reports[1].checks[0].detail


def test_trust_must_be_given_and_well_formed(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="say what the ceremony must chain to"):
        TrustAnchors.load()
    with pytest.raises(UsageError, match="not a SHA-256"):
        TrustAnchors.load(anchor_spkis=["abc"])
    with pytest.raises(UsageError, match="cannot be read"):
        TrustAnchors.load([tmp_path / "none.pem"])


def test_command_line_verifies_a_good_transcript(root: BuiltCeremony) -> None:
    good = keyceremony("verify", str(root.transcript), "--root", str(root.trusted))
    assert good.returncode == 0, good.stderr
    assert "VERIFIED" in good.stdout and root.head in good.stdout
    assert good.stderr == ""


def test_command_line_reports_each_transcript_and_exits_with_the_worst(
        root: BuiltCeremony, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(flip(root.transcript.read_bytes(), 400))
    both = keyceremony("verify", str(root.transcript), str(bad), "--root", str(root.trusted),
                       "--json")
    assert both.returncode == 1, both.stderr
    report = json.loads(both.stdout)
    assert [t["ok"] for t in report["transcripts"]] == [True, False]
    assert report["transcripts"][1]["checks"][1]["name"] == "signatures-intact"


def test_command_line_exits_2_on_unusable_input(root: BuiltCeremony, tmp_path: Path) -> None:
    missing = keyceremony("verify", str(tmp_path / "gone.pdf"), "--root", str(root.trusted))
    assert missing.returncode == 2 and "UNUSABLE" in missing.stdout
    untrusting = keyceremony("verify", str(root.transcript))
    assert untrusting.returncode == 2 and "say what the ceremony must chain to" in untrusting.stderr


def test_a_batch_is_checked_in_one_process(root: BuiltCeremony, tmp_path: Path) -> None:
    copies = []
    for i in range(3):
        copy = tmp_path / f"copy-{i}.pdf"
        copy.write_bytes(root.transcript.read_bytes())
        copies.append(copy)
    reports = verify_transcripts(copies, trusting(root))
    assert all(r.ok for r in reports)
    assert len({hashlib.sha256(r.source.encode()).hexdigest() for r in reports}) == 3


def test_reports_serialise_to_json(root: BuiltCeremony) -> None:
    report = verify_transcript(root.transcript, trusting(root)).as_dict()
    again = json.loads(json.dumps(report))
    assert again["ok"] is True and len(again["checks"]) == 13


def test_a_root_can_be_trusted_by_its_key(root: BuiltCeremony) -> None:
    report = verify_transcript(root.transcript, TrustAnchors.load(anchor_spkis=[root.anchor_spki]))
    assert report.ok, report.failures


def test_viewers_read_the_signed_revision(root: BuiltCeremony, tmp_path: Path) -> None:
    from ceremony.verify.audit import signed_contents

    appended = tmp_path / "t.pdf"
    appended.write_bytes(_append(root.transcript.read_bytes(), _swap_crl))
    contents = signed_contents(appended)
    assert contents.attachments["root-ca.crl"] == (root.folder / "root-ca.crl").read_bytes()
    assert contents.journal is not None and contents.journal.head == root.head
