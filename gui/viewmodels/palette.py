"""The app's colours and the WCAG contrast they are held to (no Qt, no imports, so the main
window can style itself at start-up without loading the plan or the journal).

``gui.viewmodels.look`` says who and what wears which colour and icon.
"""

from __future__ import annotations

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

SELECTED = "#e8f0fe"  # behind the selected page and the current step; the text keeps AA on it

AA_TEXT = 4.5  # WCAG 2.x level AA, normal text
AA_GRAPHICS = 3.0  # WCAG 2.x 1.4.11, icons and the parts of controls


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


def primary_style() -> str:
    """The style sheet of the one primary action on a screen: the accent, white text."""
    return (f"QPushButton {{ background: {ACCENT}; color: {ACCENT_TEXT}; font-weight: bold; "
            f"border: 2px solid {ACCENT}; border-radius: 4px; padding: 6px 14px; }}"
            f"QPushButton:hover, QPushButton:pressed {{ background: {ACCENT_PRESSED}; }}"
            f"QPushButton:focus {{ border: 2px solid {TEXT}; }}"
            f"QPushButton:disabled {{ background: {DISABLED}; color: {DISABLED_TEXT}; "
            f"border-color: {DISABLED}; }}")


def navigation_style() -> str:
    """The sidebar's style sheet: the page shown on a light band with an accent bar beside it
    (its name stays dark, so it reads as well as the others)."""
    return (f"QListWidget::item {{ padding: 6px 4px; }}"
            f"QListWidget::item:selected {{ background: {SELECTED}; color: {TEXT}; "
            f"border-left: 4px solid {ACCENT}; }}")
