"""Secrets at rest: after a demo and after a terminal ceremony, no secret is in any written file.

Searched: every file the program wrote (ceremony folders, journals, transcripts with every PDF
stream inflated, plans, the inventory, copies at the top of the demo folder, the captured
output of the terminal run) and the process's temporary folder (TMPDIR pointed at a fresh,
empty folder). Looked for: the PINs, every three consecutive words of every share, the wrap
key (rebuilt from the shares) and the root CA's private key (the backup unwrapped in software
with that wrap key: its private scalar and its PKCS#8 and SEC1 encodings, also as PEM), each
raw, in hex, in base64 and in PEM. Left out: ``DEMO-SHARES.txt`` (a rehearsal's shares, on
purpose) and the token store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import shamir_mnemonic
from asn1crypto.keys import PrivateKeyInfo
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN
from crypto.backupfile import read_backup
from crypto.checkvalue import matches
from tests.ceremony import test_terminal_secrets as terminal
from tests.ceremony.secretscan import Needle, Scan, needle, scan, written_files

pytestmark = pytest.mark.softhsm
ROOT = Path(__file__).resolve().parents[2]


def _private_key(backup_json: Path, wrap_key: bytes) -> ec.EllipticCurvePrivateKey:
    """The CA key out of its backup, unwrapped in software as an emergency restore would."""
    backup = read_backup(backup_json)
    assert matches(wrap_key, backup.metadata.wrap_key_check_value)
    padded = aes_key_unwrap_with_padding(wrap_key, backup.wrapped)
    der = PrivateKeyInfo.load(padded).dump()  # SoftHSM zero-pads: keep the outer DER
    key = serialization.load_der_private_key(der, None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _needles(shares: list[list[str]], wrap_key: bytes,
             key: ec.EllipticCurvePrivateKey) -> list[Needle]:
    size = (key.curve.key_size + 7) // 8
    scalar = key.private_numbers().private_value.to_bytes(size)
    found = [needle("PIN", DEMO_PIN.encode()), needle("SO PIN", DEMO_SO_PIN.encode()),
             needle("wrap key", wrap_key), needle("private scalar", scalar)]
    for name, encoding, form in (
            ("PKCS#8", serialization.Encoding.DER, serialization.PrivateFormat.PKCS8),
            ("SEC1", serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL),
            ("PKCS#8 PEM", serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8)):
        found.append(needle(name, key.private_bytes(encoding, form,
                                                    serialization.NoEncryption()),
                            encodings=encoding is serialization.Encoding.DER))
    for number, words in enumerate(shares, 1):
        for i in range(len(words) - 2):
            found.append(needle(f"share {number} words {i + 1}-{i + 3}",
                                " ".join(words[i:i + 3]).encode(), encodings=False))
    return found


def _report(name: str, result: Scan) -> None:
    # The figures docs/assurance.md quotes; shown with -s or on failure.
    print(f"{name}: {result.files} files, {result.bytes} bytes (with {result.streams} PDF "
          f"streams inflated), {len(result.hits)} hits")


def test_a_demo_leaves_no_secret_outside_the_shares_file_and_the_token_store(
        tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    demo = tmp_path / "demo"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(temporary))
    env.pop("SOFTHSM2_CONF", None)
    done = subprocess.run([sys.executable, "-m", "gui.launcher", "demo", "--out", str(demo)],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (tmp_path / "stdout").write_bytes(done.stdout)
    (tmp_path / "stderr").write_bytes(done.stderr)

    lines = (demo / "DEMO-SHARES.txt").read_text().splitlines()[1:]
    shares = [line.split(": ", 1)[1].split() for line in lines]
    assert len(shares) == 5 and all(len(words) == 33 for words in shares)
    wrap_key = shamir_mnemonic.combine_mnemonics([" ".join(w) for w in shares[:3]])
    key = _private_key(demo / "backup" / "demo-root-key.json", wrap_key)

    files = written_files(demo, temporary, leave_out=(demo / "DEMO-SHARES.txt",
                                                      demo / "softhsm"))
    files += [tmp_path / "stdout", tmp_path / "stderr"]
    result = scan(files, _needles(shares, wrap_key, key))
    _report("demo", result)
    assert result.files >= 25 and result.streams > 0
    assert result.hits == []
    # The search finds what it looks for: the shares file itself is full of hits.
    assert scan([demo / "DEMO-SHARES.txt"], _needles(shares, wrap_key, key)).hits


def test_a_terminal_ceremony_leaves_no_secret_in_its_files_output_or_temporary_folder(
        tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    plan = terminal._plan(tmp_path)
    master, slave = os.openpty()

    def controlling_terminal() -> None:  # in the child: a new session whose terminal is the pty
        os.setsid()
        terminal.fcntl.ioctl(slave, terminal.termios.TIOCSCTTY, 0)

    stdin = terminal._sign_offs(tmp_path)
    env = dict(terminal._env(tmp_path), TMPDIR=str(temporary))
    with open(tmp_path / "stdout", "wb") as out, open(tmp_path / "stderr", "wb") as err:
        process = subprocess.Popen(terminal._command(tmp_path, plan), stdin=stdin, stdout=out,
                                   stderr=err, env=env, preexec_fn=controlling_terminal,
                                   pass_fds=(slave,))
    os.close(slave)
    os.close(stdin)
    room = terminal.Room(master, process)
    try:
        room.run()
    finally:
        os.close(master)
    assert process.wait(10) == 0, (tmp_path / "stderr").read_text()

    shares = room.shares
    assert len(shares) == 5
    wrap_key = shamir_mnemonic.combine_mnemonics([" ".join(w) for w in shares[:3]])
    key = _private_key(tmp_path / "out" / "backup" / "demo-root-key.json", wrap_key)
    files = written_files(tmp_path, leave_out=(tmp_path / "softhsm", tmp_path / "yes"))
    result = scan(files, _needles(shares, wrap_key, key))
    _report("terminal ceremony", result)
    assert result.files >= 8 and result.streams > 0
    assert result.hits == []


def test_the_search_finds_a_secret_in_every_form_it_claims_to(tmp_path: Path) -> None:
    import base64
    import zlib

    secret = bytes(range(7, 55))
    wrapped = base64.encodebytes(b"xy" + secret + b"z")  # unaligned, with line breaks
    forms = {"raw": secret, "hex": secret.hex().upper().encode(), "base64": wrapped,
             "pdf": b"%PDF-1.7\n1 0 obj<</Filter/FlateDecode>>stream\n"
                    + zlib.compress(b"q " + secret.hex().encode() + b" Q") + b"\nendstream\n"}
    for name, data in forms.items():
        (tmp_path / name).write_bytes(b"before " + data + b" after")
    result = scan(sorted(tmp_path.iterdir()), [needle("secret", secret)])
    assert {hit.split(" in ")[1].split()[0] for hit in result.hits} == {
        str(tmp_path / name) for name in forms}
    assert result.streams == 1
