"""A token that is not there is refused before anyone is asked for its PIN, in a sentence
that names the module searched and what it holds (issue 13, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, ROOT_TOKEN, root_plan
from ceremony.frontends.scripted import ScriptedPrompter
from crypto.algorithms import KeyAlgorithm
from crypto.errors import TokenNotFound
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, tokens_present
from tests.ceremony.helpers import run


def test_what_a_module_holds_is_said_in_words() -> None:
    assert tokens_present([]) == "it holds no tokens"
    assert tokens_present(["", ""]) == "it holds no tokens but 2 not initialised"
    assert tokens_present(["spare", "", "other"]) == \
        "tokens there: 'other', 'spare', 1 not initialised"


class PinsAsked(ScriptedPrompter):
    """Scripted answers that remember every PIN asked for."""

    asked: list[str]

    def pin(self, person: str, token_label: str, problem: str | None) -> str:
        self.asked.append(token_label)
        return super().pin(person, token_label, problem)


@pytest.mark.softhsm
def test_a_missing_token_is_refused_before_its_pin_is_asked(tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()  # a store with no token initialised: the plan's token is missing
    plan = tmp_path / "root.toml"
    plan.write_text(root_plan(KeyAlgorithm.EC_P256, DEFAULT_MODULE))
    prompter = PinsAsked(pins={ROOT_TOKEN: DEMO_PIN})
    prompter.asked = []
    with pytest.raises(TokenNotFound) as refused:
        run(plan, tmp_path / "out", prompter, tmp_path / "inventory.sqlite3")
    assert prompter.asked == []
    assert str(refused.value) == (
        f"no token labelled {ROOT_TOKEN!r} is present in PKCS#11 module {DEFAULT_MODULE} (it "
        "holds no tokens but 1 not initialised); connect it, correct the label or name the "
        "right module")
