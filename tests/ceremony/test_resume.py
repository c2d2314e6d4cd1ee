"""Stops and resumes: the chain head at every stop, and the paper-log check before a resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from ceremony.engine import StepRefused
from ceremony.frontends.scripted import RESUME_CHECK, ScriptedPrompter
from ceremony.journal import Event, verify_journal
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import TokenSession, default_module
from tests.ceremony.helpers import run

pytestmark = pytest.mark.softhsm


def _token_objects() -> list[tuple[str, str]]:
    from pkcs11 import Attribute

    with TokenSession(default_module(), ROOT_TOKEN, DEMO_PIN) as session:
        return sorted((str(o[Attribute.CLASS]), str(o[Attribute.LABEL]))
                      for o in session.session.get_objects())


def test_a_cut_journal_is_caught_by_the_paper_log_before_anything_happens(
        tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    plan = tmp_path / "root.toml"
    plan.write_text(root_plan(KeyAlgorithm.EC_P256, default_module()))
    out, inventory = tmp_path / "out", tmp_path / "inv.sqlite3"

    # A refusal stops the ceremony: the room is told to write the head in the paper log.
    refusing = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN},
                                refusals={"root-certificate": "wrong subject"})
    with pytest.raises(StepRefused):
        run(plan, out, refusing, inventory)
    journal = out / "journal.jsonl"
    paper_log = verify_journal(journal).head
    assert refusing.shown[-2].startswith("The ceremony stopped. Write the chain head")
    assert refusing.shown[-1] == f"chain head {paper_log}"

    # Someone cuts the refusal from the journal (the chain still verifies, shorter).
    lines = journal.read_bytes().splitlines(keepends=True)
    assert b'"step-refused"' in lines[-1]
    journal.write_bytes(b"".join(lines[:-1]))
    cut = verify_journal(journal)
    assert cut.ok and cut.head != paper_log
    objects = _token_objects()
    indexed = inventory.read_bytes()

    # On resume the room sees the head as found; the witness says it is not the paper's.
    witness = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN},
                               refusals={RESUME_CHECK: "the paper log ends otherwise"})
    with pytest.raises(StepRefused, match="does not match the last head in the paper log"):
        run(plan, out, witness, inventory)
    assert f"resume check of chain head {cut.head}" in witness.shown
    assert journal.read_bytes() == b"".join(lines[:-1])  # nothing was written
    assert _token_objects() == objects  # and nothing happened to the token
    assert inventory.read_bytes() == indexed  # nor did the inventory take the disputed journal
    assert not (out / "root-ca.pem").exists()

    # A resume whose head matches is journaled with that head, by the named witness.
    done = run(plan, out, ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN}), inventory)
    records = done.journal.records
    confirmed = next(r for r in records if r.event == Event.RESUME_CONFIRMED)
    assert confirmed.data == {"head": cut.head, "paper_log": "matches"}
    assert (confirmed.actor, confirmed.role) == ("Bob", "witness")
    assert records[records.index(confirmed) - 1].hash == cut.head  # before anything else
    assert records[records.index(confirmed) + 1].event == Event.CEREMONY_RESUMED
    assert [r.event for r in records[-2:]] == [Event.TRANSCRIPT_WRITTEN, Event.HEAD_RECORDED]
