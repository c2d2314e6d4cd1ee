"""Reading a plan's text back into the plan form's values (no Qt).

Used to fill the form from an existing plan (last year's drill, say) and to return from editing
the TOML by hand. The form must never drop part of a plan silently, so anything it cannot show
(share groups, unknown keys, a value of the wrong type or out of the schema's range) is refused,
all named at once. Whether the values make a sound plan is for the plan check, not this.

It reads the raw TOML rather than the parsed ``CeremonyPlan``: the form shows what the file
says (a relative path stays relative, a left-out key stays left out), which the parser, filling
defaults and resolving paths, no longer knows. Its rules come from the same schema.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from ceremony.plan import PLAN_FORMAT, CeremonyType, schema
from gui.errors import GuiError
from gui.viewmodels.plan_fields import FieldKind, FieldSpec, fields_for
from gui.viewmodels.plan_values import Person, Revocation

_REFUSED = object()  # a value the form cannot hold


@dataclass(frozen=True)
class LoadedPlan:
    """What the form shows of a plan: its type and the value of each field by key path."""

    type: CeremonyType
    values: dict[str, Any]
    signed_by_root: bool = False


def load_values(text: str) -> LoadedPlan:
    """The form's values of plan ``text``; GuiError naming every key the form cannot show."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as ex:
        raise GuiError(f"the text is not valid TOML ({ex}); fix it or keep editing it by "
                       "hand") from ex
    if document.get("format") != PLAN_FORMAT:
        raise GuiError(f'the text is not a plan: it must say format = "{PLAN_FORMAT}"')
    try:
        ceremony = CeremonyType(document.get("type"))
    except ValueError:
        kinds = ", ".join(t.value for t in CeremonyType)
        raise GuiError(f"the plan's type must be one of {kinds}") from None
    specs = {spec.path: spec for section in fields_for(ceremony) for spec in section.fields
             if spec.written}
    tables = {spec.table for spec in specs.values() if spec.table}
    values: dict[str, Any] = {}
    refused: list[str] = []
    for key, value in document.items():
        if key in ("format", "type"):
            continue
        if key in tables and isinstance(value, dict):
            for name, item in value.items():
                _load(f"{key}.{name}", item, specs, values, refused)
        else:
            _load(key, value, specs, values, refused)
    if refused:
        raise GuiError(f"the form cannot show {', '.join(refused)} of this plan; keep editing "
                       "it by hand, or open it under 'Open a plan'")
    together = schema.TOGETHER.get(ceremony, ())
    return LoadedPlan(ceremony, values, any(name in document for name in together))


def _load(path: str, value: Any, specs: dict[str, FieldSpec], values: dict[str, Any],
          refused: list[str]) -> None:
    spec = specs.get(path)
    converted = _REFUSED if spec is None else _convert(spec, value)
    if converted is _REFUSED:
        refused.append(path)
    else:
        values[path] = converted


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _convert(spec: FieldSpec, value: Any) -> Any:
    """``value`` as the form holds field ``spec``, or _REFUSED."""
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.FILE, FieldKind.FOLDER):
        return value if isinstance(value, str) else _REFUSED
    if kind is FieldKind.CHOICE:
        return value if value in spec.choices else _REFUSED
    if kind is FieldKind.FLAG:
        return value if isinstance(value, bool) else _REFUSED
    if kind is FieldKind.INTEGER:
        if spec.unlimited and value == spec.unlimited:
            return None
        fits = isinstance(value, int) and not isinstance(value, bool) \
            and spec.minimum <= value <= spec.maximum
        return value if fits else _REFUSED
    if kind in (FieldKind.HOLDERS, FieldKind.TEXTS):
        return list(value) if _strings(value) else _REFUSED
    if kind is FieldKind.OPTIONS:
        return list(value) if _strings(value) and set(value) <= set(spec.choices) else _REFUSED
    if kind is FieldKind.PARTICIPANTS:
        return _rows(value, spec, lambda row: Person(row["name"], row["role"]))
    if kind is not FieldKind.REVOCATIONS:
        raise ValueError(f"no reader for plan-form fields of kind {kind.value}")
    return _rows(value, spec, lambda row: Revocation(row["serial"], row["reason"],
                                                     row.get("certificate", "")))


def _rows(value: Any, spec: FieldSpec, make: Any) -> Any:
    """The rows of an array of tables, each with the schema's keys (the required ones given,
    its choice one of the field's choices), or _REFUSED."""
    if not isinstance(value, list):
        return _REFUSED
    table = schema.table(spec.path)
    keys = set(table.key_names)
    required = {k.name for k in table.keys if k.use is schema.Use.REQUIRED}
    choice = next(k.name for k in table.keys if k.kind is schema.Kind.CHOICE)
    rows = []
    for item in value:
        if not (isinstance(item, dict) and set(item) <= keys and required <= set(item)
                and all(isinstance(v, str) for v in item.values())
                and item.get(choice) in spec.choices):
            return _REFUSED
        rows.append(make(item))
    return rows
