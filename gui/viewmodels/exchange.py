"""Handing the runner's questions from its worker thread to the window and back (no Qt).

The runner calls the prompter synchronously on the worker thread. ``PromptExchange.ask``
hands a ``Prompt`` to the window through a ``post`` callable (the Qt layer makes that a queued
signal) and blocks the worker, never the window, until someone answers or the ceremony is
stopped. Notices that need no answer (a new step, a message) are posted without waiting.

Answers that are secrets (a PIN, share words, a passphrase) stay in the ``Prompt`` only until
the worker takes them, which drops the prompt's reference; nothing here logs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gui.errors import CeremonyInterrupted

_NO_ANSWER = object()


@dataclass
class Prompt:
    """One question (or notice) for the window: ``kind`` names the prompter method."""

    kind: str
    args: tuple[Any, ...] = field(repr=False)  # may hold share words: keep out of repr
    needs_answer: bool = True
    _answer: Any = field(default=_NO_ANSWER, repr=False)
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def answered(self) -> bool:
        return self._done.is_set()

    def answer(self, value: Any = None) -> None:
        """Give the answer (on the GUI thread); the waiting worker takes it. Once only."""
        if self._done.is_set():
            raise ValueError(f"The {self.kind} prompt was answered already.")
        self._answer = value
        self._done.set()

    def _take(self) -> Any:
        value, self._answer = self._answer, None  # drop the prompt's reference to a secret
        return value


class PromptExchange:
    """The meeting point of one ceremony's worker thread and the window."""

    def __init__(self, post: Callable[[Prompt], None]) -> None:
        self._post = post
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._waiting: Prompt | None = None

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    @property
    def waiting(self) -> Prompt | None:
        """The prompt the worker is blocked on, if any."""
        return self._waiting

    def notify(self, kind: str, *args: Any) -> None:
        """Post a notice that needs no answer (worker thread)."""
        if self._stopped.is_set():
            raise CeremonyInterrupted()
        self._post(Prompt(kind, args, needs_answer=False))

    def ask(self, kind: str, *args: Any) -> Any:
        """Post a question and wait for its answer (worker thread).

        Raises CeremonyInterrupted when the ceremony is stopped before or while waiting.
        """
        if self._stopped.is_set():
            raise CeremonyInterrupted()
        prompt = Prompt(kind, args)
        with self._lock:
            self._waiting = prompt
        try:
            self._post(prompt)
            while not prompt._done.wait(0.1):
                if self._stopped.is_set():
                    raise CeremonyInterrupted()
            if self._stopped.is_set() and prompt._answer is _NO_ANSWER:
                raise CeremonyInterrupted()
            return prompt._take()
        finally:
            with self._lock:
                self._waiting = None

    def stop(self) -> None:
        """Stop the ceremony at its next question (GUI thread); a waiting worker wakes now."""
        self._stopped.set()
        with self._lock:
            waiting = self._waiting
        if waiting is not None and not waiting.answered:
            waiting._done.set()
