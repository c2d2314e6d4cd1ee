"""Running a token's capability check: mechanisms, probe keys, and the key-wrap tests.

Probe keys are labelled ``keyceremony-probe-<random>`` and destroyed before the check returns,
whatever happens; a probe that is to be wrapped is extractable, every other one is not. The
wrap key of the check is a public test value (``kat.TEST_KEK``), never a ceremony's.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)
from pkcs11 import Attribute, Mechanism
from pkcs11 import exceptions as p11

from crypto.algorithms import KeyAlgorithm, spki_sha256
from crypto.backupfile import BackupMetadata, WrapMechanism, WrappedBackup
from crypto.checkvalue import check_value
from crypto.errors import CryptoError, TokenError
from crypto.keys import TokenKeyPair, generate_key_pair
from crypto.token import TokenSession, translated
from crypto.tokencheck.kat import TEST_KEK, import_test_kek, wrap_answers
from crypto.tokencheck.report import Capability, Need, TokenNeeds, TokenReport

PROBE_PREFIX = "keyceremony-probe-"

_RSA_SIGN = {"sha256": Mechanism.SHA256_RSA_PKCS, "sha384": Mechanism.SHA384_RSA_PKCS,
             "sha512": Mechanism.SHA512_RSA_PKCS}


def check_token(session: TokenSession, needs: TokenNeeds, uri: str) -> TokenReport:
    """What ``session``'s token can do of ``needs``; leaves nothing behind in the token."""
    with translated("reading the token's mechanisms"):
        listed = set(session.slot.get_mechanisms())
    caps: list[Capability] = []
    notes: list[str] = []
    probes: dict[tuple[KeyAlgorithm, bool], TokenKeyPair] = {}
    wrap_mechanism = unwrap_mechanism = None
    try:
        if needs.random:
            caps.append(_random(session))
        wanted = list(needs.generate)
        # A key to be wrapped needs an extractable probe, generated once for both checks.
        wanted += [(a, True) for a in needs.wrap if (a, True) not in wanted]
        for algorithm, extractable in wanted:
            cap, pair = _probe(session, algorithm, extractable)
            if (algorithm, extractable) in needs.generate:
                caps.append(cap)
            if pair is not None:
                probes[algorithm, extractable] = pair
        generated = {a for a, _ in probes}
        caps += [_sign(session, a, listed) for a in needs.sign if a not in generated]
        if needs.wrap or needs.unwrap:
            wrap_caps, wrap_mechanism, unwrap_mechanism, wrap_notes = _wrapping(
                session, needs, listed, probes)
            caps += wrap_caps
            notes += wrap_notes
    finally:
        for pair in probes.values():
            _destroy(session, pair.label)
    if session.key_template is not None:
        notes.append(f"key templates: {session.key_template.name}")
    return TokenReport(session.label, uri, tuple(caps), wrap_mechanism, unwrap_mechanism,
                       len(listed), tuple(notes))


def _random(session: TokenSession) -> Capability:
    try:
        data = session.random_bytes(32)
    except CryptoError as ex:
        return Capability(Need.RANDOM, "32 bytes", False, "C_GenerateRandom",
                          f"the token {session.label!r} gives no random bytes ({ex})")
    if len(set(data)) < 8:
        return Capability(Need.RANDOM, "32 bytes", False, "C_GenerateRandom",
                          f"the token {session.label!r} returns random bytes that are not "
                          "random; do not use it")
    return Capability(Need.RANDOM, "32 bytes", True, "C_GenerateRandom")


def _probe(session: TokenSession, algorithm: KeyAlgorithm,
           extractable: bool) -> tuple[Capability, TokenKeyPair | None]:
    subject = algorithm.value + (", extractable" if extractable else "")
    label = PROBE_PREFIX + secrets.token_hex(4)
    try:
        pair = generate_key_pair(session, label, algorithm, extractable=extractable)
    except CryptoError as ex:
        _destroy(session, label)
        problem = str(ex)
        if extractable and type(ex) is TokenError:
            reason = type(ex.__cause__).__name__ if ex.__cause__ else "refused"
            problem = (f"the token {session.label!r} will not generate extractable "
                       f"{algorithm.description} keys ({reason}), so it cannot make a wrapped "
                       'backup; use backup = "none" or a token that can')
        return Capability(Need.GENERATE, subject, False, "probe key refused", problem), None
    try:
        how = _sign_with(pair)
    except (CryptoError, InvalidSignature) as ex:
        _destroy(session, label)
        return Capability(Need.GENERATE, subject, False, "probe key made but cannot sign",
                          f"the token {session.label!r} generates {algorithm.description} keys "
                          f"but their signatures do not verify ({ex or type(ex).__name__})"), None
    template = pair.template.name if pair.template else "?"
    return Capability(Need.GENERATE, subject, True,
                      f"probe key generated ({template}), signed with {how}, verified"), pair


