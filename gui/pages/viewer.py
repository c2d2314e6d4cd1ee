"""The certificate and CRL viewer: any PEM or DER file opened or dropped on the window.

Fields, extensions and fingerprints show at once; the lint result follows from a background
thread (pkilint takes a moment to load). A file that is not a certificate, CRL or CSR is
reported as a sentence and the previous view stays.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.typography import LARGE, typography
from gui.viewmodels.artifact import ArtifactView, LintView, lint_artifact, load_artifact
from gui.widgets.background import run_in_background
from gui.widgets.dialogs import open_file
from gui.widgets.plaintext import ElidedLabel, PlainLabel


def fill_table(table: QTableWidget, rows: tuple[tuple[str, str], ...]) -> None:
    table.setRowCount(len(rows))
    for index, (label, value) in enumerate(rows):
        table.setItem(index, 0, QTableWidgetItem(label))
        table.setItem(index, 1, QTableWidgetItem(value))


def field_table(name: str) -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(["Field", "Value"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: on a small screen it scrolls rather than
    making the window taller than the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class ArtifactPanel(QWidget):
    """One certificate, CRL or CSR: what the viewer and the auditor's artifact list show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = PlainLabel("Open or drop a certificate, CRL or CSR (PEM or DER).")
        self.title.setObjectName("artifactTitle")
        self.title.setWordWrap(True)
        typography().apply(self.title, LARGE, bold=True)
        self.note = PlainLabel()
        self.note.setObjectName("artifactNote")
        self.note.hide()
        self.fields = field_table("artifactFields")
        self.fingerprints = field_table("artifactFingerprints")
        self.extensions = QListWidget()
        self.extensions.setObjectName("artifactExtensions")
        self.lint_summary = PlainLabel()
        self.lint_summary.setObjectName("lintSummary")
        self.lint_summary.setWordWrap(True)
        self.lint = QListWidget()
        self.lint.setObjectName("lintFindings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.fields, 3)
        layout.addWidget(PlainLabel("Extensions"))
        layout.addWidget(self.extensions, 2)
        layout.addWidget(PlainLabel("Fingerprints"))
        layout.addWidget(self.fingerprints, 1)
        layout.addWidget(self.lint_summary)
        layout.addWidget(self.lint, 1)
        for listing in (self.fields, self.extensions, self.fingerprints, self.lint):
            # Each list scrolls: three lines at least, so the whole fits a laptop screen.
            listing.setMinimumHeight(listing.fontMetrics().height() * 3)
        self.view: ArtifactView | None = None

    def show_artifact(self, view: ArtifactView) -> None:
        self.view = view
        self.title.setText(view.title)
        self.note.setText(view.note)
        self.note.setVisible(bool(view.note))
        fill_table(self.fields, view.fields)
        fill_table(self.fingerprints, view.fingerprints)
        self.extensions.clear()
        self.extensions.addItems(list(view.extensions) or ["none"])
        self.lint.clear()
        self.lint_summary.setStyleSheet("")
        self.lint_summary.setText("Linting…" if view.lint_as else "")

    def show_lint(self, view: ArtifactView, result: LintView) -> None:
        if view is not self.view:
            return  # another file was opened meanwhile
        self.lint_summary.setText(result.summary)
        colour = {True: "color: #137333;", False: "color: #a50e0e; font-weight: bold;"}
        self.lint_summary.setStyleSheet(colour.get(result.clean, "")
                                        if result.clean is not None else "")
        self.lint.clear()
        self.lint.addItems(list(result.lines))

    def show_lint_error(self, view: ArtifactView, text: str) -> None:
        if view is self.view:
            self.lint_summary.setText(f"Lint could not run: {text}")


class ViewerPage(QWidget):
    """Shows one certificate, CRL or CSR at a time."""

    failed = Signal(str)
    resolved = Signal()  # a file is shown: the sentence about one that could not be is moot
    linted = Signal()  # the lint result of the file shown has arrived (tests wait for it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(False)  # the main window takes drops and routes them here
        open_button = QPushButton("Open a certificate, CRL or CSR…")
        open_button.setObjectName("openArtifact")
        open_button.clicked.connect(self._choose)
        self.path_label = ElidedLabel()  # a long path never widens the window
        self.path_label.setObjectName("artifactPath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(open_button)
        top.addWidget(self.path_label, 1)
        self.panel = ArtifactPanel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scrolled(self.panel), 1)

    def _choose(self) -> None:
        path = open_file(
            self, "Open a certificate, CRL or CSR",
            "Certificates, CRLs and CSRs (*.pem *.crt *.cer *.der *.crl *.csr);;All files (*)")
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Show the file at ``path``; False (and a sentence in the window) if it cannot."""
        from gui.errors import UnreadableFile

        try:
            view = load_artifact(path)
        except UnreadableFile as ex:
            self.failed.emit(str(ex))
            return False
        self.path_label.setText(str(path))
        self.resolved.emit()
        self.panel.show_artifact(view)
        if view.lint_as is None:
            self.panel.show_lint(view, lint_artifact(view))
            self.linted.emit()
        else:
            run_in_background(lambda: lint_artifact(view), lambda r: self._linted(view, r),
                              lambda t: self._lint_failed(view, t))
        return True

    def _linted(self, view: ArtifactView, result: LintView) -> None:
        self.panel.show_lint(view, result)
        self.linted.emit()

    def _lint_failed(self, view: ArtifactView, text: str) -> None:
        self.panel.show_lint_error(view, text)
        self.linted.emit()
