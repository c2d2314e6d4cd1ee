"""Which fields the plan form shows for each ceremony type (no Qt).

Each field is named by the key path it writes in the plan (``shares.threshold``,
``crl.revoke``), the same path ``plan check`` puts in front of a problem, so a problem finds
its field. The fields, their kinds, labels, help, choices and ranges, and which tables and keys
a type uses, all come from the plan schema (``ceremony.plan.schema``); this module adds only
presentation (section titles and notes) and says which keys the form leaves to the TOML.
Values are checked by the plan parser and ``plan check``, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache

from ceremony.plan import CeremonyType, schema
from ceremony.plan.schema import (
    NEW_KEY,
    SIGNING_WITH_TOKEN,
    TOGETHER,
    Key,
    Kind,
    TableSpec,
    Use,
)


class FieldKind(Enum):
    """What kind of value a field holds, and so which editor shows it."""

    TEXT = "text"
    INTEGER = "integer"
    CHOICE = "choice"  # one of ``choices``
    FLAG = "flag"
    FILE = "file"  # a path to an existing file
    FOLDER = "folder"  # a path to a folder
    HOLDERS = "holders"  # custodians, ticked from the participants
    OPTIONS = "options"  # any of ``choices``
    TEXTS = "texts"  # a list of short strings, typed separated by commas
    PARTICIPANTS = "participants"  # rows of name and role
    REVOCATIONS = "revocations"  # rows of serial, reason and certificate


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form: the plan key it writes and how it is edited."""

    path: str  # the key path in the plan, e.g. "shares.threshold"
    label: str
    kind: FieldKind
    hint: str = ""
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0
    optional: bool = False  # left out of the plan while empty
    unlimited: str = ""  # INTEGER: the word the plan uses for "no limit", shown below minimum
    written: bool = True  # False: a choice of the form's own that is not a plan key
    default: str = ""  # CHOICE: the value the plan means by leaving the key out (not written)
    placeholder: str = ""  # shown in the empty field: what a value looks like

    @property
    def table(self) -> str:
        """The table the field's key is in ("" for the top level)."""
        return self.path.rpartition(".")[0]

    @property
    def key(self) -> str:
        return self.path.rpartition(".")[2]


@dataclass(frozen=True)
class Section:
    """A group of fields, one plan table (or the plan's top level when ``table`` is "")."""

    table: str
    title: str
    fields: tuple[FieldSpec, ...]
    note: str = ""


# What the form shows a section as: presentation only; the keys come from the schema.
_TITLES: dict[str, str] = {
    "": "The ceremony", "participant": "People", "token": "The token",
    "new_token": "The new token (the key is restored into it)", "key": "The new key",
    "shares": "The share set", "new_shares": "The new share set",
    "certificate": "The CSR's subject", "crl": "The CRL", "csr": "The CSR",
    "profile": "The subordinate CA certificate", "issuer": "The issuing CA",
    "backup": "The backup", "cross": "The CA to cross-sign",
    "renewal": "The renewed root certificate", "responder": "The OCSP responder certificate",
    "retire": "The retirement",
}
_TYPE_TITLES: dict[tuple[str, CeremonyType], str] = {
    ("token", CeremonyType.RESHARE): "The token (the new wrap key is made in it)",
    ("token", CeremonyType.DRILL): "The root's token",
    ("key", CeremonyType.RESHARE): "The key's certificate",
    ("key", CeremonyType.RESTORE): "The key in the backup",
    **{("shares", t): "Shares of the backup's wrap key" for t in NEW_KEY},
    **{("shares", t): "The share set the PIN is rebuilt from" for t in SIGNING_WITH_TOKEN},
    ("shares", CeremonyType.RESHARE): "The old share set",
    ("shares", CeremonyType.RETIRE): "The share set (PIN, or copies destroyed)",
    ("certificate", CeremonyType.ROOT): "The root certificate",
    ("crl", CeremonyType.ROOT): "The first CRL",
    ("backup", CeremonyType.RESTORE): "The backup to restore",
    ("backup", CeremonyType.RETIRE): "The backup destroyed",
    ("backup", CeremonyType.RESHARE): "The backup to re-wrap",
}
_NOTES: dict[str, str] = {
    "participant": "Every ceremony needs an administrator and a witness or auditor; a sign "
                   "ceremony an operator; every share holder is a custodian.",
    "profile": "The kind decides which usages and policies are allowed; see the plan format.",
    "cross": "Give the certificate or the CSR, not both.",
    "renewal": "Key, subject and key identifier stay those of the issuer certificate.",
    "responder": "Give the CSR, or the token, key label, algorithm and common name; not both.",
    "retire": "The key named under 'The issuing CA' is destroyed in the token after the "
              "witnesses confirm.",
}
_TYPE_NOTES: dict[tuple[str, CeremonyType], str] = {
    ("key", CeremonyType.RESHARE): "The backup names the key; its certificate must certify "
                                   "that key.",
    ("key", CeremonyType.RESTORE): "Label and algorithm must match the backup's metadata, and "
                                   "the certificate must certify its key.",
    ("certificate", CeremonyType.INTERMEDIATE_KEY): "The sign ceremony's profile decides the "
                                                    "certificate's validity.",
    **{("backup", t): "The backup is always written in the ceremony folder's backup/."
       for t in NEW_KEY},
}
# Keys the form has no field for: the header's, and share groups (edited as TOML by hand).
_NOT_OFFERED = frozenset({".format", ".type", "shares.group", "shares.group_threshold",
                          "new_shares.group", "new_shares.group_threshold"})
