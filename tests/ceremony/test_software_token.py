"""A real ceremony on a software token needs an explicit line in its plan (issue 8, item 8).

SoftHSM keeps its keys in files on the host's disk. A plan that is not a rehearsal and names
SoftHSM, or leaves the module to the default, is refused by ``plan check`` (and so by ``run``);
a token that says it is SoftHSM is refused at the token step whatever its module file is called.
With ``software_token = "accepted"`` the run journals a deviation. Either way the module file
actually loaded and its SHA-256 are journaled and shown in the transcript's token table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from ceremony.engine import StepRefused
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import Event, verify_journal
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, reset_module
from gui.launcher import main
from tests.ceremony.helpers import run

pytestmark = pytest.mark.softhsm
ACCEPT = 'software_token = "accepted"'
OFFLINE = {"environment": "a test machine on a network"}  # a real ceremony asks about the NIC


def _real_plan(tmp_path: Path, module: str | None, *, accept: bool = False) -> Path:
    """The demo's root plan as a real (non-rehearsal) ceremony on a fresh SoftHSM store."""
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    text = root_plan(KeyAlgorithm.EC_P256, module or DEFAULT_MODULE).replace(
        "rehearsal = true", "rehearsal = false")
    if module is None:
        text = text.replace(f'module = "{DEFAULT_MODULE}"\n', "")
    if accept:
        text = text.replace(f'label = "{ROOT_TOKEN}"\n', f'label = "{ROOT_TOKEN}"\n{ACCEPT}\n')
    path = tmp_path / "root.toml"
    path.write_text(text)
    return path


def _sha256_of_module() -> tuple[str, str]:
    resolved = os.path.realpath(DEFAULT_MODULE)
    out = subprocess.run(["sha256sum", resolved], capture_output=True, text=True, check=True)
    return resolved, out.stdout.split()[0]


@pytest.mark.parametrize("module", [DEFAULT_MODULE, None], ids=["softhsm", "default"])
def test_a_real_plan_on_softhsm_is_refused_in_one_sentence(
        tmp_path: Path, module: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _real_plan(tmp_path, module)
    assert main(["plan", "check", str(plan)]) == 1
    problems = capsys.readouterr().err.strip().splitlines()
    assert len(problems) == 2 and problems[0].startswith(f"{plan}: token.module: ")
    assert ACCEPT in problems[0] and problems[1].startswith("keyceremony: 1 problem")
    out = tmp_path / "out"
    status = main(["run", str(plan), "--out", str(out), "--inventory", str(tmp_path / "i.db")])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and len(err) == 1 and "token.module" in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def test_with_the_line_the_software_token_is_a_journaled_deviation(tmp_path: Path) -> None:
    plan = _real_plan(tmp_path, DEFAULT_MODULE, accept=True)
    assert main(["plan", "check", str(plan)]) == 0
    done = run(plan, tmp_path / "out", ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN},
                                                        deviations=OFFLINE),
               tmp_path / "inv.sqlite3")
    resolved, digest = _sha256_of_module()
    records = done.journal.records
    deviations = [r for r in records if r.event == Event.DEVIATION and "token" in r.data]
    assert len(deviations) == 1
    deviation = deviations[0].data
    assert deviation["step"] == "token" and deviation["automatic"] is True
    assert "SoftHSM" in deviation["problem"] and ACCEPT in deviation["reason"]
    assert (deviation["module_path"], deviation["module_sha256"]) == (resolved, digest)
    info = next(r for r in records if r.event == Event.TOKEN_INFO).data
    assert info["module"] == DEFAULT_MODULE
    assert (info["module_path"], info["module_sha256"]) == (resolved, digest)
    # The transcript's token table shows the module loaded and its digest.
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "transcript.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "ModuleloadedSHA-256" in flat.replace("(", "").replace(")", "")
    assert resolved in flat and digest in flat


def test_a_token_that_says_it_is_softhsm_is_refused_at_the_token_step(tmp_path: Path) -> None:
    # The module file renamed as if it were a vendor's: plan check cannot tell, the token can.
    disguised = tmp_path / "lib" / "libvendorhsm.so"
    disguised.parent.mkdir()
    shutil.copyfile(os.path.realpath(DEFAULT_MODULE), disguised)
    plan = _real_plan(tmp_path, str(disguised))
    assert main(["plan", "check", str(plan)]) == 0
    reset_module(str(disguised))
    asked: list[str] = []

    class Watching(ScriptedPrompter):
        def pin(self, person: str, token_label: str, problem: str | None = None) -> str:
            asked.append(token_label)
            return super().pin(person, token_label, problem)

    try:
        with pytest.raises(StepRefused, match="SoftHSM") as caught:
            run(plan, tmp_path / "out", Watching(pins={ROOT_TOKEN: DEMO_PIN},
                                                 deviations=OFFLINE), tmp_path / "inv.sqlite3")
    finally:
        reset_module(str(disguised))
    assert ACCEPT in str(caught.value) and "\n" not in str(caught.value)
    records = verify_journal(tmp_path / "out" / "journal.jsonl").records
    assert records[-1].event == Event.STEP_REFUSED and records[-1].data["step"] == "token"
    assert records[-1].data["module_sha256"] == hashlib.sha256(disguised.read_bytes()).hexdigest()
    assert asked == [] and not any(r.event == Event.TOKEN_LOGIN for r in records)


def test_a_rehearsal_on_softhsm_needs_no_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    plan = _real_plan(tmp_path, DEFAULT_MODULE)
    plan.write_text(plan.read_text().replace("rehearsal = false", "rehearsal = true"))
    assert main(["plan", "check", str(plan)]) == 0
    # The demo's root key is backed up with a typed PIN: said as a warning, not refused.
    out = capsys.readouterr().out
    assert "  warning: token.pin: the root key is backed up, but a typed PIN alone" in out
