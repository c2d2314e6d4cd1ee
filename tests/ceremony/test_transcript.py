"""The signed PDF transcript: what it says, what it carries, and what it refuses to build.

The ceremonies here are made by hand with the real parts the engine uses (a SoftHSM token,
``crypto.issuance``, ``ceremony.journal.Journal``), so transcripts can be tested without the
runner. ``build_root_ceremony`` and ``build_intermediate_ceremony`` are also used by
test_verify.py and test_transcript_interop.py. Independent oracles: poppler's pdftotext,
pdfinfo and pdfdetach.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ceremony.engine import key_name
from ceremony.environment import record_environment
from ceremony.journal import JOURNAL_NAME, Journal, head_words, verify_journal
from ceremony.preview import certificate_preview, crl_preview
from ceremony.transcript import (
    CeremonyFacts,
    TranscriptError,
    build_transcript,
    signings,
    step_rows,
)
from ceremony.transcript.sign import (
    generate_signer_key,
    prepare_signer_certificate,
    signer_label,
)
from crypto.algorithms import KeyAlgorithm
from crypto.certificates import ID_KP_DOCUMENT_SIGNING, random_serial, root_builder
from crypto.crl import crl_builder
from crypto.files import write_new_file
from crypto.issuance import (
    ROOT,
    prepare_certificate,
    prepare_crl,
    sign_certificate,
    sign_crl,
)
from crypto.keys import TokenKeyPair, generate_key_pair, spki_sha256
from crypto.profiles import CrlProfile, DistinguishedName, RootProfile
from crypto.softhsm import SoftHsmStore
from crypto.token import TokenSession, open_token
from tests.ceremony.transcript_signer import issue_transcript_signer

USER_PIN = "123456"
SO_PIN = "87654321"
PEOPLE = (("Alice Admin", "administrator"), ("Wanda Witness", "witness"),
          ("Carl Custodian", "custodian"), ("Zo\u00eb \u0141ukasz", "custodian"))
ADMIN = "Alice Admin"
SYSTEM = "keyceremony"


@dataclass(frozen=True)
class BuiltCeremony:
    """A ceremony folder with its signed transcript, and what an auditor would trust."""

    folder: Path
    plan: Path
    transcript: Path
    trusted: Path  # the root certificate (PEM); for an intermediate ceremony, none exists
    anchor_spki: str  # SPKI SHA-256 of the CA key the ceremony used
    signer: x509.Certificate
    ceremony_id: str

    @property
    def head(self) -> str:
        return verify_journal(self.folder / JOURNAL_NAME).head


class Recorder:
    """Writes journal records and artifacts the way the engine does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.journal = Journal.create(folder)

    def __call__(self, event: str, data: dict[str, Any], actor: str = SYSTEM,
                 role: str = "system") -> None:
        self.journal.append(event, actor, role, data)

    def artifact(self, relative: str, data: bytes, kind: str) -> None:
        digest = write_new_file(self.folder / relative, data)
        self("artifact-written", {"path": relative, "sha256": digest, "size": len(data),
                                  "kind": kind})

    def lint(self, what: str, report: Any, stage: str) -> None:
        self("lint-result", {"object": what, "stage": stage, "ok": not report.blocking,
                             "findings": [str(f) for f in report.findings]})

    def sign_certificate(self, what: str, prepared: Any, issuer: TokenKeyPair, relative: str,
                         person: str = ADMIN) -> x509.Certificate:
        """Lint, confirmation, signing, lint after, certificate-issued, artifact-written."""
        self.lint(what, prepared.lint, "before signing")
        preview = certificate_preview(what, prepared.preview, prepared.lint, key_name(issuer))
        self("signing-confirmed", {"object": what, "fields": dict(preview.fields),
                                   "extensions": list(preview.extensions),
                                   "lint": list(preview.lint), "signer": preview.signer_key},
             person, "administrator")
        issued = sign_certificate(prepared, issuer.signing_key())
        self.lint(what, issued.lint_after, "after signing")
        certificate = issued.certificate
        self("certificate-issued", {
            "object": what, "path": relative, "serial": f"{certificate.serial_number:x}",
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "not_before": certificate.not_valid_before_utc.isoformat(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
            "sha256": issued.sha256, "lint_kind": prepared.kind})
        self.artifact(relative, issued.pem, "certificate")
        return certificate

    def sign_crl(self, issuer_certificate: x509.Certificate, issuer: TokenKeyPair,
                 relative: str, now: dt.datetime) -> None:
        prepared = prepare_crl(crl_builder(issuer_certificate, 1, now, CrlProfile()),
                               issuer_certificate)
        self.lint("CRL", prepared.lint, "before signing")
        preview = crl_preview(prepared.preview, prepared.lint, key_name(issuer))
        self("signing-confirmed", {"object": "CRL", "fields": dict(preview.fields),
                                   "extensions": list(preview.extensions),
                                   "lint": list(preview.lint), "signer": preview.signer_key},
             ADMIN, "administrator")
        issued = sign_crl(prepared, issuer.signing_key())
        self.lint("CRL", issued.lint_after, "after signing")
        crl = issued.crl
        self("crl-issued", {"path": relative, "number": 1, "issuer": crl.issuer.rfc4514_string(),
                            "this_update": crl.last_update_utc.isoformat(),
                            "next_update": crl.next_update_utc.isoformat()
                            if crl.next_update_utc else None,
                            "revoked": [], "sha256": issued.sha256})
        self.artifact(relative, issued.pem, "crl")


def _start(record: Recorder, plan: Path, ceremony_id: str, kind: str, rehearsal: bool,
           steps: list[tuple[str, str]]) -> None:
    record("ceremony-started", {
        "id": ceremony_id, "type": kind, "title": f"Test {kind} ceremony", "rehearsal": rehearsal,
        "plan_sha256": hashlib.sha256(plan.read_bytes()).hexdigest(), "location": "Vault B",
        "participants": [{"name": n, "role": r} for n, r in PEOPLE],
        "steps": [{"id": i, "title": t} for i, t in steps]})
    record("environment-recorded", record_environment().as_dict())
    record("step-started", {"step": steps[0][0]})
    record("sign-off", {"question": "The machine is offline.", "step": steps[0][0]},
           "Wanda Witness", "witness")
    record("deviation", {"step": steps[0][0], "reason": "rehearsal: eth0 is up"})
    record("step-completed", {"step": steps[0][0]})


def _open(record: Recorder, session: TokenSession) -> None:
    record("token-login", {"token": session.label}, ADMIN, "administrator")
    record("token-info", session.info.as_dict())


def _generate(record: Recorder, session: TokenSession, label: str,
              now: dt.datetime) -> TokenKeyPair:
    pair = generate_key_pair(session, label, KeyAlgorithm.EC_P384, extractable=False)
    record("key-generated", {"token": session.label, "token_serial": session.info.serial,
                             **pair.record.as_dict(), "generated_at": now.isoformat()})
    return pair


def _write_plan(base: Path, ceremony_id: str) -> Path:
    plan = base / f"{ceremony_id}.toml"
    plan.write_text(f'format = "keyceremony-plan/1"\nid = "{ceremony_id}"\n')
    return plan


def build_root_ceremony(base: Path, store: SoftHsmStore, *, ceremony_id: str = "root-2026",
                        rehearsal: bool = True) -> BuiltCeremony:
    """A root ceremony: key, self-signed root, CRL, a share set and backup, signed transcript."""
    folder = base / ceremony_id
    folder.mkdir(parents=True)
    plan = _write_plan(base, ceremony_id)
    now = dt.datetime.now(dt.UTC)
    token = f"root-{ceremony_id}"[:32]
    store.init_token(token, USER_PIN, SO_PIN)
    record = Recorder(folder)
    _start(record, plan, ceremony_id, "root", rehearsal,
           [("environment", "Check the environment"), ("root", "Make the root"),
            ("backup", "Back up the root key"), ("transcript", "Sign the transcript")])
    with open_token(store.module, token, USER_PIN) as session:
        _open(record, session)
        record("step-started", {"step": "root"})
        pair = _generate(record, session, "root-key", now)
        profile = RootProfile(DistinguishedName("DE", "Example Org", "Example Root CA"), 3650)
        prepared = prepare_certificate(
            root_builder(profile, pair.public_key, random_serial(session.random_bytes), now),
            ROOT, pair.public_key, profile.subject.to_name())
        root = record.sign_certificate("root certificate", prepared, pair, "root-ca.pem")
        record.sign_crl(root, pair, "root-ca.crl", now)
        record("step-completed", {"step": "root"})
        record("step-started", {"step": "backup"})
        record("shares-created", {"purpose": "root key backup", "scheme": "SLIP-39 2-of-2",
                                  "set_identifier": 4321,
                                  "holders": [["Carl Custodian", "Zo\u00eb \u0141ukasz"]],
                                  "check_value": "c0ffee0123456789"})
        for number, holder in enumerate(("Carl Custodian", "Zo\u00eb \u0141ukasz"), start=1):
            record("share-handed-out", {"holder": holder, "number": number, "group": 1,
                                        "member": number}, holder, "custodian")
            record("share-verified", {"holder": holder, "number": number,
                                      "positions_checked": [3, 11, 17]}, holder, "custodian")
        record.artifact("backup/root-key.wrapped", bytes(range(256)) * 2, "wrapped-key")
        record.artifact("backup/root-key.json", b'{"key_label": "root-key"}\n',
                        "backup-metadata")
        record("key-backed-up", {"label": "root-key", "spki_sha256": pair.record.spki_sha256,
                                 "wrap_key_check_value": "c0ffee0123456789",
                                 "scheme": "SLIP-39 2-of-2",
                                 "files": ["backup/root-key.wrapped", "backup/root-key.json"]})
        record("step-completed", {"step": "backup"})
        record("step-started", {"step": "transcript"})
        signer_pair = _generate(record, session, signer_label(ceremony_id), now)
        prepared = prepare_signer_certificate(
            signer_pair.public_key, ceremony_id, pair.public_key, root, root.subject,
            random_serial(session.random_bytes), now)
        signer = record.sign_certificate("transcript signer certificate", prepared, pair,
                                         "transcript-signer.pem")
        record("step-completed", {"step": "transcript"})
        record("ceremony-completed", {"steps": 4})
        result = build_transcript(folder, plan, signer_pair.signing_key(), [signer, root])
        anchor = pair.record.spki_sha256
    record.journal.close()
    trusted = base / f"{ceremony_id}-root.pem"
    trusted.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return BuiltCeremony(folder, plan, result.path, trusted, anchor, signer, ceremony_id)


def build_intermediate_ceremony(base: Path, store: SoftHsmStore, *,
                                ceremony_id: str = "intermediate-2026") -> BuiltCeremony:
    """An intermediate-key ceremony: a key with no certificate yet, its CSR, a transcript
    signed under the bare key."""
    folder = base / ceremony_id
    folder.mkdir(parents=True)
    plan = _write_plan(base, ceremony_id)
    now = dt.datetime.now(dt.UTC)
    token = f"int-{ceremony_id}"[:32]
    store.init_token(token, USER_PIN, SO_PIN)
    record = Recorder(folder)
    _start(record, plan, ceremony_id, "intermediate-key", True,
           [("environment", "Check the environment"), ("key", "Make the key and CSR"),
            ("transcript", "Sign the transcript")])
    with open_token(store.module, token, USER_PIN) as session:
        _open(record, session)
        record("step-started", {"step": "key"})
        pair = _generate(record, session, "intermediate-key", now)
        name = DistinguishedName("DE", "Example Org", "Example Issuing CA").to_name()
        csr = (x509.CertificateSigningRequestBuilder().subject_name(name)
               .sign(pair.signing_key(), pair.algorithm.hash))
        record("csr-created", {"subject": csr.subject.rfc4514_string(),
                               "spki_sha256": pair.record.spki_sha256, "path": "issuing.csr"})
        record.artifact("issuing.csr", csr.public_bytes(serialization.Encoding.PEM), "csr")
        record("step-completed", {"step": "key"})
        record("step-started", {"step": "transcript"})
        signer_pair = generate_signer_key(session, ceremony_id)
        record("key-generated", {"token": token, "token_serial": session.info.serial,
                                 **signer_pair.record.as_dict(), "generated_at": now.isoformat()})
        prepared = prepare_signer_certificate(signer_pair.public_key, ceremony_id,
                                              pair.public_key, None, name,
                                              random_serial(session.random_bytes), now)
        signer = record.sign_certificate("transcript signer certificate", prepared, pair,
                                         "transcript-signer.pem")
        record("step-completed", {"step": "transcript"})
        record("ceremony-completed", {"steps": 3})
        result = build_transcript(folder, plan, signer_pair.signing_key(), [signer])
        anchor = pair.record.spki_sha256
    record.journal.close()
    return BuiltCeremony(folder, plan, result.path, base / "no-root.pem", anchor, signer,
                         ceremony_id)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltCeremony:
    """One root ceremony for the read-only tests of this module (its own token store)."""
    base = tmp_path_factory.mktemp("transcript")
    store = SoftHsmStore.create(base / "softhsm")
    store.activate()
    return build_root_ceremony(base, store)


def pdftotext_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return [page for page in out.split("\f") if page.strip()]


def pdfinfo_custom(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-custom", str(path)], capture_output=True, check=True,
                         text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def detach_all(path: Path, into: Path) -> dict[str, bytes]:
    """Every embedded file, extracted by poppler's pdfdetach (name -> bytes)."""
    listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True,
                             check=True, text=True).stdout.splitlines()[1:]
    files = {}
    for line in listing:
        number, _, name = line.partition(": ")
        target = into / f"attachment-{number}"
        subprocess.run(["pdfdetach", "-save", number, "-o", str(target), str(path)], check=True)
        files[name] = target.read_bytes()
    return files


# --- what the transcript says -------------------------------------------------------------


@pytest.mark.softhsm
def test_transcript_shows_every_part_of_the_ceremony(built: BuiltCeremony) -> None:
    pages = pdftotext_pages(built.transcript)
    text = " ".join(" ".join(page.split()) for page in pages)
    records = verify_journal(built.folder / JOURNAL_NAME).records
    facts = CeremonyFacts.from_records(records)
    environment = next(r for r in records if r.event == "environment-recorded").data
    token = next(r for r in records if r.event == "token-info").data
    root = x509.load_pem_x509_certificate((built.folder / "root-ca.pem").read_bytes())
    expected = [
        built.ceremony_id, "Test root ceremony", "Vault B", facts.plan_sha256,
        *(name for name, _ in PEOPLE), "custodian", "witness",
        token["serial"], token["manufacturer"], environment["program_sha256"],
        environment["host"], "Check the environment", "Back up the root key",
        "rehearsal: eth0 is up",
        "root certificate: confirmed by Alice Admin (administrator)",
        "CRL: confirmed by Alice Admin", "Lint before signing",
        "Key root-key: generated on", "Key generation date",
        next(r for r in records if r.event == "key-generated").data["spki_sha256"],
        f"{root.serial_number:x}", hashlib.sha256(root.public_bytes(
            serialization.Encoding.DER)).hexdigest(), "CRL number",
        "SLIP-39 2-of-2", "c0ffee0123456789", "backup/root-key.wrapped",
        hashlib.sha256((built.folder / "backup/root-key.wrapped").read_bytes()).hexdigest(),
        built.head,
        "-----BEGIN CERTIFICATE-----", "-----BEGIN X509 CRL-----",
    ]
    missing = [item for item in expected if item not in text]
    assert not missing
    # The words in order (the rehearsal watermark's letters may fall between them).
    words = iter(text.split())
    assert all(word in words for word in head_words(built.head).split())
    assert all("REHEARSAL" in page for page in pages)
    signature_page = next(p for p in pages if "Signatures of the participants" in p)
    assert all(name in signature_page for name, _ in PEOPLE)


@pytest.mark.softhsm
def test_transcript_states_its_journal_head(built: BuiltCeremony) -> None:
    info = pdfinfo_custom(built.transcript)
    assert info["KeyceremonyJournalHead"] == built.head
    assert info["KeyceremonyCeremonyId"] == built.ceremony_id
    assert info["KeyceremonyTranscript"] == "keyceremony-transcript/1"


@pytest.mark.softhsm
def test_attachments_are_the_journal_plan_and_every_artifact(built: BuiltCeremony,
                                                             tmp_path: Path) -> None:
    files = detach_all(built.transcript, tmp_path)
    records = verify_journal(built.folder / JOURNAL_NAME).records
    artifacts = {r.data["path"] for r in records if r.event == "artifact-written"}
    assert set(files) == {JOURNAL_NAME, built.plan.name, *artifacts}
    assert files[JOURNAL_NAME] == (built.folder / JOURNAL_NAME).read_bytes()
    assert files[built.plan.name] == built.plan.read_bytes()
    for path in artifacts:
        assert files[path] == (built.folder / path).read_bytes()


@pytest.mark.softhsm
def test_signer_key_is_in_the_token_and_never_extractable(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(softhsm.module, "t", USER_PIN) as session:
        root_pair = generate_key_pair(session, "root", KeyAlgorithm.EC_P256, extractable=True)
        now = dt.datetime.now(dt.UTC)
        profile = RootProfile(DistinguishedName("DE", "Example Org", "Root"), 3650)
        root = sign_certificate(prepare_certificate(
            root_builder(profile, root_pair.public_key, random_serial(session.random_bytes),
                         now), ROOT, root_pair.public_key, profile.subject.to_name()),
            root_pair.signing_key()).certificate
        signer = issue_transcript_signer(session, root_pair, root, "c-1", now=now)
        assert signer.pair.label == "transcript-signer-c-1"
        assert signer.pair.record.extractable is False and signer.pair.record.local is True
        key_hash = signer.pair.record.spki_sha256
    certificate = signer.certificate
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION in eku and ID_KP_DOCUMENT_SIGNING in eku
    assert signer.chain == (certificate, root)
    certificate.verify_directly_issued_by(root)
    assert spki_sha256(certificate.public_key()) == key_hash


@pytest.mark.softhsm
def test_a_real_ceremony_is_not_marked_rehearsal(softhsm: SoftHsmStore, tmp_path: Path) -> None:
    real = build_root_ceremony(tmp_path, softhsm, ceremony_id="root-real", rehearsal=False)
    assert not any("REHEARSAL" in page for page in pdftotext_pages(real.transcript))


# --- what it refuses ----------------------------------------------------------------------


def _copy(built: BuiltCeremony, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(built.folder, folder)
    (folder / "transcript.pdf").unlink()
    return folder


@pytest.mark.softhsm
def test_a_journal_that_does_not_verify_gets_no_transcript(built: BuiltCeremony,
                                                           tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    journal = folder / JOURNAL_NAME
    journal.write_bytes(journal.read_bytes().replace(b"Vault B", b"Vault C", 1))
    with pytest.raises(TranscriptError, match="does not verify"):
        build_transcript(folder, built.plan, _software_key(), [built.signer])
    assert not (folder / "transcript.pdf").exists()


@pytest.mark.softhsm
def test_an_artifact_changed_after_it_was_journaled_gets_no_transcript(
        built: BuiltCeremony, tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    (folder / "root-ca.crl").write_bytes(b"swapped")
    with pytest.raises(TranscriptError, match=r"root-ca\.crl differs"):
        build_transcript(folder, built.plan, _software_key(), [built.signer])


@pytest.mark.softhsm
def test_another_plan_gets_no_transcript(built: BuiltCeremony, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("id = 'other'\n")
    with pytest.raises(TranscriptError, match="is not the plan"):
        build_transcript(_copy(built, tmp_path), other, _software_key(), [built.signer])


@pytest.mark.softhsm
def test_a_transcript_is_never_overwritten(built: BuiltCeremony) -> None:
    with pytest.raises(TranscriptError, match="already exists"):
        build_transcript(built.folder, built.plan, _software_key(), [built.signer])


@pytest.mark.softhsm
def test_a_file_named_like_a_secret_is_never_embedded(built: BuiltCeremony,
                                                      tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    journal = Journal.open(folder)
    digest = write_new_file(folder / "demo-shares.txt", b"words")
    journal.append("artifact-written", SYSTEM, "system",
                   {"path": "demo-shares.txt", "sha256": digest, "size": 5, "kind": "text"})
    journal.close()
    with pytest.raises(TranscriptError, match="named like a secret"):
        build_transcript(folder, built.plan, _software_key(), [built.signer])


def test_the_signer_certificate_must_be_for_the_key(tmp_path: Path) -> None:
    from ceremony.transcript.pdfsigner import TokenPdfSigner

    key, certificate = _software_key(), _self_signed(_software_key())
    with pytest.raises(ValueError, match="not for the signing key"):
        TokenPdfSigner(key, [certificate])


def _software_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP384R1())


def _self_signed(key: Any) -> x509.Certificate:
    from cryptography.hazmat.primitives import hashes

    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "stranger")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA384()))


# --- the rows the pages are made of ----------------------------------------------------------


@pytest.mark.softhsm
def test_steps_are_listed_in_plan_order_with_who_acted(built: BuiltCeremony) -> None:
    records = verify_journal(built.folder / JOURNAL_NAME).records
    rows = step_rows(CeremonyFacts.from_records(records), records)
    assert [r.id for r in rows] == ["environment", "root", "backup", "transcript"]
    assert all(r.outcome == "completed" for r in rows)
    assert rows[0].actors == ("Wanda Witness",)
    assert rows[2].actors == ("Carl Custodian", "Zo\u00eb \u0141ukasz")


@pytest.mark.softhsm
def test_each_signing_is_paired_with_its_lint_and_issuance(built: BuiltCeremony) -> None:
    records = verify_journal(built.folder / JOURNAL_NAME).records
    found = signings(records)
    assert [s.confirmation.data["object"] for s in found] == [
        "root certificate", "CRL", "transcript signer certificate"]
    for signing in found:
        assert signing.lint_before is not None and signing.lint_before.data["ok"] is True
        assert signing.lint_before.seq < signing.confirmation.seq < signing.issued.seq  # type: ignore[union-attr]
        assert signing.lint_after is not None


def test_journal_data_names_the_transcript_relative_to_the_folder(tmp_path: Path) -> None:
    from ceremony.transcript import TranscriptResult

    result = TranscriptResult(tmp_path / "c" / "transcript.pdf", "ab" * 32, 10, "cd" * 32, ())
    data = result.journal_data(tmp_path / "c")
    assert data == {"path": "transcript.pdf", "sha256": "ab" * 32, "size": 10,
                    "journal_head": "cd" * 32}
    json.dumps(data)
