"""The command line: exit statuses, one-sentence refusals, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from gui.launcher import main


def _csr(tmp_path: Path, key: object, name: str = "sub.csr", der: bool = False) -> Path:
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example GmbH"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Example Issuing CA")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(
        key, hashes.SHA256())  # type: ignore[arg-type]
    path = tmp_path / name
    path.write_bytes(csr.public_bytes(serialization.Encoding.DER if der
                                      else serialization.Encoding.PEM))
    return path


def test_csr_check_accepts_a_good_csr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csr(tmp_path, ec.generate_private_key(ec.SECP256R1()), der=True)
    assert main(["csr", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "would be signed" in out and "EC P-256" in out and "SPKI SHA-256" in out


def test_csr_check_refuses_a_weak_key_with_status_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csr(tmp_path, rsa.generate_private_key(public_exponent=65537, key_size=1024))
    assert main(["csr", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"not a csr", b"-----BEGIN CERTIFICATE REQUEST-----\n"])
def test_csr_check_unreadable_input_is_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    path = tmp_path / "bad.csr"
    path.write_bytes(content)
    assert main(["csr", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("keyceremony: ")


def test_missing_file_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["csr", "check", "/nonexistent/x.csr"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_demo_refuses_a_folder_that_is_not_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("precious")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_the_console_command_runs_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "gui.launcher", "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("demo", "csr", "plan", "run", "inventory", "due", "gui"):
        assert command in done.stdout


def test_a_reader_that_goes_early_ends_the_command_quietly(tmp_path: Path) -> None:
    # `keyceremony verify ... | head -n 1`: more lines than a pipe holds, a reader that takes
    # one and leaves. The command ends with SIGPIPE's conventional status and says nothing.
    not_pdf = tmp_path / "t.pdf"
    not_pdf.write_text("not a PDF\n")
    files = " ".join([str(not_pdf)] * 1500)
    trust = "--root-fingerprint " + "0" * 64
    done = subprocess.run(
        f"{sys.executable} -m gui.launcher verify {files} {trust} 2>{tmp_path / 'err'} "
        "| head -n 1; echo \"status ${PIPESTATUS[0]}\"",
        shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120,
        check=False)
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{not_pdf}: UNUSABLE")
    assert lines[-1] == "status 141"
    assert (tmp_path / "err").read_text() == ""


def test_a_reader_gone_before_the_first_line_ends_the_command_quietly(tmp_path: Path) -> None:
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read
    try:
        done = subprocess.run([sys.executable, "-m", "gui.launcher", "due", "--inventory",
                               str(tmp_path / "inventory.sqlite3")], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")
def _csr_with(tmp_path: Path, organization: str) -> Path:
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Acme TLS CA")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(
        ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    path = tmp_path / "sub.csr"
    path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x1b", "\u200b", "\u2028"])
def test_csr_check_refuses_invisible_characters_in_one_sentence(tmp_path: Path,
                                                                 char: str) -> None:
    path = _csr_with(tmp_path, f"Acme{char}Evil Org")
    done = subprocess.run([sys.executable, "-c", "import sys; from gui.launcher import main; "
                           "sys.exit(main(sys.argv[1:]))", "csr", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"organizationName holds U+{ord(char):04X}" in lines[0]
    assert char not in done.stderr


def test_csr_check_shows_markup_characters_literally(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csr_with(tmp_path, "AT&T <Ops>")
    assert main(["csr", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "organizationName:        AT&T <Ops>\n" in out