def _sign_with(pair: TokenKeyPair) -> str:
    """Sign a fresh message with ``pair`` in the token; verify it in software."""
    message = b"keyceremony token check " + secrets.token_bytes(16)
    key = pair.signing_key()
    hash_ = pair.algorithm.hash
    public = pair.public_key
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(key.sign(message, ec.ECDSA(hash_)), message, ec.ECDSA(hash_))
        return f"CKM_ECDSA over a {hash_.name.upper()} digest made on the host"
    if not isinstance(public, rsa.RSAPublicKey):  # TokenKeyPair admits EC and RSA keys only
        raise TokenError(f"key {pair.label!r} is neither an EC nor an RSA key")
    public.verify(key.sign(message, padding.PKCS1v15(), hash_), message, padding.PKCS1v15(),
                  hash_)
    return _RSA_SIGN[hash_.name].name


def _sign(session: TokenSession, algorithm: KeyAlgorithm, listed: set[Mechanism]) -> Capability:
    """Signing with an existing key: by the mechanism list (the key itself is not touched)."""
    if algorithm.is_ec:
        mechanism = Mechanism.ECDSA
        how = f"CKM_ECDSA over a {algorithm.hash.name.upper()} digest made on the host"
    else:
        mechanism = _RSA_SIGN[algorithm.hash.name]
        how = mechanism.name
    if mechanism not in listed:
        return Capability(Need.SIGN, algorithm.value, False, how,
                          f"the token {session.label!r} does not offer {mechanism.name}, which "
                          f"signing with {algorithm.description} keys needs")
    if not algorithm.is_ec:
        with translated("reading the token's mechanisms"):
            info = session.slot.get_mechanism_info(mechanism)
        if not info.min_key_length <= algorithm.rsa_bits <= info.max_key_length:
            return Capability(Need.SIGN, algorithm.value, False, how,
                              f"the token {session.label!r} signs with RSA keys of "
                              f"{info.min_key_length} to {info.max_key_length} bits, not "
                              f"{algorithm.rsa_bits}")
    return Capability(Need.SIGN, algorithm.value, True, how)


def _wrapping(session: TokenSession, needs: TokenNeeds, listed: set[Mechanism],
              probes: dict[tuple[KeyAlgorithm, bool], TokenKeyPair],
              ) -> tuple[list[Capability], WrapMechanism | None, WrapMechanism | None, list[str]]:
    def refuse(why: str) -> list[Capability]:
        return ([Capability(Need.WRAP, a.value, False, "no wrap key", why) for a in needs.wrap]
                + [Capability(Need.UNWRAP, a.value, False, "no wrap key", why)
                   for a in needs.unwrap])

    try:
        kek = import_test_kek(session)
    except p11.PKCS11Error as ex:
        why = (f"the token {session.label!r} will not take an AES wrap key "
               f"({type(ex).__name__}), so it can neither make nor restore a wrapped backup")
        return refuse(why), None, None, []
    try:
        answers = wrap_answers(session, kek, listed)
        notes = [f"{a.mechanism.value}: {a.detail}" for a in answers]
        writer = next((a.mechanism for a in answers if a.writes), None)
        reader = next((a.mechanism for a in answers if a.reads), None)
        caps: list[Capability] = []
        from crypto.backup import TokenWrapKey

        wrap_key = TokenWrapKey(session, kek, check_value(TEST_KEK))
        for algorithm in needs.wrap:
            caps.append(_wrap(session, algorithm, probes.get((algorithm, True)), wrap_key,
                              writer, reader))
        for algorithm in needs.unwrap:
            caps.append(_unwrap(session, algorithm, reader))
        return caps, writer, reader, notes
    finally:
        with suppress(p11.PKCS11Error):
            kek.destroy()


