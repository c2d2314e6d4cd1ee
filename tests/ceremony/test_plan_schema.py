"""The plan schema (``ceremony.plan.schema``) is the one declaration of the plan format: the
key tables of docs/plan-format.md say what it says (keys, order, types, required, refused,
which types use each table), and the parser takes exactly its keys.

The doc is read as a person reads it: the table of tables per ceremony type, then the key table
under each table's heading (or under "Each `[[x]]` table:").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ceremony.errors import PlanError
from ceremony.plan import CeremonyType, parse_plan_text, schema
from ceremony.plan.schema import Kind, TableSpec, Use

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"
EXAMPLES = DOC.parent / "examples"
# Tables the doc describes as "the same keys as" another one, with no key table of their own.
TWINS = {"new_token": "token", "new_shares": "shares", "new_shares.group": "shares.group"}
_NAME = re.compile(r"`\[\[?([a-z_.]+)\]\]?`")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def doc_use_matrix() -> dict[str, dict[CeremonyType, str]]:
    """The doc's "which tables each ceremony type uses" table: table -> type -> R, O, D or ""."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("| table | root |"))
    types = [CeremonyType(name) for name in _cells(lines[start])[1:]]
    matrix = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        found = _NAME.search(cells[0])
        assert found is not None, line
        matrix[found.group(1)] = {t: re.sub(r"[^ROD]", "", cell)
                                  for t, cell in zip(types, cells[1:], strict=True)}
    return matrix


