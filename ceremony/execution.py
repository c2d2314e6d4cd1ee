"""Run a plan end to end: parse and check it, run its steps, index the result."""

from __future__ import annotations

from pathlib import Path

from ceremony.ceremonies import steps_for
from ceremony.engine import CeremonyContext, CeremonyRunner
from ceremony.errors import CeremonyError
from ceremony.journal import JOURNAL_NAME
from ceremony.plan.values import CeremonyPlan
from ceremony.prompts import Prompter
from crypto.errors import CryptoError


def default_folder(plan: CeremonyPlan) -> Path:
    return plan.path.parent / plan.id


def run_plan(plan: CeremonyPlan, folder: Path, prompter: Prompter,
             inventory_path: Path | None) -> CeremonyContext:
    """Run ``plan`` in ``folder``; index the outcome in the inventory whatever it is."""
    from ceremony.ceremonies.closing import write_transcript

    runner = CeremonyRunner(plan, folder, prompter, steps_for(plan), closing=write_transcript)
    outcome = "stopped"
    try:
        context = runner.run()
        outcome = "completed"
        return context
    finally:
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
    from ceremony.plan.check import check_plan
    from ceremony.plan.parser import parse_plan

    plan = parse_plan(plan_path)
    out = folder or default_folder(plan)
    resuming = (out / JOURNAL_NAME).exists()
    report = check_plan(plan, None if resuming else out)
    if report.problems:
        raise CeremonyError(f"the plan does not pass its check: {report.problems[0]}"
                            + (f" (and {len(report.problems) - 1} more; run `keyceremony plan "
                               "check`)" if len(report.problems) > 1 else ""))
    prompter: Prompter
    if answers is not None:
        from ceremony.frontends.scripted import load_answers

        prompter = load_answers(answers, plan.rehearsal)
    else:
        from ceremony.frontends.terminal import TerminalPrompter

        prompter = TerminalPrompter()
    return run_plan(plan, out, prompter, inventory_path)
