"""How the runner asks people for things: the one interface every front end implements.

The terminal and scripted answers (``ceremony.frontends``) and the desktop app each implement
``Prompter``; the runner never knows which one it talks to. Nothing here imports Qt. Secrets (PINs,
share words, passphrases) pass through these calls as return values only: a front end must not log,
store or copy them (see each method).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol


def positions_named(positions: Sequence[int]) -> str:
    """Word positions as a reader says them: 'word 8', 'words 3 and 8', 'words 3, 5 and 8'."""
    if len(positions) == 1:
        return f"word {positions[0]}"
    return f"words {', '.join(map(str, positions[:-1]))} and {positions[-1]}"


class Outcome(Enum):
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    DEVIATION = "deviation"  # go on, with a recorded reason for departing from the plan


@dataclass(frozen=True)
class Decision:
    """A person's answer to a sign-off, signing confirmation or deviation question."""

    outcome: Outcome
    person: str
    reason: str = ""

    @property
    def confirmed(self) -> bool:
        return self.outcome is not Outcome.REFUSED


@dataclass(frozen=True)
class StepView:
    """What the screen shows for the current step."""

    id: str
    number: int
    count: int
    title: str
    instructions: str
    actors: tuple[str, ...]  # names of the people who act in this step
    roles: tuple[str, ...]
    actor_roles: tuple[str, ...] = ()  # the role of each of ``actors``, in the same order

    @property
    def acting(self) -> str:
        """Who acts, each with their role: 'Alice (administrator), Carol (custodian)'."""
        if len(self.actor_roles) == len(self.actors):
            return ", ".join(f"{name} ({role})"
                             for name, role in zip(self.actors, self.actor_roles, strict=True))
        return f"{', '.join(self.actors)} ({', '.join(self.roles)})"


@dataclass(frozen=True)
class HeadMoment:
    """A chain head the room must write in the paper log now: which ceremony, which journal
    record it is the hash of, and whether it is the ceremony's final head."""

    ceremony: str  # the plan's title
    record: int  # the journal record whose hash this is (its line number)
    hex: str
    words: str  # the 32 PGP words, 8 to a line
    final: bool = False

    @property
    def label(self) -> str:
        """E.g. 'Root ceremony, final chain head (record 55)'."""
        kind = "final chain head" if self.final else "chain head"
        return f"{self.ceremony}, {kind} (record {self.record})"


@dataclass(frozen=True)
class SigningPreview:
    """Exactly what will be signed, shown before a named person confirms it (BR 4.3.1.1)."""

    what: str  # "root certificate", "CRL", ...
    fields: tuple[tuple[str, str], ...]  # (label, value) in display order
    extensions: tuple[str, ...]
    lint: tuple[str, ...]  # findings shown, or ("clean",)
    lint_clean: bool
    signer_key: str  # label and SPKI SHA-256 of the signing key


class Prompter(Protocol):
    """Everything a ceremony asks of the people in the room."""

    def step(self, view: StepView) -> None:
        """Show a step: its instructions and who acts."""

    def inform(self, message: str) -> None:
        """Show a message that needs no answer."""

    def chain_head(self, hex_head: str, words: str) -> None:
        """Show the journal's chain head to be read aloud and written down (when a ceremony
        stops: the check on resume compares the paper log with it)."""

    def record_head(self, person: str, moment: HeadMoment) -> Decision:
        """Show ``moment``'s head to be read aloud and written in the paper log; return only
        once ``person`` confirms it is written (CONFIRMED). The runner journals it."""

    def confirm_head(self, person: str, hex_head: str, words: str) -> Decision:
        """On resume: ``person`` compares the head of the journal as found with the last head
        written in the paper log. CONFIRMED: they match; REFUSED (with a reason): they do not,
        and nothing more happens."""

    def sign_off(self, person: str, question: str) -> Decision:
        """Ask ``person`` to confirm (or refuse, with a reason) what ``question`` says."""

    def deviation(self, person: str, problem: str) -> Decision:
        """``problem`` blocks the plan: stop (REFUSED), or go on with a reason (DEVIATION)."""

    def confirm_signing(self, person: str, preview: SigningPreview) -> Decision:
        """``person`` confirms that exactly ``preview`` is signed."""

    def pin(self, person: str, token_label: str, problem: str | None) -> str:
        """Ask for a token PIN without echoing it; ``problem`` explains a previous refusal.

        The PIN is returned to the runner, which passes it to the token and drops it.
        """

    def passphrase(self, person: str, purpose: str, confirm: bool) -> str:
        """Ask for a share passphrase (twice when ``confirm``), not echoed."""

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...],
                       may_print: bool = False) -> bool:
        """Show one custodian their share privately, wait until they are done, then clear it.

        With ``may_print`` (the plan's ``print_cards``) a front end that has a printer may offer
        to print the share as a card, straight to paper. Returns whether a card was printed,
        for the journal (which never holds the words).
        """

    def copy_check(self, holder: str, positions: tuple[int, ...],
                   word_count: int) -> tuple[str, ...]:
        """Ask ``holder`` for the words at 1-based ``positions`` of the share they wrote down.

        The share has ``word_count`` words; when ``positions`` are all of them the holder types
        the whole share back. Returns the words as typed (unique prefixes allowed), a secret.
        """

    def enter_share(self, progress: str, problem: str | None) -> str:
        """Ask the next custodian to enter their share; ``problem`` says why the last failed.

        Returns the words as typed (unique prefixes allowed).
        """
