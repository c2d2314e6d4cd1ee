"""The desktop app's ``Prompter``: every question of the runner becomes a prompt in the window.

It runs on the ceremony's worker thread and does no Qt itself: each call goes through a
``PromptExchange``, whose ``post`` the window connects to a queued Qt signal. The window answers
on its own thread; this object returns the answer to the runner. Secrets (PIN, passphrase,
share words) pass through as return values only (see ``PromptExchange``).
"""

from __future__ import annotations

from typing import cast

from ceremony.prompts import Decision, HeadMoment, Outcome, SigningPreview, StepView
from gui.viewmodels.exchange import PromptExchange


class WindowPrompter:
    """Implements ``ceremony.prompts.Prompter`` by asking the window through ``exchange``."""

    def __init__(self, exchange: PromptExchange) -> None:
        self.exchange = exchange

    def step(self, view: StepView) -> None:
        self.exchange.notify("step", view)

    def inform(self, message: str) -> None:
        self.exchange.notify("inform", message)

    def chain_head(self, hex_head: str, words: str) -> None:
        self.exchange.notify("chain_head", hex_head, words)

    def record_head(self, person: str, moment: HeadMoment) -> Decision:
        # The window answers with the name on the button pressed: only a confirmation.
        who = cast(str, self.exchange.ask("record_head", person, moment))
        return Decision(Outcome.CONFIRMED, who)

    def confirm_head(self, person: str, hex_head: str, words: str) -> Decision:
        return cast(Decision, self.exchange.ask("confirm_head", person, hex_head, words))

    def sign_off(self, person: str, question: str) -> Decision:
        return cast(Decision, self.exchange.ask("sign_off", person, question))

    def deviation(self, person: str, problem: str) -> Decision:
        return cast(Decision, self.exchange.ask("deviation", person, problem))

    def confirm_signing(self, person: str, preview: SigningPreview) -> Decision:
        return cast(Decision, self.exchange.ask("confirm_signing", person, preview))

    def pin(self, person: str, token_label: str, problem: str | None) -> str:
        # The PIN is returned straight to the runner, which hands it to C_Login and drops it.
        return cast(str, self.exchange.ask("pin", person, token_label, problem))

    def passphrase(self, person: str, purpose: str, confirm: bool) -> str:
        return cast(str, self.exchange.ask("passphrase", person, purpose, confirm))

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...],
                       may_print: bool = False) -> bool:
        # The words go to the window for the privacy screen (and a card's printer) only; what
        # comes back is whether a card was printed.
        return bool(self.exchange.ask("hand_out_share", holder, number, total, words,
                                      may_print))

    def copy_check(self, holder: str, positions: tuple[int, ...],
                   word_count: int) -> tuple[str, ...]:
        return cast(tuple[str, ...], self.exchange.ask("copy_check", holder, positions,
                                                       word_count))

    def enter_share(self, progress: str, problem: str | None) -> str:
        return cast(str, self.exchange.ask("enter_share", progress, problem))
