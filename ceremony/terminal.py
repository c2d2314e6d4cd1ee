"""The terminal front end of the ceremony runner.

PINs and passphrases are read with ``getpass`` (not echoed). A share is shown only after its
custodian asks for it and the screen (and scrollback) is cleared when they are done; shares
typed in are read with ``getpass`` too, so they never stay on the screen. Everything shown
goes through ``crypto.visible``, so outside text cannot move the cursor or reorder a line.
"""

from __future__ import annotations

import getpass
import sys

from ceremony.prompts import Decision, Outcome, SigningPreview, StepView
from crypto.visible import visible

CLEAR = "\033[2J\033[3J\033[H"


class TerminalPrompter:
    """Asks the people at the keyboard; every answer is typed."""

    def __init__(self) -> None:
        self.out = sys.stdout

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
            self._say(f"Acting: {', '.join(view.actors)} ({', '.join(view.roles)})")
        self._say(view.instructions)

    def inform(self, message: str) -> None:
        self._say(message)

    def chain_head(self, hex_head: str, words: str) -> None:
        self._say()
        self._say("Journal chain head (read aloud and write down):")
        self._say(f"  {hex_head}")
        for line in words.splitlines():
            self._say(f"  {line}")

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
        return getpass.getpass(f"{person}: PIN of token {token_label!r} (not shown): ")

    def passphrase(self, person: str, purpose: str, confirm: bool) -> str:
        while True:
            first = getpass.getpass(f"{person}: {purpose} (not shown; empty for none): ")
            if not confirm or getpass.getpass("Again: ") == first:
                return first
            self._say("The two entries differ; type it again.")

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...]) -> None:
        self._say()
        self._ask(f"Share {number} of {total} is for {holder}. Only {holder} should look at the "
                  "screen now. Press Enter to show it.")
        self.out.write(CLEAR)
        self._say(f"Share {number} of {total} for {holder}:")
        for row in range(0, len(words), 5):
            cells = [f"{row + i + 1:>2}. {w:<10}" for i, w in enumerate(words[row:row + 5])]
            self._say("  " + " ".join(cells))
        self._ask("Write every word down, then press Enter to hide the share.")
        self.out.write(CLEAR)
        self.out.flush()

    def copy_check(self, holder: str, positions: tuple[int, ...]) -> tuple[str, ...]:
        self._say(f"{holder}: from your written copy, type the words asked for.")
        return tuple(getpass.getpass(f"  word {p}: ") for p in positions)

    def enter_share(self, progress: str, problem: str | None) -> str:
        if problem:
            self._say(problem)
        self._say(progress)
        return getpass.getpass("Next custodian: type your share, words separated by spaces "
                               "(not shown; unique prefixes are enough): ")
