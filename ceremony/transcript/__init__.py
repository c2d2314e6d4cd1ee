"""The signed PDF transcript: its content, pages, embedded files and PAdES signature.

The front of the package exports what reading and building a transcript needs without loading
reportlab or pyHanko (about 0.4 s). The pages (``pages``, ``pdf``, ``layout``) and the signing
(``sign``, ``pdfsigner``) are imported from their modules by those who draw or sign.

Everything in this tool that reads or signs a transcript imports this package first, so it is
where pyHanko's network clients (aiohttp) are deferred, for start-up speed
(``ceremony.transcript.offline``).
"""

from ceremony.transcript.build import build_transcript, embeddable
from ceremony.transcript.document import (
    INFO_CEREMONY_ID,
    INFO_FORMAT,
    INFO_JOURNAL_HEAD,
    INFO_PLAN,
    JOURNAL_ATTACHMENT,
    SIGNATURE_FIELD,
    TRANSCRIPT_FORMAT,
    Attachment,
    TranscriptError,
    TranscriptResult,
)
from ceremony.transcript.offline import defer_network_clients
from ceremony.transcript.sections import CeremonyFacts, of, signings, step_rows, text

defer_network_clients()

__all__ = [
    "INFO_CEREMONY_ID",
    "INFO_FORMAT",
    "INFO_JOURNAL_HEAD",
    "INFO_PLAN",
    "JOURNAL_ATTACHMENT",
    "SIGNATURE_FIELD",
    "TRANSCRIPT_FORMAT",
    "Attachment",
    "CeremonyFacts",
    "TranscriptError",
    "TranscriptResult",
    "build_transcript",
    "embeddable",
    "of",
    "signings",
    "step_rows",
    "text",
]
