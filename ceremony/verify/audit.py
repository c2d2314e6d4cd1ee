"""The auditor's ``verify``: is this transcript what the ceremony signed, and is it sound?

Offline, against what the auditor trusts, in two kinds that never mix: what the ceremony
must chain to (a root certificate, its SHA-256 fingerprint, or the SPKI SHA-256 of a bare key
written on paper) and whom the auditor accepts as countersigners (their roots),
``verify_transcript`` checks and reports:

1. ``ceremony-signature``: the first signature is the ceremony's, by the transcript signer
   whose certificate the journal records issuing for this ceremony, certified by the key the
   journal names; ``signatures-intact``: every signature's digest and signature verify;
   ``signature-contents``: nothing but the CMS structure and zero padding is inside each
   signature; ``signatures-trusted``: the ceremony's signature chains to the ceremony's
   anchor, every countersignature to a countersigner root; ``countersignatures``: none is
   drawn on the pages; ``signature-coverage``: the last signature covers the whole file and
   nothing but further signatures was appended after the ceremony's;
2. ``journal-chain`` and ``journal-head``: the embedded journal verifies and ends in the head
   the transcript states and prints;
3. ``artifacts``, ``certificate-chains`` and ``lint``: every embedded file matches its journal
   SHA-256, every certificate and CRL chains to the ceremony's one anchor and passes lint at
   the level its issuance recorded;
4. ``signing-order``: every signing came after a clean lint and a named participant's
   confirmation;
5. ``program-digest``: the SHA-256 of the program that ran, to compare with a release manifest.

Everything in 2 to 5 is read from the revision the ceremony's signature covers, never from
what may have been appended after it. Libraries are imported when used (pyHanko, pkilint),
so that the command starts quickly.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from ceremony.errors import UsageError
from ceremony.journal import Event
from ceremony.transcript import INFO_JOURNAL_HEAD, INFO_PLAN, SIGNATURE_FIELD, of, text
from ceremony.verify.anchors import TrustAnchors, normalise_sha256
from ceremony.verify.chains import (
    Linter,
    LintJob,
    check_certificate_chains,
    check_lint,
    lint_in_process,
    lint_jobs,
    pool,
    public_keys,
)
from ceremony.verify.checks import (
    CheckResult,
    Contents,
    Trust,
    certificate_sha256,
    check_artifacts,
    check_journal_chain,
    check_journal_head,
    check_program_digest,
    check_signing_order,
    failed,
)
from ceremony.verify.cms import check_signature_contents
from ceremony.verify.signatures import (
    ValidatedSignature,
    check_signature_coverage,
    check_signatures_intact,
    check_signatures_trusted,
    cms_certificates,
    embedded_signatures,
    read_contents,
    validate_signature,
)
from ceremony.verify.signer import check_ceremony_signature, check_countersignatures
from crypto.algorithms import spki_sha256
from crypto.files import UnreadableInput, read_input_file

# A transcript is some 100 KB (its journal and a few certificates and CRLs); the cap keeps a
# wrong file from filling memory, with room for a root CRL listing many revocations.
MAX_TRANSCRIPT_BYTES = 32 << 20


class UnusableTranscript(UsageError):
    """The file cannot be read, is not a PDF, or has nothing of a transcript (exit status 2)."""


@dataclass(frozen=True)
class SignatureInfo:
    """Who signed, as the signature says (checked or not: see the report's checks)."""

    field: str
    signer: str
    certificate_sha256: str
    claimed_time: str | None
    role: str = "ceremony"  # "ceremony" (the first) or "countersigner" (every later one)

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "role": self.role, "signer": self.signer,
                "certificate_sha256": self.certificate_sha256,
                "claimed_time": self.claimed_time}


