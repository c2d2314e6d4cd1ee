"""The paper-log moments and the completion screen of a ceremony (no Qt).

A head moment fills the ceremony view: which ceremony and which journal record the head is the
hash of, the 32 words in four numbered lines of eight (as the printed script's boxes have
them), the hex in groups of four, and one button naming the person who confirms that it is in
the paper log. The final moment is also the ceremony's completion screen: its folder, its
transcript and inventory, and what can be done with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony.folder import JOURNAL_NAME, TRANSCRIPT_NAME
from ceremony.prompts import HeadMoment


@dataclass(frozen=True)
class HeadMomentForm:
    """What the 'write this down' screen shows for ``moment``, confirmed by ``person``."""

    person: str
    moment: HeadMoment

    @property
    def heading(self) -> str:
        return "Write this down in the paper log"

    @property
    def label(self) -> str:
        return self.moment.label

    @property
    def word_lines(self) -> tuple[str, ...]:
        """E.g. '1-8: aardvark absurd …', four lines of eight words."""
        words = self.moment.words.split()
        return tuple(f"{start + 1}-{min(start + 8, len(words))}:  "
                     + "  ".join(words[start:start + 8]) for start in range(0, len(words), 8))

    @property
    def hex_groups(self) -> str:
        """The hex in groups of four, two lines, for reading digit by digit."""
        groups = [self.moment.hex[i:i + 4] for i in range(0, len(self.moment.hex), 4)]
        half = (len(groups) + 1) // 2
        return " ".join(groups[:half]) + "\n" + " ".join(groups[half:])

    @property
    def instructions(self) -> str:
        final = (" It is this ceremony's final head: the transcript ends with this record, and "
                 "an auditor compares it with the paper log.") if self.moment.final else ""
        return ("Read the words aloud; the person at the paper log writes them, with the record "
                f"number, and reads them back.{final}")

    @property
    def confirm_text(self) -> str:
        return f"Written in the paper log: confirm as {self.person}"


@dataclass(frozen=True)
class Completion:
    """A finished ceremony as its completion screen shows it."""

    folder: Path
    inventory: Path | None

    @property
    def transcript(self) -> Path | None:
        path = self.folder / TRANSCRIPT_NAME
        return path if path.is_file() else None

    @property
    def journal(self) -> Path:
        return self.folder / JOURNAL_NAME

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        """(label, value) rows: the folder, the transcript (or why there is none), inventory."""
        transcript = self.transcript
        return (
            ("Folder", str(self.folder)),
            ("Transcript", str(transcript) if transcript else
             "none: this ceremony's journal is its record"),
            ("Inventory", str(self.inventory) if self.inventory else "not kept"),
        )

    @property
    def verify_target(self) -> Path:
        """What 'Verify' opens in the auditor view: the transcript, else the journal."""
        return self.transcript or self.journal


def job_inventory(job: object) -> Path | None:
    """The inventory a job records into (a plan's, or a rehearsal's own), if any."""
    inventory = getattr(job, "inventory", None)
    return inventory if isinstance(inventory, Path) else None
