"""``keyceremony token check PLAN``: can the plan's tokens do every step, before a ceremony?

The same capability check the ceremony's first token step runs (``ceremony.engine.token_checks``):
each token is logged in to (the PIN typed at the terminal, or from ``--answers`` in a
rehearsal), probed with throwaway keys and known-answer tests, and left as it was. A token
whose PIN only a quorum of custodians can rebuild is not logged in to here: its check runs in
the ceremony's token step.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="check that the plan's tokens can do every step it "
                                         "asks of them (logs in; leaves the token as it was)")
    check.add_argument("plan", help="the ceremony plan (TOML)")
    check.add_argument("--answers", help="take PINs from this answers file (rehearsal plans "
                                         "only)")


def run(args: argparse.Namespace) -> int:
    from ceremony.engine.pins import pin_is_held_by_custodians
    from ceremony.engine.token_checks import plan_token_needs, plan_tokens, refusal
    from ceremony.errors import StepRefused
    from ceremony.plan import Role, parse_plan
    from ceremony.prompts import Prompter
    from crypto.token import open_token, probe_token
    from crypto.tokencheck import check_token

    plan = parse_plan(Path(args.plan))
    prompter: Prompter
    if args.answers:
        from ceremony.frontends.scripted import load_answers

        prompter = load_answers(Path(args.answers), plan.rehearsal)
    else:
        from ceremony.frontends.terminal import TerminalPrompter

        prompter = TerminalPrompter()
    administrator = next((p.name for p in plan.participants if p.role is Role.ADMINISTRATOR),
                         "the administrator")
    refusals: list[str] = []
    unchecked = 0
    tokens = plan_tokens(plan)
    for spec in tokens:
        info = probe_token(spec.module, spec.label, spec.serial)
        if pin_is_held_by_custodians(plan, spec):
            print(f"Token {info.uri}: its PIN is rebuilt from the custodians' shares, so it is "
                  "checked in the ceremony's token step, after the quorum unlocks it")
            unchecked += 1
            continue
        pin = prompter.pin(administrator, spec.label, None)
        session = open_token(spec.module, spec.label, pin, spec.serial)
        del pin  # handed to C_Login; never kept
        with session as opened:
            report = check_token(opened, plan_token_needs(plan, spec), info.uri)
        print("\n".join(report.lines()))
        if info.software is not None:
            print(f"  note: {info.software} is a software token: a real ceremony needs "
                  'software_token = "accepted" to use it')
        if not report.ok:
            refusals.append(refusal(report))
    if refusals:
        raise StepRefused(f"token check: {refusals[0]}"
                          + (f" (and {len(refusals) - 1} more tokens)" if len(refusals) > 1
                             else ""))
    checked = len(tokens) - unchecked
    print(f"token check: {checked} token(s) can do every step of plan {plan.id}"
          + (f"; {unchecked} checked when the ceremony unlocks it" if unchecked else ""))
    return 0
