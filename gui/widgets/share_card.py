"""Printing a custodian's share card: the painting, the printer rules and the spool warning.

Why this is safe enough, and what is left to the room: in this program the words go from the
hand-out's memory to ``QPainter`` calls on a ``QPrinter`` and nowhere else; the program writes
no file (a printer set to a file is refused, and Qt's print dialog, which offers "print to
file", is never opened), nothing to the clipboard, a log or the journal. Below the program the
print system does write: Qt's CUPS engine renders the page to a temporary PDF (``cupsTempFd``,
unlinked after ``cupsPrintFile``, not wiped), CUPS keeps the job in its spool (a day by default,
``PreserveJobFiles``), and the printer may keep it too. That is outside this program's reach:
the warning says so before anything is printed, printing is off unless the plan turns it on,
and turning it on is the room's accepted risk. The print queue sees a neutral job name, never
the holder or the words.

The painting is one function over a ``CardCanvas`` that records each text run it draws, so a
test paints the same card onto a ``QImage`` in memory and reads what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.errors import GuiError
from gui.viewmodels.share_card import (
    CARD_FOOTER,
    DO_NOT_PRINT_VERB,
    PRINT_VERB,
    PrinterOffer,
    ShareCard,
    refusal,
)
from gui.widgets.plaintext import PlainLabel
from gui.widgets.qr import QUIET_ZONE, qr_modules

CARD_WIDTH_MM = 148.0  # A6 landscape: fits a page and a safe-deposit envelope
CARD_HEIGHT_MM = 105.0
DOCUMENT_NAME = "keyceremony card"  # what the print queue lists: no holder, no words


class CardNotPrinted(GuiError):
    """The card was not printed: the sentence says why."""


@dataclass(frozen=True)
class TextRun:
    """One piece of text painted on the card, and where (device units)."""

    text: str = field(repr=False)
    rect: QRectF
    bold: bool = False


class CardCanvas:
    """A ``QPainter`` for a card that remembers the text it draws (for tests and nothing else)."""

    def __init__(self, painter: QPainter) -> None:
        self.painter = painter
        self.runs: list[TextRun] = []
        self.qr_rect = QRectF()

    def text(self, rect: QRectF, text: str, pixels: float, bold: bool = False,
             align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        font = QFont(self.painter.font())
        font.setPixelSize(max(1, round(pixels)))
        font.setBold(bold)
        self.painter.setFont(font)
        self.painter.setPen(QColor("black"))
        self.painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), text)
        self.runs.append(TextRun(text, rect, bold))

    def qr(self, rect: QRectF, text: str) -> None:
        modules = qr_modules(text)
        count = len(modules) + 2 * QUIET_ZONE
        unit = min(rect.width(), rect.height()) / count
        self.qr_rect = QRectF(rect.left(), rect.top(), unit * count, unit * count)
        self.painter.fillRect(self.qr_rect, QColor("white"))
        for row, line in enumerate(modules):
            for column, dark in enumerate(line):
                if dark:
                    self.painter.fillRect(QRectF(rect.left() + (column + QUIET_ZONE) * unit,
                                                 rect.top() + (row + QUIET_ZONE) * unit,
                                                 unit, unit), QColor("black"))


def _fitting(pixels: float, texts: list[str], width: float, painter: QPainter,
             bold: bool = False) -> float:
    """``pixels``, made smaller until the widest of ``texts`` fits in ``width``."""
    font = QFont(painter.font())
    font.setBold(bold)
    font.setPixelSize(max(1, round(pixels)))
    widest = max((QFontMetricsF(font).horizontalAdvance(t) for t in texts), default=0.0)
    return pixels if widest <= width or widest == 0 else max(1.0, pixels * width / widest)


def paint_card(canvas: CardCanvas, card: ShareCard, area: QRectF) -> None:
    """Paint ``card`` in ``area``: a cut line, title, header, numbered words in columns, the QR
    code of the words on the right, and a footer."""
    painter = canvas.painter
    width, height = area.width(), area.height()
    margin = min(width, height) * 0.05
    painter.setPen(QPen(QColor("black"), max(1.0, width / 600), Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(area)  # the cut line
    inner = area.adjusted(margin, margin, -margin, -margin)
    line = inner.height() / 16
    top = inner.top()
    title_pixels = _fitting(line * 0.95, [card.title], inner.width(), painter, bold=True)
    canvas.text(QRectF(inner.left(), top, inner.width(), line * 1.2), card.title,
                title_pixels, bold=True)
    top += line * 1.3
    header_pixels = _fitting(line * 0.7, list(card.header), inner.width(), painter)
    for text in card.header:
        canvas.text(QRectF(inner.left(), top, inner.width(), line), text, header_pixels)
        top += line
    top += line * 0.3
    footer_top = inner.bottom() - line
    body = QRectF(inner.left(), top, inner.width(), footer_top - top - line * 0.3)
    side = min(body.height(), body.width() * 0.34)
    canvas.qr(QRectF(body.right() - side, body.top(), side, side), card.qr_text())
    words_width = body.width() - side - margin
    column_width = words_width / card.columns
    row_height = body.height() / max(card.rows, 1)
    word_pixels = _fitting(row_height * 0.72, [w.text for w in card.words],
                           column_width * 0.95, painter, bold=True)
    for word in card.words:
        rect = QRectF(body.left() + word.column * column_width, body.top() + word.row * row_height,
                      column_width, row_height)
        canvas.text(rect, word.text, word_pixels, bold=True)
    canvas.text(QRectF(inner.left(), footer_top, inner.width(), line), CARD_FOOTER,
                _fitting(line * 0.6, [CARD_FOOTER], inner.width(), painter))


def card_printer(name: str) -> QPrinter:
    """A printer for the attached printer ``name``, set up for one card (not yet checked)."""
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise CardNotPrinted(f"The printer {name!r} is no longer attached, so the card was not "
                             "printed.")
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(DOCUMENT_NAME)
    printer.setCopyCount(1)
    return printer


def print_card(card: ShareCard, printer: QPrinter) -> None:
    """Paint ``card`` straight onto ``printer``, which must be a real printer, never a file.

    Raises ``CardNotPrinted`` (nothing sent) when the printer is set to a file or fails to
    start.
    """
    native = printer.outputFormat() is QPrinter.OutputFormat.NativeFormat
    problem = refusal(native, printer.outputFileName(), printer.printerName())
    if problem is not None:
        raise CardNotPrinted(problem)
    painter = QPainter()
    if not painter.begin(printer):
        raise CardNotPrinted(f"The printer {printer.printerName()!r} did not accept the card; "
                             "write the share down by hand.")
    try:
        page = printer.pageLayout().paintRectPixels(printer.resolution())
        dots = printer.resolution() / 25.4
        width = min(CARD_WIDTH_MM * dots, float(page.width()))
        height = min(CARD_HEIGHT_MM * dots, float(page.height()))
        paint_card(CardCanvas(painter), card, QRectF(0, 0, width, height))
    finally:
        painter.end()


class SpoolWarning(QDialog):
    """Before printing: what the spool may keep, the printer to use, and two verbs."""

    def __init__(self, card: ShareCard, offer: PrinterOffer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print a share card")
        self.setModal(True)
        message = PlainLabel(card.spool_warning())
        message.setObjectName("spoolWarning")
        message.setWordWrap(True)
        self.printers = QComboBox()
        self.printers.setObjectName("cardPrinter")
        self.printers.addItems(list(offer.printers))
        self.printers.setCurrentText(offer.first_choice)
        label = PlainLabel("Printer:")
        label.setBuddy(self.printers)
        buttons = QDialogButtonBox()
        self.print_button = QPushButton(PRINT_VERB)
        self.print_button.setObjectName("printCard")
        self.cancel_button = QPushButton(DO_NOT_PRINT_VERB)
        self.cancel_button.setObjectName("doNotPrintCard")
        self.cancel_button.setDefault(True)  # Enter does not print
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(label)
        layout.addWidget(self.printers)
        layout.addWidget(buttons)

    @property
    def printer_name(self) -> str:
        return self.printers.currentText()


def attached_printers() -> PrinterOffer:
    """The printers attached to this machine, as the hand-out screen offers them."""
    return PrinterOffer(tuple(QPrinterInfo.availablePrinterNames()),
                        QPrinterInfo.defaultPrinterName())
