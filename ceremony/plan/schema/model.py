"""The vocabulary the plan schema is written in: kinds of value, how a type uses a table or a
key, the keys and tables themselves, and the dependencies between tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from ceremony.plan.values import CeremonyType

Value = str | int | bool | tuple[str, ...]


class Kind(Enum):
    """What a key holds."""

    TEXT = "text"
    CHOICE = "choice"  # a string, one of the key's choices
    PATH = "path"  # a string naming a file, relative to the plan's folder
    FOLDER = "folder"  # a string naming a folder, relative to the plan's folder
    INTEGER = "integer"
    FLAG = "flag"
    TEXTS = "texts"  # an array of strings (any of the key's choices, when it has them)
    NAMES = "names"  # an array of participants' names
    TABLES = "tables"  # an array of tables, described by the schema table of the same path

    @property
    def toml(self) -> str:
        """The type as docs/plan-format.md's key tables spell it."""
        return _TOML[self]


_TOML = {Kind.TEXT: "string", Kind.CHOICE: "string", Kind.PATH: "string (path)",
         Kind.FOLDER: "string (path)", Kind.INTEGER: "integer", Kind.FLAG: "bool",
         Kind.TEXTS: "array of strings", Kind.NAMES: "array of strings",
         Kind.TABLES: "array of tables"}


class Use(Enum):
    """How a ceremony type uses a table or a key."""

    REQUIRED = "R"
    OPTIONAL = "O"
    DEPENDS = "D"  # tables only: on another key's value (see ``Dependency``)
    REFUSED = ""  # known, but this type does not use it: present is an error


@dataclass(frozen=True)
class Key:
    """One key of a table: its name, kind, per-type use, range, choices, default and help."""

    name: str
    kind: Kind
    label: str  # a few words naming the key (the form's field label)
    help: str = ""  # one line saying what it is for
    use: Use = Use.REQUIRED  # for every type that uses its table, except those in ``per_type``
    per_type: Mapping[CeremonyType, Use] = field(default_factory=dict, hash=False)
    choices: tuple[str, ...] = ()
    minimum: int | None = None  # INTEGER: the least value; NAMES: the fewest names
    maximum: int | None = None  # INTEGER: the greatest value; NAMES: the most names
    unlimited: str = ""  # INTEGER: the string the plan may give instead, meaning "no limit"
    default: Value | None = None  # what leaving the key out means
    unless: str = ""  # REQUIRED only when this sibling key is absent (and then refused with it)
    example: str = ""  # what a value looks like, shown in an empty field
    start: Value | None = None  # the value a new form starts with, where the field needs one

    def use_in(self, ceremony: CeremonyType | None) -> Use:
        """How ``ceremony`` uses the key (without a type: as most types do)."""
        return self.per_type.get(ceremony, self.use) if ceremony is not None else self.use

    def required_anywhere(self) -> bool:
        """Whether some type requires the key (perhaps only without its ``unless`` key)."""
        return Use.REQUIRED in (self.use, *self.per_type.values())


@dataclass(frozen=True)
class TableSpec:
    """One table of the plan ("" is the top level), or an array of tables (``array``)."""

    name: str  # its key path: "token", "shares.group"; "" for the top level
    title: str
    keys: tuple[Key, ...]
    uses: Mapping[CeremonyType, Use] = field(default_factory=dict, hash=False)
    array: bool = False

    def key(self, name: str) -> Key:
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(f"[{self.name}] has no key {name}")

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    def use_in(self, ceremony: CeremonyType) -> Use:
        """How ``ceremony`` uses this table."""
        return self.uses.get(ceremony, Use.REFUSED)

    def required_keys(self, ceremony: CeremonyType | None) -> frozenset[str]:
        """The keys ``ceremony`` must give in this table (without a type: those most types
        must), leaving out those required only without their ``unless`` key."""
        return frozenset(k.name for k in self.keys
                         if k.use_in(ceremony) is Use.REQUIRED and not k.unless)

    def keys_for(self, ceremony: CeremonyType) -> tuple[Key, ...]:
        """The keys ``ceremony`` uses in this table, in the order a plan writes them."""
        return tuple(k for k in self.keys if k.use_in(ceremony) is not Use.REFUSED)


@dataclass(frozen=True)
class Condition:
    """``path`` (a key path such as "key.backup") holds ``value``."""

    path: str
    value: Value


@dataclass(frozen=True)
class Dependency:
    """In ``types``, ``table`` is used (``use``) when any of ``when`` holds, refused otherwise."""

    table: str
    types: tuple[CeremonyType, ...]
    when: tuple[Condition, ...]
    use: Use = Use.REQUIRED
