"""A plan opened (or written from a template) before its ceremony starts (no Qt).

``review_plan`` reads a plan strictly and runs ``plan check`` on it, keeping every problem
with its key path, so the start page can list them all before anything is touched. A plan
with problems cannot be started (nor its script printed: ``print_script`` checks it again).
A folder that already holds the plan's journal is resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import PlanError
from ceremony.plan import CeremonyPlan, CeremonyType

# The example plans, one per ceremony type, are the templates (docs/examples in the source).
_EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@dataclass(frozen=True)
class PlanReview:
    """What the start page shows for one plan."""

    source: str
    plan: CeremonyPlan | None
    summary: str
    problems: tuple[str, ...]  # each names its key path, e.g. "shares.threshold: ..."
    notes: tuple[str, ...]  # warnings first, each starting "Warning: "
    folder: Path | None
    resuming: bool

    @property
    def can_start(self) -> bool:
        return self.plan is not None and not self.problems and self.folder is not None

    @property
    def verdict(self) -> str:
        if self.plan is None:
            return f"The plan cannot be read: {len(self.problems)} problem(s) listed below."
        if self.problems:
            count = len(self.problems)
            return (f"The plan has {count} problem{'s' if count != 1 else ''}; fix "
                    f"{'them' if count != 1 else 'it'} and check again. Nothing was touched.")
        action = "resumes" if self.resuming else "starts"
        return f"The plan passes its check; the ceremony {action} in {self.folder}."


def _review(plan: CeremonyPlan, source: str, folder: Path | None) -> PlanReview:
    from ceremony.execution import assess
    from ceremony.plan import describe_plan

    assessment = assess(plan, folder)
    out, resuming, report = assessment.folder, assessment.resuming, assessment.report
    # Warnings head the notes: allowed, but weaker than the plan should be.
    notes = tuple(f"Warning: {w}" for w in report.warnings) + report.notes
    return PlanReview(source, plan, describe_plan(plan), report.problems, notes, out, resuming)


def _refused(source: str, error: PlanError) -> PlanReview:
    return PlanReview(source, None, "", error.problems, (), None, False)


def review_plan(path: Path, folder: Path | None = None) -> PlanReview:
    """Read and check the plan at ``path``; ``folder`` is where it would run (default: beside
    the plan, named by its id)."""
    from ceremony.plan import parse_plan

    try:
        plan = parse_plan(path)
    except PlanError as ex:
        return _refused(str(path), ex)
    return _review(plan, str(path), folder)


def review_plan_text(text: str, path: Path, folder: Path | None = None) -> PlanReview:
    """Check plan ``text`` as if it were saved at ``path`` (relative paths resolve there)."""
    from ceremony.plan import parse_plan_text

    try:
        plan = parse_plan_text(text, path)
    except PlanError as ex:
        return _refused(str(path), ex)
    return _review(plan, str(path), folder)


def script_name(plan_path: Path) -> Path:
    """Where the printed script is offered by default: beside the plan, named after it."""
    return plan_path.with_name(f"{plan_path.stem}-script.pdf")


def print_script(plan_path: Path, out: Path) -> str:
    """Check the plan at ``plan_path`` again and write its printed script to ``out``.

    Returns the sentence the window shows; a plan that fails its check, or an ``out`` that
    exists, raises the domain error whose sentence the window shows instead (nothing written).
    """
    from ceremony.script import write_script

    printed = write_script(plan_path, out)
    return (f"The ceremony script ({printed.steps} steps) was written to {printed.path}; print "
            "it for the room.")


def plan_template(ceremony_type: str) -> str:
    """The example plan of ``ceremony_type``, to edit into a real one."""
    path = _EXAMPLES / f"{CeremonyType(ceremony_type).value}.toml"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as ex:
        from gui.errors import GuiError

        raise GuiError(f"the template for {ceremony_type} plans is not installed ({path}); "
                       "start from a plan file instead") from ex
