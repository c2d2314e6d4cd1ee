"""After a rehearsal the dashboard shows what it made, and a second one starts in a new
folder (issue 13, item 13): two root rehearsals started from the start page, as a person
would, each answered through the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ceremony.demo.rehearsal import DEMO_PIN
from tests.gui.driver import Room

pytestmark = [pytest.mark.gui, pytest.mark.softhsm]


def test_the_dashboard_shows_the_rehearsals_inventory_and_a_second_rehearsal_runs(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=5000)
    assert dashboard.dashboard.certificates == ()  # the window's own inventory: empty
    start = window.show_page("start")
    first = tmp_path / "rehearsals" / "first"
    start.rehearsal_folder.setText(str(first))
    start.root_only.setChecked(True)

    view = start.start_rehearsal()
    following = Path(start.rehearsal_folder.text())
    with qtbot.waitSignal(dashboard.loaded, timeout=240_000):
        Room(view, DEMO_PIN).run()
    assert following != first and following.parent == first.parent
    assert view.outcome.startswith("Rehearsal complete (demo-root)"), view.outcome
    shown = dashboard.dashboard
    assert shown.path == str(first / "inventory.sqlite3")
    assert "root" in [c.role for c in shown.certificates]
    assert shown.ceremonies[0].title.endswith("(rehearsal)")
    assert str(first / "inventory.sqlite3") in dashboard.path_label.full_text()

    window.show_page("start")
    second = start.start_rehearsal()  # the refreshed folder: new and empty
    assert second is not None and window.banner.text == ""
    Room(second, DEMO_PIN).run()
    assert second.outcome.startswith("Rehearsal complete (demo-root)"), second.outcome
    assert (following / "inventory.sqlite3").is_file()
    assert Path(start.rehearsal_folder.text()) not in (first, following)
