"""``keyceremony demo --out DIR``: a rehearsal on throwaway tokens, no questions asked."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="new or empty folder for everything the "
                                                     "demo makes")
    parser.add_argument("--algorithm", default="ec-p384",
                        choices=["ec-p256", "ec-p384", "ec-p521", "rsa-3072", "rsa-4096"],
                        help="key algorithm of the demo CAs (default ec-p384)")


def run(args: argparse.Namespace) -> int:
    from ceremony.demo import run_demo
    from crypto.algorithms import KeyAlgorithm

    result = run_demo(Path(args.out), KeyAlgorithm(args.algorithm))
    print("Made:")
    for path in result.files:
        print(f"  {path}")
    print("Journals, plans and the demo inventory are under "
          f"{result.folder / 'ceremonies'}, {result.folder / 'plans'} and "
          f"{result.folder / 'inventory.sqlite3'}.")
    return 0
