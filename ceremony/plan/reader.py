"""Typed, strict reading of one TOML table of a plan, and the refusal of secrets in plans.

``Table`` wraps a parsed TOML table with its key path, the keys it takes and the keys it
requires (both the plan schema's, in a plan). Its getters check each value's type
and record a problem naming the key path (``shares.threshold: must be a whole number, not
"3"``) instead of raising, so a plan's every problem is reported at once; ``finish`` reports
keys nobody asked for as unknown. ``remove_secrets`` reports, and takes out of the document,
every key or value that would put a secret into a plan.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Collection, Sequence
from enum import Enum
from typing import Any, Final, TypeVar

from crypto.slip39words import WORDLIST

E = TypeVar("E", bound=Enum)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
_SHOW_MAX = 40


def show(value: object) -> str:
    """A value as TOML would spell it, shortened; only for values that cannot be secrets."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= _SHOW_MAX else value[:_SHOW_MAX] + "..."
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def choices(enum: type[Enum]) -> str:
    """The values of ``enum`` as a list a person can read."""
    return ", ".join(str(member.value) for member in enum)


class Table:
    """One TOML table under key path ``where``; problems go to the shared ``problems`` list."""

    def __init__(self, data: dict[str, Any], where: str, problems: list[str],
                 allowed: Sequence[str], required: Collection[str] | None = None) -> None:
        self.data = data
        self.where = where
        self.problems = problems
        self.allowed = tuple(allowed)
        # The keys a getter requires unless told otherwise (the plan schema's, for the type).
        self.required = frozenset(self.allowed if required is None else required)
        self.used: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def problem(self, key: str | None, message: str) -> None:
        """Record ``message`` under the path of ``key`` (or of this table when None)."""
        self.problems.append(f"{self.path(key) if key else self.where}: {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool | None = False, example: str = "") -> Any:
        """The value of ``key`` unchecked, or MISSING (a problem too when ``required``; None:
        when the table's ``required`` keys hold it)."""
        if required is None:
            required = key in self.required
        if key not in self.allowed:  # the schema and its reader disagree: a bug of ours
            raise ValueError(f"{key} is not declared for {self.where or 'the top'}")
        self.used.add(key)
        if key not in self.data:
            if required:
                self.problem(key, f"missing; add {example}" if example else "missing")
            return MISSING
        return self.data[key]

    def _typed(self, key: str, required: bool | None, example: str, kind: str,
               accept: type) -> Any:
        value = self.raw(key, required=required, example=example)
        if value is MISSING:
            return None
        # bool is an int in Python, but `threshold = true` is not a number in a plan.
        if not isinstance(value, accept) or (isinstance(value, bool) and accept is not bool):
            self.problem(key, f"must be {kind}, not {show(value)}")
            return None
        return value

    def text(self, key: str, *, required: bool | None = None, example: str = "") -> str | None:
        value: str | None = self._typed(key, required, example, "a string", str)
        if value is not None and "\x00" in value:
            # A NUL ends the string for C (PKCS#11 labels, file names): never what was meant.
            self.problem(key, "must not hold a NUL character (\\u0000); remove it")
            return None
        return value

    def integer(self, key: str, *, required: bool | None = None, example: str = "",
                kind: str = "a whole number") -> int | None:
        value: int | None = self._typed(key, required, example, kind, int)
        return value

    def flag(self, key: str, *, required: bool | None = None, example: str = "") -> bool | None:
        value: bool | None = self._typed(key, required, example, "true or false", bool)
        return value

    def texts(self, key: str, *, required: bool | None = None,
              example: str = "") -> tuple[str, ...] | None:
        value = self._typed(key, required, example, "an array of strings", list)
        if value is None:
            return None
        wrong = [(n, item) for n, item in enumerate(value, 1)
                 if not isinstance(item, str) or "\x00" in item]
        for number, item in wrong:
            self.problems.append(f"{self.path(key)}[{number}]: " + (
                "must not hold a NUL character (\\u0000); remove it" if isinstance(item, str)
                else f"must be a string, not {show(item)}"))
        return None if wrong else tuple(value)

    def choice(self, key: str, enum: type[E], *, required: bool | None = None,
               example: str = "") -> E | None:
        value = self.text(key, required=required, example=example)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            self.problem(key, f"must be one of {choices(enum)}, not {show(value)}")
            return None

    def tables(self, key: str, *, required: bool | None = None,
               example: str = "") -> list[dict[str, Any]] | None:
        """An array of tables (``[[key]]``)."""
        value = self.raw(key, required=required, example=example)
        if value is MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"must be an array of tables ([[{self.path(key)}]]), not "
                              f"{show(value)}")
            return None
        return value

    def table(self, key: str, allowed: Sequence[str],
              required: Collection[str] | None = None) -> Table | None:
        """The sub-table ``key`` as a Table, or None (with a problem) when it is not a table."""
        value = self.raw(key)
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"must be a table ([{self.path(key)}]), not {show(value)}")
            return None
        return Table(value, self.path(key), self.problems, allowed, required)

    def not_used(self, key: str, reason: str) -> None:
        """``key`` is known but means nothing here; refuse it with ``reason`` if present."""
        if self.raw(key) is not MISSING:
            self.problem(key, f"not used here: {reason}")

    def finish(self, what: str) -> None:
        """Report every key of this table nobody read as unknown, with a likely spelling."""
        for key in self.data:
            if key in self.used:
                continue
            close = difflib.get_close_matches(key, self.allowed, n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            self.problem(key, f"unknown key; {hint}{what} takes {', '.join(self.allowed)}")


# --- secrets ----------------------------------------------------------------------------------

_SECRET_NAMES = frozenset({
    "pin", "pins", "password", "passwords", "passwd", "passphrase", "passphrases", "secret",
    "secrets", "share", "shares", "mnemonic", "mnemonics", "words", "seed", "wrap_key",
    "private_key", "key_material",
})
_SECRET_SUFFIXES = ("_pin", "_pins", "_password", "_passphrase", "_secret", "_mnemonic",
                    "_mnemonics", "_share", "_shares", "_words", "_seed")
_PIN_KEYS = frozenset({"token.pin", "new_token.pin"})
_PASSPHRASE_KEYS = frozenset({"shares.passphrase", "new_shares.passphrase"})
_SHARE_TABLES = frozenset({"shares", "new_shares"})
_WORDS = frozenset(WORDLIST)
_MIN_SHARE_WORDS = 20  # the shortest SLIP-39 share

SECRETS_AT_RUN_TIME = ("secrets are never written in a plan: a PIN is typed at run time (or "
                       "rebuilt from a share set) and shares and passphrases are entered by "
                       "their holders at run time; remove this key")


def _secret_problem(path: str, name: str, value: object) -> str | None:
    """Why ``value`` at ``path`` would put a secret into the plan, or None."""
    if path in _PIN_KEYS:
        if isinstance(value, str) and value in ("typed", "shares"):
            return None
        return ('must be "typed" or "shares"; a PIN itself is never written in a plan: it is '
                "typed at run time or rebuilt from the plan's share set")
    if path in _PASSPHRASE_KEYS:
        if isinstance(value, bool):
            return None
        return ("must be true or false; a passphrase itself is never written in a plan: the "
                "custodians type it at run time")
    if path in _SHARE_TABLES and (isinstance(value, dict) or (
            isinstance(value, list) and value and all(isinstance(v, dict) for v in value))):
        return None
    lowered = name.lower()
    if lowered in _SECRET_NAMES or lowered.endswith(_SECRET_SUFFIXES):
        return SECRETS_AT_RUN_TIME
    return None


def _looks_like_share(value: str) -> bool:
    words = value.lower().split()
    return len(words) >= _MIN_SHARE_WORDS and all(word in _WORDS for word in words)


def remove_secrets(document: dict[str, Any], problems: list[str]) -> None:
    """Report and delete every key of ``document`` that would hold a secret, at any depth.

    Deleting them keeps the value out of every later message (a wrong-type or unknown-key
    problem would otherwise repeat it). Strings that look like SLIP-39 share words are
    refused wherever they are.
    """

    def walk(table: dict[str, Any], where: str) -> None:
        for name in list(table):
            value = table[name]
            path = f"{where}.{name}" if where else name
            problem = _secret_problem(path, name, value)
            if problem is None and _holds_share_words(value):
                problem = ("looks like SLIP-39 share words; shares are never written in a "
                           "plan, their holders enter them at run time: remove them and treat "
                           "that share as exposed")
            if problem is not None:
                problems.append(f"{path}: {problem}")
                del table[name]
                continue
            if isinstance(value, dict):
                walk(value, path)
            elif isinstance(value, list):
                for number, item in enumerate(value, 1):
                    if isinstance(item, dict):
                        walk(item, f"{path}[{number}]")

    walk(document, "")


def _holds_share_words(value: object) -> bool:
    if isinstance(value, str):
        return _looks_like_share(value)
    if isinstance(value, list):
        return any(isinstance(item, str) and _looks_like_share(item) for item in value)
    return False
