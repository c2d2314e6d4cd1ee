"""The auditor's view of transcripts and journals (no Qt).

A signed PDF transcript is checked by ``ceremony.verify.verify_transcript`` against what the
auditor trusts; every check comes back with its name, result and reason. The journal and the
files embedded in the transcript are read for display. A bare ``journal.jsonl`` (or a
ceremony folder holding one) can be opened too: only its hash chain can be checked then, and
the result says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceremony.folder import JOURNAL_NAME
from ceremony.journal import Event, final_head
from crypto.visible import visible
from gui.errors import UnreadableFile
from gui.viewmodels.journal_rows import ChainHead, JournalRow, row_of


@dataclass(frozen=True)
class CheckRow:
    """One check: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str

    @property
    def mark(self) -> str:
        return "✓ passed" if self.ok else "✗ FAILED"


@dataclass(frozen=True)
class Artifact:
    """A file embedded in a transcript."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class AuditResult:
    """Everything the auditor view shows for one transcript or journal."""

    source: str
    kind: str  # "transcript" or "journal"
    usable: bool
    checks: tuple[CheckRow, ...]
    journal: tuple[JournalRow, ...] = ()
    head: ChainHead | None = None
    artifacts: tuple[Artifact, ...] = ()
    ceremony: str = ""
    note: str = ""
    report: dict[str, Any] = field(default_factory=dict, repr=False)  # for the export

    @property
    def ok(self) -> bool:
        return self.usable and all(check.ok for check in self.checks)

    @property
    def head_caption(self) -> str:
        """What the head is, for comparing with the paper log: the ceremony's final head, the
        hash of the record the transcript ends with (``ceremony.journal.paperlog``)."""
        record = next((row.seq for row in self.journal
                       if self.head is not None and row.hash == self.head.hex), None)
        where = f" (record {record})" if record else ""
        return f"Compare with the final chain head{where} written in the paper log:"

    @property
    def name(self) -> str:
        """The file's name as shown: invisible characters written as ``<U+XXXX>``."""
        path = Path(self.source)
        name = f"{path.parent.name}/{path.name}" if self.kind == "journal" else path.name
        return visible(name or self.source)

    @property
    def headline(self) -> str:
        """E.g. 'All 11 checks passed: transcript.pdf'.

        The verdict comes first and the file's name last, so no name ("x.pdf: all 11 checks
        passed", say) can stand where the verdict is read.
        """
        if not self.usable:  # verify's one sentence, which names the file itself
            return f"Cannot be checked: {visible(self.checks[0].detail)}"
        failures = [c.name for c in self.checks if not c.ok]
        if failures:
            return (f"{len(failures)} of {len(self.checks)} checks FAILED "
                    f"({', '.join(failures)}): {self.name}")
        if len(self.checks) == 1:
            return f"The {self.checks[0].name} check passed: {self.name}"
        return f"All {len(self.checks)} checks passed: {self.name}"


def load_trust(root_files: Sequence[Path | str] = (), fingerprints: Sequence[str] = (),
               spkis: Sequence[str] = (),
               countersigner_roots: Sequence[Path | str] = ()) -> Any:
    """What the auditor trusts, as ``ceremony.verify.TrustAnchors`` (UsageError if nothing).

    The roots, fingerprints and keys name what the ceremony must chain to; the countersigner
    roots only whom the auditor accepts as countersigners, never an anchor of the ceremony.
    """
    from ceremony.verify.audit import TrustAnchors

    return TrustAnchors.load(root_files, [f for f in fingerprints if f.strip()],
                             [s for s in spkis if s.strip()], countersigner_roots)


def _head(hex_head: str | None) -> ChainHead | None:
    if not hex_head or len(hex_head) != 64:
        return None
    try:
        return ChainHead.of(hex_head)
    except ValueError:
        return None


def _rows(records: Iterable[Any]) -> tuple[JournalRow, ...]:
    return tuple(row_of({"seq": r.seq, "time": r.time, "actor": r.actor, "role": r.role,
                         "event": r.event, "data": dict(r.data), "hash": r.hash})
                 for r in records)


def audit_transcript(path: Path, trust: Any) -> AuditResult:
    """Verify the transcript at ``path`` and read its journal and embedded files."""
    from ceremony.verify import audit as verify

    report = verify.verify_transcript(path, trust)
    checks = tuple(CheckRow(c.name, c.ok, c.detail) for c in report.checks)
    journal: tuple[JournalRow, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    if report.usable:
        try:
            # What the ceremony's signature covers, never what was appended after it.
            contents = verify.signed_contents(path)
        except Exception:  # a damaged file: the checks above already say what is wrong
            contents = None
        if contents is not None:
            if contents.journal is not None:
                journal = _rows(contents.journal.records)
            artifacts = tuple(Artifact(name, data)
                              for name, data in sorted(contents.attachments.items()))
    ceremony = visible(" ".join(part for part in (report.ceremony_id, report.ceremony_type,
                                                  "(rehearsal)" if report.rehearsal else "")
                                if part))
    return AuditResult(str(path), "transcript", report.usable, checks, journal,
                       _head(report.journal_head), artifacts, ceremony, "", report.as_dict())


def audit_journal(path: Path) -> AuditResult:
    """Check the hash chain of a bare journal (``journal.jsonl`` or a folder holding one)."""
    from ceremony.journal import verify_journal

    target = path / JOURNAL_NAME if path.is_dir() else path
    try:
        content = target.read_bytes()
    except OSError as ex:
        raise UnreadableFile(f"{target} cannot be read ({ex.strerror}); open a transcript, a "
                             "journal.jsonl or a ceremony folder.") from ex
    result = verify_journal(content)
    if result.ok:
        chain = CheckRow("journal-chain", True,
                         f"{len(result.records)} records; every hash links to the one before")
    else:
        chain = CheckRow("journal-chain", False, "; ".join(result.problems[:3]))
    checks = (chain,)
    report = {"journal": str(target), "ok": result.ok,
              "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]}
    started = next((r for r in result.records if r.event == Event.CEREMONY_STARTED), None)
    ceremony = ""
    if started is not None:
        ceremony = visible(f"{started.data.get('id', '')} {started.data.get('type', '')}".strip())
    note = ("A bare journal carries no signature, so only its hash chain is checked; verify "
            "the signed transcript to know who vouches for it.")
    final = final_head(result.records)  # the head written in the paper log, as everywhere
    return AuditResult(str(target), "journal", True, checks, _rows(result.records),
                       _head(final.head if final else None), (), ceremony, note, report)


def audit(path: Path, trust: Any | None) -> AuditResult:
    """Audit a transcript (needs ``trust``) or a journal, by what ``path`` is."""
    if path.is_dir() or path.suffix.lower() == ".jsonl":
        return audit_journal(path)
    if trust is None:
        from gui.errors import GuiError

        raise GuiError("Say what you trust before verifying a transcript: a root certificate "
                       "file, its SHA-256 fingerprint, or a key's SPKI SHA-256.")
    return audit_transcript(path, trust)


def export_report(results: Sequence[AuditResult]) -> bytes:
    """The verify report of every result, as JSON (what ``keyceremony verify --json`` gives)."""
    document = {"ok": all(r.ok for r in results), "reports": [r.report for r in results]}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
