"""Wrapped key backups: wrap in one SoftHSM token, write, read, restore into another, re-wrap.

Independent oracles: cryptography's own RFC 5649 unwrap in software (what a custodian would use
in an emergency), openssl for the SPKI hash, and X.509 signatures checked by cryptography.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11

import crypto.backup as backup_module
import crypto.backupfile as backupfile_module
from crypto.algorithms import KeyAlgorithm
from crypto.backup import (
    BACKUP_FORMAT,
    WrappedBackup,
    generate_wrap_key,
    import_wrap_key,
    read_backup,
    restore_backup,
    rewrap_backup,
    verify_backup,
    wrap_key_pair,
    write_backup,
)
from crypto.checkvalue import check_value
from crypto.errors import BackupError, CheckValueMismatch, KeyExists
from crypto.files import OutputExistsError, write_new_file
from crypto.keys import (
    TokenKeyPair,
    find_key_pair,
    generate_key_pair,
    lock_key,
    spki_der,
    spki_sha256,
)
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, TokenSession, open_token
from tests.conftest import SO_PIN, USER_PIN

pytestmark = pytest.mark.softhsm

ALGORITHMS = [
    *(a for a in KeyAlgorithm if a is not KeyAlgorithm.RSA_4096),
    pytest.param(KeyAlgorithm.RSA_4096, marks=pytest.mark.slow),
]
LABEL = "root-2026"


@pytest.fixture
def tokens(softhsm: SoftHsmStore) -> Iterator[tuple[TokenSession, TokenSession]]:
    """The CA's token and a spare token in the same store, both logged in."""
    softhsm.init_token("ca", USER_PIN, SO_PIN)
    softhsm.init_token("spare", USER_PIN, SO_PIN)
    with ExitStack() as stack:
        ca = stack.enter_context(open_token(DEFAULT_MODULE, "ca", USER_PIN))
        spare = stack.enter_context(open_token(DEFAULT_MODULE, "spare", USER_PIN))
        yield ca, spare


def _backed_up(ca: TokenSession, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P256
               ) -> tuple[TokenKeyPair, bytes, WrappedBackup]:
    pair = generate_key_pair(ca, LABEL, algorithm, extractable=True)
    wrap_key = generate_wrap_key(ca)
    return pair, wrap_key, wrap_key_pair(pair, import_wrap_key(ca, wrap_key))


def _software_unwrap(wrap_key: bytes, wrapped: bytes) -> PrivateKeyTypes:
    """What a custodian could do without this tool: RFC 5649 unwrap, then read the PKCS#8."""
    padded = aes_key_unwrap_with_padding(wrap_key, wrapped)
    # SoftHSM zero-pads the PKCS#8 to a multiple of 8 before wrapping: keep the outer DER only.
    assert padded[0] == 0x30
    if padded[1] < 0x80:
        end = 2 + padded[1]
    else:
        size = padded[1] & 0x7F
        end = 2 + size + int.from_bytes(padded[2:2 + size], "big")
    assert not any(padded[end:])
    return serialization.load_der_private_key(padded[:end], password=None)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(issuer: x509.Name, subject: x509.Name, public_key: Any, signer: Any,
                 algorithm: KeyAlgorithm) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(2**70 + 11)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(signer, algorithm.hash))  # type: ignore[arg-type]


