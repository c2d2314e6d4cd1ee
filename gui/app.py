"""Desktop app entry point: ``keyceremony`` with no arguments, or ``keyceremony gui``."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from types import TracebackType


def main(args: argparse.Namespace | None = None) -> int:
    """Open the main window (on the inventory ``args.inventory``, if given) and run the app."""
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("keyceremony")
    inventory = getattr(args, "inventory", None)
    window = MainWindow(Path(inventory) if inventory else None)
    install_error_hook(window)
    window.show()
    return int(app.exec())


def install_error_hook(window: object) -> None:
    """Show an unexpected error as a sentence in the window instead of only a traceback.

    The traceback still goes to stderr for whoever reports the fault: it holds code locations
    and messages, which by design never carry a secret.
    """
    from gui.viewmodels.messages import sentence

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        traceback.print_exception(kind, error, trace, file=sys.stderr)
        show = getattr(window, "show_error", None)
        if callable(show):
            try:
                show(sentence(error))
            except RuntimeError:  # the window is gone
                pass

    sys.excepthook = hook
