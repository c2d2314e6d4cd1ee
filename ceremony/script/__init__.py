"""The printed ceremony script: what the room follows on paper, from the plan alone.

``write_script`` reads and checks a plan exactly as ``plan check`` does, refuses one with a
problem (nothing is written), and writes the script create-exclusive. No token is touched.
``content`` says what the script holds (derived from the steps the runner walks); ``pages``
lays it out with the transcript's typography.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PrintedScript:
    """A script written: where, its SHA-256, and how many steps it has."""

    path: Path
    sha256: str
    steps: int


def write_script(plan_path: Path, out: Path) -> PrintedScript:
    """Check the plan at ``plan_path`` and write its script to ``out`` (never overwritten).

    PlanUnreadableError (exit 2) when the file is not a plan; PlanError (exit 1) holding every
    problem when it fails its check; OutputExistsError when ``out`` exists.
    """
    # Function-level imports: the plan modules are light, reportlab and the steps are not.
    from ceremony.plan import check_plan, parse_plan

    plan = parse_plan(plan_path)
    check_plan(plan).raise_for_problems(plan)
    from ceremony.script.content import script_of
    from ceremony.script.pages import render_script
    from crypto.files import write_new_file

    script = script_of(plan)
    sha256 = write_new_file(out, render_script(script))
    return PrintedScript(Path(out), sha256, len(script.steps))
