"""'Who acts now': each person as a chip, name and role, in the role's colour with a bar of
it beside, so the role is read in words and colour is never the only sign."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from gui.typography import LARGE, typography
from gui.viewmodels.look import Acting
from gui.widgets.plaintext import PlainLabel

PER_ROW = 3


class ActingRow(QWidget):
    """The people acting in the current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepActors")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.caption = PlainLabel("Acting now:")
        typography().apply(self.caption, LARGE, bold=True)
        self._layout.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignTop)
        self._grid = QGridLayout()  # three to a row: five custodians never widen the window
        self._layout.addLayout(self._grid)
        self._layout.addStretch(1)
        self.chips: list[PlainLabel] = []
        self.people: tuple[Acting, ...] = ()

    def set_people(self, people: Sequence[Acting]) -> None:
        for chip in self.chips:
            self._grid.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        self.people = tuple(people)
        for index, person in enumerate(self.people):
            chip = PlainLabel(person.label)
            chip.setObjectName("actingPerson")
            chip.setStyleSheet(f"color: {person.colour}; border-left: 6px solid {person.colour};"
                               " padding-left: 6px; margin-right: 12px;")
            typography().apply(chip, LARGE, bold=True)
            self._grid.addWidget(chip, index // PER_ROW, index % PER_ROW)
            self.chips.append(chip)

    def text(self) -> str:
        """What the row says, as one line (for tests and screen readers)."""
        return "Acting now: " + ", ".join(person.label for person in self.people)
