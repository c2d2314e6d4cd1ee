"""The app's icons: small SVG files bundled in gui/icons (package data, never fetched),
drawn by Qt's SVG icon engine at whatever size the type asks for. Which icon stands for what
is ``gui.viewmodels.look``'s ``PAGE_ICONS`` and ``STEP_ICONS``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_FOLDER = Path(__file__).resolve().parent.parent / "icons"


def icon_path(name: str) -> Path:
    """The SVG file of icon ``name`` (e.g. 'step-done')."""
    return ICON_FOLDER / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """Icon ``name``; a missing file is a packaging fault, said in one sentence."""
    path = icon_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"The icon {path.name} is missing from {ICON_FOLDER}; "
                                "reinstall the program.")
    return QIcon(str(path))


def page_icon(page: str) -> QIcon:
    """The sidebar icon of ``page`` (a page name such as 'dashboard'): 'page-<name>.svg'.

    By name, not through ``gui.viewmodels.look``: the main window imports this at start-up,
    and the look's imports (the plan, the journal) would add half a second to it.
    """
    return icon(f"page-{page}")
