"""The home screen: what is overdue or due soon first and in colour, then the whole inventory.

Reading happens on a background thread, so the window is painted before the inventory is
opened. A file that is not an inventory is reported as a sentence; the page stays usable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.typography import LARGE, typography
from gui.viewmodels.dashboard import (
    CEREMONY_COLUMNS,
    CERTIFICATE_COLUMNS,
    CRL_COLUMNS,
    DUE_COLUMNS,
    KEY_COLUMNS,
    SHARE_SET_COLUMNS,
    Column,
    Dashboard,
    Urgency,
    load_dashboard,
)
from gui.widgets.background import run_in_background
from gui.widgets.dialogs import open_file
from gui.widgets.plaintext import ElidedLabel, PlainLabel

URGENCY_COLOURS = {
    Urgency.OVERDUE: ("#fce8e6", "#a50e0e"),
    Urgency.DUE_SOON: ("#fef7e0", "#7a4f01"),
    Urgency.INACTIVE: (None, "#5f6368"),
}


COLUMN_PADDING = 24  # pixels beside a column's text, as Qt gives a header's


class DashboardTable(QTableWidget):
    """A read-only table whose columns are laid out from their ``Column`` (an empty table is
    as readable as a full one) and again when the font changes (presentation mode)."""

    def __init__(self, name: str, columns: Sequence[Column]) -> None:
        super().__init__(0, len(columns))
        self.columns = tuple(columns)
        self.setObjectName(name)
        self.setHorizontalHeaderLabels([column.header for column in columns])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Each column as wide as its header, its usual content and its rows; the free-text
        column takes what is left."""
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        for index, column in enumerate(self.columns):
            if column.stretch:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
                continue
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(index, max(header.sectionSizeHint(index),
                                            self.sizeHintForColumn(index),
                                            metrics.horizontalAdvance(column.sample)
                                            + COLUMN_PADDING))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_columns()


def fill(widget: DashboardTable, rows: Sequence[tuple[Sequence[str], Urgency]]) -> None:
    widget.setRowCount(len(rows))
    for index, (cells, urgency) in enumerate(rows):
        background, foreground = URGENCY_COLOURS.get(urgency, (None, None))
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if background:
                item.setBackground(QBrush(QColor(background)))
            if foreground:
                item.setForeground(QBrush(QColor(foreground)))
            widget.setItem(index, column, item)
    widget.fit_columns()


def _mark(urgency: Urgency) -> str:
    # Words as well as colour, for people who cannot tell the colours apart.
    return {Urgency.OVERDUE: "OVERDUE", Urgency.DUE_SOON: "due soon"}.get(urgency, "")


class DashboardPage(QWidget):
    """Reads the inventory and shows it; ``loaded`` fires when a read has been shown."""

    failed = Signal(str)
    resolved = Signal()  # an inventory was read: an earlier failure to read one is moot
    loaded = Signal()

    def __init__(self, window: Any = None) -> None:
        super().__init__()
        self.path: Path | None = getattr(window, "inventory", None)
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.dashboard: Dashboard | None = None
        self._generation = 0

        self.path_label = ElidedLabel()  # a long path never widens the window
        self.path_label.setObjectName("inventoryPath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = QPushButton("Open an inventory…")
        open_button.setObjectName("openInventory")
        open_button.clicked.connect(self._choose)
        reload_button = QPushButton("Reload")
        reload_button.setObjectName("reloadInventory")
        reload_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.path_label, 1)
        top.addWidget(open_button)
        top.addWidget(reload_button)

        self.summary = PlainLabel("Reading the inventory…")
        self.summary.setObjectName("dueSummary")
        self.summary.setWordWrap(True)
        typography().apply(self.summary, LARGE, bold=True)
        self.due = DashboardTable("due", DUE_COLUMNS)
        self.certificates = DashboardTable("certificates", CERTIFICATE_COLUMNS)
        self.crls = DashboardTable("crls", CRL_COLUMNS)
        self.share_sets = DashboardTable("shareSets", SHARE_SET_COLUMNS)
        self.keys = DashboardTable("keys", KEY_COLUMNS)
        self.ceremonies = DashboardTable("ceremonies", CEREMONY_COLUMNS)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("inventoryTabs")
        for widget, label in ((self.certificates, "Certificates"), (self.crls, "CRLs"),
                              (self.share_sets, "Share sets"), (self.keys, "CA keys"),
                              (self.ceremonies, "Recent ceremonies")):
            self.tabs.addTab(widget, label)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.due, 1)
        layout.addWidget(self.tabs, 2)
        self.reload()

    def _choose(self) -> None:
        shown = Path(self.dashboard.path) if self.dashboard is not None else self.path
        path = open_file(self, "Open an inventory",
                         "Inventories (*.sqlite3 *.sqlite *.db);;All files (*)", shown)
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> None:
        """Show the inventory at ``path``."""
        self.path = path
        self.reload()

    def reload(self) -> None:
        """Read the inventory again (off the GUI thread)."""
        path, now = self.path, self.now()
        self._generation += 1
        generation = self._generation
        self.path_label.setText(f"Inventory: {path or 'the default one'}")
        # Only the latest read is shown: an earlier one may finish after it.
        run_in_background(lambda: load_dashboard(path, now),
                          lambda board: self._show(board, generation),
                          lambda text: self._failed(text, generation))

    def _failed(self, text: str, generation: int) -> None:
        if generation != self._generation:
            return
        self.summary.setText("The inventory could not be read.")
        self.failed.emit(text)
        self.loaded.emit()

    def _show(self, dashboard: Dashboard, generation: int) -> None:
        if generation != self._generation:
            return
        self.dashboard = dashboard
        self.resolved.emit()
        self.path_label.setText(f"Inventory: {dashboard.path}")
        self.summary.setText(dashboard.summary)
        urgent = any(row.urgency is Urgency.OVERDUE for row in dashboard.due)
        self.summary.setStyleSheet("color: #a50e0e;" if urgent else "")
        fill(self.due, [((_mark(r.urgency), r.due, r.left, r.what, r.kind), r.urgency)
                        for r in dashboard.due])
        fill(self.certificates, [((_mark(c.urgency), c.subject, c.role, c.serial, c.not_after,
                                   c.left, "", c.status), c.urgency)
                                 for c in dashboard.certificates])
        for index, cert in enumerate(dashboard.certificates):
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(round(cert.elapsed * 100))
            bar.setFormat(f"{round(cert.elapsed * 100)} % used")
            self.certificates.setCellWidget(index, 6, bar)
        fill(self.crls, [((_mark(c.urgency), c.issuer, c.number, c.this_update, c.next_update,
                           c.left), c.urgency) for c in dashboard.crls])
        fill(self.share_sets, [((_mark(s.urgency), s.scheme, s.purpose, s.holders, s.last_drill,
                                 s.check_value), s.urgency) for s in dashboard.share_sets])
        fill(self.keys, [((k.label, k.algorithm, k.token, k.backup, k.created, k.spki_sha256),
                          Urgency.OK) for k in dashboard.keys])
        fill(self.ceremonies, [((c.title, c.type, c.started, c.outcome, c.head_words, c.folder),
                                Urgency.OK) for c in dashboard.ceremonies])
        self.loaded.emit()
