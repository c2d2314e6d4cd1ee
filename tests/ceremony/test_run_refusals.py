"""Refusals while running: wrong PINs, a vanishing token, answers files, the air gap."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from ceremony.engine import StepRefused
from ceremony.errors import CeremonyError, UsageError
from ceremony.frontends.scripted import ScriptedPrompter, load_answers
from ceremony.journal import verify_journal
from ceremony.prompts import SigningPreview
from crypto.algorithms import KeyAlgorithm
from crypto.errors import DeviceRemoved
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, reset_module
from gui.launcher import main
from tests.ceremony.helpers import run

pytestmark = pytest.mark.softhsm


def _plan(tmp_path: Path, rehearsal: bool = True) -> Path:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    text = root_plan(KeyAlgorithm.EC_P256, default_module())
    if not rehearsal:
        # A real ceremony on SoftHSM says so in its plan (test_software_token.py).
        text = text.replace("rehearsal = true", "rehearsal = false").replace(
            f'label = "{ROOT_TOKEN}"\n', f'label = "{ROOT_TOKEN}"\nsoftware_token = "accepted"\n')
    path = tmp_path / "root.toml"
    path.write_text(text)
    return path


def test_three_wrong_pins_stop_before_the_token_locks(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    prompter = ScriptedPrompter(pins={ROOT_TOKEN: "wrong-pin"})
    with pytest.raises(CeremonyError, match="refused 3 times"):
        run(plan, tmp_path / "out", prompter, tmp_path / "inv.sqlite3")
    records = verify_journal(tmp_path / "out" / "journal.jsonl").records
    assert [r.event for r in records].count("token-login-failed") == 3
    assert "wrong-pin" not in (tmp_path / "out" / "journal.jsonl").read_text()
    assert records[-1].event == "error"


class VanishingToken(ScriptedPrompter):
    """Pulls the token (finalises the module) while the administrator reads the preview."""

    def confirm_signing(self, person: str, preview: SigningPreview):  # type: ignore[no-untyped-def]
        reset_module(default_module())
        return super().confirm_signing(person, preview)


def test_a_token_that_disappears_mid_ceremony_stops_it_cleanly(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    prompter = VanishingToken(pins={ROOT_TOKEN: DEMO_PIN})
    with pytest.raises(DeviceRemoved, match="went away"):
        run(plan, tmp_path / "out", prompter, tmp_path / "inv.sqlite3")
    records = verify_journal(tmp_path / "out" / "journal.jsonl")
    assert records.ok and records.records[-1].event == "error"
    assert not (tmp_path / "out" / "root-ca.pem").exists()
    # Reconnected, the same plan resumes and finishes with the key generated before.
    done = run(plan, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}),
               tmp_path / "inv.sqlite3")
    events = [r.event for r in done.journal.records]
    labels = [r.data["label"] for r in done.journal.records if r.event == "key-generated"]
    assert labels.count("demo-root-key") == 1 and events[-2] == "transcript-written"
    generated = next(r for r in done.journal.records if r.event == "key-generated")
    from cryptography import x509

    from crypto.keys import spki_sha256

    root = x509.load_pem_x509_certificate((tmp_path / "out" / "root-ca.pem").read_bytes())
    assert spki_sha256(root.public_key()) == generated.data["spki_sha256"]


def test_answers_with_secrets_are_refused_for_a_real_ceremony(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan(tmp_path, rehearsal=False)
    answers = tmp_path / "answers.toml"
    answers.write_text(f'[pins]\n"{ROOT_TOKEN}" = "{DEMO_PIN}"\n')
    with pytest.raises(UsageError, match="only a rehearsal"):
        load_answers(answers, rehearsal=False)
    status = main(["run", str(plan), "--out", str(tmp_path / "out"), "--answers", str(answers),
                   "--inventory", str(tmp_path / "inv.sqlite3")])
    err = capsys.readouterr().err
    assert status == 2 and "only a rehearsal" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_real_ceremony_refuses_a_network_unless_a_deviation_is_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ceremony import environment

    monkeypatch.setattr(environment, "network_interfaces", lambda: (
        environment.NetworkInterface("lo", True), environment.NetworkInterface("eth9", True)))
    plan = _plan(tmp_path, rehearsal=False)
    with pytest.raises(StepRefused, match="eth9"):
        run(plan, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}),
            tmp_path / "inv.sqlite3")
    records = verify_journal(tmp_path / "out" / "journal.jsonl").records
    assert records[-1].event == "step-refused"
    assert not any(r.event == "token-login" for r in records)
    # With a recorded deviation the same plan goes on (it resumes at the environment step).
    prompter = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN},
                                deviations={"environment": "vendor laptop cannot disable NIC"})
    done = run(plan, tmp_path / "out", prompter, tmp_path / "inv.sqlite3")
    deviation = [r for r in done.journal.records if r.event == "deviation"]
    assert deviation and deviation[0].data["reason"] == "vendor laptop cannot disable NIC"
    assert done.journal.records[-2].event == "transcript-written"


def test_a_refused_signing_stops_and_is_journaled(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    prompter = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN},
                                refusals={"root-certificate": "subject misspelt"})
    with pytest.raises(StepRefused, match="subject misspelt"):
        run(plan, tmp_path / "out", prompter, tmp_path / "inv.sqlite3")
    records = verify_journal(tmp_path / "out" / "journal.jsonl").records
    refused = [r for r in records if r.event == "step-refused"]
    assert refused[0].data["reason"] == "subject misspelt" and refused[0].actor == "Alice"
    assert not (tmp_path / "out" / "root-ca.pem").exists()


def test_backup_files_are_also_copied_to_the_plans_backup_folder(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    media = tmp_path / "media"
    plan.write_text(plan.read_text() + f'\n[backup]\nfolder = "{media}"\n')
    done = run(plan, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}),
               tmp_path / "inv.sqlite3")
    copies = [r for r in done.journal.records if r.event == "backup-copied"]
    assert len(copies) == 2
    for name in ("demo-root-key.wrapped", "demo-root-key.json"):
        assert (media / name).read_bytes() == (tmp_path / "out" / "backup" / name).read_bytes()


def test_a_folder_of_another_plan_is_refused_and_not_indexed(tmp_path: Path) -> None:
    from ceremony.inventory import Inventory

    plan = _plan(tmp_path)
    run(plan, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}),
        tmp_path / "first.sqlite3")
    other = tmp_path / "other.toml"
    other.write_text(plan.read_text().replace('title = "Demo root key ceremony"',
                                              'title = "Another root"'))
    with pytest.raises(UsageError, match="another plan"):
        run(other, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}),
            tmp_path / "second.sqlite3")
    with Inventory.open(tmp_path / "second.sqlite3") as inventory:
        assert inventory.ceremonies() == ()
