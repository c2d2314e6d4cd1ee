"""Key algorithms a CA key may use, and the hash each one signs with."""

from __future__ import annotations

import hashlib
from enum import Enum

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from crypto.errors import ProfileError


class KeyAlgorithm(Enum):
    """The key algorithms the BRs allow for CA keys and this tool can generate."""

    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"
    EC_P521 = "ec-p521"
    RSA_3072 = "rsa-3072"
    RSA_4096 = "rsa-4096"

    @classmethod
    def parse(cls, name: str) -> KeyAlgorithm:
        """The algorithm called ``name`` (``ec-p384``), or ProfileError naming the choices."""
        try:
            return cls(name)
        except ValueError:
            choices = ", ".join(a.value for a in cls)
            raise ProfileError(f"unknown key algorithm {name!r}; use one of {choices}") from None

    @property
    def is_ec(self) -> bool:
        return self.value.startswith("ec-")

    @property
    def curve_oid(self) -> str:
        """Dotted OID of the named curve (EC only)."""
        return _CURVE_OIDS[self]

    @property
    def curve(self) -> ec.EllipticCurve:
        return _CURVES[self]()

    @property
    def rsa_bits(self) -> int:
        return {KeyAlgorithm.RSA_3072: 3072, KeyAlgorithm.RSA_4096: 4096}[self]

    @property
    def key_size(self) -> int:
        return self.curve.key_size if self.is_ec else self.rsa_bits

    @property
    def hash(self) -> hashes.HashAlgorithm:
        """The hash this key signs with: the curve decides for EC (BR 7.1.3.2.2)."""
        return _HASHES[self]()

    @property
    def description(self) -> str:
        if self.is_ec:
            return f"ECDSA {self.curve.name} with {self.hash.name.upper()}"
        return f"RSA {self.rsa_bits} with {self.hash.name.upper()}"


_CURVE_OIDS = {
    KeyAlgorithm.EC_P256: "1.2.840.10045.3.1.7",
    KeyAlgorithm.EC_P384: "1.3.132.0.34",
    KeyAlgorithm.EC_P521: "1.3.132.0.35",
}
_CURVES: dict[KeyAlgorithm, type[ec.EllipticCurve]] = {
    KeyAlgorithm.EC_P256: ec.SECP256R1,
    KeyAlgorithm.EC_P384: ec.SECP384R1,
    KeyAlgorithm.EC_P521: ec.SECP521R1,
}
_HASHES: dict[KeyAlgorithm, type[hashes.HashAlgorithm]] = {
    KeyAlgorithm.EC_P256: hashes.SHA256,
    KeyAlgorithm.EC_P384: hashes.SHA384,
    KeyAlgorithm.EC_P521: hashes.SHA512,
    KeyAlgorithm.RSA_3072: hashes.SHA256,
    KeyAlgorithm.RSA_4096: hashes.SHA384,
}


def spki_der(public_key: PublicKeyTypes) -> bytes:
    """DER SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def spki_sha256(public_key: PublicKeyTypes) -> str:
    """Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: how keys are named on paper.

    Here rather than in ``crypto.keys`` so that offline checks (CSRs, plans, transcripts)
    hash keys without loading the PKCS#11 library.
    """
    return hashlib.sha256(spki_der(public_key)).hexdigest()


def algorithm_of(public_key: PublicKeyTypes) -> KeyAlgorithm | None:
    """The KeyAlgorithm a public key belongs to, or None when it is none of ours."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        for algorithm, curve in _CURVES.items():
            if isinstance(public_key.curve, curve):
                return algorithm
        return None
    if isinstance(public_key, rsa.RSAPublicKey):
        return {3072: KeyAlgorithm.RSA_3072, 4096: KeyAlgorithm.RSA_4096}.get(public_key.key_size)
    return None


def issuer_hash(public_key: PublicKeyTypes) -> hashes.HashAlgorithm:
    """The hash a CA with this public key must sign with.

    EC keys follow their curve; RSA keys of any allowed size sign with SHA-256, except 4096 with
    SHA-384 (both are allowed by BR 7.1.3.2.1).
    """
    algorithm = algorithm_of(public_key)
    if algorithm is not None:
        return algorithm.hash
    if isinstance(public_key, rsa.RSAPublicKey):
        return hashes.SHA256()
    raise ProfileError("the issuer key is neither RSA nor a P-256, P-384 or P-521 EC key")
