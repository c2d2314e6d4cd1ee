"""The main window: navigation between the dashboard, starting a ceremony, the auditor view
and the certificate viewer, and the running ceremony when there is one.

Pages are imported and built when first shown (the dashboard just after the window's first
paint), so the window appears about as fast as an empty one. Every error reaches the person as
a sentence in the banner at the top; a message belongs to the page that raised it (shown with
that page only, gone once the page reports it put right). Files dropped on the window open in
the page they belong to. Ctrl+Shift+P switches presentation mode (larger type for a
projector); Ctrl+1 to Ctrl+5 move between pages.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.typography import typography
from gui.viewmodels.page_messages import MessageKind, PageMessages
from gui.viewmodels.palette import navigation_style
from gui.widgets.banner import Banner, enter_clicks_buttons
from gui.widgets.dialogs import open_file
from gui.widgets.icons import page_icon
from gui.widgets.plaintext import PlainLabel, ask
from gui.widgets.wheel import guard_wheel

# name -> (navigation label, module, class)
PAGES: dict[str, tuple[str, str, str]] = {
    "dashboard": ("Dashboard", "gui.pages.dashboard", "DashboardPage"),
    "start": ("Start a ceremony", "gui.pages.start", "StartPage"),
    "auditor": ("Auditor", "gui.pages.auditor", "AuditorPage"),
    "viewer": ("Certificates and CRLs", "gui.pages.viewer", "ViewerPage"),
}
CEREMONY = "ceremony"
FIRST_PAGE_FALLBACK_MS = 500
_SUFFIX_PAGES = {
    ".toml": "start",
    ".pdf": "auditor", ".jsonl": "auditor",
    ".sqlite3": "dashboard", ".sqlite": "dashboard", ".db": "dashboard",
}


LARGEST_START = QSize(1800, 1100)  # wider than this, lines grow too long to read


def initial_size(available: QSize) -> QSize:
    """The window's size when it opens: the screen's free area, up to ``LARGEST_START``."""
    return available.boundedTo(LARGEST_START)


STOP_QUESTION = ("A ceremony is running. Stopping it closes the tokens and signs nothing more; "
                 "the journal is kept and records where the ceremony stopped. Write down the "
                 "chain head shown after it stops. To resume later, run the same plan again "
                 "with the same folder: it continues from the step where it stopped.")
STOP_VERBS = ("Stop the ceremony", "Keep going")


def confirm_stop(parent: QWidget) -> bool:
    """Ask whether to stop the running ceremony (tests replace this function)."""
    return ask(parent, "Stop the ceremony?", STOP_QUESTION, STOP_VERBS)


class MainWindow(QMainWindow):
    """The app's one window."""

    def __init__(self, inventory: Path | None = None) -> None:
        super().__init__()
        guard_wheel()
        self.setWindowTitle("keyceremony")
        self.setAcceptDrops(True)
        self.inventory = inventory
        self._pages: dict[str, QWidget] = {}
        self._order = [*PAGES, CEREMONY]
        self.ceremony: Any = None  # the CeremonyView of the running or last ceremony
        self._close_when_stopped = False
        self._was_maximised = False  # before presentation mode went full-screen

        self.banner = Banner()
        self.messages = PageMessages()
        self.banner.dismissed.connect(lambda: self.messages.dismissed(self.current_page_name()))
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("pages")
        self.nav.setStyleSheet(navigation_style())
        for name, (label, _, _) in PAGES.items():
            self.nav.addItem(QListWidgetItem(page_icon(name), label))
        self._fit_navigation()
        self.stack = QStackedWidget()
        for name in PAGES:
            placeholder = PlainLabel("Loading…")
            placeholder.setObjectName(f"placeholder-{name}")
            self.stack.addWidget(placeholder)
        self.nav.setCurrentRow(0)
        self.nav.currentRowChanged.connect(self._row_changed)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.addWidget(self.banner)
        column.addWidget(body, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ctrl+Shift+P: presentation mode · Ctrl+O: open a file · "
                                     "Ctrl+1…5: pages")
        self._shortcuts()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.resize(initial_size(screen.availableGeometry().size()))
        # The first page is built just after the window's first paint, so the window shows at
        # once; the fallback covers a window that is never painted (hidden, minimised).
        self._first_page_pending = True
        QTimer.singleShot(FIRST_PAGE_FALLBACK_MS, self._build_first_page)

    # --- pages -------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if getattr(self, "_first_page_pending", False) and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self._build_first_page)
        return super().event(event)

    def _build_first_page(self) -> None:
        if self._first_page_pending:
            self._first_page_pending = False
            self.show_page(self.current_page_name())

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self.toggle_presentation)
        QShortcut(QKeySequence.StandardKey.Open, self, self.open_dialog)
        for index in range(len(self._order)):
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda i=index: self._go(i))

    def _go(self, index: int) -> None:
        if index < self.nav.count():
            self.nav.setCurrentRow(index)

    def current_page_name(self) -> str:
        return self._order[max(0, self.nav.currentRow())]

    def _row_changed(self, row: int) -> None:
        if row >= 0:
            self.show_page(self._order[row])

    def page(self, name: str) -> Any:
        """The page called ``name``, built (and its module imported) on first use."""
        if name in self._pages:
            return self._pages[name]
        if name == CEREMONY:
            raise KeyError("No ceremony has been started.")
        _, module_name, class_name = PAGES[name]
        cls = getattr(importlib.import_module(module_name), class_name)
        page = cls(self)
        page.setObjectName(f"page-{name}")
        enter_clicks_buttons(page)
        if hasattr(page, "failed"):
            page.failed.connect(lambda text, owner=name: self.show_error(text, owner))
        if hasattr(page, "informed"):
            page.informed.connect(lambda text, owner=name: self.show_info(text, owner))
        if hasattr(page, "resolved"):  # what the page said is put right: its error goes
            page.resolved.connect(lambda owner=name: self._resolved(owner))
        index = self._order.index(name)
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, page)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self._pages[name] = page
        return page

    def show_page(self, name: str) -> Any:
        """Show page ``name`` (building it if needed) and select it in the navigation."""
        try:
            page = self.page(name)
        except Exception as ex:  # a page that cannot be built is reported, not fatal
            from gui.viewmodels.messages import sentence

            self.show_error(sentence(ex))
            return None
        index = self._order.index(name)
        if self.nav.currentRow() != index:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(index)
            self.nav.blockSignals(False)
        self.stack.setCurrentWidget(page)
        self._show_message_of(name)
        return page

    # --- messages ----------------------------------------------------------------------------

    def show_error(self, text: str, page: str | None = None) -> None:
        """Say ``text`` as an error of ``page`` (the page shown, if None)."""
        self._say(text, MessageKind.ERROR, page)

    def show_info(self, text: str, page: str | None = None) -> None:
        """Say ``text`` as information from ``page`` (the page shown, if None)."""
        self._say(text, MessageKind.INFO, page)

    def _say(self, text: str, kind: MessageKind, page: str | None) -> None:
        owner = page or self.current_page_name()
        self.messages.say(owner, text, kind)
        if owner == self.current_page_name():
            self._show_message_of(owner)

    def _resolved(self, page: str) -> None:
        self.messages.resolved(page)
        if page == self.current_page_name():
            self._show_message_of(page)

    def _show_message_of(self, page: str) -> None:
        message = self.messages.of(page)
        if message is None:
            self.banner.dismiss()
        else:
            self.banner.show_message(message.text, message.kind.value)

    def _fit_navigation(self) -> None:
        # The font about to be in force: the list's own may not have caught up yet.
        metrics = QFontMetrics(typography().font())
        labels = [self.nav.item(i).text() for i in range(self.nav.count())]
        widest = max(metrics.horizontalAdvance(text) for text in labels)
        side = metrics.height() + 4  # the page's icon, as tall as a line of text
        self.nav.setIconSize(QSize(side, side))
        self.nav.setFixedWidth(widest + side + metrics.horizontalAdvance("MMM"))

    def toggle_presentation(self) -> None:
        """Presentation mode: every font grows for reading from a projected wall."""
        fonts = typography()
        fonts.set_presenting(not fonts.presenting)
        self._fit_navigation()
        if self.ceremony is not None:
            self.ceremony.set_presenting(fonts.presenting)
            self.nav.setVisible(not fonts.presenting)  # Ctrl+1…5 still move between pages
        if fonts.presenting:
            self._was_maximised = self.isMaximized()
            self.showFullScreen()
        elif self._was_maximised:
            self.showMaximized()
        else:
            self.showNormal()
        self.statusBar().showMessage("Presentation mode on (Ctrl+Shift+P to leave)"
                                     if fonts.presenting else "Presentation mode off", 4000)

    # --- files -------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        path = open_file(self, "Open a plan, transcript, journal, inventory, certificate or CRL")
        if path is not None:
            self.open_file(path)

    def open_file(self, path: Path) -> None:
        """Open ``path`` in the page it belongs to: a folder (a ceremony's) in the auditor view,
        a file by its name; anything else in the certificate viewer."""
        name = "auditor" if path.is_dir() else _SUFFIX_PAGES.get(path.suffix.lower(), "viewer")
        page = self.show_page(name)
        if page is not None:
            page.open_path(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_file(Path(url.toLocalFile()))
        event.acceptProposedAction()

    # --- ceremonies --------------------------------------------------------------------------

    def start_job(self, job: Any) -> Any:
        """Run ``job`` (a ``gui.viewmodels.jobs.CeremonyJob``) in a new ceremony view."""
        from gui.pages.ceremony import CeremonyView

        if self.ceremony is not None and self.ceremony.running:
            self.show_error("A ceremony is already running; finish or stop it before starting "
                            "another.")
            return None
        view = CeremonyView(job)
        view.setObjectName("page-ceremony")
        view.add_stop_button(self.ask_stop)
        enter_clicks_buttons(view)
        view.ended.connect(self._ceremony_ended)
        view.audit_requested.connect(lambda folder: self.open_file(Path(folder)))
        view.inventory_requested.connect(lambda path: self.open_file(Path(path)))
        view.moment_changed.connect(self._moment)
        view.set_presenting(typography().presenting)
        self.nav.setVisible(not typography().presenting)
        index = self._order.index(CEREMONY)
        if CEREMONY in self._pages:
            old = self._pages[CEREMONY]
            self.stack.removeWidget(old)
            old.deleteLater()
        else:
            self.nav.addItem(QListWidgetItem(page_icon(CEREMONY), "Ceremony"))
        self.stack.insertWidget(index, view)
        self._pages[CEREMONY] = view
        self.ceremony = view
        # It started: what stood in its way (on the start page) is put right.
        self.messages.resolved(self.current_page_name())
        self.messages.dismissed(CEREMONY)  # the last ceremony's messages went with its view
        self.show_page(CEREMONY)
        view.start()
        return view

    def _moment(self, shown: bool) -> None:
        """A paper-log moment gets the whole window: navigation and messages step aside."""
        self.nav.setVisible(not shown)
        if shown:
            self.banner.dismiss()
        else:
            self._show_message_of(self.current_page_name())
        self.statusBar().setVisible(not shown)

    def ask_stop(self) -> bool:
        """Ask, then stop the running ceremony; True when it is stopping (or not running)."""
        if self.ceremony is None or not self.ceremony.running:
            return True
        if not confirm_stop(self):
            return False
        self.ceremony.stop()
        return True

    def _ceremony_ended(self, text: str) -> None:
        if self._close_when_stopped:
            if self.ceremony is not None:
                self.ceremony.worker.wait(5000)  # the signal comes just before run() returns
            self.close()
            return
        # The dashboard shows the inventory the ceremony recorded into: a rehearsal's own,
        # not the empty default one.
        from gui.viewmodels.paper_log import job_inventory

        recorded = job_inventory(self.ceremony.job) if self.ceremony is not None else None
        dashboard = self.page("dashboard")
        if recorded is not None and recorded.is_file():
            dashboard.open_path(recorded)
        else:
            dashboard.reload()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc that nothing inside took (a panel, a completion list) closes the message strip.
        if event.key() == Qt.Key.Key_Escape and not self.banner.isHidden():
            self.banner.dismiss_by_person()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing mid-ceremony asks first, and waits until the journal records the stop."""
        if self.ceremony is not None and self.ceremony.running:
            if self.ask_stop():
                self._close_when_stopped = True
                self.statusBar().showMessage("Stopping the ceremony; the window closes when "
                                             "the journal has recorded it.")
            event.ignore()
            return
        event.accept()
