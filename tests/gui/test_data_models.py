"""View models over real files: the dashboard over an inventory, the artifact viewer, plan
review and the auditor's journal check (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from ceremony.inventory import Inventory
from gui.errors import UnreadableFile
from gui.viewmodels.artifact import CRL, CSR, lint_artifact, load_artifact, read_artifact
from gui.viewmodels.audit import audit, audit_journal, export_report
from gui.viewmodels.dashboard import Urgency, load_dashboard, read_dashboard
from gui.viewmodels.plan_review import plan_template, review_plan, review_plan_text
from tests.gui.helpers import (
    NOW,
    ceremony_journal,
    overdue_inventory,
    pem,
    root_certificate,
    root_crl,
)

ROOT = Path(__file__).resolve().parents[2]


# --- dashboard ---------------------------------------------------------------------------------


def test_dashboard_puts_what_is_due_first_and_marks_how_urgent(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    overdue_inventory(path)
    board = load_dashboard(path, NOW)
    kinds = [(row.kind, row.urgency) for row in board.due]
    assert kinds == [("share drill", Urgency.OVERDUE), ("certificate expiry", Urgency.OVERDUE),
                     ("crl next update", Urgency.DUE_SOON)]
    assert board.due[1].left == "5 days ago"
    assert board.summary == "2 overdue and 1 due within 90 days."
    expired, fine = board.certificates
    assert (expired.status, expired.urgency, expired.elapsed) == ("expired", Urgency.OVERDUE, 1.0)
    assert fine.urgency is Urgency.OK and 0.0 < fine.elapsed < 0.1
    assert board.share_sets[0].last_drill == "never"
    assert board.share_sets[0].urgency is Urgency.OVERDUE
    assert board.crls[0].urgency is Urgency.DUE_SOON
    ceremony = board.ceremonies[0]
    assert ceremony.outcome == "completed" and len(ceremony.head_words.split()) == 8


def test_an_empty_inventory_has_nothing_due(tmp_path: Path) -> None:
    with Inventory.open(tmp_path / "inventory.sqlite3") as inventory:
        board = read_dashboard(inventory, NOW)
    assert board.due == () and board.summary.startswith("Nothing is overdue")


def test_a_file_that_is_not_an_inventory_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "notes.sqlite3"
    bad.write_bytes(b"these are not the records you are looking for" * 10)
    with pytest.raises(Exception) as raised:
        load_dashboard(bad, NOW)
    assert "\n" not in str(raised.value) and str(bad) in str(raised.value)


# --- certificate and CRL viewer ----------------------------------------------------------------


def test_a_root_certificate_shows_its_fields_extensions_fingerprints_and_lint(
        tmp_path: Path) -> None:
    root, _ = root_certificate()
    path = tmp_path / "root.pem"
    path.write_bytes(pem(root))
    view = load_artifact(path)
    fields = dict(view.fields)
    assert fields["Subject"] == "CN=GUI Test Root CA,O=GUI Test,C=NL"
    assert fields["Serial"] == f"{root.serial_number:x}"
    assert any(e.startswith("basicConstraints (critical): CA=True") for e in view.extensions)
    sha256 = dict(view.fingerprints)["SHA-256"].replace(":", "").lower()
    assert sha256 == root.fingerprint(hashes.SHA256()).hex()
    assert view.lint_as == "ROOT_CA"
    lint = lint_artifact(view)
    assert lint.clean is True and "Lint as ROOT_CA" in lint.summary
    der = tmp_path / "root.der"
    der.write_bytes(root.public_bytes(serialization.Encoding.DER))
    assert load_artifact(der).fields == view.fields


def test_a_crl_and_a_csr_are_shown_too() -> None:
    root, key = root_certificate()
    crl = read_artifact(pem(root_crl(root, key)), "root.crl")
    assert crl.kind == CRL and dict(crl.fields)["CRL number"] == "1"
    assert lint_artifact(crl).clean is not None
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Issuing CA")]))
           .sign(key, hashes.SHA384()))
    view = read_artifact(csr.public_bytes(serialization.Encoding.PEM), "sub.csr")
    assert view.kind == CSR and dict(view.fields)["Signature valid"] == "yes"
    assert lint_artifact(view).clean is None


def test_several_pem_blocks_show_the_first_and_say_so() -> None:
    first, _ = root_certificate()
    second, _ = root_certificate()
    view = read_artifact(pem(first) + pem(second), "bundle.pem")
    assert "2 objects" in view.note and dict(view.fields)["Serial"] == f"{first.serial_number:x}"


@pytest.mark.parametrize("data", [b"", b"hello world\n", b"\x30\x82\x01\x00garbage",
                                  b"-----BEGIN CERTIFICATE-----\nnot base64!\n"
                                  b"-----END CERTIFICATE-----\n",
                                  b"-----BEGIN CERTIFICATE-----\nMIIBCgKCAQEA\n"
                                  b"-----END CERTIFICATE-----\n"])
def test_garbage_is_refused_with_one_sentence(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read_artifact(data, "dropped.pem")
    message = str(raised.value)
    assert message.startswith("dropped.pem") and "\n" not in message


def test_a_missing_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="cannot be read"):
        load_artifact(tmp_path / "nowhere.pem")


# --- plan review -------------------------------------------------------------------------------


def test_every_problem_of_a_plan_is_listed_with_its_key_path(tmp_path: Path) -> None:
    text = plan_template("root")
    text = text.replace("threshold = 3", "threshold = 9")
    text = text.replace('country = "NL"', 'country = "Netherlands"')
    review = review_plan_text(text, tmp_path / "root.toml")
    assert not review.can_start and review.plan is not None
    assert [problem.split(":")[0] for problem in review.problems] == [
        "shares.threshold", "certificate.country"]
    assert review.verdict.startswith("The plan has 2 problems")
    unknown = review_plan_text(text.replace("rehearsal = false", "rehearsal = false\n"
                                            'colour = "blue"'), tmp_path / "root.toml")
    assert unknown.plan is None and unknown.problems[0].startswith("colour: unknown key")


def test_a_sound_plan_can_start_in_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "root.toml"
    path.write_text(plan_template("root"), encoding="utf-8")
    review = review_plan(path)
    assert review.problems == (), review.problems
    assert review.can_start and review.folder == tmp_path / review.plan.id  # type: ignore[union-attr]
    assert "passes its check" in review.verdict


def test_an_unreadable_plan_is_reviewed_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b"format = \xff\xfe")
    review = review_plan(path)
    assert review.plan is None and not review.can_start
    assert "UTF-8" in review.problems[0]


# --- auditor: journals -------------------------------------------------------------------------


def test_a_sound_journal_passes_its_chain_check(tmp_path: Path) -> None:
    path = ceremony_journal(tmp_path)
    result = audit(tmp_path, None)
    assert result.ok and result.kind == "journal" and result.ceremony == "x root"
    assert [row.event for row in result.journal] == ["ceremony-started", "sign-off"]
    assert result.head is not None and result.head.hex == result.journal[-1].hash
    assert "only its hash chain" in result.note
    exported = json.loads(export_report([result]))
    assert exported["ok"] is True and exported["reports"][0]["journal"] == str(path)


def test_a_tampered_journal_fails_and_says_where(tmp_path: Path) -> None:
    path = ceremony_journal(tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"Bob"', b'"Eve"'))
    result = audit_journal(path)
    assert not result.ok
    assert result.checks[0].name == "journal-chain" and "line 2" in result.checks[0].detail
    assert "FAILED" in result.headline


def test_a_transcript_needs_something_to_trust(tmp_path: Path) -> None:
    from gui.errors import GuiError

    with pytest.raises(GuiError, match="trust"):
        audit(tmp_path / "transcript.pdf", None)
