"""The checks of a transcript's content: journal, artifacts, signing order, program digest.

Plain functions over what ``verify`` read from the signed revision of the PDF (no PDF library
here, no Qt): each returns a ``CheckResult`` whose detail says what was found, or what is
wrong and why. Chains and lint are in ``verify_chains``, the PDF signatures in
``verify_signatures``; the GUI's auditor view calls them all through ``verify_transcript``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.journal import Event, JournalRecord, JournalVerification
from ceremony.transcript import JOURNAL_ATTACHMENT, CeremonyFacts, embeddable, of, text

SIGNING_EVENTS = (Event.CERTIFICATE_ISSUED, Event.CRL_ISSUED)


@dataclass(frozen=True)
class CheckResult:
    """One check of a transcript: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def passed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, True, detail)


def failed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, False, detail)


def certificate_sha256(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class Trust:
    """What the auditor trusts, resolved against the certificates and keys at hand."""

    roots: tuple[x509.Certificate, ...]
    # SPKI SHA-256 -> a trusted key: each --anchor-spki, and the key of each root (trust in
    # a key is trust in a key, whatever name a certificate it signed gives its issuer)
    keys: Mapping[str, PublicKeyTypes]
    missing: tuple[str, ...] = ()  # what was asked for but is nowhere to be found
    # Whom the auditor accepts as countersigners; never an anchor of the ceremony itself.
    countersigners: tuple[x509.Certificate, ...] = ()

    def is_root(self, certificate: x509.Certificate) -> bool:
        fingerprint = certificate_sha256(certificate)
        return any(certificate_sha256(r) == fingerprint for r in self.roots)

    def for_countersigners(self) -> Trust:
        """The trust a countersignature is judged by: the countersigner roots alone."""
        return Trust(self.countersigners, {})


@dataclass(frozen=True)
class Contents:
    """What the ceremony's signature covers: embedded files, document information, pages."""

    attachments: Mapping[str, bytes]
    info: Mapping[str, str]
    page_text: bytes  # decoded page content streams, concatenated
    journal: JournalVerification | None
    facts: CeremonyFacts | None
    certificates: tuple[x509.Certificate, ...] = field(default=())  # from the signatures

    @property
    def records(self) -> tuple[JournalRecord, ...]:
        return self.journal.records if self.journal is not None else ()


def check_journal_chain(contents: Contents) -> CheckResult:
    name = "journal-chain"
    journal = contents.journal
    if journal is None:
        return failed(name, f"no embedded {JOURNAL_ATTACHMENT} in the signed document")
    if not journal.ok:
        return failed(name, f"the embedded journal does not verify: {journal.problems[0]}"
                      + (f" (and {len(journal.problems) - 1} more)" if len(journal.problems) > 1
                         else ""))
    if contents.facts is None:
        return failed(name, "the embedded journal does not start with ceremony-started")
    return passed(name, f"{len(journal.records)} records, each hash-chained to the one before")


def check_journal_head(contents: Contents, head_key: str) -> CheckResult:
    name = "journal-head"
    journal = contents.journal
    if journal is None:
        return failed(name, "there is no embedded journal to compare with")
    printed = contents.info.get(head_key)
    if printed is None:
        return failed(name, "the document information names no journal head")
    if printed != journal.head:
        return failed(name, f"the embedded journal ends in {journal.head}, but the transcript "
                      f"states {printed}")
    if journal.head.encode("ascii") not in contents.page_text:
        return failed(name, f"the head {journal.head} is not printed on the transcript's pages")
    return passed(name, f"{journal.head}, as printed on the pages")


def check_artifacts(contents: Contents, plan_key: str) -> CheckResult:
    name = "artifacts"
    facts = contents.facts
    if facts is None:
        return failed(name, "without a journal there is nothing to compare the files with")
    latest = {text(r.data.get("path")): r for r in of(contents.records, Event.ARTIFACT_WRITTEN)}
    problems: list[str] = []
    for path, record in latest.items():
        data = contents.attachments.get(path)
        if not embeddable(text(record.data.get("kind")), path):
            problems.append(f"{path} is named like a secret; it must never be embedded")
        elif data is None:
            problems.append(f"{path} (journal record {record.seq}) is not embedded")
        elif hashlib.sha256(data).hexdigest() != record.data.get("sha256"):
            problems.append(f"{path} has SHA-256 {hashlib.sha256(data).hexdigest()}, the "
                            f"journal (record {record.seq}) says {text(record.data.get('sha256'))}")
    plan_name = contents.info.get(plan_key)
    plan = contents.attachments.get(plan_name) if plan_name else None
    if plan is None:
        problems.append("the plan is not embedded")
    elif hashlib.sha256(plan).hexdigest() != facts.plan_sha256:
        problems.append(f"the embedded plan {plan_name} is not the plan the journal names "
                        "(SHA-256 differs)")
    known = {*latest, JOURNAL_ATTACHMENT, plan_name}
    problems += [f"{extra} is embedded but no journal record names it"
                 for extra in sorted(set(contents.attachments) - known)]
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{len(latest)} artifacts and the plan match their journal SHA-256")


def _object(record: JournalRecord) -> str:
    default = "CRL" if record.event == Event.CRL_ISSUED else None
    return text(record.data.get("object", default))


def _confirmation_matches(confirmation: JournalRecord, issued: JournalRecord) -> str | None:
    fields = confirmation.data.get("fields")
    if not isinstance(fields, Mapping):
        return "the confirmation records no fields shown"
    if issued.event == Event.CERTIFICATE_ISSUED:
        for label, key in (("Serial", "serial"), ("Subject", "subject")):
            if label in fields and text(fields[label]) != text(issued.data.get(key)):
                return f"the {label.lower()} confirmed differs from the one issued"
    elif "CRL number" in fields and text(fields["CRL number"]) != text(issued.data.get("number")):
        return "the CRL number confirmed differs from the one issued"
    return None


def check_signing_order(contents: Contents) -> CheckResult:
    name = "signing-order"
    facts = contents.facts
    if facts is None:
        return failed(name, "there is no journal to check")
    records = contents.records
    problems = []
    count = 0
    for index, record in enumerate(records):
        if record.event not in SIGNING_EVENTS:
            continue
        count += 1
        what = _object(record)
        earlier = list(enumerate(records[:index]))
        confirm = next(((i, r) for i, r in reversed(earlier) if r.event == Event.SIGNING_CONFIRMED
                        and text(r.data.get("object")) == what), None)
        between = [r for r in records[(confirm[0] + 1) if confirm else 0:index]
                   if r.event in SIGNING_EVENTS and _object(r) == what]
        where = f"{what} (record {record.seq})"
        if confirm is None or between:
            problems.append(f"{where} was issued without a confirmation of its own")
            continue
        person = confirm[1].actor
        if person not in facts.people:
            problems.append(f"{where} was confirmed by {person!r}, who is not a participant")
            continue
        mismatch = _confirmation_matches(confirm[1], record)
        if mismatch:
            problems.append(f"{where}: {mismatch}")
            continue
        lint = next((r for _, r in reversed(earlier[:confirm[0]]) if r.event == Event.LINT_RESULT
                     and text(r.data.get("object")) == what), None)
        if lint is None or lint.data.get("stage") != "before signing":
            problems.append(f"{where} was confirmed without a lint before signing")
        elif lint.data.get("ok") is not True:
            problems.append(f"{where} was signed although its lint (record {lint.seq}) was not "
                            "clean")
    if problems:
        return failed(name, "; ".join(problems))
    return passed(name, f"{count} signings, each after a clean lint and a named participant's "
                        "confirmation")


def check_program_digest(contents: Contents, expected: str | None) -> CheckResult:
    name = "program-digest"
    records = of(contents.records, Event.ENVIRONMENT_RECORDED)
    if not records:
        return failed(name, "the journal records no environment, so no program digest")
    data = records[-1].data
    digest = text(data.get("program_sha256"))
    detail = (f"{digest} over {text(data.get('program_files'))} files; compare it with the "
              "offline bundle's PROGRAM-SHA256")
    if expected is not None and expected.lower() != digest:
        return failed(name, f"the program that ran has SHA-256 {digest}, not {expected}")
    return passed(name, detail if expected is None else f"{digest}, as expected")
