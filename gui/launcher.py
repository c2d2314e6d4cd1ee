"""The ``keyceremony`` console command.

It lives in ``gui`` so that dependencies keep pointing one way: the launcher adds the ``gui``
command to the ceremony CLI, and with no arguments opens the desktop app. Nothing here imports
Qt until the app is actually opened, so terminal commands start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from ceremony.cli import FrontEnd
from ceremony.cli import main as cli_main


def _register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", help="inventory database to open")


def _run(args: argparse.Namespace) -> int:
    from ceremony.errors import UsageError

    if not has_display(os.environ):
        # Qt would abort (status 134) with a page about platform plugins instead.
        raise UsageError("there is no display to open the desktop app on (neither DISPLAY nor "
                         "WAYLAND_DISPLAY is set); start it from a desktop session, or use the "
                         "terminal commands listed by keyceremony --help")
    from gui.app import main as app_main

    return app_main(args)


def has_display(environ: Mapping[str, str]) -> bool:
    """Whether Qt has somewhere to show a window: an X or Wayland display, or a platform the
    user chose on purpose (QT_QPA_PLATFORM=offscreen, vnc, ...)."""
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


FRONT_ENDS = {"gui": FrontEnd("open the desktop app", _register, _run, holds_secrets=True)}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return cli_main(args or ["gui"], front_ends=FRONT_ENDS)


if __name__ == "__main__":
    raise SystemExit(main())
