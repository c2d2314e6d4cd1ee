"""The token layer on SoftHSM, tpm2-pkcs11 (swtpm) and NSS softokn (p11-kit proxy): key
generation and signing, the capability check's answers, wrap and restore where a token can,
and the one-sentence refusals where it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pkcs11 import Attribute

from crypto.algorithms import KeyAlgorithm
from crypto.backup import (
    WrapMechanism,
    generate_wrap_key,
    import_wrap_key,
    read_backup,
    restore_backup,
    wrap_key_pair,
    write_backup,
)
from crypto.errors import MalformedPublicKey, MechanismNotSupported, TokenError
from crypto.keys import find_key_pair, generate_key_pair, spki_sha256
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, open_token, reset_module
from crypto.tokencheck import Need, TokenNeeds, check_token
from tests.tokens import SO_PIN, USER_PIN, TokenFactory, TokenKind

pytestmark = pytest.mark.tokens

EVERYTHING = TokenNeeds(
    generate=((KeyAlgorithm.EC_P384, True), (KeyAlgorithm.EC_P521, False),
              (KeyAlgorithm.RSA_3072, False)),
    sign=(KeyAlgorithm.RSA_4096,), wrap=(KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_3072),
    unwrap=(KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_3072), random=True)

# (need, subject) -> can it? per token, as measured (docs/hsm.md's matrix).
EXPECTED = {
    TokenKind.SOFTHSM: {},  # everything
    TokenKind.TPM2: {
        (Need.GENERATE, "ec-p384, extractable"): "will not generate extractable",
        (Need.GENERATE, "ec-p521"): "malformed CKA_EC_POINT",
        (Need.SIGN, "rsa-4096"): "not 4096",
        (Need.WRAP, "ec-p384"): "will not take an AES wrap key",
        (Need.WRAP, "rsa-3072"): "will not take an AES wrap key",
        (Need.UNWRAP, "ec-p384"): "will not take an AES wrap key",
        (Need.UNWRAP, "rsa-3072"): "will not take an AES wrap key",
    },
    TokenKind.NSS: {
        (Need.WRAP, "ec-p384"): "no mechanism that writes RFC 5649",
        (Need.WRAP, "rsa-3072"): "no mechanism that writes RFC 5649",
        (Need.UNWRAP, "ec-p384"): "TemplateIncomplete",
    },
}


def test_capability_check_answers_what_each_token_can_do(tokens: TokenFactory) -> None:
    token = tokens.make("checked")
    with open_token(token.module, token.label, token.pin) as session:
        report = check_token(session, EVERYTHING, session.info.uri)
        assert list(session.session.get_objects()) == []  # no probe key left behind
    expected = EXPECTED[tokens.kind]
    for capability in report.capabilities:
        problem = expected.get((capability.need, capability.subject))
        if problem is None:
            assert capability.ok, capability
        else:
            assert not capability.ok and capability.problem is not None
            assert problem in capability.problem
            assert "'checked'" in capability.problem  # names the token
            assert "\n" not in capability.problem and "Traceback" not in capability.problem
    assert report.ok is (not expected)
    assert report.uri.startswith("pkcs11:") and "token=checked" in report.uri
    wrap = {TokenKind.SOFTHSM: WrapMechanism.PAD, TokenKind.TPM2: None, TokenKind.NSS: None}
    unwrap = {TokenKind.SOFTHSM: WrapMechanism.PAD, TokenKind.TPM2: None,
              TokenKind.NSS: WrapMechanism.KWP}
    assert report.wrap_mechanism is wrap[tokens.kind]
    assert report.unwrap_mechanism is unwrap[tokens.kind]
    if tokens.kind is TokenKind.NSS:
        # The known-answer test tells NSS's 0x210A for what it is.
        assert any("CKM_AES_KEY_WRAP_PAD: writes RFC 3394 over padded data, not RFC 5649" in n
                   for n in report.notes)


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384,
                                       KeyAlgorithm.RSA_3072], ids=lambda a: a.value)
def test_generated_keys_sign_on_every_token(tokens: TokenFactory,
                                            algorithm: KeyAlgorithm) -> None:
    token = tokens.make("signer")
    with open_token(token.module, token.label, token.pin) as session:
        pair = generate_key_pair(session, "ca", algorithm, extractable=False)
        assert pair.private[Attribute.SENSITIVE] is True
        assert pair.private[Attribute.EXTRACTABLE] is False
        assert pair.record.template  # the template the token took is recorded
        found = find_key_pair(session, "ca")
        assert spki_sha256(found.public_key) == spki_sha256(pair.public_key)
        message = b"signed in " + tokens.kind.value.encode()
        key, public = found.signing_key(), found.public_key
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(key.sign(message, ec.ECDSA(algorithm.hash)), message,
                          ec.ECDSA(algorithm.hash))
        else:
            assert isinstance(public, rsa.RSAPublicKey)
            signature = key.sign(message, padding.PKCS1v15(), algorithm.hash)
            public.verify(signature, message, padding.PKCS1v15(), algorithm.hash)


@pytest.mark.parametrize("token_kind", [TokenKind.TPM2], indirect=True)
def test_tpm2_quirks_are_one_sentence_and_leave_no_key(tokens: TokenFactory) -> None:
    token = tokens.make("tpm")
    with open_token(token.module, token.label, token.pin) as session:
        with pytest.raises(MalformedPublicKey) as malformed:
            generate_key_pair(session, "p521", KeyAlgorithm.EC_P521, extractable=False)
        assert str(malformed.value) == (
            "the token 'tpm' returns ECDSA secp521r1 with SHA512 public keys this tool cannot "
            "read (a malformed CKA_EC_POINT); it cannot hold this CA key")
        with pytest.raises(MechanismNotSupported, match="generates RSA keys of 1024 to 3072 "
                                                        "bits, not 4096"):
            generate_key_pair(session, "rsa", KeyAlgorithm.RSA_4096, extractable=False)
        with pytest.raises(TokenError, match="refuses every template"):
            generate_key_pair(session, "ext", KeyAlgorithm.EC_P256, extractable=True)
        assert list(session.session.get_objects()) == []
        with pytest.raises(TokenError, match="importing the wrap key"):
            import_wrap_key(session, generate_wrap_key(session))
        # Its RSA keys can decrypt whatever the template asks: the record says so.
        pair = generate_key_pair(session, "ca", KeyAlgorithm.EC_P384, extractable=False)
        assert pair.record.template.startswith("token defaults")


@pytest.mark.parametrize("token_kind", [TokenKind.SOFTHSM], indirect=True)
def test_softhsm_wraps_and_restores_by_the_checked_mechanism(tokens: TokenFactory,
                                                             tmp_path: Path) -> None:
    source, target = tokens.make("signer"), tokens.make("checked")
    with open_token(source.module, source.label, source.pin) as session:
        report = check_token(session, TokenNeeds(wrap=(KeyAlgorithm.EC_P384,)), "x")
        assert report.wrap_mechanism is WrapMechanism.PAD
        pair = generate_key_pair(session, "root", KeyAlgorithm.EC_P384, extractable=True)
        secret = generate_wrap_key(session)
        backup = wrap_key_pair(pair, import_wrap_key(session, secret),
                               report.wrap_mechanism, report.unwrap_mechanism)
    assert backup.metadata.wrap_mechanism is WrapMechanism.PAD
    files = write_backup(tmp_path, backup)
    with open_token(target.module, target.label, target.pin) as session:
        restored = restore_backup(session, read_backup(files.metadata), secret,
                                  WrapMechanism.PAD)
        assert spki_sha256(restored.public_key) == backup.metadata.spki_sha256


@pytest.mark.parametrize("token_kind", [TokenKind.NSS], indirect=True)
def test_rsa_backup_made_on_softhsm_restores_into_nss(tokens: TokenFactory,
                                                      tmp_path: Path) -> None:
    """SoftHSM wraps with CKM_AES_KEY_WRAP_PAD; NSS reads RFC 5649 with CKM_AES_KEY_WRAP_KWP:
    the metadata names the first, the restore picks the second."""
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token("made-here", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "made-here", USER_PIN) as session:
        pair = generate_key_pair(session, "root", KeyAlgorithm.RSA_3072, extractable=True)
        secret = generate_wrap_key(session)
        backup = wrap_key_pair(pair, import_wrap_key(session, secret))
    reset_module(DEFAULT_MODULE)
    files = write_backup(tmp_path, backup)
    assert read_backup(files.metadata).metadata.wrap_mechanism is WrapMechanism.PAD
    target = tokens.make("restored-here")
    with open_token(target.module, target.label, target.pin) as session:
        report = check_token(session, TokenNeeds(unwrap=(KeyAlgorithm.RSA_3072,)), "x")
        assert report.ok and report.unwrap_mechanism is WrapMechanism.KWP
        restored = restore_backup(session, read_backup(files.metadata), secret,
                                  report.unwrap_mechanism)
        assert spki_sha256(restored.public_key) == backup.metadata.spki_sha256
        assert restored.record.extractable is False and restored.record.local is False
        message = b"restored from SoftHSM into NSS"
        signature = restored.signing_key().sign(message, padding.PKCS1v15(),
                                                KeyAlgorithm.RSA_3072.hash)
        pair.public_key.verify(signature, message, padding.PKCS1v15(),  # type: ignore[union-attr]
                               KeyAlgorithm.RSA_3072.hash)


def test_software_tokens_are_known_by_what_they_say(tokens: TokenFactory) -> None:
    token = tokens.make("checked")
    with open_token(token.module, token.label, token.pin) as session:
        info = session.info
    assert info.software == {TokenKind.SOFTHSM: "SoftHSM", TokenKind.NSS: "NSS softokn",
                             TokenKind.TPM2: "swtpm (a software TPM)"}[tokens.kind]
    assert info.uri.endswith(f"?module-path={token.module}")
