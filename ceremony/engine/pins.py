"""Where a token's PIN comes from: typed at run time, or rebuilt from a quorum of shares.

With ``token.pin = "shares"`` nobody knows the PIN: it is derived from the secret of the plan's
share set (the wrap key of the CA's backup), so unlocking the token needs the same quorum as
restoring the backup. A root ceremony with that setting changes the token's PIN to the derived
one after the backup is made (step ``split-pin``). The derived PIN is 32 hex characters, held
only in local variables on its way to C_Login or C_SetPIN.
"""

from __future__ import annotations

import hashlib
import hmac

from ceremony.engine.context import CeremonyContext
from ceremony.engine.custody import collect_quorum
from ceremony.errors import CeremonyError
from ceremony.journal import Event
from ceremony.plan import CeremonyPlan, CeremonyType, PinSource, ShareSpec, TokenSpec
from crypto.token import translated

_LABEL = b"keyceremony/token-pin/v1"


def derive_pin(secret: bytes) -> str:
    """The token PIN that belongs to a split secret (a keyed digest, never the secret)."""
    return hmac.new(secret, _LABEL, hashlib.sha256).hexdigest()[:32]


def _makes_shares(plan: CeremonyPlan, spec: TokenSpec) -> bool:
    """Whether ``plan`` is the ceremony that makes the share set guarding ``spec``'s PIN."""
    return plan.key is not None and plan.token == spec and plan.type in (
        CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY)


def pin_is_split(ctx: CeremonyContext, spec: TokenSpec) -> bool:
    """Whether the token's PIN is the derived one: always, except in the ceremony that makes
    the share set, until its ``split-pin`` step has run."""
    return not _makes_shares(ctx.plan, spec) or bool(ctx.records(Event.TOKEN_PIN_SPLIT))


def pin_is_held_by_custodians(plan: CeremonyPlan, spec: TokenSpec) -> bool:
    """Whether, before ``plan`` runs, ``spec``'s PIN is one derived from shares (nobody can
    type it): ``pin = "shares"``, except in the ceremony that makes the share set."""
    return spec.pin is PinSource.SHARES and not _makes_shares(plan, spec)


def split_pin(ctx: CeremonyContext, spec: TokenSpec, shares: ShareSpec) -> None:
    """Replace the typed PIN of ``spec``'s token with the one derived from the new share set
    ``shares``."""
    if spec.pin is not PinSource.SHARES or pin_is_split(ctx, spec):
        return
    session = ctx.token(spec)
    derived = ctx.secrets.pop("derived_pin", b"").decode()
    if not derived:
        secret = collect_quorum(ctx, shares, f"derive the PIN of {spec.label}",
                                _share_check_value(ctx))
        derived = derive_pin(secret)
        del secret
    current = ctx.prompter.pin(ctx.administrator, spec.label,
                               "type the token's current PIN once more: it is replaced now by "
                               "one derived from the shares, which nobody knows")
    with translated(f"changing the PIN of token {spec.label!r}"):
        session.session.set_pin(current, derived)
    del current, derived
    ctx.record(Event.TOKEN_PIN_SPLIT, {"token": spec.label,
                                   "check_value": _share_check_value(ctx)})


def _share_check_value(ctx: CeremonyContext) -> str:
    created = ctx.records(Event.SHARES_CREATED)
    if not created:
        raise CeremonyError("the share set must be made before the PIN can be split")
    return str(created[-1].data["check_value"])


def obtain_pin(ctx: CeremonyContext, spec: TokenSpec, person: str, problem: str | None) -> str:
    """The PIN of ``spec``'s token: asked of ``person``, or rebuilt from the plan's shares."""
    if spec.pin is PinSource.TYPED or not pin_is_split(ctx, spec):
        return ctx.prompter.pin(person, spec.label, problem)
    if problem is not None:
        raise CeremonyError(f"the PIN rebuilt from the shares was refused by token {spec.label!r} "
                            f"({problem}); the shares belong to another token or set")
    if ctx.plan.shares is None:
        raise CeremonyError('token.pin = "shares" needs the plan\'s [shares] table')
    shares, check = ctx.plan.shares, None
    moved = ctx.records(Event.TOKEN_PIN_SPLIT)
    if ctx.plan.type is CeremonyType.RESHARE and moved and ctx.plan.new_shares is not None:
        # A reshare that stopped after moving the PIN to the new share set.
        shares, check = ctx.plan.new_shares, str(moved[-1].data["check_value"])
    secret = collect_quorum(ctx, shares, f"unlock token {spec.label}", check)
    try:
        return derive_pin(secret)
    finally:
        del secret
