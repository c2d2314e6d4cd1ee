"""The air-gap check in a real network namespace: loopback only passes, an interface up refuses.

Each case runs a real (not rehearsal) ceremony's environment step in a child process inside
``unshare -n`` (a network namespace of its own, needing root, as the suite runs), where the
interfaces are the kernel's, not a stand-in: with loopback only the step passes with no
deviation; with an interface brought up (a dummy one, or a bridge where the kernel has no dummy
driver) it refuses unless a deviation is recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STEP = """
import json, sys
from pathlib import Path
from ceremony.engine.actions import check_environment
from ceremony.demo.rehearsal import root_plan
from ceremony.journal import Journal
from ceremony.plan import parse_plan
from ceremony.engine import CeremonyContext
from ceremony.errors import StepRefused
from ceremony.frontends.scripted import ScriptedPrompter
from crypto.algorithms import KeyAlgorithm
from crypto.token import default_module

work, deviation = Path(sys.argv[1]), sys.argv[2]
plan = work / "root.toml"
plan.write_text(root_plan(KeyAlgorithm.EC_P256, default_module()).replace(
    "rehearsal = true", "rehearsal = false"))
folder = work / "out"
folder.mkdir()
prompter = ScriptedPrompter(deviations={"environment": deviation} if deviation else {})
prompter.current_step = "environment"
context = CeremonyContext(parse_plan(plan), folder, Journal.create(folder), prompter)
try:
    check_environment(context)
    outcome = "passed"
except StepRefused as refusal:
    outcome = f"refused: {refusal}"
print(json.dumps({"outcome": outcome, "records": json.loads(json.dumps([
    {"event": r.event, "data": r.data} for r in context.journal.records], default=dict))}))
"""

UP = ("(ip link add kc0 type dummy 2>/dev/null || ip link add kc0 type bridge) "
      "&& ip link set kc0 up && ")


def _in_namespace(tmp_path: Path, interface_up: bool, deviation: str = "") -> dict[str, object]:
    command = (UP if interface_up else "") + '"$@"'
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", command, "sh", sys.executable, "-c", STEP, str(tmp_path),
         deviation], capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])))
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture(autouse=True)
def _needs_namespaces() -> None:
    # The suite runs as root (scripts/test installs system packages); a network namespace
    # needs CAP_SYS_ADMIN. Fail loudly rather than skip if that ever changes.
    assert os.geteuid() == 0, "the air-gap suite needs root for unshare -n"


def test_loopback_only_passes_the_environment_step_of_a_real_ceremony(tmp_path: Path) -> None:
    result = _in_namespace(tmp_path, interface_up=False)
    assert result["outcome"] == "passed"
    records = result["records"]
    assert isinstance(records, list)
    assert [r["event"] for r in records] == ["environment-recorded"]
    # The kernel's view from inside the namespace: loopback only, not the host's interfaces.
    assert set(records[0]["data"]["interfaces"]) == {"lo"}


def test_an_interface_up_refuses_the_environment_step(tmp_path: Path) -> None:
    result = _in_namespace(tmp_path, interface_up=True)
    assert str(result["outcome"]).startswith("refused: network interfaces other than loopback "
                                             "are up (kc0)")
    records = result["records"]
    assert isinstance(records, list)
    assert [r["event"] for r in records] == ["environment-recorded", "step-refused"]
    assert records[0]["data"]["interfaces"]["kc0"] == "up"


def test_an_interface_up_goes_on_with_a_recorded_deviation(tmp_path: Path) -> None:
    result = _in_namespace(tmp_path, interface_up=True, deviation="cable pulled, link is local")
    assert result["outcome"] == "passed"
    records = result["records"]
    assert isinstance(records, list)
    assert [r["event"] for r in records] == ["environment-recorded", "deviation"]
    assert records[1]["data"]["reason"] == "cable pulled, link is local"
    assert "(kc0)" in records[1]["data"]["problem"]