@dataclass(frozen=True)
class TranscriptReport:
    """Every check of one transcript; ``exit_status`` 0 all passed, 1 one failed, 2 unusable."""

    source: str
    checks: tuple[CheckResult, ...]
    usable: bool = True
    ceremony_id: str | None = None
    ceremony_type: str | None = None
    rehearsal: bool | None = None
    journal_head: str | None = None
    program_sha256: str | None = None
    signatures: tuple[SignatureInfo, ...] = field(default=())
    trusted: Mapping[str, object] = field(default_factory=dict)  # TrustAnchors.as_dict()

    @property
    def ok(self) -> bool:
        return self.usable and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if not check.ok)

    @property
    def exit_status(self) -> int:
        return 0 if self.ok else 1 if self.usable else 2

    def as_dict(self) -> dict[str, object]:
        return {"transcript": self.source, "ok": self.ok, "usable": self.usable,
                "ceremony_id": self.ceremony_id, "ceremony_type": self.ceremony_type,
                "rehearsal": self.rehearsal, "journal_head": self.journal_head,
                "program_sha256": self.program_sha256,
                "trusted": dict(self.trusted),
                "signatures": [s.as_dict() for s in self.signatures],
                "checks": [c.as_dict() for c in self.checks]}


def read_transcript(source: Path | str) -> bytes:
    """The bytes of a transcript file; UnusableTranscript when missing or not a PDF."""
    try:
        data = read_input_file(source, MAX_TRANSCRIPT_BYTES, "a ceremony transcript")
    except UnreadableInput as exc:
        raise UnusableTranscript(str(exc)) from exc
    if not data:
        raise UnusableTranscript(not_a_transcript(source, "the file is empty"))
    # A file with neither a PDF header nor a PDF trailer is refused before any parsing; one
    # that has either but cannot be parsed is refused by verify_transcript.
    if b"%PDF-" not in data[:1024] and b"%%EOF" not in data[-1024:]:
        raise UnusableTranscript(not_a_transcript(source, "it is not a PDF file (it has no PDF "
                                                          "header or trailer)"))
    return data


def not_a_transcript(source: Path | str, why: str, readable: bool = False) -> str:
    """The one sentence for a file that is not a transcript at all (exit status 2)."""
    what = "a ceremony transcript" if readable else "a readable PDF transcript"
    return f"{source} is not {what}: {why}; give the transcript file the ceremony wrote"


def _cause(exc: Exception) -> str:
    """A parser's complaint on one short line (a crafted file can make it long)."""
    said = " ".join(str(exc).split())
    said = said if len(said) <= 160 else said[:160] + "..."
    return f"{type(exc).__name__}: {said}" if said else type(exc).__name__


def resolve_trust(anchors: TrustAnchors, contents: Contents | None,
                  certificates: Sequence[x509.Certificate]) -> Trust:
    """Find the certificates and keys the auditor named by fingerprint."""
    at_hand = [*certificates, *(pool(contents) if contents is not None else [])]
    roots = list(anchors.roots)
    missing = []
    for fingerprint in anchors.root_fingerprints:
        found = next((c for c in at_hand if certificate_sha256(c) == fingerprint), None)
        if found is None:
            missing.append(f"root certificate {fingerprint}")
        else:
            roots.append(found)
    keys = public_keys(contents) if contents is not None else {}
    trusted = {h: keys[h] for h in anchors.anchor_spkis if h in keys}
    missing += [f"key {h}" for h in anchors.anchor_spkis if h not in keys]
    # Trust in a root is trust in its key, whatever name a certificate it signed gives it.
    for root in roots:
        trusted.setdefault(spki_sha256(root.public_key()), root.public_key())
    return Trust(tuple(roots), trusted, tuple(missing), anchors.countersigner_roots)


SIGNATURE_CHECKS = ("ceremony-signature", "signatures-intact", "signature-contents",
                    "signatures-trusted", "countersignatures", "signature-coverage")
CONTENT_CHECKS = ("journal-chain", "journal-head", "artifacts", "certificate-chains", "lint",
                  "signing-order", "program-digest")
