"""Type sizes that follow the system font, and the presentation mode for projectors.

No size is fixed in pixels or points: every font is the system font scaled by a factor, so
text grows with the desktop's font setting. Presentation mode multiplies everything by
``PRESENTATION_SCALE`` so witnesses can read the wall from the back of the room.
"""

from __future__ import annotations

import weakref

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

PRESENTATION_SCALE = 1.6
HEADLINE = 2.0  # the current step's title
LARGE = 1.35  # instructions, who acts, the chain head


class Typography:
    """The app's fonts: the system font times the mode's scale, headlines scaled further."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._base = QFont(app.font())  # the system font as the desktop set it
        self._scale = 1.0
        self._scaled: weakref.WeakKeyDictionary[QWidget, tuple[float, bool, bool]] = \
            weakref.WeakKeyDictionary()

    @property
    def presenting(self) -> bool:
        return self._scale != 1.0

    def font(self, factor: float = 1.0, bold: bool = False, fixed: bool = False) -> QFont:
        """The system font (or the fixed-pitch one) scaled by ``factor`` and the mode."""
        font = QFont(self._base)
        if fixed:
            font.setFamilies(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
                             .families())
        size = self._base.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * factor * self._scale)
        else:  # a pixel-sized system font
            font.setPixelSize(max(1, round(self._base.pixelSize() * factor * self._scale)))
        font.setBold(bold)
        return font

    def apply(self, widget: QWidget, factor: float, bold: bool = False,
              fixed: bool = False) -> None:
        """Give ``widget`` a font ``factor`` times the base, kept up to date with the mode."""
        self._scaled[widget] = (factor, bold, fixed)
        widget.setFont(self.font(factor, bold, fixed))

    def set_presenting(self, on: bool) -> None:
        """Switch presentation mode: every font in the app grows or returns to normal."""
        self._scale = PRESENTATION_SCALE if on else 1.0
        self._app.setFont(self.font())
        for widget, (factor, bold, fixed) in list(self._scaled.items()):
            try:
                widget.setFont(self.font(factor, bold, fixed))
            except RuntimeError:  # the widget's C++ side is gone
                continue


_typography: Typography | None = None


def typography() -> Typography:
    """The app's typography (made on first use, once a QApplication exists)."""
    global _typography
    app = QApplication.instance()
    if _typography is None or _typography._app is not app:
        if not isinstance(app, QApplication):
            raise RuntimeError("Typography needs a QApplication.")
        _typography = Typography(app)
    return _typography
