"""A ceremony killed at any moment resumes, or refuses clearly, and never loses or duplicates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_KEY, ROOT_TOKEN, root_plan
from ceremony.journal import verify_journal
from ceremony.plan import CeremonyType
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, open_token
from tests.ceremony.crashpoints import POINT_KINDS

pytestmark = [pytest.mark.softhsm, pytest.mark.slow]

# Kills the process (SIGKILL: no clean-up of any kind) right after the Nth journal append.
KILLER = """
import os, signal, sys
import ceremony.journal.writer as journal
limit = int(sys.argv[1])
original = journal.Journal.append
count = 0
def append(self, *args, **kwargs):
    global count
    record = original(self, *args, **kwargs)
    count += 1
    if count == limit:
        os.kill(os.getpid(), signal.SIGKILL)
    return record
journal.Journal.append = append
from gui.launcher import main
sys.exit(main(sys.argv[2:]))
"""


def _setup(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    plan = tmp_path / "root.toml"
    plan.write_text(root_plan(KeyAlgorithm.EC_P256, default_module()))
    answers = tmp_path / "answers.toml"
    answers.write_text(f'[pins]\n"{ROOT_TOKEN}" = "{DEMO_PIN}"\n')
    env = dict(os.environ, SOFTHSM2_CONF=str(store.config))
    store.activate()
    return plan, answers, env


def _run(args: list[str], env: dict[str, str], kill_after: int | None = None
         ) -> subprocess.CompletedProcess[str]:
    prefix = [sys.executable, "-c", KILLER, str(kill_after)] if kill_after else [
        sys.executable, "-m", "gui.launcher"]
    return subprocess.run(prefix + args, env=env, capture_output=True, text=True, timeout=120)


def test_killed_at_each_point_every_ceremony_type_resumes_to_the_same_end(
        tmp_path: Path) -> None:
    """SIGKILL at journal appends and file writes, for every ceremony type the demo runs.

    By default the first and last point of each type, one point of every kind (before and
    after a journal append, each kind of file write) and the points where faults were found; with
    KEYCEREMONY_CRASH_EVERY=1 every point, one run per point (tests/ceremony/crashpoints.py).
    """
    report = tmp_path / "crash.json"
    deep = os.environ.get("KEYCEREMONY_CRASH_EVERY") == "1"
    every = ["--every"] if deep else ["--sample", "0"]
    # Every point (about a thousand) takes an hour or more on a busy 2-core machine.
    done = subprocess.run([sys.executable, "-m", "tests.ceremony.crashpoints", "--work",
                           str(tmp_path / "work"), "--json", str(report), *every],
                          capture_output=True, text=True, timeout=None if deep else 1800)
    summary = json.loads(report.read_text())
    assert done.returncode == 0 and not summary["failures"], summary["failures"] or done.stderr
    assert set(summary["types"]) == {t.value for t in CeremonyType}
    for kind, counts in summary["types"].items():
        assert counts["passed"] == counts["tried"], kind
        # Every kind of point, journal appends and file writes alike, is tried for each type.
        assert counts["kinds"] == sorted(POINT_KINDS), (kind, counts["kinds"])


def test_a_key_the_journal_did_not_create_is_refused(tmp_path: Path) -> None:
    plan, answers, env = _setup(tmp_path)
    from crypto.keys import generate_key_pair

    with open_token(default_module(), ROOT_TOKEN, DEMO_PIN) as token:
        generate_key_pair(token, ROOT_KEY, KeyAlgorithm.EC_P256, extractable=True)
    out = tmp_path / "out"
    done = _run(["run", str(plan), "--out", str(out), "--answers", str(answers),
                 "--inventory", str(tmp_path / "inv.sqlite3")], env)
    assert done.returncode == 1
    assert "did not create" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    records = verify_journal(out / "journal.jsonl").records
    assert records[-1].event == "error"
    assert not (out / "root-ca.pem").exists()
