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
