"""``keyceremony demo --out DIR [--all]``: a rehearsal on throwaway tokens, no questions asked."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="new or empty folder for everything the "
                                                     "demo makes")
    parser.add_argument("--algorithm", default="ec-p384",
                        choices=["ec-p256", "ec-p384", "ec-p521", "rsa-3072", "rsa-4096"],
                        help="key algorithm of the demo CAs (default ec-p384)")
    parser.add_argument("--all", action="store_true",
                        help="then every other ceremony type: a second root and its "
                             "cross-certificate, an OCSP signer, S/MIME and private "
                             "subordinates, a CRL, a root renewal, reshare, restore, drill and "
                             "the second root's retirement")


def run(args: argparse.Namespace) -> int:
    from ceremony.demo.lifecycle import run_lifecycle_demo
    from ceremony.demo.rehearsal import run_demo
    from ceremony.errors import UsageError
    from crypto.algorithms import KeyAlgorithm

    if not args.out.strip():
        raise UsageError("--out is empty; name a new or empty folder for the demo")
    out = Path(args.out)
    if not out.exists():
        # Made here so that a path that cannot be a folder is one sentence; Rehearsal.prepare
        # (shared with the desktop app) would otherwise fail on it with a bare OSError.
        from crypto.files import make_private_folder

        try:
            make_private_folder(out)  # 0700: the demo's shares and tokens are its user's alone
        except OSError as ex:
            raise UsageError(f"{out} cannot be created ({ex.strerror}); choose a folder you "
                             "can write to") from ex
    elif out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"{out} is not writable by this user; choose a folder you can write to")
    algorithm = KeyAlgorithm(args.algorithm)
    result = (run_lifecycle_demo(out, algorithm) if args.all else run_demo(out, algorithm))
    print("Made:")
    for path in result.files:
        print(f"  {path}")
    print("Journals, plans and the demo inventory are under "
          f"{result.folder / 'ceremonies'}, {result.folder / 'plans'} and "
          f"{result.folder / 'inventory.sqlite3'}.")
    return 0
