"""The transcript's pages as unsigned PDF bytes (reportlab), from the journal.

``transcript_pages`` has the sections, ``transcript_layout`` the typography; this module adds
the running header and footer (and the REHEARSAL mark on every page of a rehearsal) and
builds the document.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from ceremony.transcript.layout import RED, fonts
from ceremony.transcript.pages import TranscriptPages, story


def _decorate(pages: TranscriptPages) -> Any:
    facts = pages.facts

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        width, height = A4
        if facts.rehearsal:
            canvas.setFillColor(colors.Color(0.69, 0, 0.13, alpha=0.12))
            canvas.setFont("KC-Sans-Bold", 90)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -30, "REHEARSAL")
            canvas.rotate(-45)
            canvas.translate(-width / 2, -height / 2)
            canvas.setFillColor(RED)
            canvas.setFont("KC-Sans-Bold", 10)
            canvas.drawRightString(width - 18 * mm, height - 12 * mm, "REHEARSAL")
        canvas.setFillColor(colors.black)
        canvas.setFont("KC-Sans", 7.5)
        canvas.drawString(18 * mm, height - 12 * mm,
                          f"Key ceremony transcript \u00b7 {facts.id} \u00b7 {facts.type}")
        canvas.drawString(18 * mm, 10 * mm, f"Journal head {pages.head[:16]}\u2026 \u00b7 "
                                            f"{len(pages.records)} records")
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    return on_page


def render_transcript(pages: TranscriptPages) -> bytes:
    """The unsigned transcript PDF."""
    fonts()
    facts = pages.facts
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=16 * mm, title=f"Key ceremony transcript: {facts.title}",
        author="keyceremony", subject=f"{facts.type} ceremony {facts.id}",
        creator="keyceremony", keywords="REHEARSAL" if facts.rehearsal else "key ceremony",
    )
    on_page = _decorate(pages)
    document.build(story(pages), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


__all__ = ["TranscriptPages", "render_transcript"]
