"""Key pairs generated and kept inside a token.

Private keys are always SENSITIVE; EXTRACTABLE only when a wrapped backup is wanted, and then
only until the backup is written and proven: ``lock_key`` turns EXTRACTABLE off for good (a
one-way change the token enforces), so the token's PIN alone can never export the key. A key
that is never to be wrapped is also generated with WRAP_WITH_TRUSTED where the token accepts it.
A key that is to be backed up cannot have it: only the token's security officer can mark a wrap
key trusted, and the backup's wrap key is an object of the user's session. Capabilities are
given explicitly: python-pkcs11's defaults would let EC keys DERIVE and RSA keys DECRYPT and
UNWRAP.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pkcs11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, KeyType, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

# spki_der and spki_sha256 are re-exported: callers that have a token name keys through here.
from crypto.algorithms import KeyAlgorithm, algorithm_of
from crypto.algorithms import spki_der as spki_der
from crypto.algorithms import spki_sha256 as spki_sha256
from crypto.errors import KeyExists, KeyNotFound, TokenError
from crypto.signer import token_signing_key
from crypto.token import TokenSession, translate, translated


@dataclass(frozen=True)
class KeyRecord:
    """What is recorded about a key pair in a token (never the private key)."""

    label: str
    algorithm: KeyAlgorithm
    spki_sha256: str
    extractable: bool
    local: bool  # generated in this token (False for a key restored by unwrapping)
    wrap_with_trusted: bool = False  # only a trusted (security officer's) key may wrap it

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "algorithm": self.algorithm.value,
            "spki_sha256": self.spki_sha256,
            "extractable": self.extractable,
            "local": self.local,
            "wrap_with_trusted": self.wrap_with_trusted,
        }


@dataclass(frozen=True)
class KeyProtection:
    """The attributes that keep a private key in its token, as read back from the token."""

    sensitive: bool
    extractable: bool
    always_sensitive: bool
    never_extractable: bool
    wrap_with_trusted: bool

    @property
    def applied(self) -> tuple[str, ...]:
        """The protections in force, named after their PKCS#11 attributes."""
        names = []
        if self.sensitive:
            names.append("CKA_SENSITIVE")
        if not self.extractable:
            names.append("CKA_EXTRACTABLE=false")
        if self.wrap_with_trusted:
            names.append("CKA_WRAP_WITH_TRUSTED")
        return tuple(names)

    def as_dict(self) -> dict[str, object]:
        return {
            "sensitive": self.sensitive,
            "extractable": self.extractable,
            "always_sensitive": self.always_sensitive,
            "never_extractable": self.never_extractable,
            "wrap_with_trusted": self.wrap_with_trusted,
            "protections": list(self.applied),
        }


class TokenKeyPair:
    """Handles of a key pair in an open token session plus its public key in software."""

    def __init__(self, session: TokenSession, private: Any, public_key: PublicKeyTypes,
                 label: str) -> None:
        algorithm = algorithm_of(public_key)
        if algorithm is None:
            raise TokenError(f"key {label!r} in the token is of an algorithm this tool does "
                             "not use")
        self.session = session
        self.private = private
        self.public_key = public_key
        self.label = label
        self.algorithm = algorithm

    @property
    def record(self) -> KeyRecord:
        with translated(f"reading attributes of key {self.label!r}"):
            extractable = bool(self.private[Attribute.EXTRACTABLE])
            local = bool(self.private[Attribute.LOCAL])
        return KeyRecord(self.label, self.algorithm, spki_sha256(self.public_key),
                         extractable, local, _optional_flag(self.private,
                                                            Attribute.WRAP_WITH_TRUSTED))

    @property
    def protection(self) -> KeyProtection:
        """The private key's protecting attributes, read from the token now."""
        key = self.private
        with translated(f"reading attributes of key {self.label!r}"):
            return KeyProtection(
                sensitive=bool(key[Attribute.SENSITIVE]),
                extractable=bool(key[Attribute.EXTRACTABLE]),
                always_sensitive=_optional_flag(key, Attribute.ALWAYS_SENSITIVE),
                never_extractable=_optional_flag(key, Attribute.NEVER_EXTRACTABLE),
                wrap_with_trusted=_optional_flag(key, Attribute.WRAP_WITH_TRUSTED),
            )

    def signing_key(self) -> Any:
        """A cryptography private-key object whose ``sign`` runs in the token."""
        return token_signing_key(self)


def key_id(label: str) -> bytes:
    """CKA_ID for a key labelled ``label``: ties the two halves of a pair together, stably."""
    return hashlib.sha256(label.encode()).digest()[:16]


def _optional_flag(key: Any, attribute: Attribute) -> bool:
    """A boolean attribute a token may not know (False then: the protection is not there)."""
    try:
        return bool(key[attribute])
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive):
        return False


# How a token says it does not take WRAP_WITH_TRUSTED in a template.
TEMPLATE_REFUSED = (p11.AttributeTypeInvalid, p11.AttributeValueInvalid,
                    p11.AttributeReadOnly, p11.TemplateInconsistent)


