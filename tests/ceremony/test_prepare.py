"""prepare() is the one way to a run: the plan is checked for its folder before anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.execution import PreparedCeremony, assess, prepare
from ceremony.folder import JOURNAL_NAME
from ceremony.plan import parse_plan, typed_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ROOT = EXAMPLES / "root.toml"


def test_a_plan_that_passes_is_prepared_and_nothing_is_written(tmp_path: Path) -> None:
    ceremony = prepare(ROOT, tmp_path / "out")
    assert ceremony.plan.id == "example-root-r1"
    assert ceremony.folder == tmp_path / "out" and not ceremony.resuming
    assert not (tmp_path / "out").exists()


def test_the_default_folder_is_beside_the_plan_named_by_its_id() -> None:
    plan = parse_plan(ROOT)
    assert assess(plan).folder == EXAMPLES / "example-root-r1"


def test_a_plan_with_a_problem_is_refused_before_any_folder_exists(tmp_path: Path) -> None:
    plan = tmp_path / "root.toml"
    plan.write_text(ROOT.read_text(encoding="utf-8").replace("threshold = 3", "threshold = 9"))
    with pytest.raises(CeremonyError, match=r"^the plan does not pass its check: shares"):
        prepare(plan, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_folder_holding_the_journal_is_resumed(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / JOURNAL_NAME).write_bytes(b"")
    assert prepare(parse_plan(ROOT), tmp_path / "out").resuming


def test_only_prepare_makes_what_run_plan_takes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="made by prepare"):
        PreparedCeremony(typed_plan(parse_plan(ROOT)), tmp_path, False)
