"""The transcript's sections, in order: what the journal says, laid out as flowables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cryptography import x509
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
    XPreformatted,
)

from ceremony.journal import Event, JournalRecord, head_words
from ceremony.preview import certificate_fields, crl_fields, describe_extension
from ceremony.transcript.document import Attachment
from ceremony.transcript.layout import (
    WIDTH,
    fields,
    nothing,
    paragraph,
    qr_code,
    styles,
    table,
    when,
)
from ceremony.transcript.sections import (
    PROBLEM_EVENTS,
    CeremonyFacts,
    of,
    reason_of,
    share_sets,
    signings,
    step_rows,
    summary,
    text,
)
from ceremony.transcript.tokens import token_checks
from crypto.keys import spki_sha256


@dataclass(frozen=True)
class TranscriptPages:
    """Everything the pages show."""

    facts: CeremonyFacts
    records: tuple[JournalRecord, ...]
    attachments: tuple[Attachment, ...]
    signer_chain: tuple[x509.Certificate, ...]
    head: str


def _cover(pages: TranscriptPages) -> list[Flowable]:
    facts, style = pages.facts, styles()
    story: list[Flowable] = [Paragraph("Key ceremony transcript", style["title"]),
                             paragraph(facts.title, "h1")]
    if facts.rehearsal:
        story.append(Paragraph("REHEARSAL: nothing made in this ceremony is for real use.",
                               style["banner"]))
    signer = pages.signer_chain[0] if pages.signer_chain else None
    story.append(fields([
        ("Ceremony id", facts.id),
        ("Type", facts.type + (" (rehearsal)" if facts.rehearsal else "")),
        ("Location", facts.location),
        ("Started", when(facts.started)),
        ("Last record", when(facts.ended)),
        ("Outcome", facts.outcome),
        ("Plan SHA-256", facts.plan_sha256),
        ("Journal records", str(len(pages.records))),
        ("Journal head", pages.head),
        ("Signed by", signer.subject.rfc4514_string() if signer else "-"),
        ("Signer key SPKI SHA-256", spki_sha256(signer.public_key()) if signer else "-"),
    ]))
    story.append(Spacer(1, 4 * mm))
    story.append(paragraph(
        "This document is signed (PAdES B-B) by the ceremony's transcript-signing key and "
        "carries the journal, the plan and every artifact as embedded files. See "
        "docs/auditor-guide.md for how to verify it by hand or with `keyceremony verify`.",
        "body"))
    return story


def _people_and_tokens(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Participants", style["h1"])]
    story.append(table(["Name", "Role"], pages.facts.participants, [0.6, 0.4])
                 if pages.facts.participants else nothing("participants"))
    story.append(Paragraph("Tokens", style["h1"]))
    tokens = of(pages.records, Event.TOKEN_INFO)
    story.append(table(
        ["Label", "Manufacturer", "Model", "Serial", "Firmware", "Hardware",
         "Module loaded (SHA-256)"],
        [[*(r.data.get(k) for k in ("label", "manufacturer", "model", "serial", "firmware",
                                    "hardware")), _module(r.data)] for r in tokens],
        [0.12, 0.12, 0.1, 0.14, 0.07, 0.07, 0.38]) if tokens else nothing("token"))
    story += token_checks(pages.records)
    logins = of(pages.records, Event.TOKEN_LOGIN, Event.TOKEN_LOGIN_FAILED)
    if logins:
        story.append(Paragraph("Token logins", style["h2"]))
        story.append(table(["Time", "Person", "Event", "Token"],
                            [[when(r.time), r.actor, r.event, r.data.get("token")]
                             for r in logins], [0.22, 0.22, 0.2, 0.36]))
    return story


def _module(data: Mapping[str, object]) -> str:
    """The module as the plan named it, the file loaded and its SHA-256 (split to wrap)."""
    named, loaded = text(data.get("module")), data.get("module_path")
    if not loaded:
        return named  # a journal from before the module's file was recorded
    digest = text(data.get("module_sha256"))
    lines = [named] if loaded == named else [named, f"loaded: {text(loaded)}"]
    return "\n".join([*lines, " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))])


def _listing(value: object) -> str:
    """A mapping as ``key value, ...``, a list as ``item, ...``."""
    if isinstance(value, Mapping):
        return ", ".join(f"{text(k)} {text(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(map(text, value)) or "-"
    return text(value)


def _environment(pages: TranscriptPages) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("Environment", styles()["h1"])]
    records = of(pages.records, Event.ENVIRONMENT_RECORDED)
    if not records:
        return [*story, nothing("environment")]
    for record in records:
        data = record.data
        story.append(fields([
            ("Recorded", when(record.time)),
            ("Host", data.get("host")), ("Operating system", data.get("os")),
            ("Python", data.get("python")),
            ("Packages", _listing(data.get("packages"))),
            ("Program SHA-256", f"{text(data.get('program_sha256'))} over "
                                f"{text(data.get('program_files'))} files (the offline bundle "
                                "publishes it as PROGRAM-SHA256; keyceremony self-check prints "
                                "it for an installed copy)"),
            ("Network interfaces", _listing(data.get("interfaces"))),
            ("Up (not loopback)", ", ".join(map(text, data.get("network_up") or [])) or "none"),
        ]))
    return story


def _steps_and_events(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    rows = step_rows(pages.facts, pages.records)
    story: list[Flowable] = [Paragraph("Steps", style["h1"])]
    story.append(table(["Step", "Started", "Completed", "Who acted", "Outcome"],
                        [[f"{r.title} ({r.id})", when(r.started), when(r.completed),
                          ", ".join(r.actors) or "-", r.outcome] for r in rows],
                        [0.28, 0.15, 0.15, 0.18, 0.24]) if rows else nothing("steps"))
    problems = [r for r in pages.records if r.event in PROBLEM_EVENTS]
    story.append(Paragraph("Deviations, refusals and errors", style["h1"]))
    story.append(table(["#", "Time", "Who", "Event", "Step", "Reason"],
                        [[r.seq, when(r.time), f"{r.actor} ({r.role})", r.event,
                          r.data.get("step"), reason_of(r.data)] for r in problems],
                        [0.05, 0.15, 0.16, 0.13, 0.11, 0.40]) if problems
                 else paragraph("None: the ceremony ran as planned.", "body"))
    story.append(Paragraph("Every record in order", style["h1"]))
    story.append(table(["#", "Time", "Who", "Event", "Details"],
                        [[r.seq, when(r.time)[11:], f"{r.actor} ({r.role})", r.event,
                          summary(r.data)] for r in pages.records],
                        [0.05, 0.12, 0.16, 0.18, 0.49]))
    return story


def _signings(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Signings", style["h1"])]
    found = signings(pages.records)
    if not found:
        return [*story, nothing("signing")]
    for signing in found:
        confirmation = signing.confirmation
        data = confirmation.data
        story.append(Paragraph(escape(f"{text(data.get('object'))}: confirmed by "
                                      f"{confirmation.actor} ({confirmation.role}) at "
                                      f"{when(confirmation.time)}"), style["h2"]))
        shown = [(str(k), v) for k, v in dict(data.get("fields") or {}).items()]
        shown.append(("Extensions", "\n".join(map(text, data.get("extensions") or [])) or "-"))
        shown.append(("Lint shown", "\n".join(map(text, data.get("lint") or [])) or "-"))
        shown.append(("Signing key", data.get("signer")))
        lint = signing.lint_before
        shown.append(("Lint before signing", "none recorded" if lint is None else
                      f"{'clean' if lint.data.get('ok') else 'NOT CLEAN'} (record {lint.seq}): "
                      + ("; ".join(map(text, lint.data.get("findings") or [])) or
                         "no findings")))
        after = signing.lint_after
        if after is not None:
            verdict = "clean" if after.data.get("ok") else "NOT CLEAN"
            shown.append(("Lint after signing", f"{verdict} (record {after.seq})"))
        issued = signing.issued
        shown.append(("Issued", "not recorded" if issued is None else
                      f"record {issued.seq}: {issued.event}, SHA-256 "
                      f"{text(issued.data.get('sha256'))}"))
        story.append(fields(shown))
    return story


def _keys(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Keys generated", style["h1"])]
    keys = of(pages.records, Event.KEY_GENERATED, Event.KEY_RESTORED)
    if not keys and not of(pages.records, Event.KEY_LOCKED):
        return [*story, nothing("key generation")]
    for record in keys:
        data = record.data
        verb = "generated" if record.event == Event.KEY_GENERATED else "restored"
        moment = text(data.get("generated_at")) if data.get("generated_at") else record.time
        story.append(Paragraph(escape(f"Key {text(data.get('label'))}: {verb} on "
                                      f"{when(moment)}"), style["h2"]))
        story.append(fields([
            ("Key generation date" if verb == "generated" else "Restored on", when(moment)),
            ("Algorithm", data.get("algorithm")), ("Label", data.get("label")),
            ("SPKI SHA-256", data.get("spki_sha256")),
            ("Token", f"{text(data.get('token'))} (serial {text(data.get('token_serial'))})"),
            ("Extractable", data.get("extractable")), ("Generated in this token",
                                                       data.get("local")),
        ]))
    for record in of(pages.records, Event.KEY_LOCKED):
        data = record.data
        story.append(Paragraph(escape(f"Key {text(data.get('label'))}: made non-extractable on "
                                      f"{when(record.time)}"), style["h2"]))
        story.append(fields([
            ("Token", f"{text(data.get('token'))} (serial {text(data.get('token_serial'))})"),
            ("SPKI SHA-256", data.get("spki_sha256")),
            ("Read back", f"sensitive {text(data.get('sensitive'))}, extractable "
                          f"{text(data.get('extractable'))}, wrap with trusted only "
                          f"{text(data.get('wrap_with_trusted'))}"),
            ("Protections", data.get("protections")), ("Note", data.get("note")),
        ]))
    return story


def _artifact(pages: TranscriptPages, path: object) -> bytes | None:
    return next((a.data for a in pages.attachments if a.name == text(path)), None)


def _certificates(pages: TranscriptPages) -> tuple[list[Flowable], list[tuple[str, str]]]:
    style = styles()
    story: list[Flowable] = [Paragraph("Certificates and CRLs", style["h1"])]
    pems: list[tuple[str, str]] = []
    issued = of(pages.records, Event.CERTIFICATE_ISSUED, Event.CRL_ISSUED)
    if not issued:
        story.append(nothing("certificate or CRL"))
    for record in issued:
        data = record.data
        raw = _artifact(pages, data.get("path"))
        title = text(data.get("object", "CRL" if record.event == Event.CRL_ISSUED else "object"))
        story.append(Paragraph(escape(f"{title} ({text(data.get('path'))})"), style["h2"]))
        pairs: list[tuple[str, object]] = []
        if raw is not None and record.event == Event.CERTIFICATE_ISSUED:
            certificate = x509.load_pem_x509_certificate(raw)
            pairs += list(certificate_fields(certificate))
            pairs.append(("Extensions", "\n".join(describe_extension(e)
                                                  for e in certificate.extensions)))
            pems.append((title, raw.decode("ascii", "replace")))
        elif raw is not None:
            crl = x509.load_pem_x509_crl(raw)
            pairs += list(crl_fields(crl))
            pairs.append(("Extensions", "\n".join(describe_extension(e)
                                                  for e in crl.extensions)))
            pems.append((title, raw.decode("ascii", "replace")))
        pairs += [("Journal SHA-256", data.get("sha256")), ("Issued", when(record.time)),
                  ("Lint profile", data.get("lint_kind", "CRL (BR)"))]
        story.append(fields(pairs))
    return story, pems


def _shares_and_backups(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Share sets", style["h1"]),
                             paragraph("Share words are never recorded: only who holds which "
                                       "share, and the check value that proves a rebuilt "
                                       "secret.", "body")]
    sets = share_sets(pages.records)
    for share_set in sets:
        data = share_set.created.data
        story.append(Paragraph(escape(f"{text(data.get('purpose', 'share set'))}: "
                                      f"{text(data.get('scheme'))}"), style["h2"]))
        story.append(fields([
            ("Created", when(share_set.created.time)),
            ("Set identifier", data.get("set_identifier")),
            ("Check value", data.get("check_value")),
            ("Holders", "; ".join(", ".join(map(text, g)) for g in data.get("holders") or [])),

        ]))
        story.append(table(["Holder", "Share number", "Group", "Member", "Handed out",
                             "Copy proven", "Card printed"],
                            [[r.data.get("holder"), r.data.get("number"), r.data.get("group"),
                              r.data.get("member"), when(r.time),
                              (text(r.data.get("holder")), int(r.data.get("number", 0)))
                              in share_set.verified,
                              (text(r.data.get("holder")), int(r.data.get("number", 0)))
                              in share_set.carded] for r in share_set.handed_out],
                            [0.2, 0.11, 0.09, 0.1, 0.26, 0.12, 0.12]))
    if not sets:
        story.append(nothing("share set"))
    story.append(Paragraph("Backups written", style["h1"]))
    backups = of(pages.records, Event.KEY_BACKED_UP)
    digests = {a.name: a.sha256 for a in pages.attachments}
    for record in backups:
        data = record.data
        story.append(fields([
            ("Key", f"{text(data.get('label'))} (SPKI SHA-256 {text(data.get('spki_sha256'))})"),
            ("Wrap key check value", data.get("wrap_key_check_value")),
            ("Scheme", data.get("scheme")),
            *((f"File {text(f)}", f"SHA-256 {digests.get(text(f), 'not embedded')}")
              for f in data.get("files") or []),
        ]))
    if not backups:
        story.append(nothing("backup"))
    return story


def _attachments_and_head(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Embedded files", style["h1"])]
    story.append(table(["File", "Kind", "Size", "SHA-256"],
                        [[a.name, a.kind, len(a.data), a.sha256] for a in pages.attachments],
                        [0.25, 0.13, 0.07, 0.55], mono=(3,)))
    story.append(CondPageBreak(95 * mm))
    story.append(Paragraph("Journal chain head", style["h1"]))
    story.append(paragraph(f"The SHA-256 of the last of the {len(pages.records)} journal records "
                    "embedded in this transcript. Compare it with the paper log.", "body"))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(pages.head, style["courier"]))  # plain ASCII: verify finds it
    story.append(Spacer(1, 2 * mm))
    story.append(paragraph(head_words(pages.head), "body"))
    story.append(Spacer(1, 2 * mm))
    story.append(qr_code(pages.head, 40 * mm))
    return story


def _signature_blocks(pages: TranscriptPages) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [PageBreak(), Paragraph("Signatures of the participants",
                                                    style["h1"]),
                             paragraph("Each participant signs after reading this printed "
                                       "transcript and checking that it ends in the journal "
                                       f"head {pages.head[:16]}... written in the paper log.",
                                       "body"), Spacer(1, 4 * mm)]
    for name, role in pages.facts.participants:
        block = Table([[paragraph(f"{name}\n{role}"), paragraph("Signature"), paragraph("Date")]],
                      colWidths=[0.34 * WIDTH, 0.44 * WIDTH, 0.22 * WIDTH],
                      rowHeights=[16 * mm])
        block.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [KeepTogether(block), Spacer(1, 2 * mm)]
    return story


def _appendix(pems: Sequence[tuple[str, str]]) -> list[Flowable]:
    if not pems:
        return []
    style = styles()
    story: list[Flowable] = [PageBreak(), Paragraph("Appendix: certificates and CRLs in full",
                                                    style["h1"])]
    for title, pem in pems:
        story += [Paragraph(escape(title), style["h2"]), XPreformatted(escape(pem),
                                                                         style["pem"])]
    return story


def story(pages: TranscriptPages) -> list[Flowable]:
    """Every section, in the order the transcript has them."""
    certificates, pems = _certificates(pages)
    return [*_cover(pages), *_people_and_tokens(pages), *_environment(pages),
            *_steps_and_events(pages), *_signings(pages), *_keys(pages), *certificates,
            *_shares_and_backups(pages), *_attachments_and_head(pages),
            *_signature_blocks(pages), *_appendix(pems)]
