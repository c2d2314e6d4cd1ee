"""The printed ceremony script as PDF bytes (reportlab), in the transcript's typography.

Every text from the plan goes through ``transcript_layout.paragraph``, which escapes it, so a
name holding markup prints as the characters it is.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ceremony.journal import head_words
from ceremony.script.content import CeremonyScript, HandOutSheet, Person, ScriptStep
from ceremony.transcript.layout import RED, WIDTH, fields, fonts, paragraph, styles, table

BOX = 4.2 * mm  # a tick box
WRITING_LINE = 8 * mm  # the height of a line to write on
HEAD_LINES = 4  # the chain head is 32 PGP words, read and written 8 to a line
_GRID = ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)


def _people(people: tuple[Person, ...]) -> str:
    return ", ".join(f"{p.name} ({p.role})" for p in people) or "-"


def _tick_box() -> Table:
    box = Table([[""]], colWidths=[BOX], rowHeights=[BOX])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black)]))
    return box


def _write_here(label: str) -> list[Any]:
    return [paragraph(label, "head"), ""]


def _sign_row(label: str) -> Table:
    """A tick box, what it confirms, and lines for a signature and the time."""
    row = Table([[_tick_box(), paragraph(label, "cell"), *_write_here("Signature"),
                  *_write_here("Time")]],
                colWidths=[w * WIDTH for w in (0.05, 0.37, 0.11, 0.27, 0.07, 0.13)])
    # The row grows with a long label (a fixed height let it spill over the table above);
    # the top padding keeps room to sign when the label is one line.
    row.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), WRITING_LINE - BOX),
        ("LINEBELOW", (3, 0), (3, 0), 0.5, colors.black),
        ("LINEBELOW", (5, 0), (5, 0), 0.5, colors.black),
    ]))
    return row


def _lines(count: int, label: str) -> Table:
    """``count`` empty ruled lines under a heading, to write on."""
    data: list[list[Any]] = [[paragraph(label, "head")]] + [[""] for _ in range(count)]
    lines = Table(data, colWidths=[WIDTH], rowHeights=[None] + [WRITING_LINE] * count)
    lines.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))
    return lines


def _head_box(when: str) -> list[Flowable]:
    return [
        Spacer(1, 2 * mm),
        KeepTogether([
            _lines(1, f"Chain head {when}: its record number (the screen shows it)"),
            _lines(HEAD_LINES, "Write its 32 words, 8 to a line, as they are read aloud; a "
                               "witness reads them back from the screen"),
            _sign_row("The words written match the screen"),
        ]),
    ]


def _hand_out_table(sheet: HandOutSheet) -> list[Flowable]:
    style = styles()
    grouped = any(line.group > 1 for line in sheet.lines)
    data: list[list[Any]] = [[Paragraph(h, style["head"]) for h in
                              ("No.", "Custodian", "Group", "Copy proven", "Custodian's signature",
                               "Time")]]
    for line in sheet.lines:
        data.append([paragraph(str(line.number)), paragraph(line.holder),
                     paragraph(str(line.group) if grouped else "-"), _tick_box(), "", ""])
    sheet_table = Table(data, colWidths=[w * WIDTH for w in (0.06, 0.3, 0.08, 0.12, 0.3, 0.14)],
                        rowHeights=[None] + [WRITING_LINE + 2 * mm] * len(sheet.lines),
                        repeatRows=1)
    sheet_table.setStyle(TableStyle([
        _GRID, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))
    return [
        Spacer(1, 2 * mm),
        paragraph(f"Share hand-out ({sheet.scheme}): each custodian in turn, alone at the "
                  "screen, writes the share on their own paper, proves the copy to the "
                  "program, and signs here. Nobody else looks at the screen or the paper."
                  + (" The plan allows printing each share as a card on a printer in the "
                     "room: the print system may keep a copy in its spool, the copy is still "
                     "proved, and the journal says whose card was printed."
                     if sheet.cards else ""),
                  "body"),
        Spacer(1, 1 * mm),
        sheet_table,
    ]


def _step(step: ScriptStep, count: int) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        paragraph(f"Step {step.number} of {count}: {step.title}", "h2"),
        fields([
            ("Who acts", _people(step.actors)),
            ("What happens", step.instructions),
            ("What they check", step.check or "That the screen shows this step and what "
                                              "happens matches the description above."),
        ]),
        Spacer(1, 1 * mm),
    ]
    if step.check:
        story.append(_sign_row(f"Confirmed: {step.check}"))
    if step.hand_out is not None:
        story += _hand_out_table(step.hand_out)
    if step.shows_head:
        story += _head_box("shown when this step's work is done")
    story += [_sign_row("Step completed as described (a deviation is written below)"),
              Spacer(1, 2 * mm), _lines(1, "Deviations or notes")]
    return story


def _cover(script: CeremonyScript) -> list[Flowable]:
    style = styles()
    story: list[Flowable] = [Paragraph("Key ceremony script", style["title"]),
                             paragraph(script.title, "h1")]
    if script.rehearsal:
        story.append(Paragraph("REHEARSAL: nothing made in this ceremony is for real use.",
                               style["banner"]))
    story += [
        fields([
            ("Ceremony id", script.id),
            ("Type", script.type + (" (rehearsal)" if script.rehearsal else "")),
            ("Location", script.location or "-"),
            ("Plan file", script.plan_name),
            ("Plan SHA-256", script.plan_sha256),
            ("Plan SHA-256 as words", head_words(script.plan_sha256)),
        ]),
        Spacer(1, 2 * mm),
        paragraph("This script is printed from the plan alone. Before the ceremony, compare the "
                  "plan's SHA-256 above with the reviewed plan in version control (sha256sum "
                  "PLAN); the program records the same digest in the journal when the ceremony "
                  "starts. Follow the steps in order; tick each box when it is done and sign. "
                  "What the program shows decides: where this paper differs, stop and record a "
                  "deviation.", "body"),
        _sign_row("The plan's SHA-256 matches the reviewed plan"),
        paragraph("Participants", "h1"),
        table(("Name", "Role"), [(p.name, p.role) for p in script.participants], (0.6, 0.4)),
        Spacer(1, 2 * mm),
        _lines(2, "Also present (name, role, arrived, left)"),
        paragraph("Steps", "h1"),
    ]
    return story


def _closing(script: CeremonyScript) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(), paragraph("Closing", "h1"),
        paragraph("When every step is done, the program writes and signs the transcript and "
                  "shows the final chain head with its record number: the hash of the last "
                  "record the transcript covers (ceremony-completed). The dashboard, the auditor "
                  "view and 'keyceremony verify' show this same head; the two records after it "
                  "in journal.jsonl (transcript-written, and head-recorded naming who wrote it "
                  "here) are outside the signed transcript.", "body"),
        *_head_box("shown when the ceremony ends"),
        paragraph("Signatures", "h1"),
        paragraph("We were present and saw the ceremony run as this script describes, except "
                  "for the deviations written in it.", "body"),
        Spacer(1, 2 * mm),
    ]
    style = styles()
    data: list[list[Any]] = [[Paragraph(h, style["head"]) for h in
                              ("Name", "Role", "Signature", "Date and time")]]
    data += [[paragraph(p.name), paragraph(p.role), "", ""] for p in script.signatories]
    data += [["", "", "", ""], ["", "", "", ""]]  # for people the plan did not name
    signatures = Table(data, colWidths=[w * WIDTH for w in (0.3, 0.14, 0.36, 0.2)],
                       rowHeights=[None] + [WRITING_LINE + 4 * mm] * (len(data) - 1))
    signatures.setStyle(TableStyle([
        _GRID, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))
    return [*story, signatures]


def _decorate(script: CeremonyScript) -> Any:
    # Plain strings drawn on the canvas are not markup; invisible characters are already shown.
    header = (f"Key ceremony script \u00b7 {script.id} \u00b7 plan SHA-256 "
              f"{script.plan_sha256[:16]}\u2026")

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFont("KC-Sans", 7.5)
        canvas.drawString(18 * mm, height - 12 * mm, header)
        if script.rehearsal:
            canvas.setFillColor(RED)
            canvas.setFont("KC-Sans-Bold", 10)
            canvas.drawRightString(width - 18 * mm, height - 12 * mm, "REHEARSAL")
            canvas.setFillColor(colors.black)
            canvas.setFont("KC-Sans", 7.5)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    return on_page


def render_script(script: CeremonyScript) -> bytes:
    """The printed script as PDF bytes."""
    fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=16 * mm, title=f"Key ceremony script: {script.title}",
        author="keyceremony", subject=f"{script.type} ceremony {script.id}",
        creator="keyceremony",
    )
    story = _cover(script)
    for step in script.steps:
        story += _step(step, len(script.steps))
    story += _closing(script)
    on_page = _decorate(script)
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
