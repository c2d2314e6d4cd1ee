"""Regenerate the files the example plans in docs/examples/ refer to (docs/examples/files/).

    .venv/bin/python scripts/make_plan_examples.py

Everything is made in software with throwaway keys: a root certificate (for the sign and crl
examples), a second root (cross-certificate), the CSR of an issuing CA (sign), a retired
subordinate CA certificate the root issued (crl, revoked by serial) and a wrapped key backup
(restore, reshare, drill). These are examples only; no key made here is kept anywhere. The
retired CA's serial and the backup's wrap key are derived from fixed labels so the example
plans, which name them, stay valid when the files are made again. That wrap key is public,
which is fine only because the key it wraps is a throwaway example key."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from crypto.algorithms import KeyAlgorithm
from crypto.backup import BackupMetadata, WrappedBackup, write_backup
from crypto.certificates import random_serial, root_builder, subordinate_builder
from crypto.checkvalue import check_value
from crypto.keys import spki_sha256
from crypto.profiles import DistinguishedName, RootProfile
from crypto.subordinates import SubordinateProfile

FILES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "files"
ORGANIZATION = "Example Trust B.V."
# Public on purpose (see the module docstring): the examples' share sets name its check value.
EXAMPLE_WRAP_KEY = hashlib.sha256(b"keyceremony example wrap key: public, never use it").digest()


def _fixed_bytes(label: str) -> bytes:
    return hashlib.sha256(label.encode("ascii")).digest()


def _csr(key: ec.EllipticCurvePrivateKey, common_name: str) -> x509.CertificateSigningRequest:
    subject = DistinguishedName("NL", ORGANIZATION, common_name).to_name()
    return (x509.CertificateSigningRequestBuilder().subject_name(subject)
            .sign(key, hashes.SHA384()))


def _write(name: str, data: bytes) -> None:
    path = FILES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"wrote {path.relative_to(FILES.parent.parent.parent)}")


def write_second_root(now: dt.datetime) -> None:
    """The new root the cross-certificate example rolls in under Example Root CA R1."""
    key = ec.generate_private_key(ec.SECP384R1())
    profile = RootProfile(DistinguishedName("NL", ORGANIZATION, "Example Root CA R2"), 9131)
    root2 = root_builder(profile, key.public_key(), random_serial(os.urandom), now).sign(
        key, hashes.SHA384())
    _write("root-r2.pem", root2.public_bytes(serialization.Encoding.PEM))


def main() -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_profile = RootProfile(DistinguishedName("NL", ORGANIZATION, "Example Root CA R1"), 9131)
    root = root_builder(root_profile, root_key.public_key(), random_serial(os.urandom),
                        now).sign(root_key, hashes.SHA384())
    _write("root.pem", root.public_bytes(serialization.Encoding.PEM))

    write_second_root(now)

    issuing_key = ec.generate_private_key(ec.SECP384R1())
    _write("issuing-ca.csr", _csr(issuing_key, "Example TLS Issuing CA 2").public_bytes(
        serialization.Encoding.PEM))

    retired_key = ec.generate_private_key(ec.SECP384R1())
    retired_csr = _csr(retired_key, "Example TLS Issuing CA 1")
    profile = SubordinateProfile(validity_days=1826,
                                 crl_url="http://crl.example.com/root-r1.crl",
                                 ca_issuers_url="http://crt.example.com/root-r1.crt")
    serial = random_serial(lambda count: _fixed_bytes("retired example CA serial")[:count])
    retired = subordinate_builder(profile, retired_csr, root, serial, now).sign(
        root_key, hashes.SHA384())
    _write("retired-issuing-ca.pem", retired.public_bytes(serialization.Encoding.PEM))
    print(f"  serial of the retired CA: {serial:x}")

    backup_key = ec.generate_private_key(ec.SECP384R1())
    pkcs8 = backup_key.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    wrapped = aes_key_wrap_with_padding(EXAMPLE_WRAP_KEY, pkcs8)
    public_pem = backup_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    metadata = BackupMetadata(
        key_label="root-key", key_algorithm=KeyAlgorithm.EC_P384,
        spki_sha256=spki_sha256(backup_key.public_key()),
        public_key_pem=public_pem.decode("ascii"),
        wrap_key_check_value=check_value(EXAMPLE_WRAP_KEY),
        wrapped_sha256=hashlib.sha256(wrapped).hexdigest(), created=now)
    folder = FILES / "backup"
    for name in (metadata.wrapped_file, metadata.metadata_file):
        (folder / name).unlink(missing_ok=True)  # write_backup never overwrites
    write_backup(folder, WrappedBackup(metadata, wrapped))
    print(f"wrote {folder}/{metadata.metadata_file} and {metadata.wrapped_file}")
    print(f"  wrap key check value: {metadata.wrap_key_check_value}")


if __name__ == "__main__":
    main()
