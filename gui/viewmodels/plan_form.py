"""A ceremony plan written through a form, one form per ceremony type (no Qt).

``PlanForm`` holds what the form shows; its values are named after the plan's keys, so the
field ``shares.threshold`` is ``form.shares.threshold`` and a problem that ``plan check``
reports under a key path finds its field (``plan_fields.field_for_problem``). Its tables and
keys are the plan schema's (``plan_values.TableValues``). ``PlanForm.new`` starts empty: the
fields show what a value looks like (placeholders) and the plan does not pass its check until
the person writing it has filled them in. ``PlanForm.example`` starts with the type's example
values instead (``plan_defaults``).

``to_toml`` writes the plan (``plan_writer``); ``review`` is the live check: the text parsed
strictly and checked by ``plan check``, each problem with its key path. ``is_edited`` says
whether a form holds edits that would be lost by replacing it. The form holds no secret: a plan
never does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from ceremony.plan import CeremonyType, schema
from gui.viewmodels.plan_defaults import example_values
from gui.viewmodels.plan_fields import Section, fields_for
from gui.viewmodels.plan_loading import load_values
from gui.viewmodels.plan_review import PlanReview, review_plan_text
from gui.viewmodels.plan_values import Person, Revocation, TableValues
from gui.viewmodels.plan_writer import plan_file_name, plan_toml, secret_problems

__all__ = ["Person", "PlanForm", "Revocation", "default_plan_name", "fields_for",
           "secret_problems"]

# The top-level keys the form edits as its own attributes ("format" and "type" it writes).
_TOP = tuple(k for k in schema.table("").key_names if k not in ("format", "type"))
_TABLES = tuple(spec.name for spec in schema.top_tables() if not spec.array)


class PlanForm:
    """What the plan form holds for one ceremony type.

    Mutable, as a form is; what it hands out (rows, sections, reviews) are frozen values.
    ``form.id``, ``form.title`` … are the top-level keys; ``form.token``, ``form.shares`` …
    the tables (``TableValues``); ``participant`` the people; ``signed_by_root`` a drill's
    choice to name the root's token and issuer.
    """

    def __init__(self, ceremony: CeremonyType | str) -> None:
        object.__setattr__(self, "type", CeremonyType(ceremony))
        object.__setattr__(self, "top", TableValues(""))
        object.__setattr__(self, "tables", {name: TableValues(name) for name in _TABLES})
        self.participant: list[Person] = []
        self.signed_by_root = False
        self._clean: str | None = None
        self.mark_clean()

    def __getattr__(self, name: str) -> Any:  # only for names not set on the object
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        if name in _TOP:
            return getattr(self.__dict__["top"], name)
        raise AttributeError(f"the form has no field {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _TOP:
            setattr(self.top, name, value)
        elif name in _TABLES or name in ("type", "top", "tables"):
            raise AttributeError(f"{name} is part of the form; set its fields instead")
        else:
            object.__setattr__(self, name, value)

    @classmethod
    def new(cls, ceremony: CeremonyType | str) -> PlanForm:
        """An empty form for ``ceremony``: every field as the schema starts it."""
        return cls(ceremony)

    @classmethod
    def example(cls, ceremony: CeremonyType | str) -> PlanForm:
        """A form for ``ceremony`` with its example plan's values: sound but for what only the
        person writing the plan can know (the files it names, an existing set's check value)."""
        form = cls(ceremony)
        for path, value in example_values(form.type).items():
            form.set(path, value)
        form.mark_clean()
        return form

    @classmethod
    def from_plan_text(cls, text: str) -> PlanForm:
        """A form holding the plan ``text``; GuiError when it is no plan, or holds something
        the form cannot show (share groups, keys it does not know, values it cannot hold)."""
        loaded = load_values(text)
        form = cls(loaded.type)
        for path, value in loaded.values.items():
            form.set(path, value)
        form.signed_by_root = loaded.signed_by_root
        form.mark_clean()
        return form

    # --- edits -------------------------------------------------------------------------------

    def _text(self) -> str | None:
        try:
            return self.to_toml()
        except ValueError:  # a broken character typed: an edit, whatever else it is
            return None

    def mark_clean(self, text: str | None = None) -> None:
        """The form as it is now (or the plan ``text``, saved after editing it by hand) holds
        nothing to lose: it was just made, loaded or saved."""
        self._clean = self._text() if text is None else text

    def carry_edits_from(self, other: PlanForm) -> None:
        """This form replaces ``other`` with its edits (read back from the TOML edited by
        hand): what ``other`` was made, loaded or saved as is what this one is compared with."""
        self._clean = other._clean

    def is_edited(self, text: str | None = None) -> bool:
        """Whether the plan (the form's, or ``text`` when it is edited by hand) differs from
        the form as it was made, loaded or last saved: replacing it would lose edits."""
        now = self._text() if text is None else text
        return now is None or now != self._clean

    # --- fields ------------------------------------------------------------------------------

    def all_sections(self) -> tuple[Section, ...]:
        """Every section the form can show for its type."""
        return fields_for(self.type)

    def sections(self) -> tuple[Section, ...]:
        """The sections that apply with the values as they are now (and so are written)."""
        return tuple(s for s in fields_for(self.type) if self.applies(s.table))

    def applies(self, table: str) -> bool:
        """Whether ``table`` is part of the plan with the values as they are now: the schema's
        dependencies ([shares] on key.backup or token.pin), and a drill's [token] and [issuer]
        with ``signed_by_root``."""
        if table in ("", "participant"):
            return True
        if table in schema.TOGETHER.get(self.type, ()):
            return self.signed_by_root
        return schema.table_in_use(table, self.type, self.get)

    def get(self, path: str) -> Any:
        """The value of the field at key path ``path`` (lists are copied as tuples)."""
        owner, name = self._owner(path)
        value = getattr(owner, name)
        return tuple(value) if isinstance(value, list) else value

    def set(self, path: str, value: Any) -> None:
        """Set the field at key path ``path``."""
        owner, name = self._owner(path)
        setattr(owner, name, list(value) if isinstance(value, tuple | list) else value)

    def _owner(self, path: str) -> tuple[Any, str]:
        table, _, name = path.rpartition(".")
        if table:
            if table not in self.tables or not self.tables[table].has(name):
                raise KeyError(f"the form has no field {path}")
            return self.tables[table], name
        if name not in (*_TOP, "participant", "signed_by_root"):
            raise KeyError(f"the form has no field {path}")
        return (self.top if name in _TOP else self), name

    # --- people and holders ------------------------------------------------------------------

    def custodians(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.participant if p.role == "custodian")

    def add_participant(self, name: str = "", role: str = "custodian") -> int:
        """Add a person; return their row."""
        self.participant.append(Person(name, role))
        return len(self.participant) - 1

    def remove_participant(self, row: int) -> None:
        del self.participant[row]

    def rename_participant(self, row: int, name: str) -> None:
        """Rename the person in ``row``; the share sets they hold a share of follow."""
        old = self.participant[row].name
        self.participant[row] = dataclasses.replace(self.participant[row], name=name)
        if old and old not in (p.name for p in self.participant):
            for shares in (self.shares, self.new_shares):
                shares.holders = [name if h == old else h for h in shares.holders]

    def set_role(self, row: int, role: str) -> None:
        self.participant[row] = dataclasses.replace(self.participant[row], role=role)

    def holder_choices(self, path: str) -> tuple[str, ...]:
        """Who can be ticked as a holder in ``path``: the custodians, then anyone still listed
        who is not (so unticking them is possible)."""
        custodians = self.custodians()
        return custodians + tuple(h for h in self.get(path) if h not in custodians)

    def set_holder(self, path: str, name: str, holds: bool) -> None:
        """Tick or untick ``name`` as a holder of the set ``path`` (``shares.holders``)."""
        holders = [h for h in self.get(path) if h != name]
        if holds:
            holders.append(name)
        self.set(path, holders)

    # --- revocations -------------------------------------------------------------------------

    def add_revocation(self) -> int:
        self.crl.revoke.append(Revocation())
        return len(self.crl.revoke) - 1

    def remove_revocation(self, row: int) -> None:
        del self.crl.revoke[row]

    def update_revocation(self, row: int, **values: str) -> None:
        self.crl.revoke[row] = dataclasses.replace(self.crl.revoke[row], **values)

    # --- the plan ----------------------------------------------------------------------------

    def to_toml(self) -> str:
        """The plan as TOML that ``parse_plan_text`` reads back into these values."""
        return plan_toml(self.type, self.sections(), self.get)

    def review(self, path_hint: Path, folder: Path | None = None) -> PlanReview:
        """The live check: the plan this form writes, read and checked as if saved at
        ``path_hint`` (relative paths resolve there); every problem names its key path."""
        return review_plan_text(self.to_toml(), path_hint, folder)


def default_plan_name(form: PlanForm, today: dt.date | None = None) -> str:
    """A file name for the form's plan: its id, or the type and date while the id cannot
    name a file."""
    return plan_file_name(form.id, form.type, today)
