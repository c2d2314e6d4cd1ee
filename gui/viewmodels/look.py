"""The app's small visual language, as data (no Qt): a colour per role, one accent colour for
the primary action, state colours, and the WCAG contrast they are held to.

Colour never carries meaning alone: a role colour always comes with the role's name, a state
colour with a mark (✓, ✗, ▶) or a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ceremony.plan import Role

BACKGROUND = "#ffffff"
TEXT = "#1f1f1f"
ACCENT = "#0b57d0"  # the primary action: one button per screen
OK = "#137333"
FAILED = "#a50e0e"
PROGRAM = "#4d4d4d"  # the program itself, as an actor

ROLE_COLOURS: dict[Role, str] = {
    Role.ADMINISTRATOR: "#0b57d0",
    Role.WITNESS: "#6a3d9a",
    Role.AUDITOR: "#7a4f00",
    Role.CUSTODIAN: "#9c3d10",
    Role.OPERATOR: "#1e6b34",
}

AA_TEXT = 4.5  # WCAG 2.x level AA, normal text


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two '#rrggbb' colours (1 to 21)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def role_colour(role: str) -> str:
    """The colour of ``role`` (a role's value); the program's grey for anything else."""
    try:
        return ROLE_COLOURS[Role(role)]
    except ValueError:
        return PROGRAM


@dataclass(frozen=True)
class Acting:
    """One person who acts now: shown as 'Alice · administrator' in the role's colour."""

    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.name} · {self.role}"

    @property
    def colour(self) -> str:
        return role_colour(self.role)


def acting(names: Sequence[str], roles: Sequence[str],
           role_of: Callable[[str], str | None]) -> tuple[Acting, ...]:
    """Each acting person paired with their own role (``role_of`` asks the plan); with nobody
    named, the administrator acts."""
    if not names:
        return (Acting("the administrator", Role.ADMINISTRATOR.value),)
    fallback = roles[0] if len(roles) == 1 else ""
    return tuple(Acting(name, role_of(name) or fallback or "participant") for name in names)
