"""Multi-person control: splitting a secret among custodians and rebuilding it from a quorum.

The secret (a wrap key) is in host memory only: it goes from the token's RNG to the SLIP-39
split and the token, and a rebuilt one from the shares to the check-value comparison and the
token. Share words pass to the prompter one custodian at a time and are never journaled: the
journal gets holders, share numbers, the scheme and the check value.
"""

from __future__ import annotations

from collections.abc import Sequence

from ceremony.engine.context import CeremonyContext
from ceremony.errors import CeremonyError
from ceremony.journal import Event
from ceremony.plan import CopyCheck, ShareSpec
from ceremony.prompts import positions_named
from crypto.errors import CheckValueMismatch, ShareError
from crypto.share_entry import ShareEntry, copy_check
from crypto.shares import GroupSpec, ShareScheme, SplitSecret, split_secret

SAMPLED_WORDS = 3  # words typed back in a sampled copy check
COPY_CHECK_TRIES = 3
ENTRY_TRIES = 12  # wrong shares tolerated during one quorum entry before the step stops


def scheme_of(spec: ShareSpec) -> ShareScheme:
    """The SLIP-39 scheme a plan's share section describes."""
    if spec.groups:
        return ShareScheme(spec.group_threshold, tuple(GroupSpec(g.threshold, len(g.holders))
                                                       for g in spec.groups))
    return ShareScheme.single(spec.threshold, len(spec.holders))


def holders_by_group(spec: ShareSpec) -> tuple[tuple[str, ...], ...]:
    if spec.groups:
        return tuple(g.holders for g in spec.groups)
    return (spec.holders,)


def _passphrase(ctx: CeremonyContext, spec: ShareSpec, confirm: bool) -> str:
    if not spec.passphrase:
        return ""
    holders = holders_by_group(spec)
    return ctx.prompter.passphrase(holders[0][0], "the share set's passphrase", confirm)


def handed_out_set(ctx: CeremonyContext) -> ShareSpec:
    """The share set the running step declares it hands out (``Step.hands_out``).

    Shares are handed out only where a step says so, which is where the printed script has a
    line for each custodian.
    """
    step = ctx.step
    if step is None or step.hands_out is None:
        raise CeremonyError(f"step {step.id if step else '(none)'!r} does not hand out shares; "
                            "nothing was split")
    return step.hands_out.spec(ctx.plan)


def split_and_hand_out(ctx: CeremonyContext, secret: bytes, purpose: str) -> SplitSecret:
    """Split ``secret`` among the running step's share set; each custodian proves their copy."""
    spec = handed_out_set(ctx)
    scheme = scheme_of(spec)
    split = split_secret(secret, scheme, _passphrase(ctx, spec, confirm=True))
    groups = holders_by_group(spec)
    ctx.record(Event.SHARES_CREATED, {
        "purpose": purpose,
        "scheme": scheme.describe() + (" with passphrase" if spec.passphrase else ""),
        "set_identifier": split.identifier, "holders": [list(g) for g in groups],
        "check_value": split.check_value,
    })
    total = scheme.share_count
    number = 0
    for group_index, (holders, mnemonics) in enumerate(zip(groups, split.shares, strict=True)):
        for member_index, (holder, mnemonic) in enumerate(zip(holders, mnemonics, strict=True)):
            number += 1
            _hand_out_one(ctx, holder, number, total, mnemonic, spec)
            ctx.record(Event.SHARE_HANDED_OUT, {"holder": holder, "number": number,
                                            "group": group_index + 1,
                                            "member": member_index + 1}, holder)
    return split


def mismatch_problem(holder: str, wrong: Sequence[int]) -> str:
    """What the room is told when ``holder``'s copy differs from the share at ``wrong``."""
    verb = "does" if len(wrong) == 1 else "do"
    return (f"{holder}: {positions_named(wrong)} {verb} not match the share; it is shown again "
            "to correct the copy")


