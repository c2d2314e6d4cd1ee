"""The plan schema: every table and key of the plan format, declared once (``tables``), in the
vocabulary of ``model``. The front of the package, with the look-ups its users need.
"""

from __future__ import annotations

from collections.abc import Callable

from ceremony.plan.schema.model import Condition, Dependency, Key, Kind, TableSpec, Use, Value
from ceremony.plan.schema.tables import (
    DEPENDENCIES,
    NEW_KEY,
    SCHEMA,
    SIGNING_WITH_TOKEN,
    TOGETHER,
)
from ceremony.plan.values import CeremonyType

__all__ = [
    "DEPENDENCIES",
    "NEW_KEY",
    "SCHEMA",
    "SIGNING_WITH_TOKEN",
    "TOGETHER",
    "Condition",
    "Dependency",
    "Key",
    "Kind",
    "TableSpec",
    "Use",
    "Value",
    "key",
    "table",
    "table_in_use",
    "top_tables",
]

_BY_NAME = {spec.name: spec for spec in SCHEMA}


def table(name: str) -> TableSpec:
    """The table at key path ``name`` ("" for the top level, "shares.group" for groups)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"the plan schema has no table [{name}]") from None


def key(path: str) -> Key:
    """The key at ``path`` ("shares.threshold", "id")."""
    owner, _, name = path.rpartition(".")
    return table(owner).key(name)


def top_tables() -> tuple[TableSpec, ...]:
    """The tables a plan holds at its top level (not the top level itself, nor nested
    arrays such as ``[[shares.group]]``), in the order a plan writes them."""
    return tuple(spec for spec in SCHEMA if spec.name and "." not in spec.name)


def table_in_use(name: str, ceremony: CeremonyType, value: Callable[[str], object]) -> bool:
    """Whether a plan of type ``ceremony`` uses table ``name`` with its keys' values as they
    are (``value(path)`` gives the value at a key path); optional tables count as used."""
    use = table(name).use_in(ceremony)
    if use is not Use.DEPENDS:
        return use is not Use.REFUSED
    rules = [d for d in DEPENDENCIES if d.table == name and ceremony in d.types]
    return any(value(c.path) == c.value for rule in rules for c in rule.when)
