"""Every ceremony type end to end against SoftHSM, checked with independent tools."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shamir_mnemonic
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

from ceremony.demo.rehearsal import CUSTODIANS, DEMO_PIN, DEMO_SO_PIN, DemoResult, run_demo
from ceremony.errors import CeremonyError
from ceremony.inventory import Inventory
from ceremony.journal import PaperHead, final_head, verify_journal
from crypto.keys import spki_sha256
from crypto.softhsm import SoftHsmStore
from tests.ceremony.helpers import (
    crl_plan,
    header,
    prompter,
    run,
    share_table,
    shares_from,
    write_plan,
)

pytestmark = pytest.mark.softhsm
BIN = Path(sys.executable).parent


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoResult]:
    result = run_demo(tmp_path / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


def notebooks(result: DemoResult) -> dict[str, tuple[str, ...]]:
    lines = (result.folder / "DEMO-SHARES.txt").read_text().splitlines()
    pairs = (line.split(": ", 1) for line in lines if not line.startswith("#"))
    return {name: tuple(words.split()) for name, words in pairs}


def backup_check_value(result: DemoResult) -> str:
    import json

    data = json.loads((result.folder / "backup" / "demo-root-key.json").read_text())
    return str(data["wrap_key_check_value"])


def der_length(der: bytes) -> int:
    """Length of the outer DER element (the PKCS#8 SoftHSM zero-pads before wrapping)."""
    if der[1] < 0x80:
        return 2 + der[1]
    count = der[1] & 0x7F
    return 2 + count + int.from_bytes(der[2:2 + count], "big")


def openssl_verify(folder: Path, leaf: Path, crl: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "verify", "-crl_check", "-CAfile",
                           str(folder / "root-ca.pem"), "-CRLfile", str(crl), str(leaf)],
                          capture_output=True, text=True)


def test_demo_chain_verifies_and_lints_clean(demo: DemoResult) -> None:
    folder = demo.folder
    for name in ("root-ca.pem", "root-ca.crl", "intermediate-ca.csr", "intermediate-ca.pem",
                 "backup/demo-root-key.wrapped", "backup/demo-root-key.json",
                 "DEMO-SHARES.txt"):
        assert (folder / name).is_file(), name
    result = openssl_verify(folder, folder / "intermediate-ca.pem", folder / "root-ca.crl")
    assert result.returncode == 0, result.stderr
    lint = [
        [BIN / "lint_cabf_serverauth_cert", "lint", "-t", "ROOT-CA", "-s", "WARNING",
         str(folder / "root-ca.pem")],
        [BIN / "lint_cabf_serverauth_cert", "lint", "-d", "-s", "WARNING",
         str(folder / "intermediate-ca.pem")],
        [BIN / "lint_crl", "lint", "-t", "ARL", "-p", "BR", "-s", "WARNING",
         str(folder / "root-ca.crl")],
    ]
    for command in lint:
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_demo_transcripts_verify(demo: DemoResult) -> None:
    from gui.launcher import main

    root, intermediate, signed = demo.ceremonies
    anchor = next(r for r in verify_journal(intermediate / "journal.jsonl").records
                  if r.event == "key-generated").data["spki_sha256"]
    assert main(["verify", str(root / "transcript.pdf"), str(signed / "transcript.pdf"),
                 "--root", str(demo.folder / "root-ca.pem")]) == 0
    assert main(["verify", str(intermediate / "transcript.pdf"),
                 "--anchor-spki", str(anchor)]) == 0
    # Trusting another key fails the intermediate's transcript.
    assert main(["verify", str(intermediate / "transcript.pdf"), "--anchor-spki",
                 "00" * 32]) == 1


def test_demo_shares_rebuild_the_wrap_key_that_unwraps_the_backup(demo: DemoResult) -> None:
    books = notebooks(demo)
    assert sorted(books) == sorted(CUSTODIANS)
    # Any three shares, through the SLIP-39 reference implementation, give the wrap key...
    secret = shamir_mnemonic.combine_mnemonics(shares_from(books, "Erin", "Carol", "Grace"))
    wrapped = (demo.folder / "backup" / "demo-root-key.wrapped").read_bytes()
    # ...and any RFC 5649 implementation unwraps the backup with it (SoftHSM pads the PKCS#8).
    pkcs8 = aes_key_unwrap_with_padding(secret, wrapped)
    length = der_length(pkcs8)
    private = serialization.load_der_private_key(pkcs8[:length], None)
    root = x509.load_pem_x509_certificate((demo.folder / "root-ca.pem").read_bytes())
    assert spki_sha256(private.public_key()) == spki_sha256(root.public_key())


