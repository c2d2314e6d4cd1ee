"""Run a plan end to end: parse and check it, run its steps, index the result.

``prepare`` is the one way in: it parses the plan (when given a path), applies the folder and
resume rules, and checks the plan without a token; ``run_plan`` takes only what it returns, so
every caller (the CLI, the app, the demo and the rehearsal) runs checked plans only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ceremony.ceremonies import steps_for
from ceremony.engine import CeremonyContext, CeremonyRunner
from ceremony.errors import CeremonyError, JournalDisputed
from ceremony.journal import JOURNAL_NAME
from ceremony.plan import CeremonyPlan, CheckReport, TypedPlan, check_plan, parse_plan, typed_plan
from ceremony.prompts import Prompter
from crypto.errors import CryptoError

_BY_PREPARE = object()  # only prepare() makes a PreparedCeremony


def default_folder(plan: CeremonyPlan) -> Path:
    return plan.path.parent / plan.id


@dataclass(frozen=True)
class Assessment:
    """A plan checked against the folder it would run in; nothing was touched."""

    plan: CeremonyPlan
    folder: Path
    resuming: bool  # the folder holds this ceremony's journal: the run resumes it
    report: CheckReport


@dataclass(frozen=True)
class PreparedCeremony:
    """A plan that passed its check, typed for its ceremony (``typed.plan`` is the parsed
    plan), and the folder it runs in: the only thing ``run_plan`` takes. Made by ``prepare``
    alone."""

    typed: TypedPlan
    folder: Path
    resuming: bool
    _made_by: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._made_by is not _BY_PREPARE:
            raise ValueError("a PreparedCeremony is made by prepare(), which checks the plan")

    @property
    def plan(self) -> CeremonyPlan:
        return self.typed.plan


def assess(plan: CeremonyPlan, folder: Path | None = None) -> Assessment:
    """Check ``plan`` for a run in ``folder`` (default: beside the plan, named by its id); a
    folder holding its journal is resumed, so its outputs are not checked again."""
    out = folder or default_folder(plan)
    resuming = (out / JOURNAL_NAME).exists()
    return Assessment(plan, out, resuming, check_plan(plan, None if resuming else out))


def prepare(plan: CeremonyPlan | Path, folder: Path | None = None) -> PreparedCeremony:
    """Parse (given a path) and check a plan for a run in ``folder``, then type it for its
    ceremony; refuses a plan with a problem, naming the first."""
    assessment = assess(parse_plan(plan) if isinstance(plan, Path) else plan, folder)
    problems = assessment.report.problems
    if problems:
        raise CeremonyError(f"the plan does not pass its check: {problems[0]}"
                            + (f" (and {len(problems) - 1} more; run `keyceremony plan "
                               "check`)" if len(problems) > 1 else ""))
    return PreparedCeremony(typed_plan(assessment.plan), assessment.folder, assessment.resuming,
                            _BY_PREPARE)


def run_plan(ceremony: PreparedCeremony, prompter: Prompter,
             inventory_path: Path | None) -> CeremonyContext:
    """Run a prepared ceremony; index the outcome in the inventory whatever it is."""
    from ceremony.ceremonies.closing import transcript_writer

    plan, folder = ceremony.plan, ceremony.folder
    runner = CeremonyRunner(plan, folder, prompter, steps_for(ceremony.typed),
                            closing=transcript_writer(ceremony.typed))
    outcome = "stopped"
    try:
        context = runner.run()
        outcome = "completed"
        return context
    except JournalDisputed:
        # The room says the journal is not the one the paper log knows: the inventory keeps
        # what it had rather than taking in a journal that may have been changed.
        outcome = "disputed"
        raise
    finally:
        if outcome != "disputed":
            _index(plan, folder, prompter, inventory_path, outcome)


def _index(plan: CeremonyPlan, folder: Path, prompter: Prompter, inventory_path: Path | None,
           outcome: str) -> None:
    """Bring the inventory up to date; a failure there never changes the ceremony's outcome."""
    from ceremony.inventory import Inventory, default_inventory_path
    from ceremony.inventory.recording import record_ceremony
    from ceremony.journal import verify_journal

    journal = folder / JOURNAL_NAME
    if not journal.exists():
        return
    try:
        records = verify_journal(journal).records
        # A folder holding another plan's journal was refused, not run: it is not indexed.
        if records and records[0].data.get("plan_sha256") == plan.sha256:
            with Inventory.open(inventory_path or default_inventory_path()) as inventory:
                record_ceremony(inventory, folder, records, outcome)
    except (CeremonyError, CryptoError, OSError, ValueError) as ex:
        prompter.inform(f"The inventory was not updated ({ex}). The ceremony's own record, its "
                        f"journal in {folder}, is unaffected; the inventory can be brought up "
                        "to date from it later.")


def run_plan_file(plan_path: Path, folder: Path | None, answers: Path | None,
                  inventory_path: Path | None) -> CeremonyContext:
    """The ``run`` command: terminal prompts, or scripted answers for a rehearsal."""
    ceremony = prepare(plan_path, folder)
    prompter: Prompter
    if answers is not None:
        from ceremony.frontends.scripted import load_answers

        prompter = load_answers(answers, ceremony.plan.rehearsal)
    else:
        from ceremony.frontends.terminal import TerminalPrompter

        prompter = TerminalPrompter()
    return run_plan(ceremony, prompter, inventory_path)
