"""The app's small visual language, as data (no Qt): a colour per role, one accent colour for
the primary action, state colours, and the WCAG contrast they are held to.

Colour never carries meaning alone: a role colour always comes with the role's name, a state
colour with a mark (✓, ✗, ▶) or a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ceremony.plan import Role
from gui.viewmodels.progress import StepState

BACKGROUND = "#ffffff"
TEXT = "#1f1f1f"
ACCENT = "#0b57d0"  # the primary action: one button per screen
ACCENT_TEXT = "#ffffff"  # the primary action's label, on the accent
ACCENT_PRESSED = "#0842a0"  # the accent while hovered or pressed
DISABLED = "#e3e3e3"  # a primary action not yet possible: no accent, so it does not invite
DISABLED_TEXT = "#474747"
OK = "#137333"
FAILED = "#a50e0e"
DEVIATION = "#8a4b00"
PROGRAM = "#4d4d4d"  # the program itself, as an actor

ROLE_COLOURS: dict[Role, str] = {
    Role.ADMINISTRATOR: "#0b57d0",
    Role.WITNESS: "#6a3d9a",
    Role.AUDITOR: "#7a4f00",
    Role.CUSTODIAN: "#9c3d10",
    Role.OPERATOR: "#1e6b34",
}

AA_TEXT = 4.5  # WCAG 2.x level AA, normal text
AA_GRAPHICS = 3.0  # WCAG 2.x 1.4.11, icons and the parts of controls

# Icons, bundled as SVG files in gui/icons (never fetched): one per page, one per step state.
# Each state's icon differs in shape (circle, arrow, tick, cross, triangle), not only colour.
# (gui.widgets.icons.page_icon finds a page's icon by this naming, 'page-<name>', for speed.)
PAGE_ICONS: dict[str, str] = {
    "dashboard": "page-dashboard",
    "start": "page-start",
    "auditor": "page-auditor",
    "viewer": "page-viewer",
    "ceremony": "page-ceremony",
}
STEP_ICONS: dict[StepState, str] = {
    StepState.PENDING: "step-pending",
    StepState.CURRENT: "step-current",
    StepState.DONE: "step-done",
    StepState.DEVIATION: "step-deviation",
    StepState.REFUSED: "step-failed",
    StepState.FAILED: "step-failed",
}
STEP_COLOURS: dict[StepState, str] = {
    StepState.PENDING: TEXT,
    StepState.CURRENT: ACCENT,
    StepState.DONE: OK,
    StepState.DEVIATION: DEVIATION,
    StepState.REFUSED: FAILED,
    StepState.FAILED: FAILED,
}


def primary_style() -> str:
    """The style sheet of the one primary action on a screen: the accent, white text."""
    return (f"QPushButton {{ background: {ACCENT}; color: {ACCENT_TEXT}; font-weight: bold; "
            f"border: 2px solid {ACCENT}; border-radius: 4px; padding: 6px 14px; }}"
            f"QPushButton:hover, QPushButton:pressed {{ background: {ACCENT_PRESSED}; }}"
            f"QPushButton:focus {{ border: 2px solid {TEXT}; }}"
            f"QPushButton:disabled {{ background: {DISABLED}; color: {DISABLED_TEXT}; "
            f"border-color: {DISABLED}; }}")


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
