"""Where a file dialog opens, and the next free rehearsal folder (no Qt).

Qt's dialogs open in the current directory when given none, which for a program started from
its source checkout is the checkout: the wrong place for plans, transcripts and inventories.
A dialog here opens near what it is about (the open plan's folder, the inventory shown), else
in the folder a person last chose a file in, else in their home folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REHEARSALS = "keyceremony-rehearsals"  # under the home folder


def _folder_of(path: Path | None) -> Path | None:
    """``path`` if it is a folder, the folder holding it if that exists, else None."""
    if path is None or not str(path).strip():
        return None
    path = path.expanduser()
    if path.is_dir():
        return path
    return path.parent if path.parent.is_dir() and path.parent != Path() else None


@dataclass
class DialogFolders:
    """The folder each file dialog opens in; remembers the last folder a person chose in."""

    home: Path = field(default_factory=Path.home)
    last: Path | None = None

    def start(self, *near: Path | None) -> Path:
        """The first of ``near`` that is (or is in) an existing folder, else the folder last
        used, else the home folder; never the current directory."""
        for candidate in (*near, self.last):
            folder = _folder_of(candidate)
            if folder is not None:
                return folder.absolute()
        return self.home

    def target(self, suggested: Path | str, *near: Path | None) -> Path:
        """Where a save dialog proposes ``suggested``: as given when it names a folder too,
        else in ``start(*near)``."""
        path = Path(suggested)
        return path if path.is_absolute() else self.start(*near) / path

    def used(self, chosen: Path) -> None:
        """A person chose ``chosen`` (a file or a folder): the next dialog opens there."""
        folder = _folder_of(chosen)
        if folder is not None:
            self.last = folder.absolute()


def rehearsal_folder(now: dt.datetime, base: Path | None = None,
                     taken: Iterable[Path] = ()) -> Path:
    """A new folder for a rehearsal under ``base`` (``~/keyceremony-rehearsals``), named by
    ``now``; ``-2``, ``-3``… when that one exists already or is ``taken`` (a rehearsal just
    started, whose folder its worker has not made yet)."""
    base = base if base is not None else Path.home() / REHEARSALS
    taken = {Path(p).expanduser() for p in taken}
    stem = base / f"{now:%Y%m%d-%H%M%S}"
    candidate, number = stem, 1
    while candidate in taken or candidate.exists():
        number += 1
        candidate = stem.with_name(f"{stem.name}-{number}")
    return candidate
