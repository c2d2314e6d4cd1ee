"""Reading a plan's text back into the plan form (no Qt).

Used to fill the form from an existing plan (last year's drill, say) and to return from editing
the TOML by hand. The form must never drop part of a plan silently, so anything it cannot show
(share groups, unknown keys, a value of the wrong type or out of the form's range) is refused,
all named at once. Whether the values make a sound plan is for the plan check, not this.
"""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING, Any

from ceremony.plan import PLAN_FORMAT, CeremonyType
from gui.errors import GuiError
from gui.viewmodels.plan_fields import FieldKind, FieldSpec, fields_for

if TYPE_CHECKING:
    from gui.viewmodels.plan_form import PlanForm

_REFUSED = object()  # a value the form cannot hold


def load_form(cls: type[PlanForm], text: str) -> PlanForm:
    """The form holding plan ``text``; GuiError naming every key the form cannot show."""
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
    form = cls(ceremony)
    specs = {spec.path: spec for section in fields_for(ceremony) for spec in section.fields
             if spec.written}
    tables = {spec.table for spec in specs.values() if spec.table}
    refused: list[str] = []
    for key, value in document.items():
        if key in ("format", "type"):
            continue
        if key in tables and isinstance(value, dict):
            for name, item in value.items():
                _load(form, f"{key}.{name}", item, specs, refused)
        else:
            _load(form, key, value, specs, refused)
    if ceremony is CeremonyType.DRILL:
        form.signed_by_root = "token" in document or "issuer" in document
    if refused:
        raise GuiError(f"the form cannot show {', '.join(refused)} of this plan; keep editing "
                       "it by hand, or open it under 'Open a plan'")
    return form


def _load(form: PlanForm, path: str, value: Any, specs: dict[str, FieldSpec],
          refused: list[str]) -> None:
    spec = specs.get(path)
    converted = _REFUSED if spec is None else _convert(spec, value)
    if converted is _REFUSED:
        refused.append(path)
    else:
        form.set(path, converted)


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
        return _rows(value, ("name", "role"), spec.choices, "role", _person)
    if kind is not FieldKind.REVOCATIONS:
        raise ValueError(f"no reader for plan-form fields of kind {kind.value}")
    return _rows(value, ("serial", "reason", "certificate"), spec.choices, "reason",
                 _revocation)


def _rows(value: Any, keys: tuple[str, ...], choices: tuple[str, ...], choice: str,
          make: Any) -> Any:
    if not isinstance(value, list):
        return _REFUSED
    rows = []
    for item in value:
        if not (isinstance(item, dict) and set(item) <= set(keys)
                and all(isinstance(v, str) for v in item.values())
                and item.get(choice) in choices and set(keys[:2]) <= set(item)):
            return _REFUSED
        rows.append(make(item))
    return rows


def _person(item: dict[str, str]) -> Any:
    from gui.viewmodels.plan_form import Person

    return Person(item["name"], item["role"])


def _revocation(item: dict[str, str]) -> Any:
    from gui.viewmodels.plan_form import Revocation

    return Revocation(item["serial"], item["reason"], item.get("certificate", ""))
