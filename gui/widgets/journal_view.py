"""The live journal table and the chain-head panel of the ceremony view."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ceremony.journal import Event
from gui.typography import LARGE, typography
from gui.viewmodels.journal_rows import ChainHead, JournalRow
from gui.widgets.plaintext import PlainLabel, set_tool_tip

LIVE_HEAD = "Journal chain head, as it grows (the first 8 of its 32 words):"
SPOKEN_HEAD = "Chain head to read aloud now and write in the paper log:"
ALERT_EVENTS = (Event.ERROR, Event.STEP_REFUSED, Event.CEREMONY_ABORTED, Event.DEVIATION)


class JournalTable(QTableWidget):
    """One row per journal record, newest at the bottom; alarming events in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setObjectName("journal")
        self.setAccessibleName("journal")
        self.setHorizontalHeaderLabels(["#", "Time", "Who", "Event", "Details"])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._fit_rows()

    def _fit_rows(self) -> None:
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode, system font change
            self._fit_rows()
        super().changeEvent(event)

    def add(self, row: JournalRow) -> None:
        index = self.rowCount()
        self.insertRow(index)
        clock = row.time[11:19] if len(row.time) >= 19 else row.time
        for column, text in enumerate((str(row.seq), clock, row.actor, row.event, row.summary)):
            item = QTableWidgetItem(text)
            if row.event in ALERT_EVENTS:
                item.setForeground(QBrush(QColor("#a50e0e")))
            self.setItem(index, column, item)


class ChainHeadPanel(QWidget):
    """The chain head, always in sight: short while it grows, whole when it is read aloud.

    A head being read aloud and written down stays on screen unchanged until ``release``,
    though the journal moves on meanwhile.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chainHead")
        self.caption = PlainLabel(LIVE_HEAD)
        self.caption.setObjectName("headCaption")
        self.words = PlainLabel("-")
        self.words.setObjectName("headWords")
        self.words.setWordWrap(True)
        typography().apply(self.words, LARGE, bold=True)
        self.hex = PlainLabel("-")
        self.hex.setObjectName("headHex")
        typography().apply(self.hex, 1.0, fixed=True)
        self.hex.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.words)
        layout.addWidget(self.hex)
        self.held = False

    def show_live(self, head: ChainHead) -> None:
        if self.held:
            return
        self.caption.setText(LIVE_HEAD)
        self.hex.setText(head.hex)
        self.words.setText(head.short_words)
        set_tool_tip(self.words, head.words)

    def show_spoken(self, hex_head: str, words: str) -> None:
        """Show the whole head to be read aloud, and hold it."""
        self.held = True
        self.caption.setText(SPOKEN_HEAD)
        self.hex.setText(hex_head)
        self.words.setText(words)

    def release(self) -> None:
        self.held = False