# Written only when changed from the default: the line itself records a deviation.
_WRITTEN_WHEN_CHANGED = frozenset({"token.software_token", "new_token.software_token"})
_ROWS = {"participant": FieldKind.PARTICIPANTS, "crl.revoke": FieldKind.REVOCATIONS}
_KINDS = {Kind.TEXT: FieldKind.TEXT, Kind.CHOICE: FieldKind.CHOICE, Kind.PATH: FieldKind.FILE,
          Kind.FOLDER: FieldKind.FOLDER, Kind.INTEGER: FieldKind.INTEGER,
          Kind.FLAG: FieldKind.FLAG, Kind.NAMES: FieldKind.HOLDERS}


def _field(table: TableSpec, key: Key, ceremony: CeremonyType) -> FieldSpec:
    """The field of ``key`` in ``table`` as a plan of type ``ceremony`` uses it."""
    path = f"{table.name}.{key.name}" if table.name else key.name
    use = key.use_in(ceremony)
    if key.kind is Kind.TABLES:
        rows = schema.table(path)
        choice = next(k for k in rows.keys if k.kind is Kind.CHOICE)
        return FieldSpec(path, key.label, _ROWS[path], key.help, choices=choice.choices)
    kind = (FieldKind.OPTIONS if key.choices else FieldKind.TEXTS) if key.kind is Kind.TEXTS \
        else _KINDS[key.kind]
    # Left out of the plan while empty: a key the plan may leave out (or give another way),
    # and a path in a table the plan need not have (a retire's [backup]).
    optional = ((use is Use.OPTIONAL and key.default in (None, ""))
                or (key.unless != "" and key.kind is Kind.TEXT)
                or (table.use_in(ceremony) is Use.OPTIONAL and key.kind is Kind.PATH))
    choices = key.choices
    if key.kind is Kind.CHOICE and optional:
        choices = ("", *choices)
    return FieldSpec(
        path, key.label, kind, key.help, choices=choices,
        minimum=key.minimum or 0 if kind is FieldKind.INTEGER else 0,
        maximum=key.maximum or 0 if kind is FieldKind.INTEGER else 0,
        optional=optional, unlimited=key.unlimited,
        default=str(key.default) if path in _WRITTEN_WHEN_CHANGED else "",
        placeholder=placeholder(path))


def placeholder(path: str) -> str:
    """What a value of the key at ``path`` looks like, shown in its empty field."""
    example = schema.key(path).example
    return f"e.g. {example}" if example else ""


def _section(table: TableSpec, ceremony: CeremonyType) -> Section:
    if table.array:  # [[participant]]: one field holding its rows
        key = Key(table.name, Kind.TABLES, "Participants")
        fields: tuple[FieldSpec, ...] = (_field(schema.table(""), key, ceremony),)
    else:
        fields = tuple(_field(table, key, ceremony) for key in table.keys_for(ceremony)
                       if f"{table.name}.{key.name}" not in _NOT_OFFERED)
    if table.name == "" and ceremony in TOGETHER:
        fields += (FieldSpec("signed_by_root", "Sign the transcript with the root's key (names "
                                               "its token and certificate)", FieldKind.FLAG,
                             written=False),)
    title = _TYPE_TITLES.get((table.name, ceremony), _TITLES[table.name])
    note = _TYPE_NOTES.get((table.name, ceremony), _NOTES.get(table.name, ""))
    return Section(table.name, title, fields, note)


def fields_for(ceremony: CeremonyType | str) -> tuple[Section, ...]:
    """Every section the form can show for ``ceremony``, in the order the plan writes them:
    the schema's tables the type uses, each with the keys the type uses.

    Some depend on other values (``PlanForm.sections`` says which apply now): [shares] and
    [backup] on key.backup, a sign or crl plan's [shares] on token.pin, a drill's [token] and
    [issuer] on whether the root signs its transcript.
    """
    return _fields(CeremonyType(ceremony))


@cache  # asked on every change of the form; the schema never changes
def _fields(ceremony: CeremonyType) -> tuple[Section, ...]:
    return tuple(_section(spec, ceremony) for spec in schema.SCHEMA
                 if "." not in spec.name
                 and (spec.name == "" or spec.use_in(ceremony) is not Use.REFUSED))


_INDEX = re.compile(r"\[\d+\]")


def problem_path(problem: str) -> str:
    """The key path a problem names (``participant[3].role`` of ``participant[3].role: …``)."""
    return problem.partition(": ")[0]


def field_for_problem(problem: str, sections: Iterable[Section]) -> FieldSpec | None:
    """The field a problem is about: the one whose key path is the longest prefix of the
    problem's (``crl.revoke[2].serial`` belongs to ``crl.revoke``); None when no field is."""
    key = _INDEX.sub("", problem_path(problem))
    best: FieldSpec | None = None
    for section in sections:
        for spec in section.fields:
            if (key == spec.path or key.startswith(spec.path + ".")) and \
                    (best is None or len(spec.path) > len(best.path)):
                best = spec
    return best