def _wrap(session: TokenSession, algorithm: KeyAlgorithm, probe: TokenKeyPair | None,
          wrap_key: object, writer: WrapMechanism | None,
          reader: WrapMechanism | None) -> Capability:
    from crypto.backup import wrap_key_pair

    name = session.label
    if writer is None or reader is None:
        return Capability(Need.WRAP, algorithm.value, False, "no RFC 5649 mechanism",
                          f"the token {name!r} has no mechanism that "
                          f"{'writes' if writer is None else 'reads'} RFC 5649 key wrap with "
                          "padding, so it cannot make a wrapped backup")
    if probe is None:
        return Capability(Need.WRAP, algorithm.value, False, "no extractable probe key",
                          f"the token {name!r} will not generate extractable "
                          f"{algorithm.description} keys, so it cannot make a wrapped backup")
    how = f"{writer.value}, proven by {reader.value}"
    try:
        backup = wrap_key_pair(probe, wrap_key, writer, reader)  # type: ignore[arg-type]
    except CryptoError as ex:
        return Capability(Need.WRAP, algorithm.value, False, how,
                          f"the token {name!r} cannot wrap {algorithm.description} keys with "
                          f"{writer.value} ({ex})")
    # Any RFC 5649 implementation must read the backup: unwrap it here in software.
    try:
        plain = aes_key_unwrap_with_padding(TEST_KEK, backup.wrapped)
        # SoftHSM zero-pads the PKCS#8 to whole blocks: read the outer DER length.
        private = serialization.load_der_private_key(_der_prefix(plain), None)
        same = spki_sha256(private.public_key()) == spki_sha256(probe.public_key)
    except (InvalidUnwrap, ValueError, TypeError):
        same = False
    if not same:
        return Capability(Need.WRAP, algorithm.value, False, how,
                          f"the token {name!r} wraps {algorithm.description} keys into "
                          "something that is not RFC 5649 of its PKCS#8, so no other "
                          "implementation could restore the backup")
    padded = " (PKCS#8 zero-padded to whole blocks)" if len(plain) > len(_der_prefix(plain)) \
        else ""
    return Capability(Need.WRAP, algorithm.value, True,
                      f"{how}; RFC 5649 of PKCS#8 read back in software{padded}")


def _unwrap(session: TokenSession, algorithm: KeyAlgorithm,
            reader: WrapMechanism | None) -> Capability:
    from crypto.backup import restore_backup

    name = session.label
    if reader is None:
        return Capability(Need.UNWRAP, algorithm.value, False, "no RFC 5649 mechanism",
                          f"the token {name!r} has no mechanism that reads RFC 5649 key wrap "
                          "with padding, so it cannot restore a wrapped backup")
    software = (ec.generate_private_key(algorithm.curve) if algorithm.is_ec
                else rsa.generate_private_key(65537, algorithm.rsa_bits))
    pkcs8 = software.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    wrapped = aes_key_wrap_with_padding(TEST_KEK, pkcs8)
    public = software.public_key()
    del software, pkcs8  # a throwaway test key, but no need to keep it
    label = PROBE_PREFIX + secrets.token_hex(4)
    metadata = BackupMetadata(
        key_label=label, key_algorithm=algorithm, spki_sha256=spki_sha256(public),
        public_key_pem=public.public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii"),
        wrap_key_check_value=check_value(TEST_KEK),
        wrapped_sha256=hashlib.sha256(wrapped).hexdigest(),
        created=datetime.now(UTC).replace(microsecond=0))
    try:
        restore_backup(session, WrappedBackup(metadata, wrapped), TEST_KEK, reader)
    except CryptoError as ex:
        return Capability(Need.UNWRAP, algorithm.value, False, reader.value,
                          f"the token {name!r} cannot restore {algorithm.description} keys "
                          f"from RFC 5649 with {reader.value} ({ex})")
    finally:
        _destroy(session, label)
    return Capability(Need.UNWRAP, algorithm.value, True,
                      f"{reader.value}: an RFC 5649 wrap made in software restored, signed, "
                      "verified")


def _der_prefix(data: bytes) -> bytes:
    """The outer DER element at the start of ``data`` (a SEQUENCE with its length)."""
    if len(data) < 2 or data[0] != 0x30:
        return data
    first = data[1]
    if first < 0x80:
        return data[:2 + first]
    count = first & 0x7F
    length = int.from_bytes(data[2:2 + count], "big")
    return data[:2 + count + length]


def _destroy(session: TokenSession, label: str) -> None:
    """Remove every object labelled ``label`` (a probe's halves)."""
    with suppress(p11.PKCS11Error):
        for obj in list(session.session.get_objects({Attribute.LABEL: label})):
            with suppress(p11.PKCS11Error):
                obj.destroy()
