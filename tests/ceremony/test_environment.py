"""The environment step: swap and memory protection are recorded, and in a real ceremony an
active swap, like a network up, needs a recorded deviation."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import root_plan
from ceremony.engine import CeremonyContext, StepRefused, check_environment
from ceremony.environment import EnvironmentRecord, active_swaps
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.hardening import Protection, may_lock_all
from ceremony.journal import Event, Journal
from ceremony.plan import parse_plan
from crypto.algorithms import KeyAlgorithm
from crypto.token import default_module

SWAPS = ("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
         "/dev/sda2                               partition\t8388604\t\t0\t\t-2\n"
         "/swap\\040file                           file\t\t1048572\t\t0\t\t-3\n")


def _record(swaps: tuple[str, ...], locked: bool = False) -> EnvironmentRecord:
    return EnvironmentRecord("host", "os", "3.11", (), "00" * 32, 1, (), swaps,
                             Protection(0, False, locked, "locked" if locked else "not locked"))


def _context(tmp_path: Path, rehearsal: bool, prompter: ScriptedPrompter) -> CeremonyContext:
    text = root_plan(KeyAlgorithm.EC_P256, default_module())
    plan_path = tmp_path / "root.toml"
    plan_path.write_text(text if rehearsal else text.replace("rehearsal = true",
                                                             "rehearsal = false"))
    folder = tmp_path / "out"
    folder.mkdir()
    context = CeremonyContext(parse_plan(plan_path), folder, Journal.create(folder), prompter)
    prompter.current_step = "environment"
    return context


def test_active_swap_areas_are_read_from_proc_swaps(tmp_path: Path) -> None:
    swaps = tmp_path / "swaps"
    swaps.write_text(SWAPS)
    assert active_swaps(swaps) == ("/dev/sda2", "/swap file")
    swaps.write_text(SWAPS.splitlines(keepends=True)[0])
    assert active_swaps(swaps) == ()
    assert active_swaps(tmp_path / "missing")[0].startswith("unknown")


def test_swap_in_a_real_ceremony_needs_a_recorded_deviation(tmp_path: Path) -> None:
    context = _context(tmp_path, rehearsal=False, prompter=ScriptedPrompter())
    with pytest.raises(StepRefused, match="swap is active"):
        check_environment(context, _record(("/dev/sda2",)))
    records = context.journal.records
    assert [r.event for r in records] == [Event.ENVIRONMENT_RECORDED, Event.STEP_REFUSED]
    assert records[0].data["swap_active"] == ["/dev/sda2"]
    assert records[0].data["memory_locked"] is False and records[0].data["dumpable"] is False
    assert "not locked" in records[1].data["reason"]


def test_a_deviation_lets_a_real_ceremony_go_on_despite_swap(tmp_path: Path) -> None:
    prompter = ScriptedPrompter(deviations={"environment": "swap is encrypted, key on the TPM"})
    context = _context(tmp_path, rehearsal=False, prompter=prompter)
    check_environment(context, _record(("/dev/sda2",), locked=True))
    deviation = context.journal.records[-1]
    assert deviation.event == Event.DEVIATION
    assert deviation.data["reason"] == "swap is encrypted, key on the TPM"
    assert "swap is active (/dev/sda2)" in deviation.data["problem"]


def test_a_rehearsal_records_swap_as_an_automatic_deviation(tmp_path: Path) -> None:
    context = _context(tmp_path, rehearsal=True, prompter=ScriptedPrompter())
    check_environment(context, _record(("/dev/sda2",)))
    deviation = context.journal.records[-1]
    assert deviation.event == Event.DEVIATION and deviation.data["automatic"] is True
    # No swap, no deviation.
    check_environment(context, _record(()))
    assert context.journal.records[-1].event == Event.ENVIRONMENT_RECORDED


def test_memory_is_locked_only_where_the_whole_process_may_be() -> None:
    assert may_lock_all(resource.RLIM_INFINITY, can_exceed_limit=False)
    assert may_lock_all(8 << 20, can_exceed_limit=True)
    assert not may_lock_all(8 << 20, can_exceed_limit=False)
    assert not may_lock_all(64 << 30, can_exceed_limit=False)
