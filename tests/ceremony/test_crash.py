"""A ceremony killed at any moment resumes, or refuses clearly, and never loses or duplicates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from ceremony.demo import DEMO_PIN, DEMO_SO_PIN, ROOT_KEY, ROOT_TOKEN, root_plan
from ceremony.journal import verify_journal
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, open_token

pytestmark = [pytest.mark.softhsm, pytest.mark.slow]

# Kills the process (SIGKILL: no clean-up of any kind) right after the Nth journal append.
KILLER = """
import os, signal, sys
import ceremony.journal as journal
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


def _records_of_full_run(tmp_path: Path) -> int:
    plan, answers, env = _setup(tmp_path / "full")
    out = tmp_path / "full" / "out"
    done = _run(["run", str(plan), "--out", str(out), "--answers", str(answers),
                 "--inventory", str(tmp_path / "full" / "inv.sqlite3")], env)
    assert done.returncode == 0, done.stderr
    return len(verify_journal(out / "journal.jsonl").records)


def test_killed_at_many_points_the_ceremony_resumes_to_the_same_end(tmp_path: Path) -> None:
    total = _records_of_full_run(tmp_path)
    assert total > 30
    # Every second record, plus the first and the last but one: dozens of stopping points,
    # among them right after an artifact is journaled but before it is put in place.
    points = sorted({1, total - 1, *range(2, total, 2)})
    for point in points:
        case = tmp_path / f"kill-{point}"
        plan, answers, env = _setup(case)
        out, inventory = case / "out", case / "inv.sqlite3"
        args = ["run", str(plan), "--out", str(out), "--answers", str(answers),
                "--inventory", str(inventory)]
        killed = _run(args, env, kill_after=point)
        assert killed.returncode == -9, (point, killed.stderr)
        partial = verify_journal(out / "journal.jsonl")
        assert partial.ok and len(partial.records) == point, (point, partial.problems)
        # No file stands in the folder that the journal does not account for.
        recorded = {r.data["path"] for r in partial.records
                    if r.event in ("artifact-written", "transcript-written")}
        present = {p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and not p.name.startswith(".staged-")}
        assert present - {"journal.jsonl"} <= recorded, point

        resumed = _run(args, env)
        assert resumed.returncode == 0, (point, resumed.stderr)
        final = verify_journal(out / "journal.jsonl")
        assert final.ok and [r.event for r in final.records[-2:]] == [
            "transcript-written", "head-recorded"], point
        assert (out / "transcript.pdf").is_file()
        # The journal up to the kill is untouched: the resumed run only appended.
        assert [r.hash for r in final.records[:point]] == [r.hash for r in partial.records]
        root = x509.load_pem_x509_certificate((out / "root-ca.pem").read_bytes())
        root.verify_directly_issued_by(root)
        crl = x509.load_pem_x509_crl((out / "root-ca.crl").read_bytes())
        assert crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
        assert (out / "backup" / f"{ROOT_KEY}.json").is_file()
        # Exactly one root key in the token: a killed run's key is taken up, never duplicated.
        SoftHsmStore(case / "softhsm").activate()
        with open_token(default_module(), ROOT_TOKEN, DEMO_PIN) as token:
            from pkcs11 import Attribute, ObjectClass

            keys = list(token.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                   Attribute.LABEL: ROOT_KEY}))
            # Killed between the backup and the lock, the resumed run still locked the key.
            assert len(keys) == 1 and keys[0][Attribute.EXTRACTABLE] is False, point
        locked = [r for r in final.records if r.event == "key-locked"]
        assert len(locked) == 1 and locked[0].data["extractable"] is False, point
        assert [r.event for r in final.records].index("key-backed-up") < final.records.index(
            locked[0]), point


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
