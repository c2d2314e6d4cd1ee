"""The inventory: schema, each record's round trip, idempotency, revocation, transactions, and
refusing files that are not a sound inventory (one sentence, exit 2, never a traceback).

Certificates and CRLs are made with software keys: the inventory only reads them. The sqlite3
and openssl command-line tools are the independent oracles for the file and the digests.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ceremony import cli
from ceremony.errors import InventoryConflictError, InventoryError
from ceremony.inventory import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    BackupState,
    CertificateRole,
    CertificateStatus,
    Inventory,
    default_inventory_path,
)
from ceremony.inventory.schema import MIGRATIONS, migrate
from crypto.keys import spki_sha256

T0 = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
SPKI = "ab" * 32


# --- helpers shared with test_due ------------------------------------------------------------


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificate(subject: str, *, not_before: datetime = T0,
                     not_after: datetime = T0 + timedelta(days=3650), serial: int | None = None,
                     key: ec.EllipticCurvePrivateKey | None = None, issuer: str | None = None,
                     issuer_key: ec.EllipticCurvePrivateKey | None = None) -> x509.Certificate:
    """A certificate for ``subject``; self-signed unless an issuer and its key are given."""
    key = key or new_key()
    signer = issuer_key or key
    return (x509.CertificateBuilder()
            .subject_name(name(subject)).issuer_name(name(issuer or subject))
            .public_key(key.public_key())
            .serial_number(serial if serial is not None else x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(signer, hashes.SHA256()))


def make_crl(issuer: str, issuer_key: ec.EllipticCurvePrivateKey, *, number: int | None,
             this_update: datetime = T0, next_update: datetime | None = None,
             ) -> x509.CertificateRevocationList:
    """A CRL of ``issuer`` with a CRL number and an authority key identifier."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(name(issuer))
               .last_update(this_update)
               .next_update(next_update or this_update + timedelta(days=365))
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if number is not None:
        builder = builder.add_extension(x509.CRLNumber(number), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def keyceremony(*argv: str) -> int:
    """Run a command the way ``keyceremony`` does, returning its exit status."""
    return cli.main(list(argv))


def sqlite_cli(path: Path, sql: str) -> list[str]:
    done = subprocess.run(["sqlite3", str(path), sql], check=True, capture_output=True,
                          text=True)
    return done.stdout.splitlines()


def openssl(args: Sequence[str], data: bytes) -> str:
    return subprocess.run(["openssl", *args], input=data, check=True,
                          capture_output=True).stdout.decode()


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[Inventory]:
    with Inventory.open(tmp_path / "inventory.sqlite3") as opened:
        yield opened


# --- the file ----------------------------------------------------------------------------------


def test_a_new_inventory_gets_its_schema_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    with Inventory.open(path) as inventory:
        assert inventory.schema_version == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Read by the sqlite3 tool, not by our code.
    assert sqlite_cli(path, "PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode; "
                            "PRAGMA integrity_check;") == [str(APPLICATION_ID),
                                                           str(SCHEMA_VERSION), "delete", "ok"]
    tables = sqlite_cli(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    assert tables == ["ca_keys", "ceremonies", "certificates", "crls", "schema_history",
                      "share_drills", "share_sets"]
    assert sqlite_cli(path, "SELECT version FROM schema_history") == [
        str(n) for n in range(1, SCHEMA_VERSION + 1)]
    # When idle the inventory is one file (rollback journal, not WAL): safe to copy as it is.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.sqlite3"]
    with Inventory.open(path) as again:  # opening again migrates nothing
        assert again.schema_version == SCHEMA_VERSION
    assert sqlite_cli(path, "SELECT count(*) FROM schema_history") == [str(SCHEMA_VERSION)]


def test_migrations_run_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    Inventory.open(path).close()

    def add_notes(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE ceremonies ADD COLUMN notes TEXT")

    def broken(db: sqlite3.Connection) -> None:
        add_notes(db)
        raise sqlite3.OperationalError("simulated failure halfway through a migration")

    db = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="halfway"):
            migrate(db, (*MIGRATIONS, broken))
        assert sqlite_cli(path, "PRAGMA user_version") == [str(SCHEMA_VERSION)]
        assert "notes" not in " ".join(sqlite_cli(path, "PRAGMA table_info(ceremonies)"))
        migrate(db, (*MIGRATIONS, add_notes))
    finally:
        db.close()
    assert sqlite_cli(path, "PRAGMA user_version") == [str(SCHEMA_VERSION + 1)]
    assert sqlite_cli(path, "SELECT version FROM schema_history") == [
        str(n) for n in range(1, SCHEMA_VERSION + 2)]
    assert "notes" in " ".join(sqlite_cli(path, "PRAGMA table_info(ceremonies)"))


def test_default_path_follows_xdg_data_home_and_creates_its_folders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "keyceremony" / "inventory.sqlite3"
    assert default_inventory_path() == expected
    with Inventory.open() as inventory:
        assert inventory.path == expected
    assert expected.is_file()

    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # invalid per the XDG spec
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_inventory_path() == (tmp_path / "home" / ".local" / "share" / "keyceremony"
                                        / "inventory.sqlite3")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_inventory_path().parent == tmp_path / "home/.local/share/keyceremony"


def test_an_explicit_path_is_created_but_never_its_folder(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="does not exist; create it first"):
        Inventory.open(tmp_path / "typo" / "inventory.sqlite3")
    assert not (tmp_path / "typo").exists()
    with pytest.raises(InventoryError, match="is a folder"):
        Inventory.open(tmp_path)


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n"])
def test_refuses_a_file_that_is_not_sqlite_unless_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "inventory.sqlite3"
    path.write_bytes(content)
    if not content:  # SQLite itself treats an empty file as a new database
        with Inventory.open(path) as inventory:
            assert inventory.schema_version == SCHEMA_VERSION
        return
    with pytest.raises(InventoryError, match="not an SQLite database"):
        Inventory.open(path)
    assert path.read_bytes() == content  # left as it was


def test_refuses_another_programs_database_and_a_newer_schema(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    sqlite_cli(other, "CREATE TABLE notes (text TEXT);")
    with pytest.raises(InventoryError, match="another program"):
        Inventory.open(other)

    newer = tmp_path / "newer.sqlite3"
    Inventory.open(newer).close()
    sqlite_cli(newer, f"PRAGMA user_version = {SCHEMA_VERSION + 1};")
    with pytest.raises(InventoryError, match="newer than this keyceremony knows"):
        Inventory.open(newer)


def test_refuses_a_damaged_inventory(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    with Inventory.open(path) as inventory:
        for number in range(30):
            inventory.record_share_set(scheme="3-of-5", holders=[f"holder {number}"] * 5,
                                       check_value=f"{number:016x}", created=T0)
    original = path.read_bytes()

    # A check value changed in its table but not in its index: only integrity_check sees it.
    needle = f"{29:016x}".encode()
    assert original.count(needle) == 2  # once in the table, once in the unique index
    at = original.index(needle)
    path.write_bytes(original[:at] + b"ffffffffffffffff" + original[at + len(needle):])
    with pytest.raises(InventoryError, match=r"is damaged .*missing from index"):
        Inventory.open(path)

    page_size = int(sqlite_cli(path, "PRAGMA page_size;")[0])
    smashed = bytearray(original)
    smashed[page_size:page_size + 64] = b"\xff" * 64  # the header of the second page
    path.write_bytes(bytes(smashed))
    with pytest.raises(InventoryError, match="not a usable keyceremony inventory"):
        Inventory.open(path)


@pytest.mark.parametrize("command", ["inventory", "due"])
def test_a_corrupt_inventory_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = tmp_path / "inventory.sqlite3"
    path.write_bytes(b"\x00garbage" * 100)
    assert keyceremony(command, "--inventory", str(path)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("keyceremony: ") and "not a keyceremony inventory" in err
    assert "Traceback" not in err


# --- records -----------------------------------------------------------------------------------


def test_key_round_trip_and_backup_update(inventory: Inventory) -> None:
    entry = inventory.record_key(token_label="root-token", token_serial="0a1b2c3d",
                                 key_label="root-2025", spki_sha256=SPKI.upper(),
                                 algorithm="ec-p384", created=T0, ceremony_id="root-1")
    assert (entry.token_label, entry.token_serial, entry.key_label, entry.spki_sha256,
            entry.algorithm, entry.backup, entry.created, entry.ceremony_id) == (
        "root-token", "0a1b2c3d", "root-2025", SPKI, "ec-p384", BackupState.NONE, T0, "root-1")
    assert inventory.keys() == (entry,)

    later = inventory.record_key(token_label="root-token", token_serial="0a1b2c3d",
                                 key_label="root-2025", spki_sha256=SPKI, algorithm="ec-p384",
                                 created=T0 + timedelta(days=1), backup="wrapped")
    assert later.id == entry.id and later.backup is BackupState.WRAPPED
    assert later.created == T0  # the first record stands

    restored = inventory.record_key(token_label="restore-token", token_serial="99",
                                    key_label="root-2025", spki_sha256=SPKI,
                                    algorithm="ec-p384", created=T0 + timedelta(days=30))
    assert [k.token_serial for k in inventory.keys()] == ["0a1b2c3d", "99"]
    assert restored.spki_sha256 == later.spki_sha256
    with pytest.raises(ValueError, match="spki_sha256"):
        inventory.record_key(token_label="t", token_serial="1", key_label="k",
                             spki_sha256="abc", algorithm="ec-p384", created=T0)
    with pytest.raises(ValueError, match="time zone"):
        inventory.record_key(token_label="t", token_serial="1", key_label="k",
                             spki_sha256=SPKI, algorithm="ec-p384", created=datetime(2025, 1, 1))


def test_certificate_round_trip_matches_openssl(inventory: Inventory, tmp_path: Path) -> None:
    root_key = new_key()
    root = make_certificate("Example Root", key=root_key, serial=0x0A11)
    entry = inventory.record_certificate(root, CertificateRole.ROOT, pem_path=tmp_path / "r.pem",
                                         ceremony_id="root-1")
    pem = root.public_bytes(serialization.Encoding.PEM)
    fingerprint = openssl(["x509", "-noout", "-fingerprint", "-sha256"], pem)
    assert entry.sha256 == fingerprint.split("=")[1].strip().replace(":", "").lower()
    assert openssl(["x509", "-noout", "-serial"], pem).strip() == "serial=0A11"
    assert entry.serial_hex == "0a11"
    assert (entry.subject, entry.issuer, entry.role, entry.status) == (
        "CN=Example Root", "CN=Example Root", CertificateRole.ROOT, CertificateStatus.VALID)
    assert (entry.not_before, entry.not_after) == (T0, T0 + timedelta(days=3650))
    assert entry.spki_sha256 == spki_sha256(root_key.public_key())
    assert (entry.pem_path, entry.ceremony_id) == (str(tmp_path / "r.pem"), "root-1")
    assert entry.revocation_reason is None and entry.revocation_date is None
    assert inventory.certificates() == (entry,)


def test_recording_the_same_certificate_twice_is_idempotent(inventory: Inventory) -> None:
    cert = make_certificate("Example Intermediate", issuer="Example Root",
                            issuer_key=new_key())
    first = inventory.record_certificate(cert, "intermediate")
    second = inventory.record_certificate(cert, "intermediate", pem_path="sub.pem")
    assert second.id == first.id and second.pem_path == "sub.pem"  # a path learnt later is kept
    third = inventory.record_certificate(cert, "intermediate", pem_path="elsewhere.pem")
    assert third == second
    assert len(inventory.certificates()) == 1
    assert sqlite_cli(inventory.path, "SELECT count(*) FROM certificates") == ["1"]


def test_revocation(inventory: Inventory) -> None:
    root_key = new_key()
    sub = make_certificate("Sub", issuer="Root", issuer_key=root_key, serial=0x1234ABCD)
    inventory.record_certificate(sub, CertificateRole.INTERMEDIATE)
    when = T0 + timedelta(days=10)
    revoked = inventory.mark_revoked("12:34:AB:CD", x509.ReasonFlags.key_compromise, when)
    assert (revoked.status, revoked.revocation_reason, revoked.revocation_date) == (
        CertificateStatus.REVOKED, "keyCompromise", when)
    assert inventory.certificates() == (revoked,)
    assert inventory.mark_revoked(0x1234ABCD, "keyCompromise", when) == revoked  # same again
    with pytest.raises(InventoryConflictError, match="first revocation stands") as caught:
        inventory.mark_revoked("1234abcd", x509.ReasonFlags.superseded, when)
    assert caught.value.exit_status == 1
    with pytest.raises(InventoryError, match="no certificate with serial 99"):
        inventory.mark_revoked("99", "unspecified", when)
    with pytest.raises(ValueError, match="not_a_reason"):
        inventory.mark_revoked("1234abcd", "not_a_reason", when)

    # The same serial from another issuer: the issuer must then be named.
    inventory.record_certificate(make_certificate("Other Sub", issuer="Other Root",
                                                  issuer_key=new_key(), serial=0x1234ABCD),
                                 "intermediate")
    with pytest.raises(InventoryError, match="name the issuer"):
        inventory.mark_revoked("1234abcd", "superseded", when)
    other = inventory.mark_revoked("1234abcd", "superseded", when, issuer="CN=Other Root")
    assert other.subject == "CN=Other Sub" and other.revocation_reason == "superseded"


def test_crl_round_trip_and_idempotency(inventory: Inventory) -> None:
    root_key = new_key()
    number = 2**159 + 7  # 20 octets, more than SQLite's INTEGER holds
    crl = make_crl("Example Root", root_key, number=number,
                   next_update=T0 + timedelta(days=180))
    entry = inventory.record_crl(crl, path="root.crl", ceremony_id="crl-1")
    der = crl.public_bytes(serialization.Encoding.DER)
    fingerprint = openssl(["crl", "-inform", "DER", "-noout", "-fingerprint", "-sha256"], der)
    assert entry.sha256 == fingerprint.split("=")[1].strip().replace(":", "").lower()
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
    assert (entry.issuer, entry.issuer_key_id, entry.number) == (
        "CN=Example Root", aki.key_identifier.hex() if aki.key_identifier else None, number)
    assert (entry.this_update, entry.next_update, entry.path, entry.ceremony_id) == (
        T0, T0 + timedelta(days=180), "root.crl", "crl-1")
    assert inventory.record_crl(crl) == entry
    assert inventory.crls() == (entry,)
    assert json.loads(json.dumps(entry.as_dict()))["number"] == str(number)


def test_share_set_round_trip_drills_and_retirement(inventory: Inventory) -> None:
    holders = ["Alice", "Bob", "Carol", "Dave", "Erin"]
    entry = inventory.record_share_set(scheme="3-of-5", holders=holders,
                                       check_value="00112233AABBCCDD", created=T0,
                                       purpose="root backup wrap key", ceremony_id="root-1")
    assert (entry.scheme, entry.holders, entry.check_value, entry.purpose, entry.created) == (
        "3-of-5", tuple(holders), "00112233aabbccdd", "root backup wrap key", T0)
    assert (entry.last_drill, entry.last_drill_ok, entry.retired) == (None, None, None)
    assert inventory.record_share_set(scheme="3-of-5", holders=holders,
                                      check_value="00112233aabbccdd", created=T0) == entry
    with pytest.raises(InventoryConflictError, match="new split has a new check value"):
        inventory.record_share_set(scheme="2-of-3", holders=holders[:3],
                                   check_value="00112233aabbccdd", created=T0)

    drilled = inventory.record_drill(entry.id, T0 + timedelta(days=300), ok=True)
    assert (drilled.last_drill, drilled.last_drill_ok) == (T0 + timedelta(days=300), True)
    failed = inventory.record_drill("00112233AABBCCDD", T0 + timedelta(days=400), ok=False)
    assert (failed.last_drill, failed.last_drill_ok) == (T0 + timedelta(days=400), False)
    # A drill entered late (an earlier date) does not hide the latest one.
    late = inventory.record_drill(entry.id, T0 + timedelta(days=350), ok=True)
    assert (late.last_drill, late.last_drill_ok) == (T0 + timedelta(days=400), False)
    assert sqlite_cli(inventory.path, "SELECT count(*) FROM share_drills") == ["3"]
    with pytest.raises(InventoryError, match="no share set ffff"):
        inventory.record_drill("ffff", T0, ok=True)

    retired = inventory.retire_share_set(entry.id, T0 + timedelta(days=500))
    assert retired.retired == T0 + timedelta(days=500)
    assert inventory.share_sets() == (retired,)
    with pytest.raises(ValueError, match="holders"):
        inventory.record_share_set(scheme="2-of-3", holders="Alice", check_value="01" * 8,
                                   created=T0)


def test_ceremony_round_trip(inventory: Inventory, tmp_path: Path) -> None:
    started = inventory.record_ceremony(ceremony_id="root-2025-06-01", ceremony_type="root",
                                        title="Root key generation", started=T0,
                                        folder=tmp_path / "c1", rehearsal=True)
    assert (started.type, started.title, started.rehearsal, started.started, started.folder,
            started.finished, started.outcome, started.journal_head) == (
        "root", "Root key generation", True, T0, str(tmp_path / "c1"), None, None, None)
    assert inventory.record_ceremony(ceremony_id="root-2025-06-01", ceremony_type="root",
                                     title="Root key generation", started=T0,
                                     folder=tmp_path / "c1", rehearsal=True) == started
    with pytest.raises(InventoryConflictError, match="its own id"):
        inventory.record_ceremony(ceremony_id="root-2025-06-01", ceremony_type="sign",
                                  title="x", started=T0, folder=tmp_path)
    head = "CD" * 32
    finished = inventory.finish_ceremony("root-2025-06-01", finished=T0 + timedelta(hours=3),
                                         outcome="completed", journal_head=head)
    assert (finished.finished, finished.outcome, finished.journal_head) == (
        T0 + timedelta(hours=3), "completed", head.lower())
    assert inventory.finish_ceremony("root-2025-06-01", finished=T0 + timedelta(hours=3),
                                     outcome="completed", journal_head=head) == finished
    with pytest.raises(InventoryConflictError, match="already finished"):
        inventory.finish_ceremony("root-2025-06-01", finished=T0, outcome="aborted",
                                  journal_head=head)
    with pytest.raises(InventoryError, match="no ceremony nope"):
        inventory.finish_ceremony("nope", finished=T0, outcome="aborted", journal_head=head)
    assert inventory.ceremonies() == (finished,)


# --- transactions ------------------------------------------------------------------------------


def test_a_failure_inside_a_transaction_leaves_nothing_written(inventory: Inventory) -> None:
    cert = make_certificate("Example Root")
    with pytest.raises(InventoryError, match="no share set"), inventory.transaction():
        inventory.record_key(token_label="t", token_serial="1", key_label="root",
                             spki_sha256=SPKI, algorithm="ec-p256", created=T0)
        inventory.record_certificate(cert, "root")
        inventory.record_drill(12345, T0, ok=True)  # fails: nothing of the above may remain
    assert inventory.keys() == () and inventory.certificates() == ()
    assert sqlite_cli(inventory.path, "SELECT count(*) FROM ca_keys") == ["0"]

    with inventory.transaction():  # an inner failure undoes only the inner part
        inventory.record_certificate(cert, "root")
        with pytest.raises(RuntimeError), inventory.transaction():
            inventory.record_key(token_label="t", token_serial="1", key_label="root",
                                 spki_sha256=SPKI, algorithm="ec-p256", created=T0)
            raise RuntimeError("step failed")
    assert len(inventory.certificates()) == 1 and inventory.keys() == ()


_KILLED_MID_TRANSACTION = """
import os, signal, sys
from datetime import UTC, datetime
from ceremony.inventory import Inventory
inventory = Inventory.open(sys.argv[1])
inventory._db.execute("PRAGMA cache_size = 2")  # spill pages to the file before commit
with inventory.transaction():
    for n in range(400):
        inventory.record_share_set(scheme="3-of-5", holders=["a holder"] * 5,
                                   check_value=f"{n:016x}", created=datetime.now(UTC))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_mid_transaction_leaves_nothing_half_written(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    with Inventory.open(path) as inventory:
        inventory.record_share_set(scheme="2-of-3", holders=["A", "B", "C"],
                                   check_value="ff" * 8, created=T0)
    done = subprocess.run([sys.executable, "-c", _KILLED_MID_TRANSACTION, str(path)],
                          capture_output=True, cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == -9, done.stderr
    journal = tmp_path / "inventory.sqlite3-journal"
    assert journal.exists() and journal.stat().st_size > 0  # a hot journal: pages were written
    with Inventory.open(path) as inventory:  # the next open rolls the hot journal back
        assert [s.check_value for s in inventory.share_sets()] == ["ff" * 8]
    assert sqlite_cli(path, "PRAGMA integrity_check") == ["ok"]


def test_another_connection_sees_only_committed_records(inventory: Inventory) -> None:
    with inventory.transaction():
        inventory.record_certificate(make_certificate("Example Root"), "root")
        # Another reader sees the last committed state: nothing yet.
        other = sqlite3.connect(inventory.path)
        try:
            assert other.execute("SELECT count(*) FROM certificates").fetchone()[0] == 0
        finally:
            other.close()
    assert sqlite_cli(inventory.path, "SELECT count(*) FROM certificates") == ["1"]


# --- the inventory command ---------------------------------------------------------------------


def fill(inventory: Inventory) -> None:
    root_key = new_key()
    inventory.record_ceremony(ceremony_id="root-1", ceremony_type="root", title="Root",
                              started=T0, folder="/ceremonies/root-1")
    inventory.record_key(token_label="root-token", token_serial="0a1b", key_label="root",
                         spki_sha256=spki_sha256(root_key.public_key()), algorithm="ec-p256",
                         created=T0, backup="wrapped", ceremony_id="root-1")
    inventory.record_certificate(make_certificate("Example Root", key=root_key), "root")
    inventory.record_certificate(make_certificate("Old Sub", issuer="Example Root",
                                                  issuer_key=root_key, serial=0x77),
                                 "intermediate")
    inventory.mark_revoked(0x77, "superseded", T0 + timedelta(days=1))
    inventory.record_crl(make_crl("Example Root", root_key, number=1))
    share_set = inventory.record_share_set(scheme="2-of-3", holders=["Ann", "Ben", "Cy"],
                                           check_value="0123456789abcdef", created=T0)
    inventory.record_drill(share_set.id, T0 + timedelta(days=5), ok=True)
    inventory.finish_ceremony("root-1", finished=T0 + timedelta(hours=2), outcome="completed",
                              journal_head="ef" * 32)


def test_inventory_command_json_has_stable_keys(
        inventory: Inventory, capsys: pytest.CaptureFixture[str]) -> None:
    fill(inventory)
    assert keyceremony("inventory", "--json", "--inventory", str(inventory.path)) == 0
    listing = json.loads(capsys.readouterr().out)
    assert list(listing) == ["inventory", "schema_version", "keys", "certificates", "crls",
                             "share_sets", "ceremonies"]
    assert listing["schema_version"] == SCHEMA_VERSION
    assert list(listing["keys"][0]) == ["id", "token_label", "token_serial", "key_label",
                                        "spki_sha256", "algorithm", "backup", "created",
                                        "ceremony_id", "retired", "retired_ceremony_id"]
    assert [c["status"] for c in listing["certificates"]] == ["valid", "revoked"]
    assert listing["certificates"][1]["revocation_reason"] == "superseded"
    assert listing["certificates"][1]["revocation_date"] == "2025-06-02T12:00:00Z"
    assert listing["crls"][0]["number"] == "1"
    assert listing["share_sets"][0]["holders"] == ["Ann", "Ben", "Cy"]
    assert listing["share_sets"][0]["last_drill_ok"] is True
    assert listing["ceremonies"][0]["outcome"] == "completed"


def test_inventory_command_human_table_groups_by_kind(
        inventory: Inventory, capsys: pytest.CaptureFixture[str]) -> None:
    fill(inventory)
    assert keyceremony("inventory", "--inventory", str(inventory.path)) == 0
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings == [f"Inventory {inventory.path} (schema {SCHEMA_VERSION})",
                        "CA keys (1)", "Certificates (2)", "CRLs (1)", "Share sets (1)",
                        "Ceremonies (1)"]
    assert "revoked 2025-06-02 (superseded)" in out
    assert "2025-06-06 ok" in out
    assert "Ann, Ben, Cy" in out


def test_an_empty_inventory_lists_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new.sqlite3"
    assert keyceremony("inventory", "--inventory", str(path)) == 0
    out = capsys.readouterr().out
    assert "CA keys: none" in out and "Ceremonies: none" in out
    assert path.is_file()


def test_missing_folder_through_the_command_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = keyceremony("inventory", "--inventory", str(tmp_path / "no" / "inv.sqlite3"))
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "create it first" in err


def test_default_inventory_through_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert keyceremony("inventory", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["inventory"] == str(tmp_path / "xdg/keyceremony/inventory.sqlite3")
    assert os.path.isfile(listing["inventory"])
