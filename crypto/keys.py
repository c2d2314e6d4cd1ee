"""Key pairs generated and kept inside a token.

Private keys are always SENSITIVE; EXTRACTABLE only when a wrapped backup is wanted, and then
only until the backup is written and proven: ``lock_key`` turns EXTRACTABLE off for good (a
one-way change the token enforces), so the token's PIN alone can never export the key. A key
that is never to be wrapped is also generated with WRAP_WITH_TRUSTED where the token accepts it.
A key that is to be backed up cannot have it: only the token's security officer can mark a wrap
key trusted, and the backup's wrap key is an object of the user's session. The templates
themselves (explicit capabilities, tried strictest first) are in ``crypto.keytemplates``.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import pkcs11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

# spki_der and spki_sha256 are re-exported: callers that have a token name keys through here.
from crypto.algorithms import KeyAlgorithm, algorithm_of
from crypto.algorithms import spki_der as spki_der
from crypto.algorithms import spki_sha256 as spki_sha256
from crypto.errors import (
    KeyExists,
    KeyNotFound,
    MalformedPublicKey,
    MechanismNotSupported,
    TokenError,
)
from crypto.keytemplates import (
    TEMPLATE_REFUSED,
    TEMPLATES,
    KeyTemplate,
    private_key_template,
    public_key_template,
)
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
    template: str = ""  # KeyTemplate.name the token took; "" when not generated here

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "algorithm": self.algorithm.value,
            "spki_sha256": self.spki_sha256,
            "extractable": self.extractable,
            "local": self.local,
            "wrap_with_trusted": self.wrap_with_trusted,
            **({"template": self.template} if self.template else {}),
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
                 label: str, template: KeyTemplate | None = None) -> None:
        algorithm = algorithm_of(public_key)
        if algorithm is None:
            raise TokenError(f"key {label!r} in the token is of an algorithm this tool does "
                             "not use")
        self.session = session
        self.private = private
        self.public_key = public_key
        self.label = label
        self.algorithm = algorithm
        self.template = template  # how it was generated here; None for a key found or restored

    @property
    def record(self) -> KeyRecord:
        with translated(f"reading attributes of key {self.label!r}"):
            extractable = bool(self.private[Attribute.EXTRACTABLE])
            local = bool(self.private[Attribute.LOCAL])
        return KeyRecord(self.label, self.algorithm, spki_sha256(self.public_key),
                         extractable, local,
                         _optional_flag(self.private, Attribute.WRAP_WITH_TRUSTED),
                         self.template.name if self.template else "")

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


def _optional_flag(key: Any, attribute: Attribute) -> bool:
    """A boolean attribute a token may not know (False then: the protection is not there)."""
    try:
        return bool(key[attribute])
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive):
        return False


def key_exists(session: TokenSession, label: str) -> bool:
    """Whether any object (private, public or secret key) carries ``label``."""
    with translated(f"looking for key {label!r}"):
        return any(True for _ in session.session.get_objects({Attribute.LABEL: label}))


def generate_key_pair(session: TokenSession, label: str, algorithm: KeyAlgorithm, *,
                      extractable: bool) -> TokenKeyPair:
    """Generate and store a signing key pair; refuse when ``label`` is already used.

    Templates are tried from the strictest (``TEMPLATES``) until the token takes one; the
    session remembers it. An unsupported algorithm or a public key the token returns malformed
    is one sentence naming the token, and no half-made key is left behind.
    """
    if key_exists(session, label):
        raise KeyExists(
            f"the token already holds a key labelled {label!r}; choose another label or use "
            "a fresh token"
        )
    require_key_size(session, algorithm)
    # A key to be backed up cannot have WRAP_WITH_TRUSTED (see the module's docstring).
    candidates = [t for t in TEMPLATES if not (extractable and t.wrap_with_trusted)]
    remembered = session.key_template
    if remembered in candidates:
        candidates.remove(remembered)
        candidates.insert(0, remembered)
    refusal: p11.PKCS11Error | None = None
    for template in candidates:
        try:
            pair = _generate(session, label, algorithm, extractable, template)
        except TEMPLATE_REFUSED as ex:
            refusal = ex
            continue
        session.key_template = template
        return pair
    # candidates always holds templates, so refusal is the last token's answer
    raise TokenError(f"the token {session.label!r} refuses every template for "
                     f"{algorithm.description} keys ({type(refusal).__name__}); it cannot hold "
                     "this CA key") from refusal


def require_key_size(session: TokenSession, algorithm: KeyAlgorithm) -> None:
    """Refuse, before generating, a key size the token's mechanism does not cover."""
    mechanism = Mechanism.EC_KEY_PAIR_GEN if algorithm.is_ec else Mechanism.RSA_PKCS_KEY_PAIR_GEN
    bits = algorithm.key_size
    with translated("reading the token's mechanisms"):
        slot = session.slot
        if mechanism not in slot.get_mechanisms():
            raise MechanismNotSupported(
                f"the token {session.label!r} cannot generate {algorithm.description} keys "
                f"(no {mechanism.name}); use a token that can, or another algorithm")
        info = slot.get_mechanism_info(mechanism)
    # Some tokens give EC sizes in bytes; only a clearly too small range is a refusal here.
    if not algorithm.is_ec and not info.min_key_length <= bits <= info.max_key_length:
        raise MechanismNotSupported(
            f"the token {session.label!r} generates RSA keys of {info.min_key_length} to "
            f"{info.max_key_length} bits, not {bits}; use a token that can, or another "
            "algorithm")


