"""The drill: custodians prove their shares still rebuild the secret; nothing else changes."""

from __future__ import annotations

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.engine import CeremonyContext, Step, collect_quorum
from ceremony.errors import CeremonyError
from ceremony.journal import Event
from ceremony.plan import DrillPlan, Role
from crypto.errors import CryptoError


def drill(ctx: CeremonyContext, plan: DrillPlan) -> None:
    shares = plan.shares
    expected = shares.check_value or ""
    try:
        secret = collect_quorum(ctx, shares, "drill")
    except (CeremonyError, CryptoError) as ex:
        ctx.record(Event.SHARES_DRILLED, {"check_value": expected, "ok": False, "reason": str(ex)})
        raise
    del secret  # proven by its check value; nothing is done with it
    ctx.record(Event.SHARES_DRILLED, {"check_value": expected, "ok": True})
    ctx.prompter.inform("The shares rebuilt the secret: its check value matches.")


def steps(plan: DrillPlan) -> tuple[Step, ...]:
    return (
        ENVIRONMENT,
        Step("drill", "Rebuild the secret from a quorum of shares", (Role.CUSTODIAN,),
             "Custodians enter their shares one at a time. The rebuilt secret is compared with "
             "its check value and then forgotten; nothing else changes.",
             lambda ctx: drill(ctx, plan)),
    )
