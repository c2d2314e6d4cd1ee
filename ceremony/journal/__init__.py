"""The hash-chained journal: events, records, the writer, the line-by-line check, head words.

The front of the package: callers outside it import from here.
"""

from ceremony.folder import JOURNAL_NAME
from ceremony.journal.check import JournalVerification, verify_journal
from ceremony.journal.events import Event
from ceremony.journal.paperlog import PaperHead, final_head
from ceremony.journal.pgpwords import (
    EVEN_WORDS,
    ODD_WORDS,
    head_words,
    short_head_words,
    to_words,
)
from ceremony.journal.record import FIELDS, GENESIS, JournalRecord, canonical_json, record_hash
from ceremony.journal.writer import (
    MAX_SAFE_INTEGER,
    PROGRAM_ACTOR,
    PROGRAM_ROLE,
    Journal,
    names_a_secret,
)

__all__ = [
    "EVEN_WORDS",
    "FIELDS",
    "GENESIS",
    "JOURNAL_NAME",
    "MAX_SAFE_INTEGER",
    "ODD_WORDS",
    "PROGRAM_ACTOR",
    "PROGRAM_ROLE",
    "Event",
    "Journal",
    "JournalRecord",
    "JournalVerification",
    "PaperHead",
    "canonical_json",
    "final_head",
    "head_words",
    "names_a_secret",
    "record_hash",
    "short_head_words",
    "to_words",
    "verify_journal",
]