def private_key_template(label: str, *, extractable: bool,
                         wrap_with_trusted: bool = False) -> dict[Any, Any]:
    """Attributes of a CA private key: stored, sensitive, able to sign and nothing else."""
    template = {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: extractable,
        Attribute.SIGN: True,
        Attribute.DECRYPT: False,
        Attribute.UNWRAP: False,
        Attribute.DERIVE: False,
        Attribute.ID: key_id(label),
    }
    if wrap_with_trusted:
        template[Attribute.WRAP_WITH_TRUSTED] = True
    return template


def key_exists(session: TokenSession, label: str) -> bool:
    """Whether any object (private, public or secret key) carries ``label``."""
    with translated(f"looking for key {label!r}"):
        return any(True for _ in session.session.get_objects({Attribute.LABEL: label}))


def generate_key_pair(session: TokenSession, label: str, algorithm: KeyAlgorithm, *,
                      extractable: bool) -> TokenKeyPair:
    """Generate and store a signing key pair; refuse when ``label`` is already used."""
    if key_exists(session, label):
        raise KeyExists(
            f"the token already holds a key labelled {label!r}; choose another label or use "
            "a fresh token"
        )
    # A key that is never wrapped also gets WRAP_WITH_TRUSTED where the token takes it; one
    # to be backed up cannot (see the module's docstring).
    if not extractable:
        try:
            return _generate(session, label, algorithm, extractable, wrap_with_trusted=True)
        except TEMPLATE_REFUSED:
            pass  # the token does not take the attribute; KeyRecord records it as absent
    return _generate(session, label, algorithm, extractable, wrap_with_trusted=False)


def _generate(session: TokenSession, label: str, algorithm: KeyAlgorithm, extractable: bool,
              *, wrap_with_trusted: bool) -> TokenKeyPair:
    public_template = {Attribute.TOKEN: True, Attribute.VERIFY: True, Attribute.ENCRYPT: False,
                       Attribute.WRAP: False, Attribute.ID: key_id(label)}
    private_template = private_key_template(label, extractable=extractable,
                                            wrap_with_trusted=wrap_with_trusted)
    action = f"generating {algorithm.value} key {label!r}"
    try:
        if algorithm.is_ec:
            params = session.session.create_domain_parameters(
                KeyType.EC,
                {Attribute.EC_PARAMS: encode_named_curve_parameters(algorithm.curve_oid)},
                local=True,
            )
            public, private = params.generate_keypair(
                store=True, label=label, capabilities=MechanismFlag(0),
                public_template=public_template, private_template=private_template,
            )
        else:
            public, private = session.session.generate_keypair(
                KeyType.RSA, algorithm.rsa_bits, store=True, label=label,
                capabilities=MechanismFlag(0),
                public_template=public_template, private_template=private_template,
            )
        public_key = public_key_of(public)
    except p11.PKCS11Error as ex:
        if wrap_with_trusted and isinstance(ex, TEMPLATE_REFUSED):
            raise  # generate_key_pair tries again without the attribute
        raise translate(ex, action) from ex
    return TokenKeyPair(session, private, public_key, label)


def lock_key(pair: TokenKeyPair) -> KeyProtection:
    """Make the private key of ``pair`` non-extractable for good; the attributes read back.

    CKA_EXTRACTABLE may go from true to false only (PKCS#11 4.9), so once this returns not even
    a logged-in user can wrap the key out of the token. Calling it on a locked key changes
    nothing. TokenError when the token keeps the key extractable.
    """
    with translated(f"making key {pair.label!r} non-extractable"):
        if bool(pair.private[Attribute.EXTRACTABLE]):
            pair.private[Attribute.EXTRACTABLE] = False
    protection = pair.protection
    if protection.extractable or not protection.sensitive:
        raise TokenError(f"the token still lets key {pair.label!r} be exported after it was "
                         "made non-extractable; do not use this token for a CA key")
    return protection


def public_key_of(public: Any) -> PublicKeyTypes:
    """The cryptography public key for a token public-key object."""
    if public.key_type == KeyType.EC:
        return serialization.load_der_public_key(encode_ec_public_key(public))
    modulus = int.from_bytes(public[Attribute.MODULUS], "big")
    exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def find_key_pair(session: TokenSession, label: str) -> TokenKeyPair:
    """The key pair labelled ``label``; KeyNotFound when either half is missing."""
    with translated(f"looking for key {label!r}"):
        try:
            private = session.session.get_key(ObjectClass.PRIVATE_KEY, label=label)
            public = session.session.get_key(ObjectClass.PUBLIC_KEY, label=label)
        except pkcs11.NoSuchKey:
            raise KeyNotFound(
                f"the token {session.label!r} holds no key pair labelled {label!r}; check the "
                "label or the token"
            ) from None
        except pkcs11.MultipleObjectsReturned:
            raise TokenError(
                f"the token holds more than one key labelled {label!r}; resolve this by hand"
            ) from None
        return TokenKeyPair(session, private, public_key_of(public), label)


def destroy_key_pair(session: TokenSession, label: str) -> int:
    """Destroy every object labelled ``label`` (the key pair) and check none is left; returns
    how many objects were destroyed. The token, not this program, holds the key: destroying
    its objects is the whole of retiring it from this token."""
    with translated(f"destroying key {label!r}"):
        objects = list(session.session.get_objects({Attribute.LABEL: label}))
        for obj in objects:
            obj.destroy()
    if key_exists(session, label):
        raise TokenError(f"the token {session.label!r} still holds an object labelled "
                         f"{label!r} after destroying it; check the token by hand")
    return len(objects)
