"""The app's small visual language, as data (no Qt): a colour per role, one accent colour for
the primary action, a colour and an icon per step state, an icon per page (the colours
themselves and their WCAG contrast are in ``gui.viewmodels.palette``).

Colour never carries meaning alone: a role colour always comes with the role's name, a state
colour with a mark (✓, ✗, ▶) or a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ceremony.plan import Role
from gui.viewmodels.palette import (
    AA_GRAPHICS,
    AA_TEXT,
    ACCENT,
    ACCENT_PRESSED,
    ACCENT_TEXT,
    BACKGROUND,
    DEVIATION,
    DISABLED,
    DISABLED_TEXT,
    FAILED,
    OK,
    PROGRAM,
    SELECTED,
    TEXT,
    contrast,
    luminance,
    navigation_style,
    primary_style,
)
from gui.viewmodels.progress import StepState

# The palette is re-exported: a colour is found with what wears it.
__all__ = [
    "AA_GRAPHICS",
    "AA_TEXT",
    "ACCENT",
    "ACCENT_PRESSED",
    "ACCENT_TEXT",
    "BACKGROUND",
    "DEVIATION",
    "DISABLED",
    "DISABLED_TEXT",
    "FAILED",
    "OK",
    "PAGE_ICONS",
    "PROGRAM",
    "ROLE_COLOURS",
    "SELECTED",
    "STEP_COLOURS",
    "STEP_ICONS",
    "TEXT",
    "Acting",
    "acting",
    "contrast",
    "luminance",
    "navigation_style",
    "primary_style",
    "role_colour",
]

ROLE_COLOURS: dict[Role, str] = {
    Role.ADMINISTRATOR: "#0b57d0",
    Role.WITNESS: "#6a3d9a",
    Role.AUDITOR: "#7a4f00",
    Role.CUSTODIAN: "#9c3d10",
    Role.OPERATOR: "#1e6b34",
}


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
