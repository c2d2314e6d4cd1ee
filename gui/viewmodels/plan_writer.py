"""Writing the plan form's values as a plan (TOML), in the schema's order (no Qt).

Tables and keys are written in the order the plan schema declares them, each key as its field's
kind says; every typed string goes through ``toml_string``. Also here: what a plan is saved as
(``plan_file_name``) and what must keep it from being saved (``secret_problems``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Sequence
from typing import Any

from ceremony.plan import PLAN_FORMAT, PLAN_ID, CeremonyType, remove_secrets
from crypto.slip39words import WORDLIST
from gui.viewmodels.plan_fields import FieldKind, FieldSpec, Section
from gui.viewmodels.plan_values import Person, Revocation
from gui.viewmodels.toml_text import toml_bool, toml_string, toml_strings

HEADER = ("# A ceremony plan written with the keyceremony app's plan form.\n"
          "# Check it with: keyceremony plan check <this file>\n")
_SHARE_WORDS = 20  # the shortest SLIP-39 share


def plan_toml(ceremony: CeremonyType, sections: Sequence[Section], get: Callable[[str], Any],
              ) -> str:
    """The plan of type ``ceremony`` whose ``sections`` hold the values ``get(path)`` gives."""
    lines = [HEADER, f"format = {toml_string(PLAN_FORMAT)}",
             f"type = {toml_string(ceremony.value)}"]
    for section in sections:
        if section.table == "":
            lines += _assignments(section.fields, get)
        elif section.table == "participant":
            for person in get("participant"):
                lines += _person(person)
        else:
            lines += _table(section, get)
    return "\n".join(lines) + "\n"


def _person(person: Person) -> list[str]:
    return ["", "[[participant]]", f"name = {toml_string(person.name)}",
            f"role = {toml_string(person.role)}"]


def _revocation(entry: Revocation) -> list[str]:
    lines = ["", "[[crl.revoke]]", f"serial = {toml_string(entry.serial)}",
             f"reason = {toml_string(entry.reason)}"]
    if entry.certificate.strip():
        lines.append(f"certificate = {toml_string(entry.certificate)}")
    return lines


def _table(section: Section, get: Callable[[str], Any]) -> list[str]:
    plain = [s for s in section.fields if s.kind is not FieldKind.REVOCATIONS]
    body = _assignments(plain, get)
    lines = ["", f"[{section.table}]", *body] if body else []
    for spec in section.fields:
        if spec.kind is FieldKind.REVOCATIONS:
            for entry in get(spec.path):
                lines += _revocation(entry)
    return lines


def _assignments(specs: Sequence[FieldSpec], get: Callable[[str], Any]) -> list[str]:
    lines = []
    for spec in specs:
        if not spec.written:
            continue
        value = toml_value(spec, get(spec.path))
        if value is not None:
            lines.append(f"{spec.key} = {value}")
    return lines


def toml_value(spec: FieldSpec, value: Any) -> str | None:
    """``value`` of field ``spec`` as TOML; None leaves the key out of the plan."""
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.FILE, FieldKind.FOLDER, FieldKind.CHOICE):
        if spec.optional and not str(value).strip():
            return None
        if spec.default and value == spec.default:
            return None
        return toml_string(str(value))
    if kind is FieldKind.INTEGER:
        return toml_string(spec.unlimited) if value is None else str(int(value))
    if kind is FieldKind.FLAG:
        return toml_bool(bool(value))
    if kind in (FieldKind.HOLDERS, FieldKind.OPTIONS, FieldKind.TEXTS):
        if spec.optional and not value:
            return None
        return toml_strings(value)
    raise ValueError(f"{spec.path} is not written as one value")


def plan_file_name(plan_id: str, ceremony: CeremonyType, today: dt.date | None = None) -> str:
    """A file name for a plan: its id, or the type and date while the id cannot name a file."""
    if PLAN_ID.fullmatch(plan_id):
        return f"{plan_id}.toml"
    return f"{ceremony.value}-{(today or dt.date.today()):%Y%m%d}.toml"


def secret_problems(text: str) -> tuple[str, ...]:
    """Why plan ``text`` must not be saved: the keys that would hold a secret (as the plan
    parser refuses them) and any run of SLIP-39 share words, even in a comment. Secrets never
    go to disk; the messages name where, never what."""
    problems: list[str] = []
    try:
        remove_secrets(tomllib.loads(text), problems)
    except tomllib.TOMLDecodeError:
        pass  # not TOML: only the words below can be looked for
    words, run = set(WORDLIST), 0
    for number, line in enumerate(text.splitlines(), 1):
        for token in re.split(r"[^a-z]+", line.lower()):
            if token:  # a share's words may be numbered, quoted or wrapped over lines
                run = run + 1 if token in words else 0
            if run >= _SHARE_WORDS:
                problems.append(f"line {number}: looks like SLIP-39 share words; shares are "
                                "never written down in a plan: remove them and treat that "
                                "share as exposed")
                return tuple(problems)
    return tuple(problems)
