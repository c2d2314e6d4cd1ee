"""A pyHanko ``Signer`` whose private key is a cryptography key object: the token adapter.

``crypto.keys.TokenKeyPair.signing_key()`` returns an object whose ``sign`` runs inside the
token, so this signer makes PDF signatures without the key ever leaving it, and without
pyHanko's own PKCS#11 module (which pins python-pkcs11 0.9; see pyproject.toml). A software key
works the same way, which is how an auditor's PKCS#12 key could be used too.

The digest is the one the key's algorithm pairs with (P-256/SHA-256, P-384/SHA-384, P-521/
SHA-512, RSA-3072/SHA-256, RSA-4096/SHA-384): the token adapter refuses any other, and so does
this signer, before the token is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from crypto.algorithms import issuer_hash
from crypto.keys import spki_sha256

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def digest_for(key: SigningKey) -> hashes.HashAlgorithm:
    """The digest a PDF signature by ``key`` uses: the one its algorithm signs with."""
    return issuer_hash(key.public_key())


def _max_signature_size(key: SigningKey) -> int:
    if isinstance(key, rsa.RSAPrivateKey):
        return (key.key_size + 7) // 8
    # DER SEQUENCE of two INTEGERs, each at most one byte longer than the curve order.
    octets = (key.curve.key_size + 7) // 8
    return 2 * (octets + 3) + 4


class TokenPdfSigner(Signer):
    """Signs PDF signatures' CMS with ``key`` (a token adapter or a software key).

    ``chain`` is the signer's certificate first, then its issuers (up to and including the
    root, which is embedded so that validators that do not build paths themselves still find
    it). The certificate must be for ``key``: a mismatch is refused before anything is signed.
    """

    def __init__(self, key: SigningKey, chain: Sequence[x509.Certificate]) -> None:
        if not chain:
            raise ValueError("a PDF signer needs its certificate")
        if spki_sha256(chain[0].public_key()) != spki_sha256(key.public_key()):
            raise ValueError("the signer certificate is not for the signing key given")
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple([_asn1(c) for c in chain[1:]])
        super().__init__(signing_cert=_asn1(chain[0]), cert_registry=registry,
                         embed_roots=True)
        self._key = key
        self.digest = digest_for(key)

    @property
    def md_algorithm(self) -> str:
        """pyHanko's name of the digest (``sha384``)."""
        return str(self.digest.name)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        """The raw signature of ``data``; ``dry_run`` gives placeholder bytes of full size."""
        if digest_algorithm != self.md_algorithm:
            raise SigningError(f"this key signs with {self.md_algorithm}, not "
                               f"{digest_algorithm}")
        if dry_run:
            return b"\0" * _max_signature_size(self._key)
        signature: Any
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signature = self._key.sign(data, ec.ECDSA(self.digest))
        else:
            signature = self._key.sign(data, padding.PKCS1v15(), self.digest)
        return bytes(signature)
