"""File dialogs that open in a sensible folder (``gui.viewmodels.folders``), never in the
directory the program happened to start in. Every page asks through these."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from gui.viewmodels.folders import DialogFolders

FOLDERS = DialogFolders()  # one for the window: the last folder chosen serves every page

_NO_OPTIONS = QFileDialog.Option(0)  # Qt's default: the dialog asks before replacing a file


def open_file(parent: QWidget, title: str, filters: str = "",
              *near: Path | None) -> Path | None:
    """One existing file, or None when the person cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(FOLDERS.start(*near)), filters)
    return _chosen(path)


def open_files(parent: QWidget, title: str, filters: str = "",
               *near: Path | None) -> list[Path]:
    """Existing files (none when the person cancels)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(FOLDERS.start(*near)), filters)
    chosen = [Path(p) for p in paths if p]
    if chosen:
        FOLDERS.used(chosen[0])
    return chosen


def choose_folder(parent: QWidget, title: str, *near: Path | None) -> Path | None:
    """A folder, or None when the person cancels."""
    return _chosen(QFileDialog.getExistingDirectory(parent, title, str(FOLDERS.start(*near))))


def save_file(parent: QWidget, title: str, suggested: Path | str, filters: str = "",
              *near: Path | None,
              options: QFileDialog.Option = _NO_OPTIONS) -> Path | None:
    """Where to write a new file, proposing ``suggested``; None when the person cancels."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(FOLDERS.target(suggested, *near)),
                                          filters, "", options)
    return _chosen(path)


def _chosen(path: str) -> Path | None:
    if not path:
        return None
    FOLDERS.used(Path(path))
    return Path(path)