def _generate(session: TokenSession, label: str, algorithm: KeyAlgorithm, extractable: bool,
              template: KeyTemplate) -> TokenKeyPair:
    public_template = public_key_template(label, restricted=template.restricted)
    private_template = private_key_template(label, extractable=extractable,
                                            wrap_with_trusted=template.wrap_with_trusted,
                                            restricted=template.restricted)
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
    except TEMPLATE_REFUSED:
        raise  # generate_key_pair tries the next template
    except p11.PKCS11Error as ex:
        raise translate(ex, action) from ex
    try:
        try:
            public_key = public_key_of(public)
        except MalformedPublicKey as ex:
            raise MalformedPublicKey(f"the token {session.label!r} returns {algorithm.description}"
                                     f" public keys this tool cannot read ({ex.reason}); it "
                                     "cannot hold this CA key") from ex
        if algorithm_of(public_key) is not algorithm:
            raise MalformedPublicKey(f"the token {session.label!r} returned a public key of "
                                     f"{_described(public_key)} when asked for "
                                     f"{algorithm.description}; it cannot hold this CA key")
    except BaseException:
        for handle in (private, public):  # leave no half-made key behind
            with suppress(p11.PKCS11Error):
                handle.destroy()
        raise
    return TokenKeyPair(session, private, public_key, label, template)


def _described(public_key: PublicKeyTypes) -> str:
    algorithm = algorithm_of(public_key)
    return algorithm.description if algorithm else type(public_key).__name__


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
    """The cryptography public key for a token public-key object.

    MalformedPublicKey when the token's encoding cannot be read (tpm2-pkcs11 returns a P-521
    CKA_EC_POINT whose DER length lacks its 0x81 prefix).
    """
    try:
        if public.key_type == KeyType.EC:
            return serialization.load_der_public_key(encode_ec_public_key(public))
        modulus = int.from_bytes(public[Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
        return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    except p11.PKCS11Error:
        raise
    except (ValueError, TypeError, IndexError) as ex:
        what = "a malformed CKA_EC_POINT" if public.key_type == KeyType.EC else "a bad modulus"
        raise MalformedPublicKey(f"the token returned a public key this tool cannot read "
                                 f"({what}); it cannot hold this CA key", what) from ex


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