def _objects(session: TokenSession) -> list[Any]:
    return list(session.session.get_objects())


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.value)
def test_backup_restores_into_another_token_and_signs(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path,
        algorithm: KeyAlgorithm) -> None:
    ca, spare = tokens
    pair, wrap_key, backup = _backed_up(ca, algorithm)
    root = _certificate(_name("Root"), _name("Root"), pair.public_key, pair.signing_key(),
                        algorithm)

    files = write_backup(tmp_path / "backup", backup)
    assert files.wrapped.name == f"{LABEL}.wrapped" and files.metadata.name == f"{LABEL}.json"
    assert hashlib.sha256(files.wrapped.read_bytes()).hexdigest() == files.wrapped_sha256
    assert hashlib.sha256(files.metadata.read_bytes()).hexdigest() == files.metadata_sha256
    assert read_backup(files.metadata) == backup

    # An emergency unwrap in software, with nothing but the wrap key, gives the same key.
    software = _software_unwrap(wrap_key, files.wrapped.read_bytes())
    assert spki_der(software.public_key()) == spki_der(pair.public_key)

    restored = restore_backup(spare, read_backup(files.metadata), wrap_key)
    assert spki_sha256(restored.public_key) == spki_sha256(pair.public_key)
    assert restored.record.local is False and pair.record.local is True
    assert restored.record.extractable is False
    assert restored.private[Attribute.SENSITIVE] is True
    assert restored.private[Attribute.DECRYPT] is False
    assert restored.private[Attribute.DERIVE] is False
    # Both halves are stored and found by label, as for a key generated in the token.
    found = find_key_pair(spare, LABEL)
    assert spki_der(found.public_key) == spki_der(pair.public_key)
    # The wrap key left nothing behind in the spare token.
    assert len(_objects(spare)) == 2

    # The restored key issues a certificate that verifies against the original root certificate.
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    issued = _certificate(root.subject, _name("Issued after restore"), leaf_key.public_key(),
                          found.signing_key(), algorithm)
    issued.verify_directly_issued_by(root)


def test_metadata_records_what_an_auditor_needs(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path) -> None:
    ca, _ = tokens
    pair, wrap_key, backup = _backed_up(ca, KeyAlgorithm.EC_P384)
    files = write_backup(tmp_path, backup)
    document = json.loads(files.metadata.read_text())
    assert set(document) == {
        "format", "key_label", "key_algorithm", "spki_sha256", "public_key", "wrap_mechanism",
        "wrapped_format", "wrap_standard", "wrap_key_check_value", "wrapped_file",
        "wrapped_sha256", "created",
    }
    assert document["format"] == BACKUP_FORMAT
    assert document["key_label"] == LABEL
    assert document["key_algorithm"] == "ec-p384"
    assert document["wrap_mechanism"] == "CKM_AES_KEY_WRAP_PAD"
    assert document["wrap_standard"] == "RFC 5649"
    assert document["wrapped_format"] == ("RFC 5649 key wrap with padding of a PKCS#8 "
                                          "PrivateKeyInfo")
    assert document["wrap_key_check_value"] == check_value(wrap_key)
    assert document["wrapped_file"] == files.wrapped.name
    assert document["wrapped_sha256"] == hashlib.sha256(files.wrapped.read_bytes()).hexdigest()
    assert document["created"].endswith("Z")
    created = dt.datetime.fromisoformat(document["created"])
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=1)
    # openssl reads the recorded public key and agrees with the recorded SPKI hash.
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                         input=document["public_key"].encode(), capture_output=True,
                         check=True).stdout
    assert hashlib.sha256(der).hexdigest() == document["spki_sha256"] == pair.record.spki_sha256
    # Nothing secret is in the metadata.
    assert wrap_key.hex() not in files.metadata.read_text()


