"""Tokens opened by label, PIN handling and error translation, against real SoftHSM."""

from __future__ import annotations

import pytest

from crypto.errors import ModuleNotFound, PinIncorrect, TokenNotFound
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, open_token
from tests.conftest import SO_PIN, USER_PIN

pytestmark = pytest.mark.softhsm


def test_token_is_found_by_label_and_reports_itself(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("first", USER_PIN, SO_PIN)
    softhsm.init_token("second", USER_PIN, SO_PIN)
    with open_token(DEFAULT_MODULE, "second", USER_PIN) as token:
        assert token.info.label == "second"
        assert token.info.manufacturer == "SoftHSM project"
        assert token.info.model == "SoftHSM v2"
        assert len(token.info.serial) == 16
        assert token.info.firmware.count(".") == 1
        assert len(token.random_bytes(32)) == 32
        assert token.random_bytes(32) != token.random_bytes(32)


def test_unknown_label_names_the_tokens_present(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("present", USER_PIN, SO_PIN)
    with pytest.raises(TokenNotFound, match=r"no token labelled 'absent'.*'present'"):
        open_token(DEFAULT_MODULE, "absent", USER_PIN).__enter__()


def test_wrong_pin_is_refused_with_the_tries_hint(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("t", USER_PIN, SO_PIN)
    with pytest.raises(PinIncorrect) as caught:
        open_token(DEFAULT_MODULE, "t", "000000").__enter__()
    message = str(caught.value)
    assert "refused the PIN" in message
    assert "000000" not in message and USER_PIN not in message
    # SoftHSM raises CKF_USER_PIN_COUNT_LOW after a failure; the hint passes that on.
    assert caught.value.tries_hint is not None
    with open_token(DEFAULT_MODULE, "t", USER_PIN) as token:
        assert token.info.label == "t"


def test_missing_module_is_one_clear_sentence(tmp_path: object) -> None:
    with pytest.raises(ModuleNotFound, match="does not exist"):
        open_token("/nonexistent/libpkcs11.so", "t", USER_PIN).__enter__()
