"""Domain errors of the ceremony package (plans, runs, journal, inventory, transcripts).

``exit_status``: 1 when a check failed, 2 when the input is unusable, as in ``crypto.errors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class CeremonyError(Exception):
    """Base of every error this package raises on purpose."""

    exit_status = 1


class UsageError(CeremonyError):
    """The command line or an input file cannot be used as given."""

    exit_status = 2


class ProgramChangedError(CeremonyError):
    """The installed program's files differ from the manifest it was installed with."""


class InventoryError(CeremonyError):
    """The inventory cannot be opened, read or written, or a request names nothing in it."""

    exit_status = 2


class InventoryConflictError(InventoryError):
    """A record contradicts what the inventory already holds (nothing was changed)."""

    exit_status = 1


# --- journal ----------------------------------------------------------------------------------


class JournalError(CeremonyError):
    """The ceremony journal cannot be created, trusted or continued; ``problems`` lists why."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class JournalTornTailError(JournalError):
    """The journal ends in an incomplete line (a crash while writing); it can be repaired."""


class PlanError(CeremonyError):
    """A plan cannot be used; ``problems`` holds every problem found, each naming its key path.

    Its message is the first problem (and how many more there are), prefixed by the plan's
    path when known. Exit status 1: the plan was read and refused.
    """

    exit_status = 1

    def __init__(self, problems: Sequence[str], path: Path | str | None = None) -> None:
        if not problems:
            raise ValueError("a PlanError needs at least one problem")
        self.problems: tuple[str, ...] = tuple(problems)
        self.path = path
        prefix = f"{path}: " if path is not None else ""
        more = len(self.problems) - 1
        super().__init__(prefix + self.problems[0] + (f" (and {more} more)" if more else ""))


class PlanUnreadableError(PlanError):
    """The plan file cannot be read, is not UTF-8, is not TOML or is not a plan of this format."""

    exit_status = 2


class NoTerminal(CeremonyError):
    """A share or PIN must be shown or typed, and the process has no controlling terminal."""

    exit_status = 2


class StepRefused(CeremonyError):
    """A person (or the token's capability check) refused a step; the ceremony stops there,
    journaled, and can be resumed."""


class JournalDisputed(StepRefused):
    """On resume, the room found the journal's head is not the one in the paper log: the
    journal may have been changed, so nothing writes to it (or indexes it) until it is
    examined."""
