"""The ``keyceremony`` command: a thin dispatcher over one module per command.

Command modules are imported only for the command that runs, so ``keyceremony csr check``
does not pay for reportlab, pyHanko or Qt. Every domain error becomes one sentence on stderr
and its exit status; a traceback is never shown for a refusal.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

# command name -> (module under ceremony.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "rehearse root, intermediate and signing ceremonies on throwaway tokens"),
    "csr": ("csr", "check a CSR against the subordinate CA profile"),
    "plan": ("plan", "check a ceremony plan, or print its script, without touching a token"),
    "run": ("run", "run (or resume) a ceremony plan in the terminal"),
    "token": ("token", "check that a plan's tokens can do every step it asks of them"),
    "inventory": ("inventory", "list the CA keys, certificates, CRLs, share sets and ceremonies"),
    "due": ("due", "list what expires or falls due, soonest first"),
    "verify": ("verify", "verify signed ceremony transcripts offline against the root or key "
                         "you trust"),
    "countersign": ("countersign", "add an auditor's signature to a signed transcript, keeping "
                                   "the first one valid"),
    "self-check": ("selfcheck", "compare the installed program with the manifest the offline "
                                "bundle installed, and print its digest"),
}
# Commands that can hold a secret (a share, PIN, passphrase or wrap key) in memory: they
# start by keeping it out of core dumps and swap (ceremony.hardening).
HOLDS_SECRETS = frozenset({"demo", "run", "countersign", "token"})


@dataclass(frozen=True)
class FrontEnd:
    """A command a front end adds (the desktop app adds ``gui``); ceremony never imports it."""

    help: str
    register: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    holds_secrets: bool = False


class CommandLineParser(argparse.ArgumentParser):
    """argparse, but a command-line mistake is one sentence and exit status 2, like every
    other refusal (argparse would print the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        # prog is "keyceremony" or "keyceremony verify": name the program once, then the command.
        command = self.prog.removeprefix("keyceremony").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"keyceremony: {where}{message}; see {self.prog} --help\n")


def build_parser(only: str | None = None,
                 front_ends: Mapping[str, FrontEnd] | None = None) -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="keyceremony",
        description="Offline root CA and key ceremony tool.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, add_help=False)
            continue
        module = importlib.import_module(f"ceremony.commands.{module_name}")
        module.register(sub.add_parser(name, help=help_text, description=help_text))
    for name, front_end in (front_ends or {}).items():
        front_end.register(sub.add_parser(name, help=front_end.help, description=front_end.help))
    return parser


def main(argv: Sequence[str] | None = None,
         front_ends: Mapping[str, FrontEnd] | None = None) -> int:
    """Run one command; ``front_ends`` adds commands that live above ceremony (the GUI)."""
    front_ends = front_ends or {}
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else None
    parser = build_parser(only=first if first in COMMANDS else None, front_ends=front_ends)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command in front_ends:
        if front_ends[args.command].holds_secrets:
            _protect()
        return run_reporting_errors(front_ends[args.command].run, args)
    if args.command in HOLDS_SECRETS:
        _protect()
    module = importlib.import_module(f"ceremony.commands.{COMMANDS[args.command][0]}")
    return run_reporting_errors(module.run, args)


def _protect() -> None:
    # Imported here: only commands that hold secrets pay for ctypes.
    from ceremony.hardening import protect_process

    protect_process()


def run_reporting_errors(func: Callable[[argparse.Namespace], int],
                         args: argparse.Namespace) -> int:
    """Run a command; a domain error becomes one line on stderr and its exit status."""
    from ceremony.errors import CeremonyError
    from crypto.errors import CryptoError

    try:
        status = func(args)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at exit
    except BrokenPipeError:
        return _reader_gone()
    except (CeremonyError, CryptoError) as ex:
        print(f"keyceremony: {ex}", file=sys.stderr)
        return int(ex.exit_status)
    except Exception as ex:
        # A bug, not a refusal: still one sentence, with the traceback only on request.
        if os.environ.get("KEYCEREMONY_DEBUG"):
            raise
        print(f"keyceremony: internal error ({type(ex).__name__}: {ex}); nothing further was "
              "done. Run again with KEYCEREMONY_DEBUG=1 to see where, and report it",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("keyceremony: interrupted; nothing after the last journal record was done",
              file=sys.stderr)
        return 130
    return int(status)


SIGPIPE_STATUS = 128 + signal.SIGPIPE  # what a shell reports for a program SIGPIPE ended


def _reader_gone() -> int:
    """Whoever read standard output has gone (``verify ... | head``): end quietly.

    Standard output is pointed at /dev/null so that the flush at exit cannot fail again; the
    status is the one a shell gives a program that a closed pipe ended.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return SIGPIPE_STATUS


if __name__ == "__main__":
    raise SystemExit(main())  # terminal commands only; `keyceremony` adds the GUI
