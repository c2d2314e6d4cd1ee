"""Desktop app entry point."""

from __future__ import annotations

import argparse
import sys


def main(args: argparse.Namespace | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    return int(app.exec())
