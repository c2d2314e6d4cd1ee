"""The signed PDF transcript every ceremony ends with (see docs/transcript-signing.md).

``build_transcript`` reads the ceremony folder's journal (which must verify), lays out what it
records (``transcript_pdf``), attaches the journal, the plan and every artifact the journal
names as PDF embedded files, and signs the whole file once, PAdES B-B, with the ceremony's
transcript-signing key in the token (``transcript_sign``). The journal head is printed on the
pages and stored in the document information under ``INFO_JOURNAL_HEAD`` so that ``verify``
can compare it with the embedded journal.

The caller journals ``transcript-written`` with ``TranscriptResult.journal_data()`` after the
file is written: the embedded journal is the one from just before that record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cryptography import x509

from ceremony.folder import JOURNAL_NAME, TRANSCRIPT_NAME
from ceremony.journal import Event, JournalRecord, names_a_secret, verify_journal
from ceremony.transcript.document import (
    INFO_CEREMONY_ID,
    INFO_FORMAT,
    INFO_JOURNAL_HEAD,
    INFO_PLAN,
    JOURNAL_ATTACHMENT,
    TRANSCRIPT_FORMAT,
    Attachment,
    TranscriptError,
    TranscriptResult,
)
from ceremony.transcript.sections import CeremonyFacts, of, text

if TYPE_CHECKING:
    from ceremony.transcript.pdfsigner import SigningKey

def embeddable(kind: str, path: str) -> bool:
    """Whether an artifact may be embedded: never anything named like a secret (a share)."""
    stem = PurePosixPath(path).name.split(".")[0]
    return not (names_a_secret(kind) or names_a_secret(stem))


def _read_artifact(folder: Path, record: JournalRecord) -> Attachment:
    relative = text(record.data.get("path"))
    kind = text(record.data.get("kind", "artifact"))
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts:
        raise TranscriptError(f"the journal names the artifact {relative!r} outside the "
                              "ceremony folder; it is not embedded, so no transcript was made")
    if not embeddable(kind, relative):
        raise TranscriptError(f"the artifact {relative!r} ({kind}) is named like a secret and "
                              "is never embedded; record shares and secrets nowhere on disk")
    try:
        data = (folder / relative).read_bytes()
    except OSError as exc:
        raise TranscriptError(f"the artifact {relative} cannot be read ({exc.strerror}); "
                              "restore it from the ceremony folder's copy") from exc
    if hashlib.sha256(data).hexdigest() != record.data.get("sha256"):
        raise TranscriptError(f"the artifact {relative} differs from what the journal recorded "
                              "writing; it was changed afterwards, so no transcript was made")
    return Attachment(relative, data, kind, f"{kind} written by the ceremony")


def collect_attachments(folder: Path, records: Sequence[JournalRecord], journal: bytes,
                        plan_path: Path, plan_sha256: str) -> tuple[Attachment, ...]:
    """The journal, the plan (unless it is an artifact already) and every journaled artifact."""
    latest = {text(r.data.get("path")): r for r in of(records, Event.ARTIFACT_WRITTEN)}
    artifacts = [_read_artifact(folder, latest[name]) for name in sorted(latest)]
    try:
        plan = Path(plan_path).read_bytes()
    except OSError as exc:
        raise TranscriptError(f"the plan {plan_path} cannot be read ({exc.strerror}); give "
                              "the plan file the ceremony ran") from exc
    if hashlib.sha256(plan).hexdigest() != plan_sha256:
        raise TranscriptError(f"{plan_path} is not the plan this ceremony ran (its SHA-256 "
                              "differs from the journal's); give the plan file it ran")
    result = [Attachment(JOURNAL_ATTACHMENT, journal, "journal", "the ceremony journal")]
    if not any(a.sha256 == plan_sha256 for a in artifacts):
        name = Path(plan_path).name
        if name in latest or name == JOURNAL_ATTACHMENT:
            name = f"plan-{name}"
        result.append(Attachment(name, plan, "plan", "the ceremony plan"))
    return (*result, *artifacts)


def plan_attachment(attachments: Sequence[Attachment], plan_sha256: str) -> str:
    """The name under which the plan is embedded."""
    return next(a.name for a in attachments if a.kind != "journal" and a.sha256 == plan_sha256)


def build_transcript(folder: Path, plan_path: Path, signer: SigningKey,
                     signer_chain: Sequence[x509.Certificate],
                     output: Path | None = None) -> TranscriptResult:
    """Build, sign and write (create-exclusive) the transcript of the ceremony in ``folder``.

    ``signer`` is the transcript-signing key (``TokenKeyPair.signing_key()``: it signs inside
    the token), ``signer_chain`` its certificate then the issuers up to the root (just the
    signer's certificate when it was issued under a bare intermediate key). ``output``
    defaults to ``transcript.pdf`` in the folder and must not exist yet.
    """
    from ceremony.transcript.pdf import TranscriptPages, render_transcript
    from ceremony.transcript.sign import sign_transcript
    from crypto.files import write_new_file

    folder = Path(folder)
    output = Path(output) if output is not None else folder / TRANSCRIPT_NAME
    if output.exists():
        raise TranscriptError(f"{output} already exists; a transcript is never overwritten")
    try:
        journal = (folder / JOURNAL_NAME).read_bytes()
    except OSError as exc:
        raise TranscriptError(f"the journal in {folder} cannot be read ({exc.strerror})") from exc
    checked = verify_journal(journal)
    if not checked.ok:
        raise TranscriptError(f"the journal in {folder} does not verify "
                              f"({checked.problems[0]}); no transcript is made of it")
    records = checked.records
    try:
        facts = CeremonyFacts.from_records(records)
    except ValueError as exc:
        raise TranscriptError(f"the journal in {folder}: {exc}") from exc
    attachments = collect_attachments(folder, records, journal, plan_path, facts.plan_sha256)
    pages = TranscriptPages(facts, records, attachments, tuple(signer_chain), checked.head)
    pdf = render_transcript(pages)
    info = {INFO_FORMAT: TRANSCRIPT_FORMAT, INFO_CEREMONY_ID: facts.id,
            INFO_JOURNAL_HEAD: checked.head,
            INFO_PLAN: plan_attachment(attachments, facts.plan_sha256)}
    signed = sign_transcript(pdf, attachments, info, signer, signer_chain, facts)
    digest = write_new_file(output, signed)
    return TranscriptResult(output, digest, len(signed), checked.head,
                            tuple(a.name for a in attachments))
