"""Steps several ceremonies share: the environment check, opening the plan's token, and for
the key ceremonies generating the key and backing it up under a split wrap key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from ceremony.engine import (
    CeremonyContext,
    HandOut,
    Step,
    back_up_key,
    check_environment,
    generate_key,
    lock_backed_up_key,
    split_pin,
)
from ceremony.plan import BackupMode, PinSource, Role, TokenSpec
from ceremony.plan.typed import IntermediateKeyPlan, RootPlan
from crypto.keys import TokenKeyPair, find_key_pair

NewKeyPlan: TypeAlias = RootPlan | IntermediateKeyPlan  # the ceremonies that make a CA key

ENVIRONMENT = Step(
    id="environment",
    title="Check the ceremony environment",
    roles=(Role.ADMINISTRATOR,),
    instructions=(
        "The administrator shows the witnesses that this is the ceremony machine and that it is "
        "offline: no network cable, wireless switched off. The program records the host, the "
        "operating system, the versions of everything it runs on and the SHA-256 of its own "
        "files, whether its memory is locked and whether swap is active, and refuses to go on "
        "while a network interface other than loopback is up or swap is active, unless a "
        "deviation is recorded."
    ),
    action=check_environment,
    sign_off="The ceremony machine is the one named in the plan and is offline.",
)


def open_token(spec: TokenSpec) -> Callable[[CeremonyContext], None]:
    """A step action opening the token ``spec`` (and checking what it can do)."""

    def action(ctx: CeremonyContext) -> None:
        ctx.token(spec)

    return action


def plan_key_pair(ctx: CeremonyContext, plan: NewKeyPlan) -> TokenKeyPair:
    """The key pair the plan's [key] names, in the plan's token."""
    return find_key_pair(ctx.token(plan.token), plan.key.label)


def token_step(plan: NewKeyPlan, title: str, instructions: str) -> Step:
    token = plan.token
    label = token.label
    return Step("token", title, (Role.ADMINISTRATOR, Role.WITNESS),
                f"The administrator connects the token {token.display_uri} and logs in. "
                "The program checks that the token can do every step of the plan (known-answer "
                "tests with throwaway keys) before any key is made in it. " + instructions,
                open_token(token),
                sign_off=f"The token in the reader is the one labelled {label!r}, taken from "
                         "its sealed bag.")


def generate_step(plan: NewKeyPlan, title: str) -> Step:
    key = plan.key
    leaves = (" except wrapped for the backup, and is made non-extractable for good once the "
              "backup exists." if key.backup is BackupMode.WRAPPED else ".")

    def generate(ctx: CeremonyContext) -> None:
        generate_key(ctx, plan.token, plan.key)

    return Step("generate-key", title, (Role.ADMINISTRATOR,),
                f"The token generates the {key.algorithm.description} key {key.label!r}. It is "
                "sensitive and never leaves the token" + leaves, generate, shows_head=True)


def backup_steps(plan: NewKeyPlan, what: str) -> list[Step]:
    """Backing up the plan's key (when it asks for a wrapped backup), then the split PIN."""
    wrapped = plan.backup
    if wrapped is None:
        return []

    def backup(ctx: CeremonyContext) -> None:
        back_up_key(ctx, plan.token, wrapped.folder, plan_key_pair(ctx, plan), f"{what} backup")

    def lock(ctx: CeremonyContext) -> None:
        lock_backed_up_key(ctx, plan_key_pair(ctx, plan))

    def split(ctx: CeremonyContext) -> None:
        split_pin(ctx, plan.token, wrapped.shares)

    steps = [Step(
        "backup", f"Back up the {what} under a split wrap key",
        (Role.ADMINISTRATOR, Role.CUSTODIAN),
        "A wrap key is drawn from the token and split among the custodians. Each custodian in "
        "turn, alone at the screen, writes their share down and proves the copy. Only then is "
        "the key wrapped and the backup written.", backup, hands_out=HandOut.SHARES), Step(
        "lock-key", f"Make the {what} non-extractable for good", (Role.ADMINISTRATOR,),
        "Now that its backup is written and proven, the key is made non-extractable in the "
        "token, a change the token never undoes: from here on not even the token's PIN can "
        "export it. The token's answer is read back and journaled.", lock)]
    if plan.token.pin is PinSource.SHARES:
        steps.append(Step(
            "split-pin", "Put the token's PIN under the custodians' control",
            (Role.ADMINISTRATOR,),
            "The token's PIN is changed to one derived from the new share set: from now on "
            "only a quorum of custodians can unlock the token.", split))
    return steps
