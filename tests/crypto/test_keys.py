"""Key generation in the token and the signing adapter, checked with openssl and cryptography."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute

from crypto.algorithms import KeyAlgorithm
from crypto.errors import KeyExists, KeyNotFound, ProfileError
from crypto.keys import find_key_pair, generate_key_pair, spki_sha256
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, open_token
from tests.conftest import SO_PIN, USER_PIN

pytestmark = pytest.mark.softhsm

FAST = [a for a in KeyAlgorithm if a is not KeyAlgorithm.RSA_4096]


def _self_signed(key: object, public_key: object, algorithm: KeyAlgorithm) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "adapter test")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(public_key).serial_number(2**70 + 5)  # type: ignore[arg-type]
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, algorithm.hash))  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", FAST, ids=lambda a: a.value)
def test_generated_key_signs_what_openssl_verifies(
        softhsm: SoftHsmStore, tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        pair = generate_key_pair(token, "ca", algorithm, extractable=False)
        record = pair.record
        assert record.algorithm is algorithm
        assert record.spki_sha256 == spki_sha256(pair.public_key)
        assert record.local and not record.extractable
        # Sensitive always; no capability beyond signing.
        assert pair.private[Attribute.SENSITIVE] is True
        assert pair.private[Attribute.DERIVE] is False
        assert pair.private[Attribute.DECRYPT] is False
        cert = _self_signed(pair.signing_key(), pair.public_key, algorithm)
        if algorithm.is_ec:
            assert isinstance(pair.public_key, ec.EllipticCurvePublicKey)
            assert pair.public_key.curve.name == algorithm.curve.name
        else:
            assert isinstance(pair.public_key, rsa.RSAPublicKey)
            assert pair.public_key.key_size == algorithm.rsa_bits
        # Found again by label, same public key.
        assert spki_sha256(find_key_pair(token, "ca").public_key) == record.spki_sha256
    pem = tmp_path / "c.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result = subprocess.run(["openssl", "verify", "-check_ss_sig", "-CAfile", str(pem),
                             "-partial_chain", str(pem)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_rsa_4096_key_signs(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        pair = generate_key_pair(token, "ca", KeyAlgorithm.RSA_4096, extractable=False)
        cert = _self_signed(pair.signing_key(), pair.public_key, KeyAlgorithm.RSA_4096)
        cert.verify_directly_issued_by(cert)
        assert cert.signature_hash_algorithm is not None
        assert cert.signature_hash_algorithm.name == "sha384"


def test_duplicate_label_is_refused(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        generate_key_pair(token, "ca", KeyAlgorithm.EC_P256, extractable=True)
        with pytest.raises(KeyExists, match="already holds a key labelled 'ca'"):
            generate_key_pair(token, "ca", KeyAlgorithm.EC_P384, extractable=False)


def test_missing_key_is_reported(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token, \
            pytest.raises(KeyNotFound, match="no key pair labelled 'nope'"):
        find_key_pair(token, "nope")


def test_adapter_refuses_a_hash_that_does_not_pair_with_the_curve(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        pair = generate_key_pair(token, "ca", KeyAlgorithm.EC_P256, extractable=False)
        with pytest.raises(ProfileError, match="signs with SHA256, not SHA384"):
            pair.signing_key().sign(b"data", ec.ECDSA(hashes.SHA384()))


def test_private_material_never_leaves_the_adapter(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        key = generate_key_pair(token, "ca", KeyAlgorithm.EC_P256, extractable=False).signing_key()
        with pytest.raises(TypeError):
            key.private_numbers()
        with pytest.raises(TypeError):
            key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
