"""What the printed ceremony script says, derived from the plan and its steps (no reportlab).

The steps come from ``ceremony.ceremonies.steps_for``, the list the runner walks; where the
program shows a chain head (``Step.shows_head``) or hands out shares (``Step.hands_out``) the
script has a box or a line per custodian, so paper and program cannot drift apart. Every text
taken from the plan is kept as data: invisible characters (controls, bidirectional overrides,
line separators) are shown as ``\\uXXXX`` so the room sees exactly what the plan holds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ceremony.ceremonies import steps_for
from ceremony.engine import Step, holders_by_group, scheme_of
from ceremony.plan import CeremonyPlan, Role

# Control, format (bidi overrides, zero-width), line and paragraph separator characters.
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")


def shown(text: str) -> str:
    """``text`` with every invisible character written as a visible ``\\uXXXX`` escape."""
    out = []
    for char in text:
        if unicodedata.category(char) in _INVISIBLE:
            code = ord(char)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Person:
    """A participant as printed."""

    name: str
    role: str


@dataclass(frozen=True)
class HandOutLine:
    """One custodian's share at a hand-out, in the order the program hands them out."""

    number: int
    holder: str
    group: int  # 1-based; every share is in group 1 when the set has no groups


@dataclass(frozen=True)
class HandOutSheet:
    """A step's share hand-out: the scheme and a line per custodian."""

    scheme: str
    lines: tuple[HandOutLine, ...]
    cards: bool = False  # the plan lets the desktop app print each share as a card


@dataclass(frozen=True)
class ScriptStep:
    """One step as the room follows it."""

    number: int
    id: str
    title: str
    actors: tuple[Person, ...]  # who acts: the plan's people holding the step's roles
    instructions: str
    check: str | None  # the question the acting person confirms, when the step has one
    shows_head: bool
    hand_out: HandOutSheet | None


@dataclass(frozen=True)
class CeremonyScript:
    """Everything the printed script shows, in order."""

    title: str
    id: str
    type: str
    rehearsal: bool
    location: str
    plan_name: str
    plan_sha256: str
    participants: tuple[Person, ...]
    steps: tuple[ScriptStep, ...]
    signatories: tuple[Person, ...]  # the closing page: witnesses, auditors, administrators


def _person(name: str, role: Role) -> Person:
    return Person(shown(name), role.value)


def _hand_out(plan: CeremonyPlan, step: Step) -> HandOutSheet | None:
    if step.hands_out is None:
        return None
    spec = step.hands_out.spec(plan)
    lines: list[HandOutLine] = []
    for group, holders in enumerate(holders_by_group(spec), start=1):
        for holder in holders:  # numbered across groups, as custody.split_and_hand_out does
            lines.append(HandOutLine(len(lines) + 1, shown(holder), group))
    passphrase = " with passphrase" if spec.passphrase else ""
    return HandOutSheet(scheme_of(spec).describe() + passphrase, tuple(lines),
                        spec.print_cards)


def script_of(plan: CeremonyPlan) -> CeremonyScript:
    """The script of ``plan``: its facts, its people and the steps the runner will walk."""
    steps = []
    for number, step in enumerate(steps_for(plan), start=1):
        actors = tuple(_person(p.name, role) for role in step.roles for p in plan.people(role))
        steps.append(ScriptStep(number, step.id, shown(step.title), actors,
                                shown(step.instructions),
                                shown(step.sign_off) if step.sign_off else None,
                                step.shows_head, _hand_out(plan, step)))
    signing_roles = (Role.WITNESS, Role.AUDITOR, Role.ADMINISTRATOR)
    return CeremonyScript(
        title=shown(plan.title), id=shown(plan.id), type=plan.type.value,
        rehearsal=plan.rehearsal, location=shown(plan.location), plan_name=shown(plan.path.name),
        plan_sha256=plan.sha256,
        participants=tuple(_person(p.name, p.role) for p in plan.participants),
        steps=tuple(steps),
        signatories=tuple(_person(p.name, role) for role in signing_roles
                          for p in plan.people(role)),
    )
