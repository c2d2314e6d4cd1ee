"""The step list of each ceremony type; ``steps_for(plan)`` picks the right one."""

from __future__ import annotations

import importlib

from ceremony.engine import Step
from ceremony.plan.values import CeremonyPlan, CeremonyType

_MODULES = {
    CeremonyType.ROOT: "root",
    CeremonyType.INTERMEDIATE_KEY: "intermediate",
    CeremonyType.SIGN: "sign",
    CeremonyType.CRL: "crl",
    CeremonyType.RESTORE: "restore",
    CeremonyType.RESHARE: "reshare",
    CeremonyType.DRILL: "drill",
    CeremonyType.CROSS_CERTIFICATE: "cross",
    CeremonyType.ROOT_RENEWAL: "renewal",
    CeremonyType.OCSP_SIGNER: "ocsp",
    CeremonyType.RETIRE: "retire",
}


def steps_for(plan: CeremonyPlan) -> tuple[Step, ...]:
    """The plan's ceremony steps, ending with the transcript signer's certificate."""
    from ceremony.ceremonies.closing import SIGNER_STEP

    module = importlib.import_module(f"ceremony.ceremonies.{_MODULES[plan.type]}")
    steps: tuple[Step, ...] = module.steps(plan)
    if plan.type is CeremonyType.DRILL and (plan.token is None or plan.issuer is None):
        return steps  # nothing to sign with; the journal is the drill's record
    if plan.type is CeremonyType.RETIRE:
        return steps  # the signer is certified before the key it needs is destroyed
    return (*steps, SIGNER_STEP)
