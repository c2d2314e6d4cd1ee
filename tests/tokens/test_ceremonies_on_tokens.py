"""Whole ceremonies on each of the three tokens: a root ceremony with backup = "none" completes
and its transcript verifies; a plan asking a wrapped backup of a token that cannot make one is
refused at the token step, before any key exists; ``keyceremony token check`` answers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.demo.rehearsal import root_plan
from ceremony.errors import StepRefused
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import Event, verify_journal
from ceremony.verify.audit import TrustAnchors, verify_transcript
from crypto.algorithms import KeyAlgorithm
from crypto.token import open_token
from tests.ceremony.helpers import run, write_plan
from tests.tokens import MadeToken, TokenFactory, TokenKind

pytestmark = [pytest.mark.tokens, pytest.mark.slow]


def plan_for(token: MadeToken, backup: str) -> str:
    text = root_plan(KeyAlgorithm.EC_P384, token.module).replace(
        'label = "demo-root"', f'label = "{token.label}"')
    if backup == "none":
        text = text.replace('backup = "wrapped"', 'backup = "none"')
        text = text[:text.index("\n[shares]")] + text[text.index("\n[certificate]"):]
    return text


def test_root_ceremony_without_backup_completes_and_verifies(tokens: TokenFactory,
                                                             tmp_path: Path) -> None:
    token = tokens.make("nss-root")
    plan = write_plan(tmp_path, "root", plan_for(token, "none"))
    context = run(plan, tmp_path / "out", ScriptedPrompter(pins={token.label: token.pin}),
                  tmp_path / "inventory.sqlite3")
    records = verify_journal(context.folder / "journal.jsonl").records
    checked = [r for r in records if r.event == Event.TOKEN_CHECKED]
    assert len(checked) == 1 and checked[0].data["ok"] is True
    assert checked[0].data["uri"].startswith("pkcs11:")
    events = [r.event for r in records]
    # The check comes before the key exists.
    assert events.index(Event.TOKEN_CHECKED) < events.index(Event.KEY_GENERATED)
    report = verify_transcript(context.folder / "transcript.pdf",
                               TrustAnchors.load([context.folder / "root-ca.pem"]))
    assert report.ok, report
    printed = subprocess.run(["pdftotext", str(context.folder / "transcript.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert "Token capability checks" in printed and "every need met" in printed


@pytest.mark.parametrize("token_kind", [TokenKind.TPM2, TokenKind.NSS], indirect=True)
def test_a_wrapped_backup_is_refused_before_any_key_exists(tokens: TokenFactory,
                                                           tmp_path: Path) -> None:
    token = tokens.make("nss-root")
    plan = write_plan(tmp_path, "root", plan_for(token, "wrapped"))
    with pytest.raises(StepRefused) as refused:
        run(plan, tmp_path / "out", ScriptedPrompter(pins={token.label: token.pin}),
            tmp_path / "inventory.sqlite3")
    reason = {TokenKind.TPM2: "will not generate extractable ECDSA secp384r1 with SHA384 keys",
              TokenKind.NSS: "has no mechanism that writes RFC 5649"}[tokens.kind]
    assert reason in str(refused.value)
    assert "before any key was made" in str(refused.value)
    records = verify_journal(tmp_path / "out" / "journal.jsonl").records
    events = [r.event for r in records]
    assert Event.KEY_GENERATED not in events
    assert events.index(Event.TOKEN_CHECKED) + 1 == events.index(Event.STEP_REFUSED)
    with open_token(token.module, token.label, token.pin) as session:
        assert list(session.session.get_objects()) == []


def test_token_check_command_answers_for_each_token(tokens: TokenFactory, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    token = tokens.make("nss-plan")
    plan = write_plan(tmp_path, "root", plan_for(token, "wrapped"))
    answers = tmp_path / "answers.toml"
    answers.write_text(f'[pins]\n"{token.label}" = "{token.pin}"\n')
    status = main(["token", "check", str(plan), "--answers", str(answers)])
    out, err = capsys.readouterr()
    assert f"token={token.label}" in out
    if tokens.kind is TokenKind.SOFTHSM:
        assert status == 0, err
        assert "token check: 1 token(s) can do every step of plan demo-root" in out
        assert "wrap ec-p384: CKM_AES_KEY_WRAP_PAD" in out
    else:
        assert status == 1
        assert err.startswith("keyceremony: token check: the token 'nss-plan' ")
        assert err.count("\n") == 1 and "Traceback" not in err
    with open_token(token.module, token.label, token.pin) as session:
        assert list(session.session.get_objects()) == []
