"""The auditor view: open transcripts (or journals), verify them against what you trust, and
read each check, the journal, the embedded files and the chain head (words and QR).

Verifying runs on a background thread (pyHanko and pkilint take a moment to load). The report
of every file opened can be exported as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crypto.visible import visible
from gui.typography import LARGE, typography
from gui.viewmodels.audit import AuditResult, audit, export_report, load_trust
from gui.viewmodels.messages import sentence
from gui.viewmodels.palette import FAILED, OK
from gui.widgets.background import run_in_background
from gui.widgets.dialogs import choose_folder, open_file, open_files, save_file
from gui.widgets.plaintext import ElidedLabel, PlainLabel
from gui.widgets.qr import QrCode

OK_COLOUR, FAIL_COLOUR = OK, FAILED
CERTIFICATES = "Certificates (*.pem *.crt *.cer *.der);;All files (*)"


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class AuditorPage(QWidget):
    """Transcripts and journals opened, each with its checks."""

    failed = Signal(str)
    resolved = Signal()  # every file opened has a verdict: the errors said before are moot
    verified = Signal()  # a file's result has arrived (tests wait for it)

    def __init__(self, window: Any = None) -> None:
        super().__init__()
        self.results: dict[str, AuditResult] = {}
        self.root_files: list[Path] = []
        self.countersigner_files: list[Path] = []
        self.unverified: dict[str, str] = {}  # file -> why it has no verdict yet
        self._build()

    def _build(self) -> None:
        self.roots_label = ElidedLabel("No root certificate chosen.")
        self.roots_label.setObjectName("trustRoots")
        self.roots_label.setWordWrap(True)
        add_root = QPushButton("Trust a root certificate…")
        add_root.setObjectName("addRoot")
        add_root.clicked.connect(self._choose_root)
        self.fingerprint = QLineEdit()
        self.fingerprint.setObjectName("rootFingerprint")
        self.fingerprint.setAccessibleName("root certificate SHA-256 fingerprint")
        self.fingerprint.setPlaceholderText("SHA-256 of the root certificate, from the paper log")
        self.fingerprint.editingFinished.connect(self._verify_unverified)
        self.spki = QLineEdit()
        self.spki.setObjectName("anchorSpki")
        self.spki.setAccessibleName("trusted key SPKI SHA-256")
        self.spki.setPlaceholderText("or the SPKI SHA-256 of a trusted key")
        self.spki.editingFinished.connect(self._verify_unverified)
        roots = QHBoxLayout()
        roots.addWidget(self.roots_label, 1)
        roots.addWidget(add_root)
        # Whom you accept as countersigners is a trust of its own: never an anchor of the
        # ceremony (a second root there would let a forger under that CA sign a ceremony).
        self.countersigners_label = ElidedLabel("No countersigner root chosen.")
        self.countersigners_label.setObjectName("countersignerRoots")
        self.countersigners_label.setWordWrap(True)
        add_countersigner = QPushButton("Accept countersigners under…")
        add_countersigner.setObjectName("addCountersignerRoot")
        add_countersigner.clicked.connect(self._choose_countersigner_root)
        countersigners = QHBoxLayout()
        countersigners.addWidget(self.countersigners_label, 1)
        countersigners.addWidget(add_countersigner)
        trust = QFormLayout()
        trust.addRow(PlainLabel("Ceremony roots:"), roots)
        trust.addRow(PlainLabel("Root fingerprint:"), self.fingerprint)
        trust.addRow(PlainLabel("Trusted key:"), self.spki)
        trust.addRow(PlainLabel("Countersigner roots:"), countersigners)

        open_button = QPushButton("Open transcripts…")
        open_button.setObjectName("openTranscripts")
        open_button.clicked.connect(self._choose_transcripts)
        open_journal = QPushButton("Open a journal or ceremony folder…")
        open_journal.clicked.connect(self._choose_journal)
        verify = QPushButton("Verify again")
        verify.setObjectName("verifyAll")
        verify.clicked.connect(self.verify_all)
        export = QPushButton("Export the report…")
        export.setObjectName("exportReport")
        export.clicked.connect(self._choose_export)
        buttons = QHBoxLayout()
        for button in (open_button, open_journal, verify, export):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.sources = QListWidget()
        self.sources.setObjectName("auditSources")
        self.sources.setAccessibleName("files opened")
        self.sources.setWordWrap(True)
        self.sources.currentRowChanged.connect(self._select)

        self.headline = PlainLabel("Open a transcript to verify it.")
        self.headline.setObjectName("auditHeadline")
        self.headline.setWordWrap(True)
        typography().apply(self.headline, LARGE, bold=True)
        self.note = PlainLabel()
        self.note.setObjectName("auditNote")
        self.note.setWordWrap(True)
        self.checks = _table("auditChecks", ["Check", "Result", "Reason"])
        self.checks.setWordWrap(True)
        self.journal = _table("auditJournal", ["#", "Time", "Who", "Role", "Event", "Details"])
        self.artifact_list = QListWidget()
        self.artifact_list.setObjectName("auditArtifacts")
        self.artifact_list.currentRowChanged.connect(self._show_artifact)
        from gui.pages.viewer import ArtifactPanel, scrolled

        self.artifact = ArtifactPanel()
        artifacts = QSplitter()
        artifacts.addWidget(self.artifact_list)
        artifacts.addWidget(scrolled(self.artifact))
        artifacts.setStretchFactor(1, 3)
        self.head_words = PlainLabel("-")
        self.head_words.setObjectName("auditHeadWords")
        self.head_words.setWordWrap(True)
        typography().apply(self.head_words, LARGE, bold=True)
        self.head_hex = PlainLabel("-")
        self.head_hex.setObjectName("auditHeadHex")
        typography().apply(self.head_hex, 1.0, fixed=True)
        self.head_hex.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr = QrCode()
        self.qr.setObjectName("auditHeadQr")
        head = QWidget()
        head_layout = QVBoxLayout(head)
        self.head_caption = PlainLabel("Compare with the final chain head written in the paper "
                                       "log:")
        self.head_caption.setObjectName("auditHeadCaption")
        self.head_caption.setWordWrap(True)
        head_layout.addWidget(self.head_caption)
        head_layout.addWidget(self.head_words)
        head_layout.addWidget(self.head_hex)
        head_layout.addWidget(self.qr, 1)
        self.details = QTabWidget()
        self.details.setObjectName("auditTabs")
        self.details.addTab(self.checks, "Checks")
        self.details.addTab(self.journal, "Journal")
        self.details.addTab(artifacts, "Embedded files")
        # Scrolled: the head's words and QR code never make the window taller.
        self.details.addTab(scrolled(head), "Chain head")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.headline)
        right_layout.addWidget(self.note)
        right_layout.addWidget(self.details, 1)
        split = QSplitter()
        split.addWidget(self.sources)
        split.addWidget(right)
        split.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(trust)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)

    # --- trust -------------------------------------------------------------------------------

    def _choose_root(self) -> None:
        path = open_file(self, "A root certificate you trust", CERTIFICATES)
        if path is not None:
            self.add_root(path)

    def add_root(self, path: Path) -> None:
        self.root_files.append(path)
        self.roots_label.setText(", ".join(str(p) for p in self.root_files))
        self._verify_unverified()

    def _choose_countersigner_root(self) -> None:
        path = open_file(self, "The root of countersigners you accept", CERTIFICATES)
        if path is not None:
            self.add_countersigner_root(path)

    def add_countersigner_root(self, path: Path) -> None:
        """Accept countersignatures chaining to ``path``; the ceremony never chains to it."""
        self.countersigner_files.append(path)
        self.countersigners_label.setText(", ".join(str(p) for p in self.countersigner_files))
        self._verify_unverified()

    def _verify_unverified(self) -> None:
        """What you trust has changed: the files that could not be verified yet (nothing was
        trusted, say) are verified again at once, so their error goes when it is put right."""
        for key in list(self.unverified):
            self._verify(Path(key))

    def trust(self) -> Any | None:
        """What the auditor trusts, or None when nothing is given yet."""
        if not (self.root_files or self.fingerprint.text().strip() or self.spki.text().strip()):
            return None
        return load_trust(self.root_files, [self.fingerprint.text()], [self.spki.text()],
                          self.countersigner_files)

    # --- files -------------------------------------------------------------------------------

    def _choose_transcripts(self) -> None:
        for path in open_files(self, "Transcripts to verify",
                               "Transcripts (*.pdf);;All files (*)", self._last_opened()):
            self.open_path(path)

    def _choose_journal(self) -> None:
        path = choose_folder(self, "A ceremony folder", self._last_opened())
        if path is not None:
            self.open_path(path)

    def _last_opened(self) -> Path | None:
        """The file opened last, for the next dialog to open beside it."""
        count = self.sources.count()
        return Path(self.sources.item(count - 1).data(Qt.ItemDataRole.UserRole)) \
            if count else None

    def open_path(self, path: Path) -> None:
        """Add ``path`` (a transcript, journal or ceremony folder) and verify it."""
        key = str(path)
        if key not in self.results and not self._item(key):
            item = QListWidgetItem(f"Verifying…: {visible(path.name or key)}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sources.addItem(item)
        self._verify(path)

    def verify_all(self) -> None:
        for row in range(self.sources.count()):
            self._verify(Path(self.sources.item(row).data(Qt.ItemDataRole.UserRole)))

    def _item(self, key: str) -> QListWidgetItem | None:
        for row in range(self.sources.count()):
            item = self.sources.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return item
        return None

    def _verify(self, path: Path) -> None:
        try:
            trust = self.trust()
        except Exception as ex:
            self._failed(str(path), sentence(ex))
            return
        key = str(path)
        run_in_background(lambda: audit(path, trust), self._show_result,
                          lambda text: self._failed(key, text))

    def _failed(self, key: str, text: str) -> None:
        item = self._item(key)
        if item is not None:
            item.setText(f"{text.rstrip('.')}: {visible(Path(key).name or key)}")
            item.setForeground(QBrush(QColor(FAIL_COLOUR)))
        self.unverified[key] = text
        self.failed.emit(text)
        self.verified.emit()

    def _show_result(self, result: AuditResult) -> None:
        self.results[result.source] = result
        item = self._item(result.source)
        if item is None:  # a folder opened: the result names its journal file
            item = next((self.sources.item(r) for r in range(self.sources.count())
                         if result.source.startswith(
                             str(self.sources.item(r).data(Qt.ItemDataRole.UserRole)))), None)
            if item is not None:
                self.unverified.pop(str(item.data(Qt.ItemDataRole.UserRole)), None)
                item.setData(Qt.ItemDataRole.UserRole, result.source)
        if item is not None:
            item.setText(("✓ " if result.ok else "✗ ") + result.headline)
            item.setForeground(QBrush(QColor(OK_COLOUR if result.ok else FAIL_COLOUR)))
            self.sources.setCurrentItem(item)
        self._show(result)
        self.unverified.pop(result.source, None)
        if not self.unverified:
            self.resolved.emit()
        self.verified.emit()

    def _select(self, row: int) -> None:
        if row < 0:
            return
        result = self.results.get(self.sources.item(row).data(Qt.ItemDataRole.UserRole))
        if result is not None:
            self._show(result)

    def _show(self, result: AuditResult) -> None:
        self.headline.setText(result.headline + (f"\nCeremony: {result.ceremony}"
                                                 if result.ceremony else ""))
        self.headline.setStyleSheet(f"color: {OK_COLOUR if result.ok else FAIL_COLOUR};")
        self.note.setText(result.note)
        self.note.setVisible(bool(result.note))
        self.checks.setRowCount(len(result.checks))
        for index, check in enumerate(result.checks):
            colour = QBrush(QColor(OK_COLOUR if check.ok else FAIL_COLOUR))
            for column, text in enumerate((check.name, check.mark, check.detail)):
                cell = QTableWidgetItem(text)
                if column < 2:
                    cell.setForeground(colour)
                self.checks.setItem(index, column, cell)
        self.checks.resizeRowsToContents()
        self.journal.setRowCount(len(result.journal))
        for index, row in enumerate(result.journal):
            for column, text in enumerate((str(row.seq), row.time, row.actor, row.role,
                                           row.event, row.summary)):
                self.journal.setItem(index, column, QTableWidgetItem(text))
        self._artifacts = result.artifacts
        self.artifact_list.clear()
        self.artifact_list.addItems([a.name for a in result.artifacts])
        head = result.head
        self.head_caption.setText(result.head_caption)
        self.head_words.setText(head.words if head else "-")
        self.head_hex.setText(head.hex if head else "-")
        self.qr.set_text(head.hex if head else "")

    def _show_artifact(self, row: int) -> None:
        artifacts = getattr(self, "_artifacts", ())
        if not 0 <= row < len(artifacts):
            return
        from gui.errors import UnreadableFile
        from gui.viewmodels.artifact import read_artifact

        artifact = artifacts[row]
        try:
            view = read_artifact(artifact.data, artifact.name)
        except UnreadableFile:
            self.artifact.title.setText(f"{visible(artifact.name)}: {len(artifact.data)} bytes "
                                        "(not a certificate, CRL or CSR)")
            return
        self.artifact.show_artifact(view)
        self.artifact.lint_summary.setText("")

    # --- export ------------------------------------------------------------------------------

    def _choose_export(self) -> None:
        path = save_file(self, "Export the verify report", "verify-report.json",
                         "JSON (*.json)", self._last_opened())
        if path is not None:
            self.export(path)

    def export(self, path: Path) -> bool:
        """Write the report of every file verified to ``path`` (JSON)."""
        if not self.results:
            self.failed.emit("Verify a transcript first; there is no report to export yet.")
            return False
        try:
            path.write_bytes(export_report(list(self.results.values())))
        except OSError as ex:
            self.failed.emit(sentence(ex))
            return False
        return True
