"""Known-answer tests of AES key wrap with padding: does this mechanism, in this token, write
and read RFC 5649?

The values are public test values, not secrets: a fixed AES-256 key-encryption key and a fixed
24-byte key (a multiple of 8 bytes, so a token that zero-pads to whole blocks, as SoftHSM does
before wrapping, still gives the exact RFC 5649 answer). Both are session objects, destroyed at
once. The expected bytes come from cryptography's RFC 5649 implementation.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from crypto.backupfile import WrapMechanism
from crypto.token import TokenSession

# Public test values (see the module's docstring).
TEST_KEK = hashlib.sha256(b"keyceremony token check: key-encryption key").digest()
TEST_KEY = hashlib.sha256(b"keyceremony token check: wrapped key").digest()[:24]


@dataclass(frozen=True)
class WrapAnswer:
    """What one mechanism did in the known-answer tests."""

    mechanism: WrapMechanism
    listed: bool  # in the token's mechanism list
    writes: bool  # its wrap output is RFC 5649
    reads: bool  # it unwraps RFC 5649
    detail: str  # what it did, for the report


def import_test_kek(session: TokenSession) -> Any:
    """The test key-encryption key as a session object that may wrap and unwrap."""
    return session.session.create_object({
        Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.KEY_TYPE: KeyType.AES,
        Attribute.VALUE: TEST_KEK, Attribute.TOKEN: False, Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
        Attribute.WRAP: True, Attribute.UNWRAP: True,
    })


def wrap_answers(session: TokenSession, kek: Any,
                 listed: set[Any]) -> tuple[WrapAnswer, ...]:
    """Each RFC 5649 candidate mechanism, tried both ways against the software answer."""
    return tuple(_answer(session, kek, m, Mechanism(m.code) in listed) for m in WrapMechanism)


def _answer(session: TokenSession, kek: Any, mechanism: WrapMechanism,
            listed: bool) -> WrapAnswer:
    if not listed:
        return WrapAnswer(mechanism, False, False, False, "not listed")
    code = Mechanism(mechanism.code)
    expected = aes_key_wrap_with_padding(TEST_KEK, TEST_KEY)
    writes, wrote = False, ""
    secret = None
    try:
        secret = session.session.create_object({
            Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.KEY_TYPE: KeyType.GENERIC_SECRET,
            Attribute.VALUE: TEST_KEY, Attribute.TOKEN: False, Attribute.SENSITIVE: False,
            Attribute.EXTRACTABLE: True})
        output = bytes(kek.wrap_key(secret, mechanism=code))
        writes = output == expected
        wrote = "writes RFC 5649" if writes else _what_it_wrote(output)
    except p11.PKCS11Error as ex:
        wrote = f"wrap refused ({type(ex).__name__})"
    finally:
        if secret is not None:
            with suppress(p11.PKCS11Error):
                secret.destroy()
    reads, read = False, ""
    try:
        unwrapped = kek.unwrap_key(ObjectClass.SECRET_KEY, KeyType.GENERIC_SECRET, expected,
                                   mechanism=code, store=False,
                                   template={Attribute.SENSITIVE: False,
                                             Attribute.EXTRACTABLE: True})
        try:
            reads = bytes(unwrapped[Attribute.VALUE]) == TEST_KEY
        finally:
            with suppress(p11.PKCS11Error):
                unwrapped.destroy()
        read = "reads RFC 5649" if reads else "unwraps RFC 5649 to other bytes"
    except p11.PKCS11Error as ex:
        read = f"unwrap of RFC 5649 refused ({type(ex).__name__})"
    return WrapAnswer(mechanism, True, writes, reads, f"{wrote}; {read}")


def _what_it_wrote(output: bytes) -> str:
    """Name what a non-RFC 5649 output is, where it is recognisable."""
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

    try:
        aes_key_unwrap(TEST_KEK, output)
        return "writes RFC 3394 over padded data, not RFC 5649"
    except (InvalidUnwrap, ValueError):
        pass
    try:
        aes_key_unwrap_with_padding(TEST_KEK, output)
        return "writes an RFC 5649 envelope around other bytes"
    except (InvalidUnwrap, ValueError):
        return "writes something that is not RFC 5649"
