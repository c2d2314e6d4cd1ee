"""Wrapped backups of CA private keys: wrap, verify, restore and re-wrap them in a token.

A backup is the CA private key wrapped inside the token with AES key wrap with padding (RFC
5649, by whichever mechanism the token's capability check found to produce it: SoftHSM's
CKM_AES_KEY_WRAP_PAD, NSS's CKM_AES_KEY_WRAP_KWP) under a 256-bit wrap key, written as
``<label>.wrapped`` beside a JSON metadata file ``<label>.json`` (the files and their format are
``crypto.backupfile``; its names are importable from here too). The wrap key is drawn from the
token's RNG; it is in host memory only while it is split into shares (or rebuilt from them for a
restore) and otherwise lives in a token as a SENSITIVE, non-EXTRACTABLE secret key that can only
wrap and unwrap. Because the SLIP-39 master secret is the wrap key itself, any RFC 5649
implementation can unwrap a backup in an emergency, without this tool.

Python cannot wipe a ``bytes`` object, so wrap key bytes are kept in as few places as possible:
they pass from the caller straight into ``C_CreateObject`` and are never stored on an object,
logged or put in a message. Only their check value is recorded.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pkcs11
from asn1crypto.core import OctetString
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_named_curve_parameters

# The files of a backup, re-exported: callers may import everything backup-related from here.
from crypto.backupfile import BACKUP_FORMAT as BACKUP_FORMAT
from crypto.backupfile import WRAP_MECHANISM as WRAP_MECHANISM
from crypto.backupfile import WRAP_STANDARD as WRAP_STANDARD
from crypto.backupfile import WRAPPED_FORMAT as WRAPPED_FORMAT
from crypto.backupfile import BackupFiles as BackupFiles
from crypto.backupfile import BackupMetadata as BackupMetadata
from crypto.backupfile import WrapMechanism as WrapMechanism
from crypto.backupfile import WrappedBackup as WrappedBackup
from crypto.backupfile import read_backup as read_backup
from crypto.backupfile import write_backup as write_backup
from crypto.checkvalue import check_value, matches
from crypto.errors import BackupError, CheckValueMismatch, KeyExists

# A restored pair gets the same CKA_ID and attributes as an original (keys.py's rules).
from crypto.keys import TokenKeyPair, key_exists, spki_sha256
from crypto.keytemplates import TEMPLATE_REFUSED, key_id, private_key_template
from crypto.token import TokenSession, translate, translated

WRAP_KEY_BYTES = 32


def _mechanism(mechanism: WrapMechanism) -> Mechanism:
    return Mechanism(mechanism.code)

# python-pkcs11 would otherwise send these public-key capabilities for a private key, which
# SoftHSM rejects (AttributeTypeInvalid); DEFAULT drops them from the template.
_NOT_FOR_PRIVATE_KEYS = {Attribute.ENCRYPT: pkcs11.DEFAULT, Attribute.WRAP: pkcs11.DEFAULT,
                         Attribute.VERIFY: pkcs11.DEFAULT}


def generate_wrap_key(session: TokenSession) -> bytes:
    """A fresh 256-bit wrap key from the token's RNG, for splitting and then importing.

    The caller holds the only copy in host memory: it goes to the share split and to
    ``import_wrap_key``, and nowhere else (no file, journal or log).
    """
    return session.random_bytes(WRAP_KEY_BYTES)


@dataclass(frozen=True)
class TokenWrapKey:
    """A wrap key inside a token: its object and its check value, never its bytes."""

    session: TokenSession = field(repr=False)
    handle: Any = field(repr=False)
    check_value: str
    label: str | None = None  # None for a session object, which vanishes with the session

    def destroy(self) -> None:
        """Remove the key from the token now rather than when the session closes."""
        with translated("destroying the wrap key"):
            self.handle.destroy()


def import_wrap_key(session: TokenSession, wrap_key: bytes, *,
                    label: str | None = None) -> TokenWrapKey:
    """Put ``wrap_key`` into the token as an AES key that can only wrap and unwrap.

    Without ``label`` it is a session object; with one it is stored in the token under it.
    """
    if len(wrap_key) != WRAP_KEY_BYTES:
        raise ValueError(f"a wrap key is {WRAP_KEY_BYTES} bytes, not {len(wrap_key)}")
    if label is not None and key_exists(session, label):
        raise KeyExists(f"the token already holds a key labelled {label!r}; choose another "
                        "label for the wrap key")
    template = {
        Attribute.CLASS: ObjectClass.SECRET_KEY,
        Attribute.KEY_TYPE: KeyType.AES,
        # The key bytes go straight into the token; SENSITIVE and not EXTRACTABLE keep them there.
        Attribute.VALUE: wrap_key,
        Attribute.TOKEN: label is not None,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.WRAP: True,
        Attribute.UNWRAP: True,
        Attribute.ENCRYPT: False,
        Attribute.DECRYPT: False,
        Attribute.SIGN: False,
        Attribute.VERIFY: False,
        Attribute.DERIVE: False,
    }
    if label is not None:
        template[Attribute.LABEL] = label
        template[Attribute.ID] = key_id(label)
    with translated("importing the wrap key"):
        handle = session.session.create_object(template)
    return TokenWrapKey(session, handle, check_value(wrap_key), label)


# --- wrapping and proving ----------------------------------------------------------------------


def wrap_key_pair(pair: TokenKeyPair, wrap_key: TokenWrapKey,
                  mechanism: WrapMechanism = WrapMechanism.PAD,
                  unwrap_mechanism: WrapMechanism | None = None) -> WrappedBackup:
    """Wrap the private key of ``pair`` under ``wrap_key`` with ``mechanism`` and prove the
    result unwraps (with ``unwrap_mechanism``, by default the same)."""
    if wrap_key.session is not pair.session:
        raise ValueError("the wrap key and the key pair must be in the same token session")
    if not pair.record.extractable:
        raise BackupError(f"key {pair.label!r} is not extractable (generated without backup, "
                          "or locked once its backup was made); it cannot be wrapped")
    _check_wrap_key(wrap_key)
    with _translated_wrap(f"wrapping key {pair.label!r}"):
        wrapped = bytes(wrap_key.handle.wrap_key(pair.private, mechanism=_mechanism(mechanism)))
    public_pem = pair.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    metadata = BackupMetadata(
        key_label=pair.label,
        key_algorithm=pair.algorithm,
        spki_sha256=spki_sha256(pair.public_key),
        public_key_pem=public_pem,
        wrap_key_check_value=wrap_key.check_value,
        wrapped_sha256=hashlib.sha256(wrapped).hexdigest(),
        created=_now(),
        wrap_mechanism=mechanism,
    )
    backup = WrappedBackup(metadata, wrapped)
    verify_backup(backup, wrap_key, unwrap_mechanism or mechanism)
    return backup


def verify_backup(backup: WrappedBackup, wrap_key: TokenWrapKey,
                  mechanism: WrapMechanism = WrapMechanism.PAD) -> None:
    """Prove that ``backup`` unwraps under ``wrap_key`` (with ``mechanism``, the one that
    reads RFC 5649 in that token) to the key its metadata names.

    The key is unwrapped as a nameless, non-extractable session object, signs a test message
    that is checked against the recorded public key, and is destroyed again.
    """
    _require_check_value(wrap_key.check_value == backup.metadata.wrap_key_check_value,
                         backup.metadata)
    with _unwrapped(wrap_key, backup, mechanism, extractable=False) as private:
        _prove(wrap_key.session, private, backup.metadata)


def rewrap_backup(backup: WrappedBackup, old_wrap_key: bytes,
                  new_wrap_key: TokenWrapKey,
                  mechanism: WrapMechanism = WrapMechanism.PAD,
                  unwrap_mechanism: WrapMechanism | None = None) -> WrappedBackup:
    """The same key wrapped under ``new_wrap_key``, re-wrapped inside the token (reshare):
    unwrapped with ``unwrap_mechanism`` (default: ``mechanism``), wrapped with ``mechanism``.

    ``old_wrap_key`` is checked against the backup's check value before the token is touched.
    The CA key exists outside a token at no point: it is unwrapped into the token as a nameless
    session object, wrapped again there and destroyed.
    """
    _require_check_value(matches(old_wrap_key, backup.metadata.wrap_key_check_value),
                         backup.metadata)
    _check_wrap_key(new_wrap_key)
    session = new_wrap_key.session
    old = import_wrap_key(session, old_wrap_key)
    try:
        # EXTRACTABLE only so it can be wrapped again; a session object, destroyed below.
        with _unwrapped(old, backup, unwrap_mechanism or mechanism,
                        extractable=True) as private:
            _prove(session, private, backup.metadata)
            with _translated_wrap(f"re-wrapping key {backup.metadata.key_label!r}"):
                wrapped = bytes(new_wrap_key.handle.wrap_key(
                    private, mechanism=_mechanism(mechanism)))
    finally:
        old.destroy()
    metadata = replace(backup.metadata, wrap_key_check_value=new_wrap_key.check_value,
                       wrapped_sha256=hashlib.sha256(wrapped).hexdigest(), created=_now(),
                       wrap_mechanism=mechanism)
    rewrapped = WrappedBackup(metadata, wrapped)
    verify_backup(rewrapped, new_wrap_key, unwrap_mechanism or mechanism)
    return rewrapped


def restore_backup(session: TokenSession, backup: WrappedBackup,
                   wrap_key: bytes,
                   mechanism: WrapMechanism = WrapMechanism.PAD) -> TokenKeyPair:
    """Unwrap ``backup`` into the token as a stored key pair and prove it signs.

    ``mechanism`` is the one that reads RFC 5649 in this token, whichever made the backup.

    ``wrap_key`` (rebuilt from shares) is checked against the backup's check value before the
    token is touched. The restored key is never EXTRACTABLE (and has WRAP_WITH_TRUSTED where the
    token takes it): its backup already exists, and whatever needs a wrappable copy (a reshare)
    unwraps the backup as a session object that is destroyed at once. Restored keys report
    LOCAL false (``TokenKeyPair.record.local``), which tells them from originals.
    """
    metadata = backup.metadata
    _require_check_value(matches(wrap_key, metadata.wrap_key_check_value), metadata)
    label = metadata.key_label
    if key_exists(session, label):
        raise KeyExists(f"the token {session.label!r} already holds a key labelled {label!r}; "
                        "restore into a token without it")
    # The rebuilt wrap key goes into the token as a session object and is destroyed after use.
    unwrapping = import_wrap_key(session, wrap_key)
    try:
        private = _unwrap_stored(unwrapping, backup, mechanism)
    finally:
        unwrapping.destroy()
    public_key = metadata.public_key()
    created = [private]
    try:
        with translated(f"creating the public key of {label!r}"):
            created.append(
                session.session.create_object(_public_key_template(metadata, public_key)))
        _prove(session, private, metadata)
    except BaseException:
        # Leave no half-restored or unproven key behind; the original error is what matters.
        for obj in reversed(created):
            with suppress(p11.PKCS11Error):
                obj.destroy()
        raise
    return TokenKeyPair(session, private, public_key, label)


def _unwrap_stored(unwrapping: TokenWrapKey, backup: WrappedBackup,
                   mechanism: WrapMechanism) -> Any:
    """The backup's key unwrapped as a stored, sensitive, non-extractable private key, with
    WRAP_WITH_TRUSTED where the token takes it."""
    metadata = backup.metadata
    label = metadata.key_label
    key_type = KeyType.EC if metadata.key_algorithm.is_ec else KeyType.RSA

    def unwrap(wrap_with_trusted: bool) -> Any:
        # The ID goes in as unwrap_key's own argument, so the template leaves it out.
        template = {**_NOT_FOR_PRIVATE_KEYS,
                    **private_key_template(label, extractable=False,
                                           wrap_with_trusted=wrap_with_trusted)}
        del template[Attribute.ID]
        return unwrapping.handle.unwrap_key(
            ObjectClass.PRIVATE_KEY, key_type, backup.wrapped, id=key_id(label), label=label,
            mechanism=_mechanism(mechanism), store=True, capabilities=MechanismFlag(0),
            template=template)

    with _translated_wrap(f"unwrapping key {label!r}"):
        try:
            return unwrap(True)
        except TEMPLATE_REFUSED:
            pass  # the token does not take WRAP_WITH_TRUSTED; the key is not extractable anyway
        return unwrap(False)


def _public_key_template(metadata: BackupMetadata,
                         public_key: PublicKeyTypes) -> dict[Attribute, Any]:
    label = metadata.key_label
    template: dict[Attribute, Any] = {
        Attribute.CLASS: ObjectClass.PUBLIC_KEY,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: False,
        Attribute.LABEL: label,
        Attribute.ID: key_id(label),
        Attribute.VERIFY: True,
        Attribute.ENCRYPT: False,
        Attribute.WRAP: False,
    }
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        point = public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
        template[Attribute.KEY_TYPE] = KeyType.EC
        template[Attribute.EC_PARAMS] = encode_named_curve_parameters(
            metadata.key_algorithm.curve_oid)
        template[Attribute.EC_POINT] = OctetString(point).dump()  # DER OCTET STRING, as PKCS#11
    elif isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        template[Attribute.KEY_TYPE] = KeyType.RSA
        template[Attribute.MODULUS] = _unsigned(numbers.n)
        template[Attribute.PUBLIC_EXPONENT] = _unsigned(numbers.e)
    else:
        raise BackupError(f"the public key of {label!r} is neither EC nor RSA")
    return template


def _unsigned(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _prove(session: TokenSession, private: Any, metadata: BackupMetadata) -> None:
    """Sign a fresh test message with ``private``; verify it with the recorded public key."""
    public_key = metadata.public_key()
    pair = TokenKeyPair(session, private, public_key, metadata.key_label)
    message = b"keyceremony backup check " + secrets.token_bytes(16)
    key = pair.signing_key()
    hash_ = metadata.key_algorithm.hash
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(key.sign(message, ec.ECDSA(hash_)), message, ec.ECDSA(hash_))
        elif isinstance(public_key, rsa.RSAPublicKey):
            signature = key.sign(message, padding.PKCS1v15(), hash_)
            public_key.verify(signature, message, padding.PKCS1v15(), hash_)
    except InvalidSignature:
        raise BackupError(f"the key unwrapped from the backup of {metadata.key_label!r} does not "
                          "match its recorded public key; the backup cannot be trusted") from None


@contextmanager
def _unwrapped(wrap_key: TokenWrapKey, backup: WrappedBackup, mechanism: WrapMechanism, *,
               extractable: bool) -> Iterator[Any]:
    """The backup's key as a nameless session object, destroyed when the block ends."""
    metadata = backup.metadata
    key_type = KeyType.EC if metadata.key_algorithm.is_ec else KeyType.RSA
    template = {**_NOT_FOR_PRIVATE_KEYS, Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: extractable, Attribute.SIGN: True}
    with _translated_wrap(f"unwrapping key {metadata.key_label!r}"):
        private = wrap_key.handle.unwrap_key(
            ObjectClass.PRIVATE_KEY, key_type, backup.wrapped, mechanism=_mechanism(mechanism),
            store=False, capabilities=MechanismFlag(0), template=template,
        )
    try:
        yield private
    finally:
        with translated(f"destroying the unwrapped copy of {metadata.key_label!r}"):
            private.destroy()