CHECKS = SIGNATURE_CHECKS + CONTENT_CHECKS
"""The names of the checks, in the order every report lists them."""


def _guarded(name: str, check: Callable[..., CheckResult], *args: Any) -> CheckResult:
    try:
        return check(*args)
    except Exception as exc:  # a crafted file must fail a check, never crash the run
        return failed(name, f"could not be checked ({type(exc).__name__}: {exc})")


def _collect(collect: Callable[[], Sequence[Any]], count: int) -> Sequence[Any]:
    try:
        return collect()
    except Exception as exc:  # a linter that fails fails the lint check, not the run
        return [exc] * count


def _unusable(source: str, reason: str) -> TranscriptReport:
    return TranscriptReport(source, (failed("readable", reason),), usable=False)


def _signed_end(data: bytes, found: Sequence[tuple[Any, x509.Certificate]]) -> int:
    """Where the revision the ceremony's signature covers ends (the whole file if unsigned)."""
    if found and found[0][0].field_name == SIGNATURE_FIELD:
        byte_range = found[0][0].byte_range
        return int(byte_range[2] + byte_range[3])
    return len(data)


def signed_contents(source: Path | str | bytes) -> Contents:
    """The journal, embedded files and document information of the revision the ceremony's
    signature covers (of the whole file when it has none), for viewers; checks nothing.

    UnusableTranscript when the file cannot be read; parsing errors of a damaged file are
    raised as they come (``verify_transcript`` turns them into failed checks).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = source if isinstance(source, bytes) else read_transcript(source)
    reader = PdfFileReader(io.BytesIO(data))
    found = embedded_signatures(reader)
    return read_contents(data[:_signed_end(data, found)], cms_certificates(reader))


def verify_transcript(source: Path | str | bytes, anchors: TrustAnchors, *,
                      program_sha256: str | None = None, name: str | None = None,
                      linter: Linter | None = None) -> TranscriptReport:
    """Check one transcript (a path, or its bytes) and report every check."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    label = name or (str(source) if not isinstance(source, bytes) else "transcript")
    try:
        data = source if isinstance(source, bytes) else read_transcript(source)
    except UnusableTranscript as exc:
        return _unusable(label, str(exc))
    try:
        reader = PdfFileReader(io.BytesIO(data))
        found = embedded_signatures(reader)
    except Exception as exc:  # a damaged file may fail anywhere in parsing: it cannot be used
        return _unusable(label, not_a_transcript(label, f"the PDF cannot be parsed "
                                                        f"({_cause(exc)})"))
    try:
        certificates = cms_certificates(reader)
    except Exception as exc:  # a readable PDF whose signatures are damaged fails every check
        damaged = f"the signatures cannot be read ({_cause(exc)})"
        return TranscriptReport(label, tuple(failed(n, damaged) for n in CHECKS))
    contents: Contents | None = None
    content_problem = "the signed document cannot be read"
    try:
        contents = read_contents(data[:_signed_end(data, found)], certificates)
    except Exception as exc:  # as above: a damaged revision fails every content check
        if not found:  # nothing of it can be read at all
            return _unusable(label, not_a_transcript(label, f"the PDF cannot be parsed "
                                                            f"({_cause(exc)})"))
        content_problem = f"the signed document cannot be read ({_cause(exc)})"
    if not found and contents is not None and contents.journal is None \
            and INFO_JOURNAL_HEAD not in contents.info:
        # Nothing of a transcript: no signature, no journal, no journal head (a plan's print,
        # another program's PDF). A transcript stripped of some of these fails checks instead.
        return _unusable(label, not_a_transcript(
            label, "it is a PDF with no signature, no embedded journal and no journal head",
            readable=True))
    trust = resolve_trust(anchors, contents, certificates)
    # Lint first: a worker process (see ceremony.commands.verify) lints while this one
    # validates the signatures.
    jobs: list[LintJob] = []
    lint_problems: list[str] = []
    if contents is not None:
        try:
            jobs, lint_problems = lint_jobs(contents, trust)
        except Exception as exc:  # a crafted file must fail a check, never crash the run
            lint_problems = [f"the objects to lint cannot be read ({type(exc).__name__})"]
    collect = (linter or lint_in_process)(jobs)
    signatures = []
    for index, (embedded, certificate) in enumerate(found):
        # The ceremony's signature is judged by the ceremony's anchor alone, every later one
        # by the countersigner roots alone.
        judged_by = trust if index == 0 else trust.for_countersigners()
        try:
            signatures.append(ValidatedSignature(
                embedded, certificate, validate_signature(embedded, judged_by, certificates),
                None))
        except Exception as exc:  # pyHanko raises many kinds for a bad signature; all fail
            signatures.append(ValidatedSignature(embedded, certificate, None,
                                         f"cannot be validated ({type(exc).__name__}: {exc})"))
    checks = [_guarded("ceremony-signature", check_ceremony_signature, signatures, contents,
                       trust),
              _guarded("signatures-intact", check_signatures_intact, signatures),
              _guarded("signature-contents", check_signature_contents, data, signatures,
                       frozenset(spki_sha256(r.public_key()) for r in trust.roots)),
              _guarded("signatures-trusted", check_signatures_trusted, signatures, trust),
              _guarded("countersignatures", check_countersignatures, signatures),
              _guarded("signature-coverage", check_signature_coverage, signatures, reader)]
    if contents is None:
        checks += [failed(n, content_problem) for n in CONTENT_CHECKS]
    else:
        reports = _collect(collect, len(jobs))
        checks += [_guarded("journal-chain", check_journal_chain, contents),
                   _guarded("journal-head", check_journal_head, contents, INFO_JOURNAL_HEAD),
                   _guarded("artifacts", check_artifacts, contents, INFO_PLAN),
                   _guarded("certificate-chains", check_certificate_chains, contents, trust),
                   _guarded("lint", check_lint, jobs, reports, lint_problems),
                   _guarded("signing-order", check_signing_order, contents),
                   _guarded("program-digest", check_program_digest, contents, program_sha256)]
    facts = contents.facts if contents is not None else None
    environment = of(contents.records, Event.ENVIRONMENT_RECORDED) if contents else []
    return TranscriptReport(
        label, tuple(checks), True,
        ceremony_id=facts.id if facts else None, ceremony_type=facts.type if facts else None,
        rehearsal=facts.rehearsal if facts else None,
        journal_head=contents.journal.head if contents and contents.journal else None,
        program_sha256=text(environment[-1].data.get("program_sha256")) if environment
        else None,
        signatures=tuple(SignatureInfo(
            s.embedded.field_name, s.certificate.subject.rfc4514_string(),
            certificate_sha256(s.certificate),
            s.embedded.self_reported_timestamp.isoformat()
            if s.embedded.self_reported_timestamp else None,
            "ceremony" if index == 0 else "countersigner")
            for index, s in enumerate(signatures)),
        trusted=anchors.as_dict())


def verify_transcripts(sources: Iterable[Path | str], anchors: TrustAnchors, *,
                       program_sha256: str | None = None,
                       linter: Linter | None = None,
                       progress: Callable[[TranscriptReport], None] | None = None
                       ) -> tuple[TranscriptReport, ...]:
    """Check several transcripts in one process (libraries and lint profiles load once)."""
    reports = []
    for source in sources:
        report = verify_transcript(source, anchors, program_sha256=program_sha256,
                                   linter=linter)
        if progress is not None:
            progress(report)
        reports.append(report)
    return tuple(reports)


__all__ = ["CHECKS", "CheckResult", "Contents", "SignatureInfo", "TranscriptReport",
           "TrustAnchors", "UnusableTranscript", "normalise_sha256", "read_contents",
           "read_transcript", "signed_contents", "verify_transcript", "verify_transcripts"]
