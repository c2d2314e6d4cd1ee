"""The one primary action on a screen: the accent colour with white text (WCAG AA, see
``gui.viewmodels.look``), bold, so the room finds what to press next at a glance. Its label
says the action in words; the colour only points at it."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from gui.viewmodels.palette import primary_style


def make_primary(button: QPushButton) -> QPushButton:
    """Give ``button`` the accent; returns it."""
    button.setProperty("primary", True)
    button.setStyleSheet(primary_style())
    return button


def is_primary(button: QPushButton) -> bool:
    return bool(button.property("primary"))