def test_demo_journals_verify_and_hold_no_share(demo: DemoResult) -> None:
    # Three consecutive words of a share never appear (single words do, in plain English).
    runs = {" ".join(book[i:i + 3]) for book in notebooks(demo).values()
            for i in range(len(book) - 2)}
    for folder in demo.ceremonies:
        journal = folder / "journal.jsonl"
        result = verify_journal(journal)
        assert result.ok, result.problems
        # The transcript covers up to ceremony-completed; the room writes that head, and
        # the journal's last record says who wrote it.
        completed, written, recorded = result.records[-3:]
        assert [r.event for r in (completed, written, recorded)] == [
            "ceremony-completed", "transcript-written", "head-recorded"]
        assert recorded.data["head"] == written.data["journal_head"] == completed.hash
        assert recorded.data["record"] == completed.seq and recorded.data["final"] is True
        assert final_head(result.records) == PaperHead(completed.seq, completed.hash)
        text = journal.read_text()
        assert DEMO_PIN not in text
        assert not [run for run in runs if run in text]


def test_every_demo_output_is_its_owners_alone(demo: DemoResult) -> None:
    # Shares, backups, journals, transcripts, the inventory and the token store: 0600 / 0700.
    import stat

    seen = {"files": 0, "folders": 0}
    for path in [demo.folder, *demo.folder.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            seen["folders"] += 1
            assert mode == 0o700, (path, oct(mode))
        else:
            seen["files"] += 1
            assert mode == 0o600, (path, oct(mode))
    assert seen["files"] > 20 and seen["folders"] > 5
    assert stat.S_IMODE((demo.folder / "DEMO-SHARES.txt").stat().st_mode) == 0o600


def test_crl_ceremony_revokes_the_intermediate(demo: DemoResult, tmp_path: Path) -> None:
    root = demo.ceremonies[0]
    intermediate = demo.folder / "intermediate-ca.pem"
    serial = f"{x509.load_pem_x509_certificate(intermediate.read_bytes()).serial_number:x}"
    plan = write_plan(tmp_path, "crl", crl_plan(root, ((serial, "keyCompromise", intermediate),),
                                                previous=root / "root-ca.crl"))
    context = run(plan, tmp_path / "crl-out", prompter(), demo.folder / "inventory.sqlite3")
    new_crl = context.folder / "root-ca.crl"
    crl = x509.load_pem_x509_crl(new_crl.read_bytes())
    revoked = crl.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert revoked is not None
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > 1
    result = openssl_verify(demo.folder, intermediate, new_crl)
    assert result.returncode != 0 and "revoked" in (result.stdout + result.stderr)
    done = subprocess.run([str(BIN / "lint_crl"), "lint", "-t", "ARL", "-p", "BR", "-s",
                           "WARNING", str(new_crl)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    with Inventory.open(demo.folder / "inventory.sqlite3") as inventory:
        status = {int(c.serial_hex, 16): c.status.value for c in inventory.certificates()}
    assert status[int(serial, 16)] == "revoked"


def test_a_crl_ceremony_reads_its_files_in_der_as_plan_check_does(demo: DemoResult,
                                                                  tmp_path: Path) -> None:
    """Plan check accepts PEM or DER; the run once read the issuer and revoked certificates
    as PEM only and refused the DER files plan check had passed."""
    from cryptography.hazmat.primitives.serialization import Encoding

    root = demo.ceremonies[0]
    der = tmp_path / "der"
    der.mkdir()
    issuer = x509.load_pem_x509_certificate((root / "root-ca.pem").read_bytes())
    (der / "root-ca.der").write_bytes(issuer.public_bytes(Encoding.DER))
    revoked = x509.load_pem_x509_certificate((demo.folder / "intermediate-ca.pem").read_bytes())
    (der / "intermediate-ca.der").write_bytes(revoked.public_bytes(Encoding.DER))
    previous = x509.load_pem_x509_crl((root / "root-ca.crl").read_bytes())
    (der / "root-ca.crl.der").write_bytes(previous.public_bytes(Encoding.DER))
    text = crl_plan(root, ((f"{revoked.serial_number:x}", "superseded",
                            der / "intermediate-ca.der"),), previous=der / "root-ca.crl.der")
    plan = write_plan(tmp_path, "crl", text.replace(str(root / "root-ca.pem"),
                                                    str(der / "root-ca.der")))
    context = run(plan, tmp_path / "crl-out", prompter(), demo.folder / "inventory.sqlite3")
    crl = x509.load_pem_x509_crl((context.folder / "root-ca.crl").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(revoked.serial_number) is not None


def restore_plan(demo: DemoResult, check_value: str, backup_json: Path) -> str:
    return (header("restore", "test-restore")
            + '\n[new_token]\nlabel = "spare"\n'
            + '\n[key]\nlabel = "demo-root-key"\nalgorithm = "ec-p384"\n'
            + share_table("shares", check_value)
            + f'\n[backup]\nfile = "{backup_json}"\n')


def test_restore_into_a_fresh_token_then_sign(demo: DemoResult, tmp_path: Path) -> None:
    store = SoftHsmStore(demo.folder / "softhsm")
    store.init_token("spare", DEMO_PIN, DEMO_SO_PIN)
    books = notebooks(demo)
    plan = write_plan(tmp_path, "restore", restore_plan(
        demo, backup_check_value(demo), demo.folder / "backup" / "demo-root-key.json"))
    answers = prompter(shares_to_enter=shares_from(books, "Frank", "Dave", "Carol"))
    context = run(plan, tmp_path / "restore-out", answers, demo.folder / "inventory.sqlite3")
    events = [r.event for r in context.journal.records]
    assert "key-restored" in events and "key-proven" in events
    restored = next(r for r in context.journal.records if r.event == "key-restored")
    assert restored.data["local"] is False
    # The restored key signs a certificate that verifies against the original root's key.
    from crypto.keys import find_key_pair
    from crypto.token import default_module, open_token
    from tests.crypto.test_keys import _self_signed

    root = x509.load_pem_x509_certificate((demo.folder / "root-ca.pem").read_bytes())
    with open_token(default_module(), "spare", DEMO_PIN) as token:
        pair = find_key_pair(token, "demo-root-key")
        cert = _self_signed(pair.signing_key(), root.public_key(), pair.algorithm)
    cert.verify_directly_issued_by(cert)
    assert spki_sha256(cert.public_key()) == spki_sha256(root.public_key())


def test_reshare_makes_old_shares_useless(demo: DemoResult, tmp_path: Path) -> None:
    store = SoftHsmStore(demo.folder / "softhsm")
    store.init_token("spare", DEMO_PIN, DEMO_SO_PIN)
    books = notebooks(demo)
    old_check = backup_check_value(demo)
    new_holders = ("Carol", "Dave", "Erin")
    plan = write_plan(tmp_path, "reshare", (
        header("reshare", "test-reshare")
        + '\n[token]\nlabel = "demo-root"\n'
        + share_table("shares", old_check)
        + share_table("new_shares", None, new_holders, 2)
        + f'\n[backup]\nfile = "{demo.folder / "backup" / "demo-root-key.json"}"\n'))
    answers = prompter(shares_to_enter=shares_from(books, "Grace", "Erin", "Dave"))
    context = run(plan, tmp_path / "reshare-out", answers, demo.folder / "inventory.sqlite3")
    new_backup = context.folder / "backup" / "demo-root-key.json"
    import json

    new_check = json.loads(new_backup.read_text())["wrap_key_check_value"]
    assert new_check != old_check
    # The old shares rebuild the old wrap key, which no longer opens the new backup.
    restore = write_plan(tmp_path, "restore-old", restore_plan(demo, new_check, new_backup))
    old = prompter(shares_to_enter=shares_from(books, "Carol", "Dave", "Erin"))
    with pytest.raises(CeremonyError, match="check value"):
        run(restore, tmp_path / "restore-old-out", old, demo.folder / "inventory.sqlite3")
    # The new shares, handed out in the reshare, do.
    restore2 = write_plan(tmp_path, "restore-new", restore_plan(demo, new_check, new_backup)
                          .replace('"test-restore"', '"test-restore-2"')
                          .replace('threshold = 3', 'threshold = 2')
                          .replace('holders = ["Carol", "Dave", "Erin", "Frank", "Grace"]',
                                   'holders = ["Carol", "Dave", "Erin"]'))
    new = prompter(shares_to_enter=shares_from(answers.notebooks, "Erin", "Carol"))
    done = run(restore2, tmp_path / "restore-new-out", new, demo.folder / "inventory.sqlite3")
    assert any(r.event == "key-proven" for r in done.journal.records)
    with Inventory.open(demo.folder / "inventory.sqlite3") as inventory:
        sets = {s.check_value: s for s in inventory.share_sets()}
    assert sets[old_check].retired is not None


def test_drill_changes_nothing_but_the_drill_record(demo: DemoResult, tmp_path: Path) -> None:
    books = notebooks(demo)
    check = backup_check_value(demo)
    plan = write_plan(tmp_path, "drill", header("drill", "test-drill")
                      + share_table("shares", check))
    before = sorted(p.name for p in demo.folder.rglob("*") if p.is_file())
    answers = prompter(shares_to_enter=shares_from(books, "Dave", "Grace", "Frank", "Carol"))
    context = run(plan, tmp_path / "drill-out", answers, demo.folder / "inventory.sqlite3")
    drilled = [r for r in context.journal.records if r.event == "shares-drilled"]
    assert drilled and drilled[0].data["ok"] is True
    assert sorted(p.name for p in context.folder.iterdir()) == ["journal.jsonl"]
    after = sorted(p.name for p in demo.folder.rglob("*") if p.is_file())
    assert before == after or set(after) - set(before) <= {"inventory.sqlite3-journal"}
    with Inventory.open(demo.folder / "inventory.sqlite3") as inventory:
        share_set = next(s for s in inventory.share_sets() if s.check_value == check)
    assert share_set.last_drill is not None


def test_drill_with_a_wrong_passphrase_is_caught_by_the_check_value(
        demo: DemoResult, tmp_path: Path) -> None:
    books = notebooks(demo)
    plan = write_plan(tmp_path, "drill", header("drill", "test-drill-2")
                      + share_table("shares", backup_check_value(demo))
                      + "passphrase = true\n")
    answers = prompter(shares_to_enter=shares_from(books, "Dave", "Grace", "Frank"),
                       share_passphrase="not the passphrase")
    with pytest.raises(CeremonyError, match="check value"):
        run(plan, tmp_path / "drill-out", answers, demo.folder / "inventory.sqlite3")
    records = verify_journal(tmp_path / "drill-out" / "journal.jsonl").records
    assert [r.data["ok"] for r in records if r.event == "shares-drilled"] == [False]


def test_wrong_and_missing_shares_during_a_drill(demo: DemoResult, tmp_path: Path) -> None:
    from ceremony.errors import UsageError

    books = notebooks(demo)
    check = backup_check_value(demo)
    plan = write_plan(tmp_path, "drill", header("drill", "test-drill-3")
                      + share_table("shares", check))
    carol, dave, erin = shares_from(books, "Carol", "Dave", "Erin")
    words = carol.split()
    typo = " ".join([*words[:5], "zero" if words[5] != "zero" else "zinc", *words[6:]])
    answers = prompter(shares_to_enter=[typo, carol, carol, dave, erin])
    context = run(plan, tmp_path / "drill-out", answers, demo.folder / "inventory.sqlite3")
    refused = [r.data["reason"] for r in context.journal.records if r.event == "share-refused"]
    assert len(refused) == 2
    assert "word 6" in refused[0] or "checksum" in refused[0].lower()
    assert "same as share 1" in refused[1]
    assert typo.split()[5] not in " ".join(refused)
    # Too few shares: the answers run out before a quorum, and nothing is recorded as drilled.
    plan2 = write_plan(tmp_path, "drill2", header("drill", "test-drill-4")
                       + share_table("shares", check))
    with pytest.raises(UsageError, match="1 of 3 shares accepted"):
        run(plan2, tmp_path / "drill-out-2", prompter(shares_to_enter=[dave]),
            demo.folder / "inventory.sqlite3")


def test_an_inventory_that_cannot_take_the_record_does_not_fail_the_ceremony(
        demo: DemoResult, tmp_path: Path) -> None:
    books = notebooks(demo)
    plan = write_plan(tmp_path, "drill", header("drill", "test-drill-5")
                      + share_table("shares", backup_check_value(demo)))
    answers = prompter(shares_to_enter=shares_from(books, "Dave", "Grace", "Frank"))
    # A fresh inventory has never heard of this share set, so the drill cannot be indexed.
    context = run(plan, tmp_path / "drill-out", answers, tmp_path / "other.sqlite3")
    completed, recorded = context.journal.records[-2:]  # no transcript: the room writes the
    assert (completed.event, recorded.event) == ("ceremony-completed", "head-recorded")
    assert recorded.data["head"] == completed.hash  # head of ceremony-completed, as final
    assert any("inventory was not updated" in line for line in answers.shown)
