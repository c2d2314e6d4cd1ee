"""What the ceremony view runs on its worker thread: one plan, or the rehearsal demo (no Qt).

A job runs one or more ceremonies through ``ceremony.execution.run_plan`` with the window's
prompter. Before each ceremony it calls ``begin`` with the plan, its folder and its steps, so
the view can show the step list and follow that ceremony's journal. Nothing here decides
anything about a ceremony: the plans, steps and order come from the ``ceremony`` package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ceremony.demo.rehearsal import CEREMONY_ORDER
from ceremony.engine import Step
from ceremony.inventory.database import INVENTORY_FILE_NAME
from ceremony.plan import CeremonyPlan
from ceremony.prompts import Prompter

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
        from ceremony.execution import prepare, run_plan

        ceremony = prepare(self.plan, self.folder)  # checked again: the folder may have changed
        begin(self.plan, self.folder, steps_for(self.plan))
        run_plan(ceremony, prompter, self.inventory)
        return f"Ceremony {self.plan.id} is complete; its record is in {self.folder}."




@dataclass(frozen=True)
class RehearsalJob:
    """The rehearsal demo on throwaway SoftHSM tokens, with the people in the room answering.

    Unlike ``keyceremony demo`` nobody is simulated: the window asks for every sign-off, PIN
    and share copy. ``ceremonies`` picks which of root, intermediate-key and sign to run, in
    that order (sign needs the other two).
    """

    folder: Path
    ceremonies: Sequence[str] = CEREMONY_ORDER
    algorithm: str = "ec-p384"

    @property
    def title(self) -> str:
        return "Rehearsal on throwaway tokens"

    @property
    def inventory(self) -> Path:
        """The rehearsal's own inventory, in its folder (as ``Rehearsal.inventory``)."""
        return self.folder / INVENTORY_FILE_NAME

    @property
    def pin_hint(self) -> str:
        from ceremony.demo.rehearsal import DEMO_PIN

        # Not a secret: it guards throwaway rehearsal tokens, and ceremony.demo publishes it.
        return f"Rehearsal: the throwaway tokens' PIN is {DEMO_PIN}."

    def run(self, prompter: Prompter, begin: Begin) -> str:
        from ceremony.ceremonies import steps_for
        from ceremony.demo.rehearsal import Rehearsal
        from ceremony.execution import prepare, run_plan
        from crypto.algorithms import KeyAlgorithm

        unknown = set(self.ceremonies) - set(CEREMONY_ORDER)
        if unknown:
            raise ValueError(f"Unknown demo ceremony {sorted(unknown)[0]!r}.")
        made = []
        # The throwaway store serves this run only: later ceremonies use the usual one.
        with Rehearsal.prepare(self.folder, KeyAlgorithm(self.algorithm)) as rehearsal:
            folder = rehearsal.folder
            for name in CEREMONY_ORDER:
                if name not in self.ceremonies:
                    continue
                plan = rehearsal.write_plan(name)
                out = rehearsal.ceremony_folder(plan.id)
                ceremony = prepare(plan, out)
                begin(plan, out, steps_for(plan))
                run_plan(ceremony, prompter, rehearsal.inventory)
                made.append(plan.id)
        return (f"Rehearsal complete ({', '.join(made)}); everything it made is in {folder}, "
                f"its inventory is {rehearsal.inventory}.")