@contextmanager
def _translated_wrap(action: str) -> Iterator[None]:
    """Like ``translated``, but a failed unwrap or an unwrappable key is a BackupError."""
    try:
        yield
    except (p11.KeyUnextractable, p11.KeyNotWrappable) as ex:
        raise BackupError(f"{action} failed: the token refuses to export the key; it is not "
                          "extractable (generated without backup, or locked once its backup "
                          "was made)") from ex
    except (p11.GeneralError, p11.EncryptedDataInvalid, p11.EncryptedDataLenRange,
            p11.WrappedKeyInvalid, p11.WrappedKeyLenRange) as ex:
        # RFC 5649's integrity check failed: wrong key or damaged data, indistinguishably.
        raise BackupError(f"{action} failed ({type(ex).__name__}): the wrapped data is damaged "
                          "or was wrapped under another key") from ex
    except p11.PKCS11Error as ex:
        raise translate(ex, action) from ex


def _check_wrap_key(wrap_key: TokenWrapKey) -> None:
    # WRAP_WITH_TRUSTED is not enforced by SoftHSM, so insist on a key that cannot leave.
    with translated("reading the wrap key's attributes"):
        handle = wrap_key.handle
        good = (handle[Attribute.KEY_TYPE] == KeyType.AES
                and handle[Attribute.VALUE_LEN] == WRAP_KEY_BYTES
                and bool(handle[Attribute.SENSITIVE]) and not bool(handle[Attribute.EXTRACTABLE])
                and bool(handle[Attribute.WRAP]))
    if not good:
        raise BackupError("the wrap key must be a 256-bit AES key that is sensitive, not "
                          "extractable and allowed to wrap; import it with import_wrap_key")


def _require_check_value(matching: bool, metadata: BackupMetadata) -> None:
    if not matching:
        raise CheckValueMismatch(
            f"the wrap key does not match the check value of the backup of "
            f"{metadata.key_label!r}; check the shares and the passphrase and try again"
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
