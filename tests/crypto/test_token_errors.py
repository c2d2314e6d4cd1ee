"""PKCS#11 errors become one clear domain sentence (unit tests: a faked library error, since
SoftHSM never locks a PIN or loses its device on demand)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pkcs11 import exceptions as p11

from crypto.errors import (
    DeviceRemoved,
    MechanismNotSupported,
    PinIncorrect,
    PinLocked,
    TokenError,
)
from crypto.token import TokenSession, _tries_hint, translate, translated


@pytest.mark.parametrize(("raised", "expected", "words"), [
    (p11.PinLocked(), PinLocked, "locked"),
    (p11.MechanismInvalid(), MechanismNotSupported, "does not support"),
    (p11.FunctionNotSupported(), MechanismNotSupported, "does not support"),
    (p11.DeviceRemoved(), DeviceRemoved, "went away"),
    (p11.TokenNotPresent(), DeviceRemoved, "went away"),
    (p11.SessionHandleInvalid(), DeviceRemoved, "went away"),
    (p11.PKCS11Error("Initialisation error (not initialized)."), DeviceRemoved, "went away"),
    (p11.GeneralError(), TokenError, "failed while signing"),
])
def test_library_errors_become_domain_errors(raised: Exception, expected: type[Exception],
                                             words: str) -> None:
    error = translate(raised, "signing")
    assert type(error) is expected
    assert words in str(error)
    with pytest.raises(expected) as caught, translated("signing"):
        raise raised
    assert caught.value.__cause__ is raised


def test_tries_hint_follows_the_token_flags() -> None:
    from pkcs11 import TokenFlag

    assert "one try" in str(_tries_hint(int(TokenFlag.USER_PIN_FINAL_TRY)))
    assert "few tries" in str(_tries_hint(int(TokenFlag.USER_PIN_COUNT_LOW)))
    assert _tries_hint(0) is None


class _FakeToken:
    """A token whose log-in fails as a locked or final-try token would."""

    label = "fake"
    manufacturer_id = "Fake"
    model = "Fake"
    serial = b"1"
    firmware_version = (1, 0)
    hardware_version = (1, 0)

    def __init__(self, error: Exception, flags: int) -> None:
        self.error = error
        self.flags = flags

    def open(self, **_kwargs: object) -> None:
        raise self.error


def _module(folder: Path) -> str:
    """A module file to hash: the session records the digest of the module it loaded."""
    path = folder / "fake.so"
    path.write_bytes(b"not a real module")
    return str(path)


def test_wrong_pin_on_the_final_try_says_so(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    from pkcs11 import TokenFlag

    from crypto import token

    fake = _FakeToken(p11.PinIncorrect(), int(TokenFlag.USER_PIN_FINAL_TRY))
    monkeypatch.setattr(token, "find_token", lambda _module, _label, _serial=None: fake)
    with pytest.raises(PinIncorrect, match="one try is left") as caught:
        TokenSession(_module(tmp_path), "fake", "0000")
    assert "0000" not in str(caught.value)


def test_a_locked_pin_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from crypto import token

    monkeypatch.setattr(token, "find_token", lambda _m, _l, _s=None: _FakeToken(p11.PinLocked(), 0))
    with pytest.raises(PinLocked, match="security officer"):
        TokenSession(_module(tmp_path), "fake", "0000")
