"""What the ceremony view runs on its worker thread: one plan, or the rehearsal demo (no Qt).

A job runs one or more ceremonies through ``ceremony.execution.run_plan`` with the window's
prompter. Before each ceremony it calls ``begin`` with the plan, its folder and its steps, so
the view can show the step list and follow that ceremony's journal. Nothing here decides
anything about a ceremony: the plans, steps and order come from the ``ceremony`` package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ceremony.plan import CeremonyPlan
from ceremony.prompts import Prompter
from ceremony.runner import Step

Begin = Callable[[CeremonyPlan, Path, tuple[Step, ...]], None]


class CeremonyJob(Protocol):
    """Something the ceremony view runs off the GUI thread."""

    @property
    def title(self) -> str: ...

    @property
    def pin_hint(self) -> str: ...

    def run(self, prompter: Prompter, begin: Begin) -> str:
        """Run the ceremonies; return a sentence saying what was made."""


@dataclass(frozen=True)
class PlanJob:
    """One plan, run (or resumed) in ``folder``, indexed in the inventory at ``inventory``."""

    plan: CeremonyPlan
    folder: Path
    inventory: Path | None = None

    @property
    def title(self) -> str:
        return self.plan.title + (" (rehearsal)" if self.plan.rehearsal else "")

    @property
    def pin_hint(self) -> str:
        return ""

    def run(self, prompter: Prompter, begin: Begin) -> str:
        from ceremony.ceremonies import steps_for
        from ceremony.execution import run_plan

        begin(self.plan, self.folder, steps_for(self.plan))
        run_plan(self.plan, self.folder, prompter, self.inventory)
        return f"Ceremony {self.plan.id} is complete; its record is in {self.folder}."


DEMO_CEREMONIES = ("root", "intermediate-key", "sign")


@dataclass(frozen=True)
class RehearsalJob:
    """The rehearsal demo on throwaway SoftHSM tokens, with the people in the room answering.

    Unlike ``keyceremony demo`` nobody is simulated: the window asks for every sign-off, PIN
    and share copy. ``ceremonies`` picks which of root, intermediate-key and sign to run, in
    that order (sign needs the other two).
    """

    folder: Path
    ceremonies: Sequence[str] = DEMO_CEREMONIES
    algorithm: str = "ec-p384"

    @property
    def title(self) -> str:
        return "Rehearsal on throwaway tokens"

    @property
    def pin_hint(self) -> str:
        from ceremony.demo import DEMO_PIN

        # Not a secret: it guards throwaway rehearsal tokens, and ceremony.demo publishes it.
        return f"Rehearsal: the throwaway tokens' PIN is {DEMO_PIN}."

    def run(self, prompter: Prompter, begin: Begin) -> str:
        from ceremony import demo
        from ceremony.ceremonies import steps_for
        from ceremony.errors import UsageError
        from ceremony.execution import run_plan
        from ceremony.plan_parser import parse_plan
        from crypto.algorithms import KeyAlgorithm
        from crypto.files import write_new_file
        from crypto.softhsm import SoftHsmStore
        from crypto.token import default_module, reset_module

        unknown = set(self.ceremonies) - set(DEMO_CEREMONIES)
        if unknown:
            raise ValueError(f"Unknown demo ceremony {sorted(unknown)[0]!r}.")
        folder = self.folder.resolve()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"{folder} is not an empty folder; the rehearsal needs a new or "
                             "empty one")
        algorithm = KeyAlgorithm(self.algorithm)
        module = default_module()
        previous = os.environ.get("SOFTHSM2_CONF")
        store = SoftHsmStore.create(folder / "softhsm", module)
        store.activate()
        try:
            for label in (demo.ROOT_TOKEN, demo.INTERMEDIATE_TOKEN):
                store.init_token(label, demo.DEMO_PIN, demo.DEMO_SO_PIN)
            ceremonies = folder / "ceremonies"
            root = ceremonies / "demo-root"
            intermediate = ceremonies / "demo-intermediate-key"
            texts = {
                "root": lambda: demo.root_plan(algorithm, module),
                "intermediate-key": lambda: demo.intermediate_plan(algorithm, module),
                "sign": lambda: demo.sign_plan(module, root / "root-ca.pem",
                                               intermediate / "intermediate-ca.csr"),
            }
            made = []
            for name in DEMO_CEREMONIES:
                if name not in self.ceremonies:
                    continue
                path = folder / "plans" / f"{name}.toml"
                write_new_file(path, texts[name]().encode())
                plan = parse_plan(path)
                out = ceremonies / plan.id
                begin(plan, out, steps_for(plan))
                run_plan(plan, out, prompter, folder / "inventory.sqlite3")
                made.append(plan.id)
        finally:
            # The throwaway store served this run only: later ceremonies use the usual one.
            if previous is None:
                os.environ.pop("SOFTHSM2_CONF", None)
            else:
                os.environ["SOFTHSM2_CONF"] = previous
            reset_module(module)
        return (f"Rehearsal complete ({', '.join(made)}); everything it made is in {folder}, "
                f"its inventory is {folder / 'inventory.sqlite3'}.")
