"""The retire ceremony against SoftHSM: the demo root's key is destroyed after the witnesses
confirm; its backup and the custodians' share copies are recorded destroyed. Checked with
``pkcs11-tool`` (the token's own listing), the journal, the inventory and ``due``, and
``keyceremony verify --root`` on the transcript of the key's own destruction."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, ROOT_KEY, ROOT_TOKEN, DemoResult, run_demo
from ceremony.engine import StepRefused
from ceremony.inventory import Inventory
from ceremony.inventory.due import due_items
from ceremony.plan import check_plan, parse_plan_text
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module
from tests.ceremony.helpers import header, prompter, run, share_table, write_plan
from tests.ceremony.test_plan_check import make_root


def retire_plan(demo: Path, check_value: str | None, *, shares: bool = True,
                backup: bool = True, ceremony_id: str = "test-retire") -> str:
    text = (header("retire", ceremony_id)
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{demo / "root-ca.pem"}"\nkey_label = "{ROOT_KEY}"\n'
            + '\n[retire]\nreason = "rehearsal of the end of the demo root"\n'
            + f"shares_destroyed = {str(shares).lower()}\n")
    if shares:
        text += share_table("shares", check_value)
    if backup:
        text += f'\n[backup]\nfile = "{demo / "backup" / "demo-root-key.json"}"\n'
    return text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    result = run_demo(tmp_path_factory.mktemp("retire") / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


def check_value(demo: DemoResult) -> str:
    data = json.loads((demo.folder / "backup" / "demo-root-key.json").read_text())
    return str(data["wrap_key_check_value"])


def token_labels() -> str:
    return subprocess.run(["pkcs11-tool", "--module", default_module(), "--token-label",
                           ROOT_TOKEN, "--login", "--pin", DEMO_PIN, "--list-objects"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.softhsm
def test_a_refusal_destroys_nothing_then_the_key_is_retired(demo: DemoResult,
                                                           tmp_path: Path) -> None:
    from gui.launcher import main

    SoftHsmStore(demo.folder / "softhsm").activate()
    inventory_path = demo.folder / "inventory.sqlite3"
    # A witness refuses: the key stays.
    refused = write_plan(tmp_path, "refused", retire_plan(demo.folder, check_value(demo),
                                                          ceremony_id="test-retire-refused"))
    with pytest.raises(StepRefused):
        run(refused, tmp_path / "refused-out",
            prompter(refusals={"destroy-key": "not today"}), inventory_path)
    assert f"label:      {ROOT_KEY}" in token_labels()

    plan = write_plan(tmp_path, "retire", retire_plan(demo.folder, check_value(demo)))
    context = run(plan, tmp_path / "out", prompter(), inventory_path)
    listing = token_labels()
    assert f"label:      {ROOT_KEY}\n" not in listing
    assert "transcript-signer-test-retire" in listing  # it signed the transcript
    events = [r.event for r in context.journal.records]
    assert events.count("key-destroyed") == 1 and events.count("backup-destroyed") == 1
    assert events.count("share-copy-destroyed") == 5 and "shares-retired" in events
    destroyed = events.index("key-destroyed")
    assert events.index("certificate-issued") < destroyed  # the signer came first
    confirmations = [r for r in context.journal.records[:destroyed] if r.event == "sign-off"
                     and r.data.get("step") == "destroy-key"]
    assert {r.actor for r in confirmations} == {"Bob", "Victor"}
    assert main(["verify", str(context.folder / "transcript.pdf"), "--root",
                 str(demo.folder / "root-ca.pem")]) == 0
    with Inventory.open(inventory_path) as inventory:
        key = next(k for k in inventory.keys() if k.key_label == ROOT_KEY)
        assert key.retired is not None and key.retired_ceremony_id == "test-retire"
        assert next(s for s in inventory.share_sets()
                    if s.check_value == check_value(demo)).retired is not None
        # Twenty-five years on, nothing of the retired root is due.
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=9200)
        items = due_items(inventory, later, within_days=0)
    assert not [i for i in items if "Demo Root CA" in i.what and "Issuing" not in i.what]
    assert not [i for i in items if check_value(demo) in i.what]


def test_plan_check_of_a_retirement(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    (tmp_path / "root-ca.pem").write_bytes(root.path.read_bytes())

    def problems(text: str) -> tuple[str, ...]:
        return check_plan(parse_plan_text(text, tmp_path / "p.toml"), tmp_path / "out").problems

    assert problems(retire_plan(tmp_path, "0123456789abcdef", backup=False)) == ()
    no_set = retire_plan(tmp_path, None, shares=False, backup=False).replace(
        "shares_destroyed = false", "shares_destroyed = true")
    assert problems(no_set) == ("shares: missing; retire.shares_destroyed = true needs a "
                                "[shares] table naming the share set",)
    kept = retire_plan(tmp_path, "0123456789abcdef", shares=False, backup=False)
    assert problems(kept + share_table("shares", "0123456789abcdef")) == (
        'shares: a retire ceremony uses a share set only when token.pin = "shares" or '
        "retire.shares_destroyed = true; remove it",)


@pytest.mark.softhsm
def test_a_stopped_retirement_resumes_without_destroying_twice(demo: DemoResult,
                                                               tmp_path: Path) -> None:
    from ceremony.demo.rehearsal import INTERMEDIATE_KEY, INTERMEDIATE_TOKEN
    from ceremony.frontends.scripted import ScriptedPrompter

    SoftHsmStore(demo.folder / "softhsm").activate()
    text = (retire_plan(demo.folder, check_value(demo), backup=False,
                        ceremony_id="test-retire-intermediate")
            .replace(f'label = "{ROOT_TOKEN}"', f'label = "{INTERMEDIATE_TOKEN}"')
            .replace(str(demo.folder / "root-ca.pem"), str(demo.folder / "intermediate-ca.pem"))
            .replace(f'key_label = "{ROOT_KEY}"', f'key_label = "{INTERMEDIATE_KEY}"'))
    plan = write_plan(tmp_path, "retire-intermediate", text)
    pins = {INTERMEDIATE_TOKEN: DEMO_PIN}
    out = tmp_path / "out"
    # The key is destroyed, then a custodian refuses to confirm: the ceremony stops there.
    with pytest.raises(StepRefused):
        run(plan, out, ScriptedPrompter(pins=pins, refusals={"destroy-shares": "lost it"}),
            demo.folder / "inventory.sqlite3")
    context = run(plan, out, ScriptedPrompter(pins=pins), demo.folder / "inventory.sqlite3")
    events = [r.event for r in context.journal.records]
    assert events.count("key-destroyed") == 1
    assert events.count("share-copy-destroyed") == 5
    assert "ceremony-completed" in events and events[-2:] == ["transcript-written",
                                                                   "head-recorded"]
    from gui.launcher import main

    # The signer, certified by the intermediate before its key went, chains to the root.
    assert main(["verify", str(out / "transcript.pdf"), "--root",
                 str(demo.folder / "root-ca.pem")]) == 0