def doc_key_tables() -> dict[str, list[list[str]]]:
    """Every key table of the doc: table name ("" for the top level) -> rows of key, type,
    default and meaning."""
    tables: dict[str, list[list[str]]] = {}
    current: str | None = None
    rows: list[list[str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if rows is not None:
            if line.startswith("|"):
                if not line.startswith("| ---"):
                    rows.append(_cells(line))
                continue
            rows = None
        if line.startswith("## "):
            found = _NAME.search(line)
            current = "" if line == "## Top level" else found.group(1) if found else None
        elif line.startswith("Each `[["):
            current = _NAME.search(line).group(1)  # type: ignore[union-attr]
        elif line.startswith("| key | type | default | meaning |") and current is not None:
            assert current not in tables, f"two key tables for [{current}]"
            rows = tables[current] = []
    return tables


def _users(spec: TableSpec) -> list[CeremonyType]:
    """The types that use ``spec`` (for an array of tables, those that use its parent)."""
    owner = schema.table(spec.name.rpartition(".")[0]) if "." in spec.name else spec
    return [t for t in CeremonyType if owner.use_in(t) is not Use.REFUSED]


def _type_text(key: schema.Key) -> str:
    return f'{key.kind.toml} or "{key.unlimited}"' if key.unlimited else key.kind.toml


def test_the_doc_says_which_types_use_which_table() -> None:
    matrix = doc_use_matrix()
    tables = schema.top_tables()
    assert set(matrix) == {spec.name for spec in tables}
    for spec in tables:
        assert matrix[spec.name] == {t: spec.use_in(t).value for t in CeremonyType}, spec.name


@pytest.mark.parametrize("spec", [s for s in schema.SCHEMA if s.name not in TWINS],
                         ids=lambda s: s.name or "top")
def test_the_doc_key_table_is_the_schemas(spec: TableSpec) -> None:
    rows = doc_key_tables().get(spec.name)
    assert rows is not None, f"docs/plan-format.md has no key table for [{spec.name}]"
    names = [re.sub(r"[`\[\]]", "", row[0]).rpartition(".")[2] for row in rows]
    assert names == list(spec.key_names), "the doc lists other keys, or in another order"
    users = _users(spec)
    for row, key in zip(rows, spec.keys, strict=True):
        _, kind, default, _ = row
        where = f"{spec.name}.{key.name}"
        assert kind.replace("`", "") == _type_text(key), where
        assert default.startswith("required") == key.required_anywhere(), where
        refusers = {t.value for t in users if key.use_in(t) is Use.REFUSED}
        says_refused = re.search(r'(?<!")refused(?!")', default) is not None
        assert says_refused == bool(refusers), where
        listed = re.search(r"refused \(([a-z, -]+)\)", default)
        if listed is not None:
            assert set(listed.group(1).split(", ")) == refusers, where
        if key.kind is Kind.CHOICE and len(key.choices) > 1 and not row[3].startswith("as "):
            named = set(re.findall(r"`\"?([A-Za-z0-9-]+)\"?`", default + row[3]))
            assert set(key.choices) <= named, f"{where}: the doc names other choices"


def test_twins_take_the_same_keys() -> None:
    for twin, original in TWINS.items():
        assert schema.table(twin).key_names == schema.table(original).key_names


def test_every_key_the_schema_declares_is_read_by_the_parser() -> None:
    """An unknown key names every key its table takes: the schema's, in its order."""
    text = (EXAMPLES / "sign.toml").read_text(encoding="utf-8")
    for name in ("token", "profile", "issuer", "csr"):
        changed = re.sub(rf"^\[{name}\].*$", r"\g<0>\nzzz_unknown = 1", text, count=1,
                         flags=re.MULTILINE)
        with pytest.raises(PlanError) as raised:
            parse_plan_text(changed, EXAMPLES / "sign.toml")
        takes = ", ".join(schema.table(name).key_names)
        assert any(p.startswith(f"{name}.zzz_unknown: unknown key;") and p.endswith(takes)
                   for p in raised.value.problems), raised.value.problems


def test_ranges_and_choices_are_sound() -> None:
    for spec in schema.SCHEMA:
        for key in spec.keys:
            if key.minimum is not None and key.maximum is not None:
                assert key.minimum <= key.maximum, key.name
            if key.kind is Kind.CHOICE:
                assert key.choices, f"{spec.name}.{key.name} has no choices"
                assert key.default is None or key.default in key.choices
                assert key.start is None or key.start in key.choices
            if key.unless:
                assert key.unless in spec.key_names
    for dependency in schema.DEPENDENCIES:
        assert all(schema.table(dependency.table).use_in(t) is Use.DEPENDS
                   for t in dependency.types)
        for condition in dependency.when:
            key = schema.key(condition.path)
            assert key.kind is Kind.FLAG or condition.value in key.choices


_DUMMY = {Kind.TEXT: '"x"', Kind.CHOICE: '"x"', Kind.PATH: '"x"', Kind.FOLDER: '"x"',
          Kind.INTEGER: "1", Kind.FLAG: "true", Kind.TEXTS: '["x"]', Kind.NAMES: '["x"]',
          Kind.TABLES: "[]"}


@pytest.mark.parametrize("kind", list(CeremonyType))
def test_every_key_a_type_uses_has_a_reader(kind: CeremonyType) -> None:
    """A key declared in the schema but read by no table reader would be refused as unknown:
    put each key the type uses into its example plan and see it is not."""
    text = (EXAMPLES / f"{kind.value}.toml").read_text(encoding="utf-8")
    for spec in schema.top_tables():
        if spec.array or not re.search(rf"^\[{spec.name}\]", text, flags=re.MULTILINE):
            continue
        for key in spec.keys_for(kind):
            if re.search(rf"^\[{spec.name}\][^\[]*^{key.name} =", text,
                         flags=re.MULTILINE | re.DOTALL):
                continue  # the example gives it already
            changed = re.sub(rf"^\[{spec.name}\].*$", rf"\g<0>\n{key.name} = {_DUMMY[key.kind]}",
                             text, count=1, flags=re.MULTILINE)
            try:
                parse_plan_text(changed, EXAMPLES / f"{kind.value}.toml")
            except PlanError as ex:
                unknown = [p for p in ex.problems if "unknown key" in p]
                assert unknown == [], f"{spec.name}.{key.name}"
