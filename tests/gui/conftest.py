"""GUI tests run offscreen with pytest-qt; every test here is marked ``gui``."""

from __future__ import annotations

import os

# Before anything loads Qt: no display is needed or used.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The main window on an empty inventory of this test's own, shown offscreen."""
    from gui.main_window import MainWindow
    from gui.widgets.background import wait_for_background

    main = MainWindow(tmp_path / "inventory.sqlite3")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    if main.ceremony is not None and main.ceremony.running:
        main.ceremony.stop()
        main.ceremony.worker.wait(30_000)
    wait_for_background()
