"""Hostile and malformed input on the command line: each is refused with one sentence on stderr
and exit status 1 or 2, never an internal error or a traceback, and nothing is left behind.

Every test here was a defect found by throwing such input at ``keyceremony``. Inputs that
could hang the process (a FIFO, /dev/zero) run the command as a child process with a timeout.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import csr as asn1_csr
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ceremony.inventory import Inventory
from crypto.backupfile import read_backup
from crypto.errors import BackupError
from gui.launcher import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
FILES = EXAMPLES / "files"


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], status: int) -> str:
    """Run ``keyceremony argv``; assert it exits ``status`` with one sentence; return it."""
    assert main(argv) == status
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("keyceremony: ")
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


def plan_problems(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``plan check``'s refusal: problem lines, then one summary sentence; exit status 1."""
    assert main(argv) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[-1].startswith("keyceremony: ") and "problem" in lines[-1]
    assert "Traceback" not in err and "internal error" not in err
    return lines[:-1]


def example(name: str, *changes: tuple[str, str]) -> str:
    """An example plan with its files named by absolute path, and ``changes`` applied."""
    text = (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")
    text = text.replace('"files/', f'"{FILES}/')
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def as_child(argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the console command in a child process, so that a hang fails instead of blocking."""
    return subprocess.run([sys.executable, "-c", "from gui.launcher import main; "
                           "raise SystemExit(main())", *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


# --- files that are no files: a FIFO, a device ------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


# command line (with {fifo}, {root_plan}, {pdf}, {sign_plan}, {restore_plan}, {tmp}), status
_PIPE_CASES = {
    "csr": (["csr", "check", "{fifo}"], 2),
    "plan": (["plan", "check", "{fifo}"], 2),
    "plan-csr": (["plan", "check", "{sign_plan}"], 1),
    "plan-backup": (["plan", "check", "{restore_plan}"], 1),
    "answers": (["run", "{root_plan}", "--out", "{tmp}/out", "--answers", "{fifo}"], 2),
    "transcript": (["verify", "{fifo}", "--root", f"{FILES}/root.pem"], 2),
    "transcript-device": (["verify", "/dev/zero", "--root", f"{FILES}/root.pem"], 2),
    "root-device": (["verify", "{pdf}", "--root", "/dev/zero"], 2),
    "inventory": (["inventory", "--inventory", "{fifo}"], 2),
    "signer": (["countersign", "{pdf}", "--signer", "{fifo}", "--out", "{tmp}/c.pdf"], 2),
}


@pytest.mark.parametrize("case", _PIPE_CASES)
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path, fifo: Path, case: str) -> None:
    names = {
        "fifo": fifo, "tmp": tmp_path,
        "root_plan": write(tmp_path / "root.toml", example("root")),
        "pdf": write(tmp_path / "t.pdf", b"%PDF-1.7\n%%EOF\n"),
        "sign_plan": write(tmp_path / "sign.toml", example(
            "sign", (f'"{FILES}/issuing-ca.csr"', f'"{fifo}"'))),
        "restore_plan": write(tmp_path / "restore.toml", example(
            "restore", (f'"{FILES}/backup/root-key.json"', f'"{fifo}"'))),
    }
    template, status = _PIPE_CASES[case]
    done = as_child([arg.format(**names) for arg in template])
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "a pipe or a device" in done.stdout + done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "c.pdf").exists()


# --- CSRs -------------------------------------------------------------------------------------


def _csr_der(tmp_path: Path, public_key: asn1_keys.PublicKeyInfo,
             signature_algorithm: dict[str, object]) -> Path:
    subject = asn1_x509.Name.build({"country_name": "DE", "organization_name": "Example GmbH",
                                    "common_name": "Example Issuing CA"})
    info = asn1_csr.CertificationRequestInfo({"version": "v1", "subject": subject,
                                              "subject_pk_info": public_key, "attributes": []})
    request = asn1_csr.CertificationRequest({"certification_request_info": info,
                                             "signature_algorithm": signature_algorithm,
                                             "signature": b"\x01" * 64})
    return write(tmp_path / "crafted.csr", request.dump())


def _ec_spki() -> asn1_keys.PublicKeyInfo:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return asn1_keys.PublicKeyInfo.load(key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def test_a_pss_csr_without_parameters_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csr_der(tmp_path, _ec_spki(), {"algorithm": "rsassa_pss"})
    assert "rsassaPss" in refused(["csr", "check", str(path)], capsys, 1)


def test_an_rsa_key_with_a_negative_exponent_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    modulus = (1 << 2047) | 0xF1  # no small factor matters: the key cannot even be loaded
    spki = asn1_keys.PublicKeyInfo({
        "algorithm": {"algorithm": "rsa"},
        "public_key": asn1_keys.RSAPublicKey({"modulus": modulus, "public_exponent": -65537})})
    path = _csr_der(tmp_path, spki, {"algorithm": "sha256_rsa"})
    assert "public key cannot be read" in refused(["csr", "check", str(path)], capsys, 1)


# --- plans ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "x = " + "[" * 5000 + "]" * 5000,
    "[" + ".".join(["a"] * 3000) + "]",
    "x = " + "{a = " * 3000 + "1" + "}" * 3000,
])
def test_a_deeply_nested_plan_is_unusable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         body: str) -> None:
    path = write(tmp_path / "deep.toml", f'format = "keyceremony-plan/1"\n{body}\n')
    assert "levels deep" in refused(["plan", "check", str(path)], capsys, 2)


@pytest.mark.parametrize(("change", "expected"), [
    ((f'"{FILES}/issuing-ca.csr"', '"a\\u0000b.csr"'), "csr.file: must not hold a NUL"),
    ((f'"{FILES}/issuing-ca.csr"', '"~no-such-user-here/x.csr"'),
     "csr.file: \"~no-such-user-here/x.csr\" starts with the home folder of a user"),
    (("validity_days = 1826", "validity_days = 1180591620717411303424"),
     "profile.validity_days: at most"),
    (('crl_url = "http://crl.example.com/root-r1.crl"',
      'crl_url = "http://crl.exämple.com/root-r1.crl"'), "profile.crl_url: must be plain ASCII"),
    (('title = "Example', 'title = "\\u001b[2J Example'), "title: must not hold control"),
    (('name = "Omar Haddad"', 'name = "Omar\\u0007 Haddad"'),
     "participant[4].name: must not hold control"),
])
def test_sign_plan_values_that_broke_the_check_or_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path / "sign.toml", example("sign", change))
    problems = plan_problems(["plan", "check", str(path)], capsys)
    assert any(expected in problem for problem in problems), problems


def test_a_crl_plan_with_a_huge_next_update_is_a_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "crl.toml", example(
        "crl", ("next_update_days = 365", "next_update_days = 1180591620717411303424")))
    problems = plan_problems(["plan", "check", str(path)], capsys)
    assert any("crl.next_update_days: must be 1 to 365" in p for p in problems), problems


@pytest.mark.parametrize("common_name", ["Example\\u0000Root", "Example\\u001bRoot",
                                         "Example\\u202eRoot"])
def test_control_characters_in_a_subject_are_a_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], common_name: str) -> None:
    path = write(tmp_path / "root.toml", example(
        "root", ('common_name = "Example Root CA R1"', f'common_name = "{common_name}"')))
    problems = plan_problems(["plan", "check", str(path)], capsys)
    assert any(p.startswith(f"{path}: certificate.common_name: ") for p in problems), problems


def test_an_output_folder_that_cannot_be_made_is_refused_before_a_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write(tmp_path / "root.toml", example("root"))
    blocker = write(tmp_path / "a-file", "not a folder")
    out = blocker / "ceremony"
    problems = plan_problems(["plan", "check", str(plan), "--out", str(out)], capsys)
    assert any("is a file, not a folder" in p for p in problems), problems
    message = refused(["run", str(plan), "--out", str(out)], capsys, 1)
    assert "is a file, not a folder" in message
    assert blocker.read_text() == "not a folder"


def test_thousands_of_problems_are_not_all_printed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    holders = ", ".join(f'"h{n}"' for n in range(500))
    path = write(tmp_path / "root.toml", example(
        "root", ('holders = ["Carla Smit"', f'holders = [{holders}, "Carla Smit"')))
    problems = plan_problems(["plan", "check", str(path)], capsys)
    assert len(problems) == 101 and problems[-1].endswith("more problems not shown)")


# --- answers files ----------------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "expected"), [
    ('shares = "x"\n', "shares must be a table"),
    ("shares = [1, 2]\n", "shares must be a table"),
    ("[shares]\npassphrase = 5\n", "shares.passphrase must be a string"),
    ("[shares]\nsecret = 1\n", "unknown key shares.secret"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "too deeply"),
])
def test_answers_of_the_wrong_shape_are_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: str, expected: str) -> None:
    plan = write(tmp_path / "root.toml", example("root"))
    script = write(tmp_path / "answers.toml", answers)
    out = tmp_path / "out"
    message = refused(["run", str(plan), "--out", str(out), "--answers", str(script),
                       "--inventory", str(tmp_path / "inventory.sqlite3")], capsys, 2)
    assert expected in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.toml", "root.toml"]


# --- inventories ------------------------------------------------------------------------------


def test_another_programs_wal_database_is_refused_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    for command in ("inventory", "due"):
        message = refused([command, "--inventory", str(path)], capsys, 2)
        assert "another program" in message
    assert path.read_bytes() == before  # the journal mode (a header byte) is still WAL


def test_run_refuses_an_unusable_inventory_before_the_ceremony(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write(tmp_path / "root.toml", example("root"))
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.close()
    for inventory in (other, tmp_path):
        message = refused(["run", str(plan), "--out", str(tmp_path / "out"), "--inventory",
                           str(inventory)], capsys, 2)
        assert "not a keyceremony inventory" in message or "is a folder" in message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("sql", ["UPDATE share_sets SET holders = 'not json'",
                                 "UPDATE share_sets SET created = 'garbage'"])
def test_a_record_that_cannot_be_decoded_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str) -> None:
    path = tmp_path / "inventory.sqlite3"
    with Inventory.open(path) as inventory:
        inventory.record_share_set(scheme="2-of-3", holders=["A", "B", "C"],
                                   check_value="ab" * 8, purpose="test",
                                   created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()
    for command in ("inventory", "due"):
        message = refused([command, "--inventory", str(path)], capsys, 2)
        assert "holds a record this keyceremony cannot read" in message


def test_due_refuses_a_horizon_past_the_calendar(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = str(tmp_path / "inventory.sqlite3")
    with pytest.raises(SystemExit) as caught:
        main(["due", "--within", "1000000000", "--inventory", inventory])
    assert caught.value.code == 2
    assert "at most 36525 days" in capsys.readouterr().err
    message = refused(["due", "--now", "9999-12-31", "--inventory", inventory], capsys, 2)
    assert "past the year 9999" in message


# --- verify -----------------------------------------------------------------------------------


def test_a_huge_anchor_is_not_echoed_whole(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    pdf = write(tmp_path / "t.pdf", b"%PDF-1.7\n%%EOF\n")
    message = refused(["verify", str(pdf), "--anchor-spki", "a" * 100_000], capsys, 2)
    assert "not a SHA-256" in message and len(message) < 200


# --- countersign ------------------------------------------------------------------------------


def _pkcs12(tmp_path: Path, with_key: bool) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Auditor")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(1).not_valid_before(now)
                   .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(b"me", key if with_key else None, certificate,
                                                 None, serialization.NoEncryption())
    return write(tmp_path / "me.p12", data)


@pytest.fixture
def signed_looking_pdf(tmp_path: Path) -> Path:
    # Reading stops at the signer for every case below, before the PDF itself is parsed.
    return write(tmp_path / "t.pdf", b"%PDF-1.7\n%%EOF\n")


def test_countersign_without_a_passphrase_to_read_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        signed_looking_pdf: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, nothing piped in
    message = refused(["countersign", str(signed_looking_pdf), "--signer",
                       str(_pkcs12(tmp_path, True)), "--out", str(tmp_path / "c.pdf")], capsys, 2)
    assert "no terminal to ask at" in message and "--passphrase-file" in message


def test_countersign_refuses_bad_signer_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], signed_looking_pdf: Path) -> None:
    empty = write(tmp_path / "empty.txt", "")
    latin1 = write(tmp_path / "latin1.txt", b"geheim\xe9\n")
    out = str(tmp_path / "c.pdf")
    message = refused(["countersign", str(signed_looking_pdf), "--signer",
                       str(_pkcs12(tmp_path, False)), "--passphrase-file", str(empty),
                       "--out", out], capsys, 2)
    assert "holds no key" in message
    message = refused(["countersign", str(signed_looking_pdf), "--signer",
                       str(_pkcs12(tmp_path, True)), "--passphrase-file", str(latin1),
                       "--out", out], capsys, 2)
    assert "is not UTF-8 text" in message and "geheim" not in message
    assert not Path(out).exists()


def test_countersign_output_that_cannot_be_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], signed_looking_pdf: Path) -> None:
    blocker = write(tmp_path / "a-file", "keep")
    message = refused(["countersign", str(signed_looking_pdf), "--signer", "x.p12",
                       "--out", ""], capsys, 2)
    assert "--out is empty" in message
    # The PDF is not a real transcript, so write the output through the same function.
    from crypto.files import OutputNotWritableError, write_new_file

    with pytest.raises(OutputNotWritableError, match="part of its folder path is a file"):
        write_new_file(blocker / "c.pdf", b"data")
    assert blocker.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "t.pdf"]


# --- demo and backups -------------------------------------------------------------------------


def test_demo_output_under_a_file_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = write(tmp_path / "a-file", "keep")
    message = refused(["demo", "--out", str(blocker / "demo")], capsys, 2)
    assert "cannot be created" in message
    assert "--out is empty" in refused(["demo", "--out", " "], capsys, 2)
    assert blocker.read_text() == "keep"


def test_backup_metadata_nested_absurdly_is_a_backup_error(tmp_path: Path) -> None:
    path = write(tmp_path / "root-key.json", "[" * 200_000 + "]" * 200_000)
    with pytest.raises(BackupError, match="is not JSON"):
        read_backup(path)


# --- the command line itself, and journals that are no journals -------------------------------


@pytest.mark.parametrize("argv", [
    ["due", "--within", "-5"], ["due", "--within", "1e9"], ["csr"], ["nosuch"],
    ["csr", "check"],
])
def test_command_line_mistakes_are_one_sentence(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("keyceremony: ")
    assert "--help" in err and "usage:" not in err


@pytest.mark.parametrize("kind", ["folder", "fifo", "deep"])
def test_a_journal_that_is_no_journal_is_refused(tmp_path: Path, kind: str) -> None:
    from ceremony.errors import JournalError
    from ceremony.journal import Journal, verify_journal

    folder = tmp_path / "ceremony"
    folder.mkdir()
    journal = folder / "journal.jsonl"
    if kind == "folder":
        journal.mkdir()
    elif kind == "fifo":
        os.mkfifo(journal)
    else:
        journal.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    if kind == "deep":
        result = verify_journal(journal)
        assert not result.ok and "too deeply" in result.problems[0]
    else:
        with pytest.raises(JournalError, match="journal"):
            verify_journal(journal)
    with pytest.raises(JournalError):
        Journal.open(folder)


def test_a_path_length_beyond_any_real_chain_is_a_plan_problem(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = write(tmp_path / "sign.toml", example("sign", ("path_length = 0",
                                                          "path_length = 1180591620717411303424")))
    problems = plan_problems(["plan", "check", str(plan)], capsys)
    assert any('profile.path_length: must be 0 to 16, or "unlimited"' in p for p in problems)
