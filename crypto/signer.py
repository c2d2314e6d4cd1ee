"""Token keys as cryptography private keys, so certificate, CRL and CSR builders can use them.

cryptography's builders accept a subclass of its private-key ABCs whose ``sign`` calls the
token. That is not a documented API (pyca/cryptography#12108), so the major version is pinned
and tests cover every algorithm. Each adapter also refuses a hash that does not pair with its
key (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, RSA SHA-256/SHA-384/SHA-512): a builder asked
for the wrong hash fails instead of producing a certificate the BRs forbid.
"""

from __future__ import annotations

from typing import Any, NoReturn, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.utils import Buffer
from pkcs11 import Mechanism
from pkcs11.util.ec import encode_ecdsa_signature

from crypto.algorithms import KeyAlgorithm
from crypto.errors import ProfileError
from crypto.token import translated


class TokenKeyPair(Protocol):
    """What an adapter needs of a key pair in a token; ``crypto.keys.TokenKeyPair`` is one
    (named structurally so this module need not import the one that hands out adapters)."""

    private: Any
    public_key: PublicKeyTypes
    label: str
    algorithm: KeyAlgorithm


def _no_private_material() -> NoReturn:
    raise TypeError("a token key never leaves the token")


def _digest(data: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


class TokenEcKey(ec.EllipticCurvePrivateKey):
    """An EC key in a token. SoftHSM lacks CKM_ECDSA_SHA384, so hash here, sign with CKM_ECDSA."""

    def __init__(self, pair: TokenKeyPair) -> None:
        self._pair = pair
        public = pair.public_key
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise ProfileError(f"key {pair.label!r} is not an EC key")
        self._public: ec.EllipticCurvePublicKey = public

    def sign(self, data: Buffer,
             signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise ProfileError("only ECDSA signatures are made with EC keys")
        algorithm = signature_algorithm.algorithm
        if isinstance(algorithm, utils.Prehashed):
            digest, hash_name = bytes(data), algorithm._algorithm.name
        else:
            digest, hash_name = _digest(bytes(data), algorithm), algorithm.name
        expected = self._pair.algorithm.hash.name
        if hash_name != expected:
            raise ProfileError(
                f"a {self._pair.algorithm.value} key signs with {expected.upper()}, "
                f"not {hash_name.upper()}"
            )
        with translated(f"signing with key {self._pair.label!r}"):
            raw = self._pair.private.sign(digest, mechanism=Mechanism.ECDSA)
        return bytes(encode_ecdsa_signature(raw))

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._public.curve

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        _no_private_material()

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        _no_private_material()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        _no_private_material()

    def __copy__(self) -> TokenEcKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> TokenEcKey:
        return self


_RSA_PKCS1 = {
    "sha256": Mechanism.SHA256_RSA_PKCS,
    "sha384": Mechanism.SHA384_RSA_PKCS,
    "sha512": Mechanism.SHA512_RSA_PKCS,
}


class TokenRsaKey(rsa.RSAPrivateKey):
    """An RSA key in a token; PKCS#1 v1.5 signatures with the hash done by the token."""

    def __init__(self, pair: TokenKeyPair) -> None:
        self._pair = pair
        public = pair.public_key
        if not isinstance(public, rsa.RSAPublicKey):
            raise ProfileError(f"key {pair.label!r} is not an RSA key")
        self._public: rsa.RSAPublicKey = public

    def sign(self, data: Buffer, padding_: padding.AsymmetricPadding,
             algorithm: Any) -> bytes:
        if not isinstance(padding_, padding.PKCS1v15):
            raise ProfileError("CA keys sign with RSASSA-PKCS1-v1_5 (BR 7.1.3.2.1)")
        if not isinstance(algorithm, hashes.HashAlgorithm):
            raise ProfileError("the token hashes RSA input itself; pass the data, not a digest")
        mechanism = _RSA_PKCS1.get(algorithm.name)
        if mechanism is None:
            raise ProfileError(f"RSA keys sign with SHA-256, SHA-384 or SHA-512, "
                               f"not {algorithm.name}")
        with translated(f"signing with key {self._pair.label!r}"):
            return bytes(self._pair.private.sign(bytes(data), mechanism=mechanism))

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        _no_private_material()

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        _no_private_material()

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        _no_private_material()

    def __copy__(self) -> TokenRsaKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> TokenRsaKey:
        return self


def token_signing_key(pair: TokenKeyPair) -> TokenEcKey | TokenRsaKey:
    """The cryptography private-key adapter for a token key pair."""
    if pair.algorithm.is_ec:
        return TokenEcKey(pair)
    return TokenRsaKey(pair)
