"""A QR code of the journal's chain head, so an auditor's phone or scanner can read it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of a QR code (level M) of ``text``."""
    from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel

    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(row, column)) for column in range(count))
                 for row in range(count))


class QrCode(QWidget):
    """Paints ``text`` as a QR code, as large as the widget allows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._modules: tuple[tuple[bool, ...], ...] = ()
        self.text = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_text(self, text: str) -> None:
        self.text = text
        self._modules = qr_modules(text) if text else ()
        self.setAccessibleDescription(f"QR code of {text}" if text else "")
        self.update()

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height() * 12
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._modules:
            return
        count = len(self._modules) + 2 * QUIET_ZONE
        side = min(self.width(), self.height())
        unit = max(1, side // count)
        painter = QPainter(self)
        painter.fillRect(0, 0, unit * count, unit * count, QColor("white"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for row, line in enumerate(self._modules):
            for column, dark in enumerate(line):
                if dark:
                    painter.drawRect((column + QUIET_ZONE) * unit, (row + QUIET_ZONE) * unit,
                                     unit, unit)
        painter.end()
