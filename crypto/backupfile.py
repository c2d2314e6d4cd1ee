"""The files of a wrapped backup: the format, writing it and reading it back strictly.

A backup is ``<label>.wrapped`` (the RFC 5649 output of the token) beside ``<label>.json``, its
metadata, which names the format (``wrapped_format``: RFC 5649 key wrap with padding of a PKCS#8
PrivateKeyInfo) and the PKCS#11 mechanism that made it (``wrap_mechanism``): tokens disagree on
which mechanism produces RFC 5649, so a restore picks whichever reads it on the target token.
This module knows the files only: the metadata values, a create-exclusive write that
leaves no lone half-backup, and a strict parse in which every bad field is named. Wrapping,
proving and restoring with a token are in ``crypto.backup``. No secret passes through here: the
wrapped key is encrypted under the wrap key, and the metadata holds only the wrap key's check
value.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from crypto.algorithms import KeyAlgorithm, algorithm_of, spki_sha256
from crypto.checkvalue import CHECK_VALUE_HEX_LENGTH
from crypto.errors import BackupError
from crypto.files import (
    OutputExistsError,
    UnreadableInput,
    fsync_dir,
    read_input_file,
    write_new_file,
)

BACKUP_FORMAT = "keyceremony-backup/2"
# Version 1 named no format and was always made with CKM_AES_KEY_WRAP_PAD; it is still read.
BACKUP_FORMAT_1 = "keyceremony-backup/1"
WRAP_STANDARD = "RFC 5649"
WRAPPED_FORMAT = "RFC 5649 key wrap with padding of a PKCS#8 PrivateKeyInfo"


class WrapMechanism(StrEnum):
    """The PKCS#11 mechanisms some token uses for RFC 5649 key wrap with padding.

    PKCS#11 2.40 names 0x210A CKM_AES_KEY_WRAP_PAD, which SoftHSM implements as RFC 5649 but
    NSS softokn as RFC 3394 over PKCS#7-padded data; NSS's RFC 5649 is 0x210B
    (CKM_AES_KEY_WRAP_KWP, PKCS#11 3.0). Which one a token really means is found by a
    known-answer test (``crypto.tokencheck``), never by the name.
    """

    PAD = "CKM_AES_KEY_WRAP_PAD"
    KWP = "CKM_AES_KEY_WRAP_KWP"

    @property
    def code(self) -> int:
        """The mechanism's PKCS#11 number."""
        return {WrapMechanism.PAD: 0x210A, WrapMechanism.KWP: 0x210B}[self]


WRAP_MECHANISM = WrapMechanism.PAD.value  # the default where no capability check chose one


@dataclass(frozen=True)
class BackupMetadata:
    """What the ``.json`` file beside a wrapped key says about it."""

    key_label: str
    key_algorithm: KeyAlgorithm
    spki_sha256: str
    public_key_pem: str
    wrap_key_check_value: str
    wrapped_sha256: str
    created: datetime  # UTC, whole seconds
    wrap_mechanism: WrapMechanism = WrapMechanism.PAD  # the mechanism the making token used

    format: ClassVar[str] = BACKUP_FORMAT
    wrap_standard: ClassVar[str] = WRAP_STANDARD
    wrapped_format: ClassVar[str] = WRAPPED_FORMAT

    @property
    def wrapped_file(self) -> str:
        return f"{self.key_label}.wrapped"

    @property
    def metadata_file(self) -> str:
        return f"{self.key_label}.json"

    def public_key(self) -> PublicKeyTypes:
        return serialization.load_pem_public_key(self.public_key_pem.encode("ascii"))

    def as_dict(self) -> dict[str, str]:
        return {
            "format": self.format,
            "key_label": self.key_label,
            "key_algorithm": self.key_algorithm.value,
            "spki_sha256": self.spki_sha256,
            "public_key": self.public_key_pem,
            "wrapped_format": self.wrapped_format,
            "wrap_mechanism": self.wrap_mechanism.value,
            "wrap_standard": self.wrap_standard,
            "wrap_key_check_value": self.wrap_key_check_value,
            "wrapped_file": self.wrapped_file,
            "wrapped_sha256": self.wrapped_sha256,
            "created": self.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def to_json(self) -> bytes:
        return (json.dumps(self.as_dict(), indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class WrappedBackup:
    """A wrapped private key and its metadata; the wrapped bytes always match their SHA-256."""

    metadata: BackupMetadata
    wrapped: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if hashlib.sha256(self.wrapped).hexdigest() != self.metadata.wrapped_sha256:
            raise BackupError(f"the wrapped key of {self.metadata.key_label!r} does not match "
                              "the SHA-256 in its metadata; use an intact copy of the backup")


@dataclass(frozen=True)
class BackupFiles:
    """Where a backup was written and the SHA-256 of each file, for the journal."""

    metadata: Path
    wrapped: Path
    metadata_sha256: str
    wrapped_sha256: str


def write_backup(folder: Path, backup: WrappedBackup) -> BackupFiles:
    """Write ``<label>.wrapped`` and then ``<label>.json`` into ``folder``, never overwriting.

    The metadata file is written last: it is what makes the backup whole. If it cannot be
    written, the wrapped file just written is removed, so no lone half-backup is left behind.
    """
    metadata = backup.metadata
    _require_file_name(metadata.key_label)
    folder = Path(folder)
    wrapped_path = folder / metadata.wrapped_file
    metadata_path = folder / metadata.metadata_file
    metadata_json = metadata.to_json()
    for path in (wrapped_path, metadata_path):
        if os.path.lexists(path):  # a dangling symlink is in the way too
            raise OutputExistsError(f"{path} already exists; backups are never overwritten, so "
                                    "move it away or choose another folder")
    # The wrapped key is encrypted under the wrap key; it may be on disk.
    wrapped_sha256 = write_new_file(wrapped_path, backup.wrapped)
    try:
        metadata_sha256 = write_new_file(metadata_path, metadata_json)
    except BaseException:
        wrapped_path.unlink(missing_ok=True)  # ours: write_new_file created it exclusively
        fsync_dir(folder)
        raise
    return BackupFiles(metadata_path, wrapped_path, metadata_sha256, wrapped_sha256)


def _require_file_name(label: str) -> None:
    if (not label or label.startswith(".") or any(c in label for c in "/\\")
            or any(ord(c) < 32 for c in label)):
        raise BackupError(f"key label {label!r} cannot name a backup file; use a label without "
                          "slashes, control characters or a leading dot")


# Metadata is about 1 KB and a wrapped RSA-4096 key about 2.4 KB; anything far larger is not one.
MAX_BACKUP_FILE_BYTES = 1 << 20

_FIELDS = ("format", "key_label", "key_algorithm", "spki_sha256", "public_key",
           "wrapped_format", "wrap_mechanism", "wrap_standard", "wrap_key_check_value",
           "wrapped_file", "wrapped_sha256", "created")
_FIELDS_1 = tuple(name for name in _FIELDS if name != "wrapped_format")


def read_backup(path: Path) -> WrappedBackup:
    """Read the backup whose metadata file is ``path`` and the wrapped file it names.

    Parsing is strict: a missing, unknown or malformed field is an error naming it, and the
    wrapped file must match its recorded SHA-256.
    """
    path = Path(path)
    try:
        document = json.loads(read_input_file(path, MAX_BACKUP_FILE_BYTES, "backup metadata"),
                              object_pairs_hook=_no_duplicates)
    except UnreadableInput as ex:
        raise BackupError(f"cannot read backup metadata {path} ({ex.reason})") from ex
    except (ValueError, RecursionError) as ex:  # RecursionError: absurdly nested JSON
        raise BackupError(f"{path} is not JSON ({ex}); use the .json file written with the "
                          "backup") from ex
    if not isinstance(document, dict):
        raise BackupError(f"{path} holds no JSON object; it is not backup metadata")
    metadata, wrapped_file = _parse_metadata(path, document)
    wrapped_path = path.parent / wrapped_file
    try:
        wrapped = read_input_file(wrapped_path, MAX_BACKUP_FILE_BYTES, "a wrapped key")
    except UnreadableInput as ex:
        raise BackupError(f"cannot read the wrapped key {wrapped_path} ({ex.reason}); it must "
                          "lie beside its metadata") from ex
    if hashlib.sha256(wrapped).hexdigest() != metadata.wrapped_sha256:
        raise BackupError(f"{wrapped_path} does not match field 'wrapped_sha256' of {path}; the "
                          "file is damaged or was changed: use another copy of the backup")
    if len(wrapped) < 16 or len(wrapped) % 8:
        raise BackupError(f"{wrapped_path} is {len(wrapped)} bytes, which no RFC 5649 output "
                          "is; use another copy of the backup")
    return WrappedBackup(metadata, wrapped)


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document: dict[str, object] = {}
    for name, value in pairs:
        if name in document:
            raise ValueError(f"field {name!r} appears twice")
        document[name] = value
    return document


def _parse_metadata(path: Path, document: Mapping[str, object]) -> tuple[BackupMetadata, str]:
    def fail(name: str, problem: str) -> BackupError:
        return BackupError(f"{path}: field {name!r} {problem}")

    version = document.get("format")
    if version not in (BACKUP_FORMAT, BACKUP_FORMAT_1):
        raise fail("format", f"must be {BACKUP_FORMAT!r}; this is not backup metadata this tool "
                   "reads")
    fields = _FIELDS if version == BACKUP_FORMAT else _FIELDS_1
    for name in document:
        if name not in fields:
            raise fail(name, "is unknown; remove it or use the metadata written with the backup")
    values: dict[str, str] = {"wrapped_format": WRAPPED_FORMAT}
    for name in fields:
        if name not in document:
            raise fail(name, "is missing; the metadata is incomplete")
        value = document[name]
        if not isinstance(value, str):
            raise fail(name, "must be a string")
        values[name] = value
    for name, constant in (("wrapped_format", WRAPPED_FORMAT), ("wrap_standard", WRAP_STANDARD)):
        if values[name] != constant:
            raise fail(name, f"must be {constant!r}")
    mechanisms = tuple(WrapMechanism) if version == BACKUP_FORMAT else (WrapMechanism.PAD,)
    if values["wrap_mechanism"] not in mechanisms:
        raise fail("wrap_mechanism", "must be " + " or ".join(repr(m.value) for m in mechanisms))
    for name, length in (("spki_sha256", 64), ("wrapped_sha256", 64),
                         ("wrap_key_check_value", CHECK_VALUE_HEX_LENGTH)):
        if len(values[name]) != length or any(c not in "0123456789abcdef" for c in values[name]):
            raise fail(name, f"must be {length} lowercase hex digits")
    label = values["key_label"]
    try:
        _require_file_name(label)
    except BackupError as ex:
        raise fail("key_label", "cannot name a backup file") from ex
    wrapped_file = values["wrapped_file"]
    if Path(wrapped_file).name != wrapped_file or wrapped_file.startswith("."):
        raise fail("wrapped_file", "must be a bare file name beside the metadata")
    try:
        algorithm = KeyAlgorithm(values["key_algorithm"])
    except ValueError:
        choices = ", ".join(a.value for a in KeyAlgorithm)
        raise fail("key_algorithm", f"must be one of {choices}") from None
    try:
        public_key = serialization.load_pem_public_key(values["public_key"].encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as ex:
        raise fail("public_key", "is not a PEM SubjectPublicKeyInfo") from ex
    if algorithm_of(public_key) is not algorithm:
        raise fail("public_key", f"is not a {algorithm.value} key as 'key_algorithm' says")
    if spki_sha256(public_key) != values["spki_sha256"]:
        raise fail("spki_sha256", "does not match field 'public_key'")
    if not _RFC3339.fullmatch(values["created"]):
        raise fail("created", "is not an RFC 3339 date and time with a time zone")
    try:
        created = datetime.fromisoformat(values["created"])
    except ValueError:
        raise fail("created", "is not a valid date and time") from None
    metadata = BackupMetadata(
        key_label=label,
        key_algorithm=algorithm,
        spki_sha256=values["spki_sha256"],
        public_key_pem=values["public_key"],
        wrap_key_check_value=values["wrap_key_check_value"],
        wrapped_sha256=values["wrapped_sha256"],
        created=created.astimezone(UTC),
        wrap_mechanism=WrapMechanism(values["wrap_mechanism"]),
    )
    return metadata, wrapped_file
