"""What a transcript is made of: its format names, its embedded files and the written result.

A leaf of the package: the builder, the pages, the signer and the verifier share these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import CeremonyError
from ceremony.folder import JOURNAL_NAME

TRANSCRIPT_FORMAT = "keyceremony-transcript/1"
SIGNATURE_FIELD = "CeremonySignature"
"""The form field of the ceremony's own signature; countersignatures get other names."""

# Custom document information entries (``pdfinfo -custom`` shows them).
INFO_FORMAT = "/KeyceremonyTranscript"
INFO_CEREMONY_ID = "/KeyceremonyCeremonyId"
INFO_JOURNAL_HEAD = "/KeyceremonyJournalHead"
INFO_PLAN = "/KeyceremonyPlan"

JOURNAL_ATTACHMENT = JOURNAL_NAME


class TranscriptError(CeremonyError):
    """A transcript cannot be built from the folder as it is (nothing was written)."""


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the transcript under ``name`` (the path in the ceremony folder)."""

    name: str
    data: bytes
    kind: str  # "journal", "plan" or the artifact-written kind
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class TranscriptResult:
    """The written transcript: where, its digest and size, and the journal head it embeds."""

    path: Path
    sha256: str
    size: int
    journal_head: str
    attachments: tuple[str, ...]

    def journal_data(self, folder: Path | None = None) -> dict[str, object]:
        """The data of the ``transcript-written`` record (path relative to ``folder``)."""
        path = self.path.relative_to(folder) if folder is not None else self.path
        return {"path": path.as_posix(), "sha256": self.sha256, "size": self.size,
                "journal_head": self.journal_head}
