"""The ``keyceremony`` console command.

It lives in ``gui`` so that dependencies keep pointing one way: the launcher adds the ``gui``
command to the ceremony CLI, and with no arguments opens the desktop app. Nothing here imports
Qt until the app is actually opened, so terminal commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ceremony.cli import FrontEnd
from ceremony.cli import main as cli_main


def _register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", help="inventory database to open")


def _run(args: argparse.Namespace) -> int:
    from gui.app import main as app_main

    return app_main(args)


FRONT_ENDS = {"gui": FrontEnd("open the desktop app", _register, _run, holds_secrets=True)}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return cli_main(args or ["gui"], front_ends=FRONT_ENDS)


if __name__ == "__main__":
    raise SystemExit(main())
