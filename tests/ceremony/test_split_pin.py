"""token.pin = "shares": after the root ceremony only a quorum can unlock the token, and a
reshare moves that power to the new custodians."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from ceremony.errors import CeremonyError
from ceremony.frontends.scripted import ScriptedPrompter
from crypto.algorithms import KeyAlgorithm
from crypto.errors import PinIncorrect
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, open_token
from tests.ceremony.helpers import crl_plan, header, run, share_table, shares_from, write_plan

pytestmark = pytest.mark.softhsm


def test_a_split_pin_follows_its_share_set(tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    text = root_plan(KeyAlgorithm.EC_P256, default_module()).replace(
        f'label = "{ROOT_TOKEN}"\n', f'label = "{ROOT_TOKEN}"\npin = "shares"\n', 1)
    root_path = write_plan(tmp_path, "root", text)
    custodians = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN})
    inventory = tmp_path / "inv.sqlite3"
    root = run(root_path, tmp_path / "root", custodians, inventory)
    split = [r for r in root.journal.records if r.event == "token-pin-split"]
    assert len(split) == 1
    check = str(split[0].data["check_value"])
    # The PIN typed at the start no longer opens the token.
    with pytest.raises(PinIncorrect):
        open_token(default_module(), ROOT_TOKEN, DEMO_PIN).__enter__()

    # A CRL ceremony unlocks it with a quorum of the shares (no PIN is typed).
    def crl(ceremony_id: str, shares: str, enter: list[str]) -> object:
        plan = crl_plan(tmp_path / "root").replace('"test-crl"', f'"{ceremony_id}"').replace(
            f'label = "{ROOT_TOKEN}"\n', f'label = "{ROOT_TOKEN}"\npin = "shares"\n', 1)
        path = write_plan(tmp_path, ceremony_id, plan + shares)
        return run(path, tmp_path / ceremony_id, ScriptedPrompter(shares_to_enter=enter),
                   inventory)

    books = custodians.notebooks
    done = crl("crl-1", share_table("shares", check),
               shares_from(books, "Carol", "Erin", "Grace"))
    assert any(r.event == "token-login" for r in done.journal.records)  # type: ignore[attr-defined]

    # Reshare to three new holders (2-of-3): the PIN moves to the new set.
    reshare = write_plan(tmp_path, "reshare", (
        header("reshare", "reshare")
        + f'\n[token]\nlabel = "{ROOT_TOKEN}"\npin = "shares"\n'
        + share_table("shares", check)
        + share_table("new_shares", None, ("Carol", "Dave", "Erin"), 2)
        + f'\n[backup]\nfile = "{tmp_path / "root" / "backup" / "demo-root-key.json"}"\n'))
    moved = ScriptedPrompter(shares_to_enter=shares_from(books, "Dave", "Frank", "Grace"))
    result = run(reshare, tmp_path / "reshare", moved, inventory)
    new_check = [r for r in result.journal.records
                 if r.event == "token-pin-split"][-1].data["check_value"]
    assert new_check != check
    # The old shares no longer unlock the token; the new ones do.
    with pytest.raises(CeremonyError):
        crl("crl-2", share_table("shares", check), shares_from(books, "Carol", "Erin", "Grace"))
    crl("crl-3", share_table("shares", str(new_check), ("Carol", "Dave", "Erin"), 2),
        shares_from(moved.notebooks, "Erin", "Dave"))
