"""Domain errors of the ceremony package (plans, runs, journal, inventory, transcripts).

``exit_status``: 1 when a check failed, 2 when the input is unusable, as in ``crypto.errors``.
"""

from __future__ import annotations


class CeremonyError(Exception):
    """Base of every error this package raises on purpose."""

    exit_status = 1


class UsageError(CeremonyError):
    """The command line or an input file cannot be used as given."""

    exit_status = 2


class InventoryError(CeremonyError):
    """The inventory cannot be opened, read or written, or a request names nothing in it."""

    exit_status = 2


class InventoryConflictError(InventoryError):
    """A record contradicts what the inventory already holds (nothing was changed)."""

    exit_status = 1
