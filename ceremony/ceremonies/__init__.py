"""The step list of each ceremony type; ``steps_for(plan)`` picks the right one."""

from __future__ import annotations

from typing import assert_never

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
from ceremony.ceremonies.closing import signer_step
from ceremony.engine import Step
from ceremony.plan import (
    CeremonyPlan,
    CrlPlan,
    CrossCertificatePlan,
    DrillPlan,
    IntermediateKeyPlan,
    OcspSignerPlan,
    ResharePlan,
    RestorePlan,
    RetirePlan,
    RootPlan,
    RootRenewalPlan,
    SignPlan,
    TypedPlan,
    typed_plan,
)


def steps_for(plan: CeremonyPlan | TypedPlan) -> tuple[Step, ...]:
    """The plan's ceremony steps, ending with the transcript signer's certificate. A parsed
    plan is typed first (PlanError when it lacks a part its type needs)."""
    typed = typed_plan(plan) if isinstance(plan, CeremonyPlan) else plan
    match typed:
        case RootPlan():
            steps = root.steps(typed)
        case IntermediateKeyPlan():
            steps = intermediate.steps(typed)
        case SignPlan():
            steps = sign.steps(typed)
        case CrlPlan():
            steps = crl.steps(typed)
        case RestorePlan():
            steps = restore.steps(typed)
        case ResharePlan():
            steps = reshare.steps(typed)
        case DrillPlan():
            steps = drill.steps(typed)
            if typed.token is None or typed.issuer is None:
                return steps  # nothing to sign with; the journal is the drill's record
        case CrossCertificatePlan():
            steps = cross.steps(typed)
        case RootRenewalPlan():
            steps = renewal.steps(typed)
        case OcspSignerPlan():
            steps = ocsp.steps(typed)
        case RetirePlan():
            # The signer is certified before the key it needs is destroyed.
            return retire.steps(typed)
        case _:
            assert_never(typed)
    return (*steps, signer_step(typed))
