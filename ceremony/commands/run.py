"""``keyceremony run PLAN``: run (or resume) a ceremony in the terminal."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    from ceremony.inventory import add_inventory_argument

    parser.add_argument("plan", help="the ceremony plan (TOML)")
    parser.add_argument("--out", help="ceremony folder (default: beside the plan, named by "
                                      "the plan's id)")
    parser.add_argument("--answers", help="answer prompts from this file (rehearsals and "
                                          "tests; PINs and shares only for rehearsal plans)")
    add_inventory_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ceremony.execution import run_plan_file
    from ceremony.inventory import Inventory

    if args.inventory is not None and os.path.lexists(args.inventory):
        # An unusable --inventory (a folder, another program's database) is refused before
        # any token is touched, not found out when the finished ceremony is to be recorded.
        # A new one is left to be created then, so that a refused run leaves nothing behind.
        Inventory.open(args.inventory).close()
    context = run_plan_file(Path(args.plan), Path(args.out) if args.out else None,
                            Path(args.answers) if args.answers else None,
                            Path(args.inventory) if args.inventory else None)
    print(f"Ceremony {context.plan.id} complete in {context.folder}")
    return 0