def test_wrap_key_lives_in_the_token_and_cannot_leave(
        softhsm: SoftHsmStore, tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, _ = tokens
    first, second = generate_wrap_key(ca), generate_wrap_key(ca)
    assert len(first) == 32 and first != second
    session_key = import_wrap_key(ca, first)
    stored = import_wrap_key(ca, second, label="wrap-2026")
    for key in (session_key, stored):
        handle = key.handle
        assert handle[Attribute.KEY_TYPE] == KeyType.AES
        assert handle[Attribute.SENSITIVE] is True and handle[Attribute.EXTRACTABLE] is False
        assert handle[Attribute.WRAP] is True and handle[Attribute.UNWRAP] is True
        assert handle[Attribute.ENCRYPT] is False and handle[Attribute.DECRYPT] is False
        assert handle[Attribute.SIGN] is False and handle[Attribute.DERIVE] is False
    assert session_key.handle[Attribute.TOKEN] is False and stored.handle[Attribute.TOKEN] is True
    assert session_key.check_value == check_value(first)
    assert first.hex() not in repr(session_key)
    with pytest.raises(KeyExists):
        import_wrap_key(ca, first, label="wrap-2026")
    ca.close()
    # Only the stored key outlives the session.
    with open_token(DEFAULT_MODULE, "ca", USER_PIN) as again:
        assert [o[Attribute.LABEL] for o in _objects(again)] == ["wrap-2026"]


def test_key_generated_without_backup_cannot_be_wrapped(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, _ = tokens
    pair = generate_key_pair(ca, LABEL, KeyAlgorithm.EC_P256, extractable=False)
    wrap_key = import_wrap_key(ca, generate_wrap_key(ca))
    with pytest.raises(BackupError, match=f"key '{LABEL}' is not extractable .* it cannot be "
                                          "wrapped"):
        wrap_key_pair(pair, wrap_key)


def test_a_key_locked_after_its_backup_cannot_leave_the_token_again(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, spare = tokens
    pair, wrap_key, backup = _backed_up(ca)
    protection = lock_key(pair)
    assert protection.extractable is False and protection.sensitive is True
    assert protection.never_extractable is False  # it was extractable while backed up
    assert protection.applied == ("CKA_SENSITIVE", "CKA_EXTRACTABLE=false")
    assert lock_key(pair) == protection  # locking again changes nothing
    # Logged in with the PIN, a fresh AES key of one's own cannot wrap it out.
    own = ca.session.generate_key(KeyType.AES, 256, capabilities=MechanismFlag.WRAP,
                                  template={Attribute.SENSITIVE: True,
                                            Attribute.EXTRACTABLE: False})
    with pytest.raises(p11.KeyUnextractable):
        own.wrap_key(pair.private, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    with pytest.raises(p11.AttributeReadOnly):  # the token never undoes it
        pair.private[Attribute.EXTRACTABLE] = True
    with pytest.raises(BackupError, match="not extractable"):
        wrap_key_pair(pair, import_wrap_key(ca, wrap_key))
    # The backup written before the lock still restores, into a key that still signs.
    restored = restore_backup(spare, backup, wrap_key)
    assert restored.record.spki_sha256 == pair.record.spki_sha256


def test_wrap_key_that_could_leave_the_token_is_refused(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, _ = tokens
    pair = generate_key_pair(ca, LABEL, KeyAlgorithm.EC_P256, extractable=True)
    extractable = ca.session.generate_key(
        KeyType.AES, 256, capabilities=MechanismFlag.WRAP | MechanismFlag.UNWRAP,
        template={Attribute.EXTRACTABLE: True, Attribute.SENSITIVE: False})
    untrusted = backup_module.TokenWrapKey(ca, extractable, "0" * 16)
    with pytest.raises(BackupError, match="sensitive, not extractable"):
        wrap_key_pair(pair, untrusted)


def test_wrong_wrap_key_is_refused_before_the_token_is_touched(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, spare = tokens
    _, wrap_key, backup = _backed_up(ca)
    wrong = bytes(b ^ 1 for b in wrap_key)
    spare.close()  # any use of this session would fail as a TokenError, not a mismatch
    with pytest.raises(CheckValueMismatch, match="check the shares and the passphrase"):
        restore_backup(spare, backup, wrong)
    with pytest.raises(CheckValueMismatch):
        rewrap_backup(backup, wrong, import_wrap_key(ca, generate_wrap_key(ca)))
    with open_token(DEFAULT_MODULE, "spare", USER_PIN) as again:
        assert _objects(again) == []


def test_restore_refuses_a_label_already_in_the_token(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, _ = tokens
    _, wrap_key, backup = _backed_up(ca)
    with pytest.raises(KeyExists, match=LABEL):
        restore_backup(ca, backup, wrap_key)


def test_a_restored_key_is_never_extractable(
        tokens: tuple[TokenSession, TokenSession]) -> None:
    ca, spare = tokens
    _, wrap_key, backup = _backed_up(ca)
    restored = restore_backup(spare, backup, wrap_key)
    assert restored.record.extractable is False and restored.record.local is False
    assert restored.record.wrap_with_trusted is True  # SoftHSM takes it in an unwrap template
    # Only the stored pair is in the token: the unwrapping key was a session object, gone.
    assert sorted(o[Attribute.CLASS] for o in _objects(spare)) == [ObjectClass.PUBLIC_KEY,
                                                                  ObjectClass.PRIVATE_KEY]
    with pytest.raises(BackupError, match="not extractable"):
        wrap_key_pair(restored, import_wrap_key(spare, wrap_key))


def test_tampered_wrapped_file_is_refused(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path) -> None:
    ca, spare = tokens
    _, wrap_key, backup = _backed_up(ca)
    files = write_backup(tmp_path, backup)
    data = bytearray(files.wrapped.read_bytes())
    data[5] ^= 0x01
    files.wrapped.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="wrapped_sha256"):
        read_backup(files.metadata)
    # Even with the hash made to match, RFC 5649's integrity check refuses it in the token.
    forged = WrappedBackup(
        replace(backup.metadata, wrapped_sha256=hashlib.sha256(data).hexdigest()), bytes(data))
    with pytest.raises(BackupError, match="damaged or was wrapped under another key"):
        restore_backup(spare, forged, wrap_key)
    assert _objects(spare) == []


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.pop(name)


def _set(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__(name, value)


MALFORMED = {
    "missing key_algorithm": (_drop("key_algorithm"), "key_algorithm"),
    "missing created": (_drop("created"), "created"),
    "unknown field": (_set("comment", "hello"), "comment"),
    "other format": (_set("format", "keyceremony-backup/3"), "format"),
    "other wrapped format": (_set("wrapped_format", "PKCS#1"), "wrapped_format"),
    "number for label": (_set("key_label", 7), "key_label"),
    "unknown algorithm": (_set("key_algorithm", "ec-p192"), "key_algorithm"),
    "algorithm disagrees": (_set("key_algorithm", "ec-p384"), "public_key"),
    "short check value": (_set("wrap_key_check_value", "abcd"), "wrap_key_check_value"),
    "other mechanism": (_set("wrap_mechanism", "CKM_AES_KEY_WRAP"), "wrap_mechanism"),
    "spki disagrees": (_set("spki_sha256", "0" * 64), "spki_sha256"),
    "not a key": (_set("public_key", "-----BEGIN PUBLIC KEY-----\nAA==\n"), "public_key"),
    "no time zone": (_set("created", "2026-01-02T03:04:05"), "created"),
    "wrapped elsewhere": (_set("wrapped_file", "../root.wrapped"), "wrapped_file"),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_metadata_is_refused_naming_the_field(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path,
        case: tuple[Callable[[dict[str, Any]], None], str]) -> None:
    change, field = case
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    files = write_backup(tmp_path, backup)
    document = json.loads(files.metadata.read_text())
    change(document)
    files.metadata.write_text(json.dumps(document))
    with pytest.raises(BackupError, match=f"field '{field}'"):
        read_backup(files.metadata)


def test_metadata_that_is_not_a_json_object_is_refused(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path) -> None:
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    files = write_backup(tmp_path, backup)
    text = files.metadata.read_text()
    files.metadata.write_text(text.replace('"format"', '"format": "x", "format"', 1))
    with pytest.raises(BackupError, match="'format' appears twice"):
        read_backup(files.metadata)
    files.metadata.write_text(text[:-10])
    with pytest.raises(BackupError, match="is not JSON"):
        read_backup(files.metadata)
    files.metadata.write_text("[]")
    with pytest.raises(BackupError, match="no JSON object"):
        read_backup(files.metadata)


@pytest.mark.parametrize("existing", [".wrapped", ".json"])
def test_existing_output_is_refused_and_nothing_is_written(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path, existing: str) -> None:
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{LABEL}{existing}").write_bytes(b"earlier")
    with pytest.raises(OutputExistsError, match="never overwritten"):
        write_backup(out, backup)
    assert [p.name for p in out.iterdir()] == [f"{LABEL}{existing}"]
    assert (out / f"{LABEL}{existing}").read_bytes() == b"earlier"


def test_failed_metadata_write_leaves_no_lone_wrapped_file(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    real_write = write_new_file

    def full_disk_on_metadata(path: Path, data: bytes) -> str:
        # Fault injection: an I/O error on the second file cannot be produced for real here.
        if path.suffix == ".json":
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(backupfile_module, "write_new_file", full_disk_on_metadata)
    with pytest.raises(OSError, match="No space left"):
        write_backup(tmp_path / "out", backup)
    assert list((tmp_path / "out").iterdir()) == []


def test_label_that_cannot_name_a_file_is_refused(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path) -> None:
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    odd = WrappedBackup(replace(backup.metadata, key_label="../escape"), backup.wrapped)
    with pytest.raises(BackupError, match="cannot name a backup file"):
        write_backup(tmp_path / "out", odd)
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.json").exists()


def test_rewrap_under_a_new_wrap_key_retires_the_old_one(
        tokens: tuple[TokenSession, TokenSession], tmp_path: Path) -> None:
    ca, spare = tokens
    pair, old_key, backup = _backed_up(ca, KeyAlgorithm.EC_P384)
    new_key = generate_wrap_key(spare)
    new_in_token = import_wrap_key(spare, new_key)

    rewrapped = rewrap_backup(backup, old_key, new_in_token)
    assert rewrapped.metadata.wrap_key_check_value == check_value(new_key)
    assert rewrapped.metadata.wrap_key_check_value != backup.metadata.wrap_key_check_value
    assert rewrapped.metadata.spki_sha256 == backup.metadata.spki_sha256
    assert rewrapped.wrapped != backup.wrapped
    # Only the new wrap key remains in the token that did the re-wrap: no copy of the CA key.
    assert len(_objects(spare)) == 1

    files = write_backup(tmp_path, rewrapped)
    from_disk = read_backup(files.metadata)
    with pytest.raises(CheckValueMismatch):
        restore_backup(spare, from_disk, old_key)
    software = _software_unwrap(new_key, from_disk.wrapped)
    assert spki_der(software.public_key()) == spki_der(pair.public_key)
    verify_backup(from_disk, new_in_token)
    restored = restore_backup(spare, from_disk, new_key)
    assert spki_der(restored.public_key) == spki_der(pair.public_key)


def test_version_1_metadata_is_still_read(tokens: tuple[TokenSession, TokenSession],
                                          tmp_path: Path) -> None:
    """Backups written before the metadata named its format were all CKM_AES_KEY_WRAP_PAD."""
    ca, _ = tokens
    _, _, backup = _backed_up(ca)
    files = write_backup(tmp_path, backup)
    document = json.loads(files.metadata.read_text())
    document["format"] = "keyceremony-backup/1"
    del document["wrapped_format"]
    files.metadata.write_text(json.dumps(document))
    assert read_backup(files.metadata).metadata.wrap_mechanism.value == "CKM_AES_KEY_WRAP_PAD"
    document["wrap_mechanism"] = "CKM_AES_KEY_WRAP_KWP"
    files.metadata.write_text(json.dumps(document))
    with pytest.raises(BackupError, match="'wrap_mechanism' must be 'CKM_AES_KEY_WRAP_PAD'"):
        read_backup(files.metadata)
