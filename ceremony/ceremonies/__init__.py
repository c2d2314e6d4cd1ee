"""The step list of each ceremony type; ``steps_for(plan)`` picks the right one."""

from __future__ import annotations

import importlib

from ceremony.plan import CeremonyPlan, CeremonyType
from ceremony.runner import Step

_MODULES = {
    CeremonyType.ROOT: "root",
    CeremonyType.INTERMEDIATE_KEY: "intermediate",
    CeremonyType.SIGN: "sign",
    CeremonyType.CRL: "crl",
    CeremonyType.RESTORE: "restore",
    CeremonyType.RESHARE: "reshare",
    CeremonyType.DRILL: "drill",
}


def steps_for(plan: CeremonyPlan) -> tuple[Step, ...]:
    module = importlib.import_module(f"ceremony.ceremonies.{_MODULES[plan.type]}")
    steps: tuple[Step, ...] = module.steps(plan)
    return steps
