"""Every step tells the front ends who acts and in which role, person by person (issue 13,
item 14: "Acting: Alice, Carol (administrator, custodian)" paired nobody with a role)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.plan import parse_plan
from ceremony.prompts import StepView
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE
from tests.ceremony.helpers import run

pytestmark = pytest.mark.softhsm


class StepsSeen(ScriptedPrompter):
    views: list[StepView]

    def step(self, view: StepView) -> None:
        self.views.append(view)
        super().step(view)


def test_each_acting_person_comes_with_their_own_role(tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    path = tmp_path / "root.toml"
    path.write_text(root_plan(KeyAlgorithm.EC_P256, DEFAULT_MODULE))
    prompter = StepsSeen(pins={ROOT_TOKEN: DEMO_PIN})
    prompter.views = []
    run(path, tmp_path / "out", prompter, tmp_path / "inventory.sqlite3")
    plan = parse_plan(path)
    role_of = {p.name: p.role.value for p in plan.participants}
    mixed = [v for v in prompter.views if len(set(v.actor_roles)) > 1]
    assert mixed, "a step where people of two roles act"
    for view in prompter.views:
        assert view.actor_roles == tuple(role_of[name] for name in view.actors), view
    assert all(f"{name} ({role_of[name]})" in mixed[0].acting for name in mixed[0].actors)
