"""The step list of each ceremony type; ``steps_for(plan)`` picks the right one."""

from __future__ import annotations

from collections.abc import Callable

from ceremony.ceremonies import (
    crl,
    cross,
    drill,
    intermediate,
    ocsp,
    renewal,
    reshare,
    restore,
    retire,
    root,
    sign,
)
from ceremony.ceremonies.closing import SIGNER_STEP
from ceremony.engine import Step
from ceremony.plan import CeremonyPlan, CeremonyType

_STEPS: dict[CeremonyType, Callable[[CeremonyPlan], tuple[Step, ...]]] = {
    CeremonyType.ROOT: root.steps,
    CeremonyType.INTERMEDIATE_KEY: intermediate.steps,
    CeremonyType.SIGN: sign.steps,
    CeremonyType.CRL: crl.steps,
    CeremonyType.RESTORE: restore.steps,
    CeremonyType.RESHARE: reshare.steps,
    CeremonyType.DRILL: drill.steps,
    CeremonyType.CROSS_CERTIFICATE: cross.steps,
    CeremonyType.ROOT_RENEWAL: renewal.steps,
    CeremonyType.OCSP_SIGNER: ocsp.steps,
    CeremonyType.RETIRE: retire.steps,
}


def steps_for(plan: CeremonyPlan) -> tuple[Step, ...]:
    """The plan's ceremony steps, ending with the transcript signer's certificate."""
    steps = _STEPS[plan.type](plan)
    if plan.type is CeremonyType.DRILL and (plan.token is None or plan.issuer is None):
        return steps  # nothing to sign with; the journal is the drill's record
    if plan.type is CeremonyType.RETIRE:
        return steps  # the signer is certified before the key it needs is destroyed
    return (*steps, SIGNER_STEP)