def _hand_out_one(ctx: CeremonyContext, holder: str, number: int, total: int,
                  mnemonic: str, spec: ShareSpec) -> None:
    """Show ``holder`` their share, then have them prove their copy.

    By default the holder types the whole share back from paper (four letters a word are
    enough), and every word is compared: a miscopied word is found now, not at a drill or a
    restore. A sampled check (``copy_check = "sampled"``) asks for three words at random.
    """
    mode = spec.copy_check
    words = tuple(mnemonic.split())
    count = len(words) if mode is CopyCheck.WHOLE else SAMPLED_WORDS
    problem = None
    for _ in range(COPY_CHECK_TRIES):
        if problem:
            ctx.prompter.inform(problem)
        if ctx.prompter.hand_out_share(holder, number, total, words, spec.print_cards):
            if not spec.print_cards:
                raise CeremonyError(f"a card of share {number} was printed though the plan does "
                                    "not allow printed cards; the ceremony stopped")
            # The card itself still has to pass the copy check below, like handwriting.
            ctx.record(Event.SHARE_CARD_PRINTED, {"holder": holder, "number": number}, holder)
        check = copy_check(mnemonic, count)
        answers = ctx.prompter.copy_check(holder, check.positions, len(words))
        wrong = check.wrong_positions(answers)
        del answers
        if not wrong:
            ctx.record(Event.SHARE_VERIFIED, {"holder": holder, "number": number,
                                              "copy_check": mode.value,
                                              "positions_checked": list(check.positions)},
                       holder)
            return
        problem = mismatch_problem(holder, wrong)
        ctx.record(Event.SHARE_COPY_MISMATCH, {"holder": holder, "number": number,
                                               "wrong_positions": list(wrong)}, holder)
    raise CeremonyError(f"{holder} could not prove a correct copy of share {number} after "
                        f"{COPY_CHECK_TRIES} tries; the ceremony stopped before the shares "
                        "were used, so run the step again")


def collect_quorum(ctx: CeremonyContext, spec: ShareSpec, purpose: str,
                   expected_check_value: str | None = None) -> bytes:
    """Custodians enter shares until a quorum rebuilds the secret with the right check value."""
    expected = expected_check_value or spec.check_value
    if not expected:
        raise CeremonyError("shares.check_value: the plan must give the check value recorded "
                            "when the shares were made, so a rebuilt secret can be verified")
    cached = ctx.secrets.get(f"rebuilt:{expected}")
    if cached is not None:
        # Rebuilt earlier in this run (to unlock the token): custodians enter shares once.
        return cached
    ctx.record(Event.SHARES_REQUESTED, {"purpose": purpose, "check_value": expected})
    entry = ShareEntry()
    problem: str | None = None
    refused = 0
    while True:
        while not entry.is_complete:
            text = ctx.prompter.enter_share(entry.progress.describe(), problem)
            try:
                accepted = entry.add_share(text)
            except ShareError as ex:
                refused += 1
                problem = str(ex)
                ctx.record(Event.SHARE_REFUSED, {"reason": problem})
                if refused >= ENTRY_TRIES:
                    raise CeremonyError(f"{refused} shares were refused; the ceremony stopped. "
                                        "Check the paper copies and run the step again") from ex
                continue
            problem = None
            ctx.record(Event.SHARE_ACCEPTED, {"group": accepted.info.group_index + 1,
                                          "member": accepted.info.member_index + 1,
                                          "progress": accepted.progress.describe()})
        try:
            secret = entry.recover(_passphrase(ctx, spec, confirm=False), expected)
        except CheckValueMismatch as ex:
            ctx.record(Event.SHARE_CHECK_FAILED, {"check_value": expected, "reason": str(ex)})
            raise CeremonyError(f"{ex} Nothing was changed; run the step again with the right "
                                "passphrase and shares") from ex
        except ShareError as ex:
            refused += 1
            problem = str(ex)
            ctx.record(Event.SHARE_REFUSED, {"reason": problem})
            if ex.share_number is not None:
                entry.remove_share(ex.share_number)
            if refused >= ENTRY_TRIES:
                raise CeremonyError(str(ex)) from ex
            continue
        ctx.record(Event.SHARES_VERIFIED, {"purpose": purpose, "check_value": expected,
                                       "count": entry.share_count})
        ctx.secrets[f"rebuilt:{expected}"] = secret  # host memory only; cleared when the run ends
        return secret
