"""Profiles, builders and lint-then-sign issuance with keys in SoftHSM."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.algorithms import KeyAlgorithm
from crypto.certificates import random_serial, root_builder, subordinate_builder
from crypto.crl import crl_builder, next_crl_number
from crypto.errors import LintFailed, ProfileError
from crypto.issuance import (
    ROOT,
    TLS_SUBORDINATE,
    prepare_certificate,
    prepare_crl,
    sign_certificate,
    sign_crl,
)
from crypto.keys import generate_key_pair
from crypto.profiles import (
    CrlProfile,
    DistinguishedName,
    RevokedEntry,
    RootProfile,
)
from crypto.softhsm import SoftHsmStore
from crypto.subordinates import SubordinateProfile
from crypto.token import DEFAULT_MODULE, TokenSession, open_token
from tests.conftest import SO_PIN, USER_PIN

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SUBJECT = DistinguishedName("DE", "Example GmbH", "Example Root CA")
SUB_PROFILE = SubordinateProfile(validity_days=1825, crl_url="http://crl.example.com/root.crl",
                                 ca_issuers_url="http://pki.example.com/root.crt")


@pytest.mark.parametrize("days", [2921, 9133, 0])
def test_root_validity_outside_8_to_25_years_is_refused(days: int) -> None:
    with pytest.raises(ProfileError, match=r"certificate\.validity_days"):
        RootProfile(SUBJECT, days).validate()


@pytest.mark.parametrize(("subject", "key"), [
    (DistinguishedName("de", "O", "CN"), "country"),
    (DistinguishedName("DE", " ", "CN"), "organization"),
    (DistinguishedName("DE", "O", "x" * 65), "common_name"),
    (DistinguishedName("DE", "Acme\u202eEvil", "CN"), r"organization: holds U\+202E"),
    (DistinguishedName("DE", "O", "Root\u2028CA"), r"common_name: holds U\+2028"),
])
def test_malformed_subjects_are_refused(subject: DistinguishedName, key: str) -> None:
    with pytest.raises(ProfileError, match=rf"subject\.{key}"):
        RootProfile(subject, 7305).validate()


def test_subordinate_profile_refuses_https_crl_and_missing_cabf_policy() -> None:
    with pytest.raises(ProfileError, match="crl_url"):
        SubordinateProfile(365, "https://crl.example.com/x.crl",
                           "http://pki.example.com/r.crt").validate()
    with pytest.raises(ProfileError, match="policies"):
        SubordinateProfile(365, "http://crl.example.com/x.crl", "http://pki.example.com/r.crt",
                           policies=("1.2.3.4",)).validate()


def test_crl_profile_and_numbers() -> None:
    with pytest.raises(ProfileError, match="365"):
        CrlProfile(366).validate()
    assert next_crl_number(None) == 1 and next_crl_number(41) == 42
    with pytest.raises(ProfileError, match="not allowed"):
        RevokedEntry(5, 0, "certificateHold").validate()


def test_serials_are_positive_long_and_random() -> None:
    import os

    serials = {random_serial(os.urandom) for _ in range(200)}
    assert len(serials) == 200
    assert all(2**126 <= s < 2**127 for s in serials)


def _root(token: TokenSession, algorithm: KeyAlgorithm) -> tuple[object, x509.Certificate]:
    pair = generate_key_pair(token, "root", algorithm, extractable=False)
    builder = root_builder(RootProfile(SUBJECT, 7305), pair.public_key,  # type: ignore[arg-type]
                           random_serial(token.random_bytes), NOW)
    prepared = prepare_certificate(builder, ROOT, pair.public_key, SUBJECT.to_name())
    assert prepared.lint.ok
    issued = sign_certificate(prepared, pair.signing_key())
    assert issued.certificate.tbs_certificate_bytes == prepared.preview.tbs_certificate_bytes
    assert issued.lint_after.ok
    return pair, issued.certificate


@pytest.mark.softhsm
@pytest.mark.parametrize("algorithm", [KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P521,
                                       KeyAlgorithm.RSA_3072], ids=lambda a: a.value)
def test_root_subordinate_and_crl_issue_and_verify(softhsm: SoftHsmStore,
                                                   algorithm: KeyAlgorithm) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        pair, root = _root(token, algorithm)
        root.verify_directly_issued_by(root)
        ext = root.extensions
        assert ext.get_extension_for_class(x509.BasicConstraints).value.path_length is None
        assert ext.get_extension_for_class(x509.BasicConstraints).critical
        with pytest.raises(x509.ExtensionNotFound):
            ext.get_extension_for_class(x509.ExtendedKeyUsage)
        assert root.signature_hash_algorithm is not None
        assert root.signature_hash_algorithm.name == algorithm.hash.name

        sub_key = ec.generate_private_key(ec.SECP384R1())
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(DistinguishedName("DE", "Example GmbH", "Issuing CA").to_name())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .sign(sub_key, algorithm.hash))  # type: ignore[arg-type]
        builder = subordinate_builder(SUB_PROFILE, csr, root, random_serial(token.random_bytes),
                                      NOW)
        prepared = prepare_certificate(builder, TLS_SUBORDINATE, pair.public_key,  # type: ignore[attr-defined]
                                       root.subject)
        sub = sign_certificate(prepared, pair.signing_key()).certificate  # type: ignore[attr-defined]
        sub.verify_directly_issued_by(root)
        # The profile, not the CSR, decides: the CSR asked for CA=false.
        assert sub.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert sub.issuer.public_bytes() == root.subject.public_bytes()

        revoked = RevokedEntry(sub.serial_number, int(NOW.timestamp()), "keyCompromise")
        crl_prepared = prepare_crl(crl_builder(root, 2, NOW, CrlProfile(), [revoked]), root)
        crl = sign_crl(crl_prepared, pair.signing_key()).crl  # type: ignore[attr-defined]
        assert crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
        assert crl.get_revoked_certificate_by_serial_number(sub.serial_number) is not None


@pytest.mark.softhsm
def test_a_profile_that_fails_lint_is_never_signed(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        pair, root = _root(token, KeyAlgorithm.EC_P256)
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(DistinguishedName("DE", "Example GmbH", "Issuing CA").to_name())
               .sign(ec.generate_private_key(ec.SECP256R1()), KeyAlgorithm.EC_P256.hash))  # type: ignore[arg-type]
        internal = SubordinateProfile(1825, "http://crl.corp.internal/root.crl",
                                      "http://pki.example.com/root.crt")
        builder = subordinate_builder(internal, csr, root, random_serial(token.random_bytes), NOW)
        # prepare_certificate is given no token key: a refusal here leaves nothing to sign.
        with pytest.raises(LintFailed, match="nothing was signed") as caught:
            prepare_certificate(builder, TLS_SUBORDINATE, pair.public_key,  # type: ignore[attr-defined]
                                root.subject)
        assert any("internal" in finding for finding in caught.value.findings)


@pytest.mark.softhsm
def test_a_subordinate_may_not_outlive_its_issuer(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        _pair, root = _root(token, KeyAlgorithm.EC_P256)
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(DistinguishedName("DE", "Example GmbH", "Issuing CA").to_name())
               .sign(ec.generate_private_key(ec.SECP256R1()), KeyAlgorithm.EC_P256.hash))  # type: ignore[arg-type]
        long = SubordinateProfile(7306, "http://crl.example.com/root.crl",
                                  "http://pki.example.com/root.crt")
        with pytest.raises(ProfileError, match="after the issuer expires"):
            subordinate_builder(long, csr, root, 2**100, NOW)
