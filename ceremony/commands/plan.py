"""``keyceremony plan check PLAN [--out DIR]``: would this plan run? No token is touched.
``keyceremony plan print PLAN --out FILE.pdf``: the script the room follows on paper.

Check: exit status 0 when the plan is clean (a one-line summary and any notes on stdout), 1
when it was read and has problems (each on its own line on stderr, prefixed by the plan's
path), 2 when it cannot be read as a plan at all. Print: the same statuses, but a plan that
fails its check is refused in one sentence and nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="check a plan: keys, profiles, people, quorum and the "
                                         "files it names, before any token is touched")
    check.add_argument("plan", help="the plan (a TOML file)")
    check.add_argument("--out", metavar="DIR",
                       help="the ceremony folder a run would write to; it must not hold an "
                            "earlier run")
    printed = sub.add_parser("print", help="write the ceremony's script for the room to follow "
                                           "on paper (a PDF), from a plan that passes its check")
    printed.add_argument("plan", help="the plan (a TOML file)")
    printed.add_argument("--out", metavar="FILE.pdf", required=True,
                         help="the PDF to write; it must not exist yet")


def run(args: argparse.Namespace) -> int:
    if args.plan_command == "print":
        return print_script(args)
    return check(args)


def print_script(args: argparse.Namespace) -> int:
    from ceremony.errors import PlanError, PlanUnreadableError
    from ceremony.script import write_script

    try:
        printed = write_script(Path(args.plan), Path(args.out))
    except PlanUnreadableError:
        raise  # one sentence; the CLI prints it and exits 2
    except PlanError as ex:
        print(f"keyceremony: {ex}; the plan fails its check (`keyceremony plan check "
              f"{args.plan}` lists every problem), so no script was written", file=sys.stderr)
        return 1
    print(f"script written: {printed.path} ({printed.steps} steps, SHA-256 {printed.sha256})")
    return 0


def check(args: argparse.Namespace) -> int:
    from ceremony.errors import PlanError, PlanUnreadableError
    from ceremony.plan import check_plan, describe_plan, parse_plan

    path = Path(args.plan)
    try:
        plan = parse_plan(path)
    except PlanUnreadableError:
        raise  # one sentence; the CLI prints it and exits 2
    except PlanError as ex:
        _print_problems(path, ex.problems)
        return 1
    report = check_plan(plan, Path(args.out) if args.out else None)
    if report.problems:
        _print_problems(path, report.problems)
        return 1
    print(f"plan OK: {describe_plan(plan)}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0


MAX_PROBLEMS_SHOWN = 100  # a hostile plan can make thousands; the first ones say what is wrong


def _print_problems(path: Path, problems: tuple[str, ...]) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"{path}: {problem}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(f"{path}: ({len(problems) - MAX_PROBLEMS_SHOWN} more problems not shown)",
              file=sys.stderr)
    count = len(problems)
    print(f"keyceremony: {count} problem{'s' if count != 1 else ''} in {path}; fix "
          f"{'them' if count != 1 else 'it'} and check again", file=sys.stderr)
