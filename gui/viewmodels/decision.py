"""The choices of a sign-off, signing confirmation or deviation, and their rules (no Qt).

A confirmation names the person confirming. Refusing, or going on despite a problem, needs a
reason in words: the journal records it, and an auditor reads it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ceremony.prompts import Decision, Outcome
from gui.errors import GuiError


class Question(Enum):
    """What is being asked."""

    SIGN_OFF = "sign-off"  # confirm, refuse, or go on with a recorded deviation
    SIGNING = "signing"  # confirm exactly what is shown, or refuse
    DEVIATION = "deviation"  # a problem blocks the plan: stop, or go on with a reason
    HEAD = "head"  # on resume: does the journal's head match the paper log? (yes, or stop)


@dataclass(frozen=True)
class Choice:
    """One button: its label, the outcome it records and whether it needs a reason."""

    label: str
    outcome: Outcome
    needs_reason: bool


@dataclass(frozen=True)
class DecisionForm:
    """A question put to ``person``; ``text`` is the question or the problem."""

    kind: Question
    person: str
    text: str

    @property
    def heading(self) -> str:
        if self.kind is Question.DEVIATION:
            return f"{self.person}: the plan cannot go on as written"
        if self.kind is Question.SIGNING:
            return f"{self.person}: confirm exactly what will be signed"
        if self.kind is Question.HEAD:
            return f"{self.person}: compare the chain head with the paper log"
        return f"{self.person}: please confirm"

    @property
    def choices(self) -> tuple[Choice, ...]:
        """The buttons, the default (Enter) first."""
        if self.kind is Question.DEVIATION:
            return (Choice("Stop the ceremony", Outcome.REFUSED, False),
                    Choice("Go on and record a deviation…", Outcome.DEVIATION, True))
        confirm = Choice(f"Confirm as {self.person}", Outcome.CONFIRMED, False)
        refuse = Choice("Refuse…", Outcome.REFUSED, True)
        if self.kind is Question.SIGNING:
            return (confirm, Choice("Refuse to sign…", Outcome.REFUSED, True))
        if self.kind is Question.HEAD:
            return (Choice(f"It matches: {self.person}", Outcome.CONFIRMED, False),
                    Choice("It does not match…", Outcome.REFUSED, True))
        return (confirm, refuse, Choice("Deviate…", Outcome.DEVIATION, True))

    def reason_prompt(self, outcome: Outcome) -> str:
        if outcome is Outcome.DEVIATION:
            return f"{self.person}: why go on despite this? (recorded in the journal)"
        if self.kind is Question.HEAD:
            return f"{self.person}: what differs? (the ceremony stops and nothing is recorded)"
        return f"{self.person}: why refuse? (recorded in the journal)"

    def decide(self, outcome: Outcome, reason: str = "") -> Decision:
        """The decision for ``outcome``; raises GuiError when a needed reason is missing."""
        choice = next((c for c in self.choices if c.outcome is outcome), None)
        if choice is None:
            raise ValueError(f"{outcome.value} is not a choice for a {self.kind.value}.")
        reason = " ".join(reason.split())
        if choice.needs_reason and not reason:
            raise GuiError("A reason is needed: type why, in words, before recording it.")
        if outcome is Outcome.REFUSED and not reason:
            reason = f"stopped at the request of {self.person}"
        return Decision(outcome, self.person, reason)
