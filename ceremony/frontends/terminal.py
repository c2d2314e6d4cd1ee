"""The terminal front end of the ceremony runner.

Secrets go only to and from the controlling terminal (``/dev/tty``), never through standard
output, standard error or standard input: ``keyceremony run plan.toml 2>&1 | tee log`` records
the steps, questions and chain heads, and no share, no PIN prompt, no PIN. A share is shown
only after its custodian asks for it, and the screen (and its scrollback) is cleared when they
are done; PINs, passphrases and shares typed in are not echoed. With no controlling terminal
(a cron job, ``setsid``, a pipe from a service), the first secret to show or ask for stops the
ceremony with one sentence; it is journaled and the ceremony can be resumed at a terminal.
Everything shown goes through ``crypto.visible``, so outside text cannot move the cursor or
reorder a line.
"""

from __future__ import annotations

import io
import os
import sys
import termios
from typing import TextIO

from ceremony.errors import NoTerminal
from ceremony.prompts import Decision, HeadMoment, Outcome, SigningPreview, StepView
from crypto.visible import visible

CLEAR = "\033[2J\033[3J\033[H"
TTY = "/dev/tty"


class ControllingTerminal:
    """The process's controlling terminal: the one place a secret is shown or typed."""

    def __init__(self, path: str = TTY) -> None:
        self.path = path
        self._file: TextIO | None = None

    def _open(self, why: str) -> TextIO:
        if self._file is None:
            try:
                # O_NOCTTY: opening must never make some other terminal the controlling one.
                fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY)
            except OSError as ex:
                raise NoTerminal(f"{why} needs the controlling terminal, and this process has "
                                 f"none ({ex.strerror}); run the command at a terminal (secrets "
                                 "never go to standard output, standard error or a pipe)") \
                    from None
            # Unbuffered both ways (as getpass does): a terminal cannot seek, so no BufferedRandom.
            self._file = io.TextIOWrapper(io.FileIO(fd, "r+"), encoding="utf-8",
                                          errors="replace", newline="\n", write_through=True)
        return self._file

    def write(self, text: str, why: str) -> None:
        """Write ``text`` to the terminal; NoTerminal (saying ``why``) if there is none."""
        terminal = self._open(why)
        terminal.write(text)
        terminal.flush()

    def read_line(self, prompt: str, why: str) -> str:
        """Ask ``prompt`` on the terminal and read a line, echoed (Enter to go on)."""
        terminal = self._open(why)
        terminal.write(prompt)
        terminal.flush()
        line = terminal.readline()
        if not line:
            raise KeyboardInterrupt  # end of input: nobody is there to answer
        return line.rstrip("\r\n")

    def read_secret(self, prompt: str, why: str) -> str:
        """Ask ``prompt`` on the terminal and read a line without echo."""
        terminal = self._open(why)
        fd = terminal.fileno()
        before = termios.tcgetattr(fd)
        quiet = list(before)
        quiet[3] &= ~(termios.ECHO | termios.ECHONL)
        # Echo goes off before the prompt appears, so nothing typed after it is ever shown;
        # TCSAFLUSH drops anything typed ahead, before the prompt.
        termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)
        try:
            terminal.write(prompt)
            terminal.flush()
            line = terminal.readline()
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, before)
            terminal.write("\n")
            terminal.flush()
        if not line:
            raise KeyboardInterrupt
        return line.rstrip("\r\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class TerminalPrompter:
    """Asks the people at the keyboard; every answer is typed.

    Steps, questions and chain heads go to standard output; shares and secret prompts only to
    ``terminal``.
    """

    def __init__(self, terminal: ControllingTerminal | None = None) -> None:
        self.out = sys.stdout
        self.terminal = terminal or ControllingTerminal()

    def _say(self, text: str = "") -> None:
        # Text from outside (plan names, CSR subjects, reasons) must not drive the terminal:
        # escape sequences and bidi overrides are written as <U+XXXX>.
        print(visible(text, keep="\n\t"), file=self.out, flush=True)

    def _ask(self, question: str) -> str:
        try:
            return input(visible(question, keep="\n")).strip()
        except EOFError:
            raise KeyboardInterrupt from None

    def step(self, view: StepView) -> None:
        self._say()
        self._say(f"=== Step {view.number} of {view.count}: {view.title} ===")
        if view.actors:
            self._say(f"Acting: {view.acting}")
        self._say(view.instructions)

    def inform(self, message: str) -> None:
        self._say(message)

    def chain_head(self, hex_head: str, words: str) -> None:
        self._say()
        self._say("Journal chain head (read aloud and write down):")
        self._say(f"  {hex_head}")
        for line in words.splitlines():
            self._say(f"  {line}")

    def record_head(self, person: str, moment: HeadMoment) -> Decision:
        self._say()
        self._say(f"Write in the paper log: {moment.label}")
        self.chain_head(moment.hex, moment.words)
        while self._ask(f"{person}: type y once it is written in the paper log: "
                        ).lower() not in ("y", "yes"):
            pass
        return Decision(Outcome.CONFIRMED, person)

    def confirm_head(self, person: str, hex_head: str, words: str) -> Decision:
        self._say()
        self._say("The journal as found ends with this chain head:")
        self._say(f"  {hex_head}")
        for line in words.splitlines():
            self._say(f"  {line}")
        answer = self._decision(person, "does it match the last chain head written in the "
                                        "paper log?", allow_deviation=False)
        return answer

    def _decision(self, person: str, question: str, allow_deviation: bool) -> Decision:
        options = "[y]es / [n]o" + (" / [d]eviate" if allow_deviation else "")
        while True:
            answer = self._ask(f"{person}: {question} {options}: ").lower()
            if answer in ("y", "yes"):
                return Decision(Outcome.CONFIRMED, person)
            if answer in ("n", "no", "d", "deviate") and (allow_deviation or answer[0] == "n"):
                reason = ""
                while not reason:
                    reason = self._ask("Reason (required): ")
                outcome = Outcome.REFUSED if answer.startswith("n") else Outcome.DEVIATION
                return Decision(outcome, person, reason)

    def sign_off(self, person: str, question: str) -> Decision:
        return self._decision(person, question, allow_deviation=True)

    def deviation(self, person: str, problem: str) -> Decision:
        self._say(f"PROBLEM: {problem}")
        answer = self._decision(person, "Stop the ceremony?", allow_deviation=True)
        if answer.outcome is Outcome.CONFIRMED:
            return Decision(Outcome.REFUSED, person, "stopped at the administrator's request")
        if answer.outcome is Outcome.REFUSED:
            return Decision(Outcome.DEVIATION, person, answer.reason)
        return answer

    def confirm_signing(self, person: str, preview: SigningPreview) -> Decision:
        self._say()
        self._say(f"--- To be signed: {preview.what} ---")
        width = max((len(label) for label, _ in preview.fields), default=0)
        for label, value in preview.fields:
            self._say(f"  {label:<{width}} {value}")
        self._say("  Extensions:")
        for line in preview.extensions:
            self._say(f"    {line}")
        self._say(f"  Signing key: {preview.signer_key}")
        self._say(f"  Lint: {'clean' if preview.lint_clean else 'FINDINGS'}")
        for line in preview.lint:
            self._say(f"    {line}")
        return self._decision(person, f"sign this {preview.what}?", allow_deviation=False)

    def pin(self, person: str, token_label: str, problem: str | None) -> str:
        if problem:
            self._say(problem)
        return self.terminal.read_secret(f"{person}: PIN of token {token_label!r} (not shown): ",
                                         "typing a PIN")

    def passphrase(self, person: str, purpose: str, confirm: bool) -> str:
        why = "typing a passphrase"
        while True:
            first = self.terminal.read_secret(f"{person}: {purpose} (not shown; empty for "
                                              "none): ", why)
            if not confirm or self.terminal.read_secret("Again: ", why) == first:
                return first
            self.terminal.write("The two entries differ; type it again.\n", why)

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...],
                       may_print: bool = False) -> bool:
        why = "handing out a share"
        tty = self.terminal
        tty.write("\n", why)  # refuses before anything is said when there is no terminal
        self._say(f"Share {number} of {total} is for {holder}; it is shown on the terminal "
                  "only.")
        tty.read_line(f"Share {number} of {total} is for {holder}. Only {holder} should look "
                      "at the screen now. Press Enter to show it.", why)
        rows = [f"Share {number} of {total} for {holder}:"]
        for row in range(0, len(words), 5):
            cells = [f"{row + i + 1:>2}. {w:<10}" for i, w in enumerate(words[row:row + 5])]
            rows.append("  " + " ".join(cells))
        tty.write(CLEAR + "\n".join(rows) + "\n", why)
        del rows
        tty.read_line("Write every word down, then press Enter to hide the share.", why)
        tty.write(CLEAR, why)
        return False  # cards are printed from the desktop app only

    def copy_check(self, holder: str, positions: tuple[int, ...],
                   word_count: int) -> tuple[str, ...]:
        why = "checking a share's copy"
        if len(positions) < word_count:
            self._say(f"{holder}: from your written copy, type the words asked for.")
            return tuple(self.terminal.read_secret(f"  word {p}: ", why) for p in positions)
        self._say(f"{holder}: from your written copy, type your whole share back.")
        while True:
            typed = self.terminal.read_secret(
                f"{holder}: all {word_count} words, separated by spaces (not shown; the first "
                "four letters of each are enough): ", why).split()
            if len(typed) == word_count:
                return tuple(typed)
            self._say(f"That was {len(typed)} words; the share has {word_count}. Type it again.")

    def enter_share(self, progress: str, problem: str | None) -> str:
        if problem:
            self._say(problem)
        self._say(progress)
        return self.terminal.read_secret("Next custodian: type your share, words separated by "
                                         "spaces (not shown; unique prefixes are enough): ",
                                         "entering a share")
