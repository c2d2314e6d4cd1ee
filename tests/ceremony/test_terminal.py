"""The terminal front end, driven through its input functions (a unit test: no tty here)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from ceremony import terminal
from ceremony.prompts import Outcome, SigningPreview
from ceremony.terminal import CLEAR, TerminalPrompter


def _scripted(monkeypatch: pytest.MonkeyPatch, typed: list[str], hidden: list[str]) -> io.StringIO:
    answers: Iterator[str] = iter(typed)
    secrets: Iterator[str] = iter(hidden)
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    monkeypatch.setattr(terminal.getpass, "getpass", lambda _prompt="": next(secrets))
    return io.StringIO()


def test_a_share_is_shown_only_after_its_holder_asks_and_is_cleared_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["", ""], [])
    prompter = TerminalPrompter()
    prompter.out = out
    words = tuple(f"w{i}" for i in range(20))
    prompter.hand_out_share("Carol", 2, 5, words)
    text = out.getvalue()
    assert text.count(CLEAR) == 2
    shown = text.split(CLEAR)[1]
    assert "Share 2 of 5 for Carol" in shown and " 1. w0" in shown and "20. w19" in shown
    assert "w0" not in text.split(CLEAR)[0] and "w0" not in text.split(CLEAR)[2]


def test_refusal_and_deviation_need_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["maybe", "n", "", "wrong token", "d", "vendor NIC"], [])
    prompter = TerminalPrompter()
    prompter.out = out
    refused = prompter.sign_off("Bob", "Is this the token?")
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED, "wrong token")
    deviated = prompter.sign_off("Alice", "Offline?")
    assert (deviated.outcome, deviated.reason) == (Outcome.DEVIATION, "vendor NIC")


def test_signing_preview_is_shown_in_full_before_the_question(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, ["y"], [])
    prompter = TerminalPrompter()
    prompter.out = out
    preview = SigningPreview("root certificate", (("Subject", "CN=Root"),),
                             ("basicConstraints (critical): CA=True",), ("clean: no findings",),
                             True, "root-key (SPKI SHA-256 ab)")
    decision = prompter.confirm_signing("Alice", preview)
    text = out.getvalue()
    assert decision.outcome is Outcome.CONFIRMED and decision.person == "Alice"
    for expected in ("CN=Root", "basicConstraints", "clean", "root-key"):
        assert expected in text


def test_pin_and_shares_are_read_without_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _scripted(monkeypatch, [], ["123456", "acid acne", "w3", "w9"])
    prompter = TerminalPrompter()
    prompter.out = out
    assert prompter.pin("Alice", "root", "the token refused the PIN") == "123456"
    assert prompter.enter_share("1 of 3 shares accepted.", None) == "acid acne"
    assert prompter.copy_check("Carol", (3, 9)) == ("w3", "w9")
    assert "123456" not in out.getvalue() and "acid" not in out.getvalue()
