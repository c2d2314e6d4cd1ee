"""The ceremony room's look and wording: the Stop question, the stepper and its icons, the
accent colour, and presentation mode (issue 13, items 6 and 14 and "a coherent look")."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from gui.main_window import confirm_stop

pytestmark = pytest.mark.gui


def _answer_stop(window: Any, choose: str) -> tuple[bool, list[str], str]:
    seen: dict[str, Any] = {}

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        buttons = [b for b in box.findChildren(QPushButton) if b.isVisible()]
        seen["buttons"] = sorted(b.text() for b in buttons)
        seen["text"] = box.text()
        next(b for b in buttons if b.text() == choose).click()

    QTimer.singleShot(50, click)
    return confirm_stop(window), seen["buttons"], seen["text"]


def test_the_stop_question_names_its_choices_and_what_stopping_does(window: Any) -> None:
    stopped, buttons, text = _answer_stop(window, "Keep going")
    assert not stopped
    assert buttons == ["Keep going", "Stop the ceremony"]  # verbs, not Yes and No
    assert "journal is kept" in text and "run the same plan again" in text
    stopped, _, _ = _answer_stop(window, "Stop the ceremony")
    assert stopped


# --- colours and icons (Qt-free where they can be) -------------------------------------------

def test_the_accent_and_the_step_colours_meet_wcag_aa() -> None:
    from gui.viewmodels.look import (
        AA_TEXT,
        ACCENT,
        ACCENT_PRESSED,
        ACCENT_TEXT,
        BACKGROUND,
        DISABLED,
        DISABLED_TEXT,
        STEP_COLOURS,
        contrast,
        primary_style,
    )
    from gui.viewmodels.progress import StepState
    from gui.widgets.stepper import CURRENT_BAND

    assert contrast(ACCENT, ACCENT_TEXT) >= AA_TEXT  # 6.4: the primary action's label
    assert contrast(ACCENT_PRESSED, ACCENT_TEXT) >= AA_TEXT
    assert contrast(DISABLED, DISABLED_TEXT) >= AA_TEXT
    assert set(STEP_COLOURS) == set(StepState)
    for state, colour in STEP_COLOURS.items():
        assert contrast(colour, BACKGROUND) >= AA_TEXT, state
    assert contrast(STEP_COLOURS[StepState.CURRENT], CURRENT_BAND) >= AA_TEXT
    assert ACCENT in primary_style() and ACCENT_TEXT in primary_style()


def test_every_page_and_step_state_has_a_bundled_icon_that_draws() -> None:
    import re
    import tomllib
    from pathlib import Path

    from PySide6.QtCore import QSize
    from PySide6.QtSvg import QSvgRenderer

    from gui.main_window import CEREMONY, PAGES
    from gui.viewmodels.look import AA_GRAPHICS, BACKGROUND, PAGE_ICONS, STEP_ICONS, contrast
    from gui.viewmodels.progress import StepState
    from gui.widgets.icons import ICON_FOLDER, icon, icon_path, page_icon

    assert set(PAGE_ICONS) == {*PAGES, CEREMONY}
    assert all(PAGE_ICONS[name] == f"page-{name}" for name in PAGE_ICONS)  # page_icon's rule
    assert set(STEP_ICONS) == set(StepState)
    # Told apart by shape: each state its own drawing (refused and failed share the cross).
    assert len(set(STEP_ICONS.values())) == len(StepState) - 1
    names = {*PAGE_ICONS.values(), *STEP_ICONS.values()}
    assert {p.stem for p in ICON_FOLDER.glob("*.svg")} == names
    for name in names:
        text = icon_path(name).read_text(encoding="utf-8")
        assert "http" not in text.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
        assert QSvgRenderer(str(icon_path(name))).isValid(), name
        image = icon(name).pixmap(QSize(24, 24)).toImage()
        assert not image.isNull() and any(image.pixelColor(x, y).alpha()
                                           for x in range(24) for y in range(24)), name
        for colour in set(re.findall(r"#[0-9a-fA-F]{6}", text)) - {"#ffffff"}:
            assert contrast(colour, BACKGROUND) >= AA_GRAPHICS, (name, colour)
    assert not page_icon("dashboard").isNull()
    # Packaged with the program (the offline bundle installs the wheel built from this).
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml")
                            .read_text(encoding="utf-8"))
    assert "icons/*.svg" in project["tool"]["setuptools"]["package-data"]["gui"]


def test_a_step_with_a_deviation_is_shown_as_such() -> None:
    from gui.viewmodels.journal_rows import row_of
    from gui.viewmodels.progress import CeremonyProgress, StepState

    progress = CeremonyProgress((("environment", "Check the room"), ("b", "B")))
    progress.apply([row_of({"event": "step-started", "data": {"step": "environment"}}),
                    row_of({"event": "deviation", "data": {"step": "environment",
                                                          "reason": "networked", "automatic": 1}}),
                    row_of({"event": "step-completed", "data": {"step": "environment"}})])
    assert progress.rows[0].state is StepState.DEVIATION
    assert progress.rows[0].label == "⚠ 1. Check the room"
    assert progress.rows[0].spoken == "Step 1, done with a deviation: Check the room"
    assert progress.done_count == 1


def test_the_stepper_shows_icons_and_the_current_step_not_by_colour_alone(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from gui.viewmodels.progress import StepRow, StepState
    from gui.widgets.stepper import Stepper

    stepper = Stepper()
    qtbot.addWidget(stepper)
    stepper.show_rows([StepRow("a", 1, "Check the room", StepState.DEVIATION),
                       StepRow("b", 2, "Make the key", StepState.CURRENT),
                       StepRow("c", 3, "Sign", StepState.PENDING)])
    items = [stepper.item(i) for i in range(stepper.count())]
    assert [i.text() for i in items] == ["1. Check the room", "2. Make the key", "3. Sign"]
    assert all(not i.icon().isNull() for i in items)
    current = items[1]
    assert current.font().bold() and not items[2].font().bold()  # weight, not only colour
    assert current.background().color().name() != items[2].background().color().name()
    assert current.data(Qt.ItemDataRole.AccessibleTextRole) == "Step 2, current: Make the key"
    assert items[0].data(Qt.ItemDataRole.AccessibleTextRole).startswith(
        "Step 1, done with a deviation")
    assert stepper.current_row() is not None and stepper.current_row().id == "b"


def test_the_sidebar_has_an_icon_per_page_and_questions_one_primary_action(
        window: Any, qtbot: Any) -> None:
    from gui.viewmodels.decision import DecisionForm, Question
    from gui.viewmodels.look import ACCENT
    from gui.widgets.accent import is_primary
    from gui.widgets.prompts import DecisionPanel, PinPanel

    assert all(not window.nav.item(i).icon().isNull() for i in range(window.nav.count()))
    for panel in (PinPanel("Alice", "root-token", None, None),
                  DecisionPanel(DecisionForm(Question.SIGN_OFF, "Alice", "the room is ready"))):
        qtbot.addWidget(panel)
        primary = [b for b in panel.findChildren(QPushButton) if is_primary(b)]
        assert len(primary) == 1 and ACCENT in primary[0].styleSheet()
        assert primary[0].isDefault()  # what Enter does is what the accent points at


def test_the_sidebar_look_loads_nothing_heavy_and_keeps_aa() -> None:
    import subprocess
    import sys
    from pathlib import Path

    from gui.viewmodels.palette import AA_TEXT, SELECTED, TEXT, contrast

    assert contrast(TEXT, SELECTED) >= AA_TEXT  # the page shown, on its band
    # The window's icons and colours cost start-up nothing: not the plan, not the journal.
    probe = ("import sys, gui.main_window; "
             "print(sorted(m for m in ('ceremony.plan', 'ceremony.journal') if m in sys.modules))")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=root, env={"PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"},
                         check=True)
    assert out.stdout.strip() == "[]"
