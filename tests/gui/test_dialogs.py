"""File dialogs open in a sensible folder, never the directory the program started in, and the
dashboard's empty tables are readable at 1366x768 (issue 13, item 13)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from gui.main_window import MainWindow
from gui.viewmodels.dashboard import (
    CEREMONY_COLUMNS,
    CERTIFICATE_COLUMNS,
    CRL_COLUMNS,
    DUE_COLUMNS,
    KEY_COLUMNS,
    SHARE_SET_COLUMNS,
)
from gui.viewmodels.folders import DialogFolders, rehearsal_folder
from gui.viewmodels.plan_review import plan_template
from tests.gui.test_layout import USABLE

pytestmark = pytest.mark.gui


def test_a_dialog_opens_near_its_subject_else_where_a_file_was_last_chosen_else_home(
        tmp_path: Path) -> None:
    home, plans = tmp_path / "home", tmp_path / "plans"
    home.mkdir()
    plans.mkdir()
    folders = DialogFolders(home)
    assert folders.start() == home
    assert folders.start(None, plans / "root.toml") == plans  # a file not made yet: its folder
    assert folders.start(tmp_path / "gone" / "x.pdf") == home  # nothing there: not a guess
    folders.used(plans / "root.toml")
    assert folders.start() == plans
    assert folders.target("verify-report.json") == plans / "verify-report.json"
    assert folders.target(home / "r.json", plans) == home / "r.json"
    assert folders.start(Path("relative-nowhere.pdf")) == plans  # never the current directory


def test_the_next_rehearsal_folder_is_new(tmp_path: Path) -> None:
    now = dt.datetime(2026, 1, 15, 12, 0, 0)
    first = rehearsal_folder(now, tmp_path)
    assert first == tmp_path / "20260115-120000"
    assert rehearsal_folder(now, tmp_path, (first,)) == tmp_path / "20260115-120000-2"
    (tmp_path / "20260115-120000-2").mkdir()
    assert rehearsal_folder(now, tmp_path, (first,)) == tmp_path / "20260115-120000-3"
    assert rehearsal_folder(now).parent == Path.home() / "keyceremony-rehearsals"


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The folder each file dialog opened in; the person cancels every one. The window's
    dialogs start from a fresh home folder."""
    from gui.widgets import dialogs as module

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(module, "FOLDERS", DialogFolders(home))
    opened: list[str] = []

    def cancelled(answer: Any) -> Any:
        def call(parent: Any, caption: str = "", directory: str = "", *rest: Any) -> Any:
            opened.append(directory)
            return answer
        return staticmethod(call)

    for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, cancelled(("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", cancelled(""))
    return opened


def test_every_page_opens_its_dialogs_near_its_subject_never_in_the_program_folder(
        window: MainWindow, qtbot: Any, tmp_path: Path, dialogs: list[str]) -> None:
    home = str(tmp_path / "home")
    auditor = window.page("auditor")
    auditor._choose_transcripts()
    auditor._choose_root()
    auditor._choose_journal()
    window.page("viewer")._choose()
    window.open_dialog()
    assert dialogs == [home] * 5
    assert os.getcwd() not in dialogs

    plans = tmp_path / "plans"
    plans.mkdir()
    plan = plans / "root.toml"
    plan.write_text(plan_template("root"))
    start = window.show_page("start")
    start.open_path(plan)
    dialogs.clear()
    start._choose_plan()
    start._choose_folder()
    start._choose_script_file()
    assert dialogs == [str(plans), str(plans), str(plans / "root-script.pdf")]

    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=5000)
    dialogs.clear()
    dashboard._choose()
    assert dialogs == [str(tmp_path)]  # the inventory shown is the window's, in tmp_path


def test_the_plan_forms_path_pickers_open_near_an_absolute_path_else_home(
        qtbot: Any, tmp_path: Path, dialogs: list[str]) -> None:
    from gui.widgets.plan_rows import PathEdit

    csrs = tmp_path / "csrs"
    csrs.mkdir()
    picker, folder_picker = PathEdit("csr file"), PathEdit("backup folder", folder=True)
    qtbot.addWidget(picker)
    qtbot.addWidget(folder_picker)
    picker.choose()  # empty: home, not the program's folder
    folder_picker.line.setText("backup")  # relative to the plan's folder, unknown here
    folder_picker.choose()
    picker.line.setText(str(csrs / "sub.csr"))
    picker.choose()
    assert dialogs == [str(tmp_path / "home"), str(tmp_path / "home"), str(csrs)]


def test_a_folder_chosen_once_is_where_the_next_dialog_opens(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        dialogs: list[str]) -> None:
    chosen = tmp_path / "transcripts"
    chosen.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kwargs: str(chosen)))
    window.page("auditor")._choose_journal()  # a folder without a journal: a sentence
    window.page("viewer")._choose()
    assert dialogs == [str(chosen)]


@pytest.mark.parametrize("columns", [DUE_COLUMNS, CERTIFICATE_COLUMNS, CRL_COLUMNS,
                                     SHARE_SET_COLUMNS, KEY_COLUMNS, CEREMONY_COLUMNS])
def test_each_dashboard_table_gives_its_free_text_the_room(columns: Any) -> None:
    assert [c.stretch for c in columns].count(True) == 1
    assert all(c.sample or c.stretch or not c.header for c in columns)


def test_the_empty_dashboard_is_readable_at_1366x768(window: MainWindow, qtbot: Any) -> None:
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=5000)
    window.resize(USABLE)
    tables = [dashboard.due] + [dashboard.tabs.widget(i) for i in range(dashboard.tabs.count())]
    for index, table in enumerate(tables):
        if index:
            dashboard.tabs.setCurrentIndex(index - 1)
        qtbot.wait(20)
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        widths = [header.sectionSize(i) for i in range(table.columnCount())]
        assert sum(widths) <= table.viewport().width(), (table.objectName(), widths)
        for column, width in zip(table.columns, widths, strict=True):
            # Neither the header nor the content it is made for is cut off.
            assert width >= header.sectionSizeHint(table.columns.index(column)), column
            assert width >= metrics.horizontalAdvance(column.sample), (column, width)
        free = next(i for i, c in enumerate(table.columns) if c.stretch)
        assert widths[free] == max(widths), (table.objectName(), widths)
