"""``print_cards``: the plan option, and the journal's record of a printed share card.

The ceremony runs for real on the demo's SoftHSM tokens; the simulated custodians stand in for
the app, which tells the engine whether it printed a card (see ``tests/gui/test_share_card.py``
for the printing itself).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, INTERMEDIATE_TOKEN, ROOT_TOKEN, Rehearsal
from ceremony.errors import CeremonyError, PlanError
from ceremony.execution import prepare, run_plan
from ceremony.folder import TRANSCRIPT_NAME
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import Event, verify_journal
from ceremony.plan import parse_plan
from crypto.algorithms import KeyAlgorithm
from crypto.files import write_new_file

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"


@dataclass
class CardPrintingPrompter(ScriptedPrompter):
    """Simulated custodians; ``printing`` holders say a card of their share was printed."""

    printing: tuple[str, ...] = ()
    offered: list[bool] = field(default_factory=list)

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...],
                       may_print: bool = False) -> bool:
        super().hand_out_share(holder, number, total, words, may_print)
        self.offered.append(may_print)
        return holder in self.printing


def root_plan_with(rehearsal: Rehearsal, extra: str) -> Path:
    text = rehearsal.plan_text("root").replace("[shares]\n", f"[shares]\n{extra}", 1)
    path = rehearsal.folder / "plans" / "root.toml"
    write_new_file(path, text.encode())
    return path


def test_print_cards_is_off_by_default_and_only_for_a_new_set(tmp_path: Path) -> None:
    assert parse_plan(EXAMPLES / "root.toml").shares.print_cards is False  # type: ignore[union-attr]
    drill = (EXAMPLES / "drill.toml").read_text().replace("[shares]\n",
                                                          "[shares]\nprint_cards = true\n", 1)
    plan = tmp_path / "drill.toml"
    plan.write_text(drill)
    with pytest.raises(PlanError, match=r"shares\.print_cards: .*no card to print"):
        parse_plan(plan)
    root = (EXAMPLES / "root.toml").read_text().replace("[shares]\n",
                                                        '[shares]\nprint_cards = "yes"\n', 1)
    plan.write_text(root)
    with pytest.raises(PlanError, match=r"shares\.print_cards"):
        parse_plan(plan)


@pytest.mark.softhsm
def test_a_printed_card_is_journaled_without_its_words(tmp_path: Path) -> None:
    with Rehearsal.prepare(tmp_path / "rehearsal", KeyAlgorithm.EC_P256) as rehearsal:
        plan = parse_plan(root_plan_with(rehearsal, "print_cards = true\n"))
        assert plan.shares is not None and plan.shares.print_cards
        prompter = CardPrintingPrompter(pins={ROOT_TOKEN: DEMO_PIN, INTERMEDIATE_TOKEN: DEMO_PIN},
                                        printing=("Dave",))
        folder = rehearsal.ceremony_folder(plan.id)
        run_plan(prepare(plan, folder), prompter, rehearsal.inventory)
        assert prompter.offered == [True] * 5
        records = verify_journal(folder / "journal.jsonl").records
        events = [r.event for r in records]
        printed = [r for r in records if r.event == Event.SHARE_CARD_PRINTED]
        assert [(r.actor, r.data) for r in printed] == [("Dave", {"holder": "Dave",
                                                                  "number": 2})]
        at = events.index(Event.SHARE_CARD_PRINTED)
        assert events[at + 1:at + 3] == [Event.SHARE_VERIFIED, Event.SHARE_HANDED_OUT]
        journal = (folder / "journal.jsonl").read_text()
        assert " ".join(prompter.notebooks["Dave"]) not in journal
        pages = subprocess.run(["pdftotext", "-layout", str(folder / TRANSCRIPT_NAME), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert re.search(r"Copy\s+Card\n.*proven\s+printed", pages)  # the table's header
        rows = {line.split()[0]: line.split()[-2:] for line in pages.splitlines()
                if line.split()[:1] and line.split()[0] in prompter.notebooks
                and re.search(r"UTC\s+(yes|no)\s+(yes|no)$", line)}  # the hand-out table
        assert rows == {holder: ["yes", "yes" if holder == "Dave" else "no"]
                        for holder in ("Carol", "Dave", "Erin", "Frank", "Grace")}


@pytest.mark.softhsm
def test_a_card_printed_against_the_plan_stops_the_ceremony(tmp_path: Path) -> None:
    with Rehearsal.prepare(tmp_path / "rehearsal", KeyAlgorithm.EC_P256) as rehearsal:
        plan = rehearsal.write_plan("root")
        prompter = CardPrintingPrompter(pins={ROOT_TOKEN: DEMO_PIN, INTERMEDIATE_TOKEN: DEMO_PIN},
                                        printing=("Carol",))
        folder = rehearsal.ceremony_folder(plan.id)
        with pytest.raises(CeremonyError, match="does not allow printed cards"):
            run_plan(prepare(plan, folder), prompter, rehearsal.inventory)
        assert prompter.offered == [False]
        events = [r.event for r in verify_journal(folder / "journal.jsonl").records]
        assert Event.SHARE_CARD_PRINTED not in events
        assert Event.SHARE_HANDED_OUT not in events
