"""The main window (a placeholder until the desktop app issue lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("keyceremony")
        label = QLabel("keyceremony: run ceremonies from the terminal for now "
                       "(keyceremony --help).")
        label.setMargin(24)
        self.setCentralWidget(label)
        self.resize(720, 420)
