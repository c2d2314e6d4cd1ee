"""The transcript's typography and building blocks (reportlab): fonts, styles, tables.

Text is set in DejaVu Sans when the system has it (every script a name may be written in),
else in the Bitstream Vera that ships with reportlab; fonts are embedded, so the PDF looks the
same everywhere. ``COURIER`` is the standard Courier, whose text stays plain ASCII in the page
content: the journal head is set in it once, which is where ``verify`` finds it printed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from ceremony.transcript.sections import text

WIDTH = A4[0] - 36 * mm
RED = colors.HexColor("#b00020")
_FONT_FILES = {
    "KC-Sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Vera.ttf"),
    "KC-Sans-Bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "VeraBd.ttf"),
    "KC-Mono": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "Vera.ttf"),
}


@functools.cache
def fonts() -> None:
    """Register the embedded fonts once."""
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    for name, (system, fallback) in _FONT_FILES.items():
        path = Path(system) if Path(system).exists() else bundled / fallback
        pdfmetrics.registerFont(TTFont(name, str(path)))


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name."""
    fonts()
    body = ParagraphStyle("body", fontName="KC-Sans", fontSize=9, leading=11.5)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName="KC-Sans-Bold", fontSize=18,
                                leading=22, spaceAfter=6),
        "h1": ParagraphStyle("h1", body, fontName="KC-Sans-Bold", fontSize=13, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "h2": ParagraphStyle("h2", body, fontName="KC-Sans-Bold", fontSize=10, leading=13,
                             spaceBefore=6, spaceAfter=2),
        "cell": ParagraphStyle("cell", body, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", body, fontName="KC-Sans-Bold", fontSize=7.5, leading=9),
        "mono": ParagraphStyle("mono", body, fontName="KC-Mono", fontSize=7, leading=8.5,
                               wordWrap="CJK"),
        "courier": ParagraphStyle("courier", body, fontName="Courier", fontSize=9, leading=11),
        "pem": ParagraphStyle("pem", body, fontName="KC-Mono", fontSize=6.5, leading=7.5),
        "banner": ParagraphStyle("banner", body, fontName="KC-Sans-Bold", fontSize=14,
                                 leading=18, textColor=RED),
    }


def paragraph(value: object, style: str = "cell") -> Paragraph:
    """A journal value as an escaped paragraph; new lines are kept."""
    return Paragraph(escape(text(value)).replace("\n", "<br/>"), styles()[style])


def when(moment: str) -> str:
    """A journal time (``2026-01-02T03:04:05.678901Z``) as ``2026-01-02 03:04:05 UTC``."""
    if len(moment) >= 19 and moment[10] == "T":
        return f"{moment[:10]} {moment[11:19]} UTC"
    return moment


def table(headers: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float], mono: Sequence[int] = ()) -> Table:
    """A grid with a repeated header row; columns in ``mono`` are set in the mono font."""
    style = styles()
    data: list[list[Any]] = [[Paragraph(escape(h), style["head"]) for h in headers]]
    data += [[paragraph(cell, "mono" if i in mono else "cell") for i, cell in enumerate(row)]
             for row in rows]
    table = Table(data, colWidths=[w * WIDTH for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def fields(pairs: Sequence[tuple[str, object]], mono: bool = False) -> Table:
    """Label/value rows without a header."""
    style = styles()
    data = [[Paragraph(escape(label), style["head"]), paragraph(value, "mono" if mono else "cell")]
            for label, value in pairs]
    table = Table(data, colWidths=[0.22 * WIDTH, 0.78 * WIDTH])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def nothing(what: str) -> Paragraph:
    """The sentence that says a section is empty."""
    return paragraph(f"No {what} recorded.", "body")


def qr_code(value: str, size: float) -> Drawing:
    """A QR code of ``value``, ``size`` points square."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing
