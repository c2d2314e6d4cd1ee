"""The plan form is made from the plan schema: its fields are the schema's keys for the type,
which tables apply follows the schema's dependencies, the TOML is written in the schema's order.
A new form is empty (placeholders show what a value looks like) and does not pass its check; a
form with edits is replaced only once the person agrees.

The oracles are the schema itself, the project's strict parser, and the real dialog box.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from ceremony.plan import CeremonyType, schema
from ceremony.plan.schema import Kind, Use
from gui.viewmodels.plan_fields import fields_for, problem_path
from gui.viewmodels.plan_form import PlanForm

NOT_OFFERED = {"format", "type", "group", "group_threshold"}


@pytest.mark.parametrize("kind", list(CeremonyType))
def test_the_fields_are_the_schemas_keys_for_the_type(kind: CeremonyType) -> None:
    sections = {section.table: section for section in fields_for(kind)}
    for spec in schema.SCHEMA:
        if "." in spec.name:  # arrays of tables are edited as rows of their parent's field
            continue
        if spec.name and spec.use_in(kind) is Use.REFUSED:
            assert spec.name not in sections
            continue
        fields = [f.key for f in sections[spec.name].fields if f.written]
        if spec.array:
            assert fields == [spec.name]
            continue
        expected = [k.name for k in spec.keys_for(kind) if k.name not in NOT_OFFERED]
        assert fields == expected, spec.name
        for field in sections[spec.name].fields:
            if not field.written:
                continue
            key = spec.key(field.key)
            assert (field.label, field.hint) == (key.label, key.help)
            assert set(key.choices) <= set(field.choices)
            if key.kind is Kind.INTEGER:
                assert (field.minimum, field.maximum) == (key.minimum or 0, key.maximum)


@pytest.mark.parametrize("kind", list(CeremonyType))
def test_the_plan_is_written_in_the_schemas_order(kind: CeremonyType) -> None:
    form = PlanForm.example(kind)
    form.signed_by_root = True
    tables, keys = [], {}
    current = ""
    for line in form.to_toml().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            if current not in tables:
                tables.append(current)
        elif " = " in line and not line.startswith("#"):
            keys.setdefault(current, []).append(line.partition(" = ")[0])
    order = [spec.name for spec in schema.SCHEMA]
    assert tables == sorted(tables, key=order.index)
    for table, written in keys.items():
        if table == "participant" or "." in table:
            continue
        names = schema.table(table).key_names
        assert written == sorted(written, key=names.index), table


def test_which_tables_apply_follows_the_schemas_dependencies() -> None:
    form = PlanForm.example("root")
    for backup, pin in itertools.product(("wrapped", "none"), ("typed", "shares")):
        form.key.backup, form.token.pin = backup, pin
        assert form.applies("shares") is form.applies("backup") is (backup == "wrapped")
    sign = PlanForm.example("sign")
    assert not sign.applies("shares")
    sign.token.pin = "shares"
    assert sign.applies("shares")
    retire = PlanForm.example("retire")
    retire.retire.shares_destroyed = False
    assert not retire.applies("shares")
    retire.token.pin = "shares"
    assert retire.applies("shares")


@pytest.mark.parametrize("kind", list(CeremonyType))
def test_a_new_form_is_empty_and_fails_its_check(kind: CeremonyType, tmp_path: Path) -> None:
    form = PlanForm.new(kind)
    assert form.participant == [] and form.id == form.title == ""
    problems = {problem_path(p) for p in form.review(tmp_path / "plan.toml").problems}
    assert {"id", "title", "participant"} <= problems
    top = next(s for s in form.sections() if s.table == "")
    shown = {f.path: f.placeholder for f in top.fields}
    assert shown["id"] == f"e.g. {schema.key('id').example}"


def test_the_form_knows_when_it_holds_edits() -> None:
    form = PlanForm.new("root")
    assert not form.is_edited()
    form.title = "Acme Root"
    assert form.is_edited()
    form.title = ""
    assert not form.is_edited()  # back as it was: nothing to lose
    form.add_participant("Ann", "administrator")
    assert form.is_edited()
    form.mark_clean()  # saved
    assert not form.is_edited()
    assert form.is_edited(form.to_toml() + "# by hand\n")
    example = PlanForm.example("drill")
    assert not example.is_edited()
    loaded = PlanForm.from_plan_text(example.to_toml())
    assert not loaded.is_edited()
    example.shares.threshold = 2
    again = PlanForm.from_plan_text(example.to_toml())
    again.carry_edits_from(example)  # read back from the TOML edited by hand
    assert again.is_edited()


def test_a_form_holds_only_the_schemas_keys() -> None:
    form = PlanForm.new("root")
    with pytest.raises(KeyError):
        form.set("token.lable", "x")
    with pytest.raises(AttributeError):
        form.token.lable = "x"


# --- in the window ------------------------------------------------------------------------------


def answer(qtbot: Any, yes: bool) -> list[str]:
    """Answer the next question box with Yes or No; the list gets the question's text."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    asked: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes if yes
                   else QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, click)
    return asked


@pytest.mark.gui
def test_a_new_form_asks_before_discarding_edits(window: Any, qtbot: Any,
                                                 tmp_path: Path) -> None:
    start = window.show_page("start")
    start.tabs.setCurrentIndex(1)
    tab = start.new_plan
    tab.folder = tmp_path
    assert tab.new_form("root")  # nothing typed: no question
    tab.form_view.editors["title"].setText("Acme Root")
    tab.form_view.editors["title"].textEdited.emit("Acme Root")
    assert tab.has_edits()
    asked = answer(qtbot, yes=False)
    assert not tab.new_form("sign")
    assert asked and "Discard" in asked[0]
    assert tab.form.type is CeremonyType.ROOT and tab.form.title == "Acme Root"
    plan = tmp_path / "other.toml"
    plan.write_text(PlanForm.example("crl").to_toml(), encoding="utf-8")
    answer(qtbot, yes=False)
    assert not tab.fill_from(plan)  # loading a plan over the edits asks too
    assert tab.form.title == "Acme Root"
    asked = answer(qtbot, yes=True)
    assert tab.fill_from(plan) and asked
    assert tab.form.type is CeremonyType.CRL and not tab.has_edits()
    assert tab.new_form("sign") and tab.form.type is CeremonyType.SIGN
    placeholder = tab.form_view.editors["id"].placeholderText()
    assert placeholder == f"e.g. {schema.key('id').example}"


@pytest.mark.gui
def test_a_saved_form_is_replaced_without_a_question(window: Any, qtbot: Any,
                                                     tmp_path: Path) -> None:
    start = window.show_page("start")
    start.tabs.setCurrentIndex(1)
    tab = start.new_plan
    tab.folder = tmp_path
    assert tab.example_form("drill")
    tab.form.shares.check_value = "680f3e20eecf0ee4"
    tab.set_form(tab.form)
    assert tab.has_edits()
    assert tab.save_plan(tmp_path / "drill.toml")
    assert not tab.has_edits()
    assert tab.new_form("root")
