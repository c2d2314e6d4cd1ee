"""``keyceremony plan print``: the script the room follows on paper, read back with pdftotext."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ceremony.ceremonies import steps_for
from ceremony.cli import main
from ceremony.demo.rehearsal import CEREMONY_ORDER, Rehearsal
from ceremony.execution import prepare, run_plan
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.plan import parse_plan
from ceremony.script.content import script_of
from crypto.algorithms import KeyAlgorithm

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
PLANS = sorted(EXAMPLES.glob("*.toml"))


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


def printed(plan: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["plan", "print", str(plan), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"script written: {out} ")
    return pdf_text(out)


def flat(text: str) -> str:
    """The text with every run of white space as one space (table cells wrap lines)."""
    return " ".join(text.split())


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_every_example_plan_prints_its_script(
        plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = parse_plan(plan_path)
    text = printed(plan_path, tmp_path / "script.pdf", capsys)
    words = flat(text)
    assert plan.id in words and plan.sha256 in words
    for person in plan.participants:
        assert person.name in words
    steps = steps_for(plan)
    for number, step in enumerate(steps, start=1):
        assert flat(f"Step {number} of {len(steps)}: {step.title}") in words
    # A line per custodian at each hand-out, numbered as the program hands shares out.
    script = script_of(plan)
    for step in script.steps:
        if step.hand_out is None:
            continue
        for line in step.hand_out.lines:
            pattern = rf"^\s*{line.number}\s+{re.escape(line.holder)}\s"
            assert re.search(pattern, text, re.MULTILINE), (line, text)
    heads = sum(step.shows_head for step in script.steps) + 1  # and the closing one
    assert words.count("Chain head shown") == heads
    assert "Signatures" in words
    for person in script.signatories:
        assert words.count(person.name) >= 2  # among the participants and at the close


def test_the_example_plans_cover_hand_outs_and_chain_heads() -> None:
    scripts = [script_of(parse_plan(path)) for path in PLANS]
    handing_out = {s.type for s in scripts if any(st.hand_out for st in s.steps)}
    assert handing_out == {"root", "intermediate-key", "reshare"}
    grouped = next(s for s in scripts if s.type == "intermediate-key")
    sheet = next(st.hand_out for st in grouped.steps if st.hand_out)
    assert [(line.number, line.group) for line in sheet.lines] == [
        (1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2)]


def test_the_hand_out_says_when_the_plan_allows_share_cards(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = EXAMPLES / "root.toml"
    text = root.read_text()
    assert "print_cards" not in text and "\n[shares]\n" in text
    with_cards = tmp_path / "root.toml"
    with_cards.write_text(text.replace("\n[shares]\n", "\n[shares]\nprint_cards = true\n", 1))
    for asset in EXAMPLES.iterdir():  # the files the plan names, beside it
        if asset.suffix != ".toml" and asset.is_file():
            (tmp_path / asset.name).write_bytes(asset.read_bytes())
    card_sentence = "The plan allows printing each share as a card"
    assert card_sentence in flat(printed(with_cards, tmp_path / "cards.pdf", capsys))
    assert card_sentence not in flat(printed(root, tmp_path / "plain.pdf", capsys))


def test_a_plan_that_fails_its_check_is_refused_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLES / "root.toml").read_text().replace("threshold = 3", "threshold = 9")
    plan = tmp_path / "root.toml"
    plan.write_text(text)
    out = tmp_path / "script.pdf"
    assert main(["plan", "print", str(plan), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"keyceremony: {plan}: shares.threshold: ")
    assert "no script was written" in err[0]
    assert not out.exists() and list(tmp_path.iterdir()) == [plan]


def test_an_unreadable_plan_and_an_existing_output_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text("not = [toml")
    out = tmp_path / "script.pdf"
    assert main(["plan", "print", str(plan), "--out", str(out)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1 and not out.exists()
    out.write_bytes(b"earlier")
    assert main(["plan", "print", str(EXAMPLES / "drill.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and len(err.splitlines()) == 1
    assert out.read_bytes() == b"earlier"


def test_markup_and_invisible_characters_in_plan_text_print_literally(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "Carla <b>&amp;</b> <font size=40>Smit</font>\u202e"
    text = (EXAMPLES / "drill.toml").read_text().replace("Carla Smit", hostile.replace(
        "\u202e", "\\u202E")).replace(
        "rehearsal = false", 'rehearsal = false\nlocation = "Vault\\troom <br/>"')
    plan = tmp_path / "drill.toml"
    plan.write_text(text)
    words = flat(printed(plan, tmp_path / "script.pdf", capsys))
    literal = "Carla <b>&amp;</b> <font size=40>Smit</font>\\u202E"
    assert words.count(literal) == 2  # among the participants, and who acts in the drill
    assert "\u202e" not in words
    assert "Vault\\u0009room <br/>" in words


@dataclass
class RecordingPrompter(ScriptedPrompter):
    """The demo's simulated people, noting where the program shows a head or a share."""

    moments: list[tuple[str, str]] = field(default_factory=list)

    def chain_head(self, hex_head: str, words: str) -> None:
        self.moments.append((self.current_step, "chain head"))
        super().chain_head(hex_head, words)

    def hand_out_share(self, holder: str, number: int, total: int,
                       words: tuple[str, ...], may_print: bool = False) -> bool:
        if holder not in self.notebooks:  # a second showing after a bad copy is no new line
            self.moments.append((self.current_step, f"share {number} to {holder}"))
        return super().hand_out_share(holder, number, total, words, may_print)


@pytest.mark.softhsm
def test_the_script_has_a_box_wherever_the_program_shows_a_head_or_a_share(
        tmp_path: Path) -> None:
    from ceremony.demo.rehearsal import DEMO_PIN, INTERMEDIATE_TOKEN, ROOT_TOKEN

    with Rehearsal.prepare(tmp_path / "rehearsal", KeyAlgorithm.EC_P256) as rehearsal:
        for name in CEREMONY_ORDER:
            plan = rehearsal.write_plan(name)
            prompter = RecordingPrompter(pins={ROOT_TOKEN: DEMO_PIN,
                                               INTERMEDIATE_TOKEN: DEMO_PIN})
            run_plan(prepare(plan, rehearsal.ceremony_folder(plan.id)), prompter,
                     rehearsal.inventory)
            script = script_of(plan)
            expected: list[tuple[str, str]] = []
            for step in script.steps:
                if step.hand_out is not None:
                    expected += [(step.id, f"share {line.number} to {line.holder}")
                                 for line in step.hand_out.lines]
                if step.shows_head:
                    expected.append((step.id, "chain head"))
            expected.append((script.steps[-1].id, "chain head"))  # when the ceremony ends
            assert prompter.moments == expected, name
