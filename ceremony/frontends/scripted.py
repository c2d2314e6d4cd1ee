"""A ``Prompter`` that answers from a script: rehearsals, the demo and tests.

Simulated custodians remember the shares they were shown and prove their copies from memory:
a scripted hand-out is a rehearsal's, shown to nobody, written nowhere (not to the terminal, not
to standard output). So a plan that is not a rehearsal cannot hand out shares from an answers
file: its custodians must see them, at a terminal or in the desktop app. On resume, the
simulated witness confirms that the chain head found matches the paper log unless told to
refuse. An answers file is TOML:

    [pins]                      # token label -> PIN (rehearsal plans only)
    "root-token" = "123456"
    [deviations]                # step id -> reason recorded when that step meets a problem
    environment = "rehearsal on a networked laptop"
    [refuse]                    # step id -> reason for refusing that step's sign-off/signing
    "root-certificate" = "wrong subject"
    resume = "the head differs from the paper log"  # refuse the resume check
    [shares]
    enter = ["word word ...", ...]   # shares entered when a quorum is asked for (rehearsal only)
    passphrase = ""                  # rehearsal only

A file with a PIN, a share or a passphrase is refused for a plan that is not a rehearsal.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.prompts import Decision, HeadMoment, Outcome, SigningPreview, StepView
from crypto.files import UnreadableInput, read_input_file

RESUME_CHECK = "resume"  # the [refuse] key that refuses the resume check


@dataclass
class ScriptedPrompter:
    """Answers every prompt from its fields; keeps a transcript of what it was shown."""

    pins: dict[str, str] = field(default_factory=dict)
    deviations: dict[str, str] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)
    shares_to_enter: list[str] = field(default_factory=list)
    share_passphrase: str = ""
    # Simulated custodians' memory: holder -> the words they wrote down.
    notebooks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)
    current_step: str = ""
    rehearsal: bool = True  # False: the plan is real, and its shares cannot go to a script

    def step(self, view: StepView) -> None:
        self.current_step = view.id
        self.shown.append(f"step {view.number}/{view.count}: {view.title}")

    def inform(self, message: str) -> None:
        self.shown.append(message)

    def chain_head(self, hex_head: str, words: str) -> None:
        self.shown.append(f"chain head {hex_head}")

    def record_head(self, person: str, moment: HeadMoment) -> Decision:
        self.chain_head(moment.hex, moment.words)
        return Decision(Outcome.CONFIRMED, person)

    def confirm_head(self, person: str, hex_head: str, words: str) -> Decision:
        self.shown.append(f"resume check of chain head {hex_head}")
        if RESUME_CHECK in self.refusals:
            return Decision(Outcome.REFUSED, person, self.refusals[RESUME_CHECK])
        return Decision(Outcome.CONFIRMED, person)

    def _decide(self, person: str) -> Decision:
        if self.current_step in self.refusals:
            return Decision(Outcome.REFUSED, person, self.refusals[self.current_step])
        return Decision(Outcome.CONFIRMED, person)

    def sign_off(self, person: str, question: str) -> Decision:
        return self._decide(person)

    def deviation(self, person: str, problem: str) -> Decision:
        reason = self.deviations.get(self.current_step)
        if reason:
            return Decision(Outcome.DEVIATION, person, reason)
        return Decision(Outcome.REFUSED, person, f"no deviation scripted: {problem}")

    def confirm_signing(self, person: str, preview: SigningPreview) -> Decision:
        verdict = "clean" if preview.lint_clean else "NOT clean"
        self.shown.append(f"signing {preview.what}: lint {verdict}")
        return self._decide(person)

    def pin(self, person: str, token_label: str, problem: str | None) -> str:
        if token_label not in self.pins:
            raise UsageError(f"the answers give no PIN for token {token_label!r}")
        return self.pins[token_label]

    def passphrase(self, person: str, purpose: str, confirm: bool) -> str:
        return self.share_passphrase

    def hand_out_share(self, holder: str, number: int, total: int, words: tuple[str, ...],
                       may_print: bool = False) -> bool:
        if not self.rehearsal:
            raise UsageError(f"share {number} of {total} is for {holder}, who must see it: an "
                             "answers file hands shares out only in a rehearsal, so run this "
                             "plan at a terminal without --answers, or in the desktop app")
        self.notebooks[holder] = words
        return False  # a rehearsal's simulated custodian writes; nothing is printed

    def copy_check(self, holder: str, positions: tuple[int, ...],
                   word_count: int) -> tuple[str, ...]:
        words = self.notebooks.get(holder, ())
        return tuple(words[p - 1] if p <= len(words) else "" for p in positions)

    def enter_share(self, progress: str, problem: str | None) -> str:
        if not self.shares_to_enter:
            raise UsageError("the answers have no more shares to enter "
                             f"({progress}{'; ' + problem if problem else ''})")
        return self.shares_to_enter.pop(0)


_ALLOWED = {"pins", "deviations", "refuse", "shares"}
_SHARES_KEYS = {"enter", "passphrase"}
MAX_ANSWERS_BYTES = 1 << 20  # a script of answers is a few kilobytes


def load_answers(path: Path, rehearsal: bool) -> ScriptedPrompter:
    """Read an answers file; refuse secrets in it unless the plan is a rehearsal."""
    try:
        # A rehearsal's answers may hold demo PINs and shares: they are only read into memory
        # here, and every message below names keys, never their values.
        data = tomllib.loads(read_input_file(path, MAX_ANSWERS_BYTES, "an answers file")
                             .decode("utf-8"))
    except UnreadableInput as ex:
        raise UsageError(f"answers file {ex}") from ex
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as ex:
        raise UsageError(f"answers file {path} is not valid TOML: {ex}") from ex
    except RecursionError as ex:  # tomllib recurses once per nested array or inline table
        raise UsageError(f"answers file {path} nests arrays or tables too deeply to be "
                         "answers; see ceremony/frontends/scripted.py for its shape") from ex
    unknown = set(data) - _ALLOWED
    if unknown:
        raise UsageError(f"answers file {path}: unknown section {sorted(unknown)[0]!r}; use "
                         "pins, deviations, refuse or shares")
    shares = data.get("shares", {})
    if not isinstance(shares, dict):
        raise UsageError(f"answers file {path}: shares must be a table ([shares]) with enter "
                         "and passphrase")
    if set(shares) - _SHARES_KEYS:
        raise UsageError(f"answers file {path}: unknown key shares."
                         f"{sorted(set(shares) - _SHARES_KEYS)[0]}; [shares] takes enter and "
                         "passphrase")
    if not isinstance(shares.get("passphrase", ""), str):
        raise UsageError(f"answers file {path}: shares.passphrase must be a string")
    secrets_given = bool(data.get("pins")) or bool(shares.get("enter")) or bool(
        shares.get("passphrase"))
    if secrets_given and not rehearsal:
        raise UsageError(f"answers file {path} holds a PIN, share or passphrase, which only a "
                         "rehearsal may take from a file; type them at the prompts instead")

    def table(name: str) -> dict[str, str]:
        value = data.get(name, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise UsageError(f"answers file {path}: [{name}] maps names to strings")
        return {str(k): v for k, v in value.items()}

    enter = shares.get("enter", [])
    if not isinstance(enter, list) or not all(isinstance(s, str) for s in enter):
        raise UsageError(f"answers file {path}: shares.enter is a list of strings")
    return ScriptedPrompter(pins=table("pins"), deviations=table("deviations"),
                            refusals=table("refuse"), shares_to_enter=list(enter),
                            share_passphrase=str(shares.get("passphrase", "")),
                            rehearsal=rehearsal)
