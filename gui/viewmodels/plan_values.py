"""The values the plan form holds, table by table, made from the plan schema (no Qt).

A table's values are a ``TableValues``: one attribute per key of the schema's table, named after
the key (``form.shares.threshold``), starting at the value a new form shows (the key's ``start``
or its default, else empty). A key added to the schema is a value here without a line of code.
Rows of the arrays the form edits ([[participant]], [[crl.revoke]]) are frozen values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceremony.plan import schema
from ceremony.plan.schema import Key, Kind


@dataclass(frozen=True)
class Person:
    """One row of the participants: a name and a role (a ``Role`` value)."""

    name: str
    role: str


@dataclass(frozen=True)
class Revocation:
    """One certificate a CRL ceremony revokes, as typed: serial in hex, reason, certificate."""

    serial: str = ""
    reason: str = str(schema.key("crl.revoke.reason").start)
    certificate: str = ""  # optional path


def start_value(key: Key) -> Any:
    """What a new form holds for ``key``: its ``start``, else its default, else empty."""
    if key.start is not None:
        return list(key.start) if isinstance(key.start, tuple) else key.start
    if key.kind is Kind.INTEGER:
        return key.default if isinstance(key.default, int) else key.minimum or 0
    if key.kind is Kind.FLAG:
        return bool(key.default)
    if key.kind in (Kind.TEXTS, Kind.NAMES, Kind.TABLES):
        return []
    return key.default if isinstance(key.default, str) and key.kind is Kind.CHOICE else ""


class TableValues:
    """The form's values of one plan table; only the schema's keys can be set."""

    __slots__ = ("_name", "_values")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values",
                           {key.name: start_value(key) for key in schema.table(name).keys})

    def __getattr__(self, key: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if key not in values:
            raise AttributeError(f"[{self._name}] has no key {key}")
        return values[key]

    def __setattr__(self, key: str, value: Any) -> None:
        if key not in self._values:
            raise AttributeError(f"[{self._name}] has no key {key}")
        self._values[key] = value

    def has(self, key: str) -> bool:
        return key in self._values

    def __repr__(self) -> str:
        return f"TableValues({self._name!r}, {self._values!r})"
