"""Editors for the plan form's repeated rows and paths: people, revocations, file pickers.

Rows are plain widgets in a grid (a name field, a role list, a Remove button), not table cells,
so Tab walks through them like any other field and every field has its own accessible name.
Each editor writes into the ``PlanForm`` it was given and says so through ``changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.viewmodels.plan_fields import placeholder
from gui.viewmodels.plan_form import PlanForm
from gui.widgets.banner import enter_clicks_buttons
from gui.widgets.dialogs import choose_folder, open_file
from gui.widgets.plaintext import PlainLabel


class PathEdit(QWidget):
    """A path typed or chosen with a file dialog; ``line`` is the field labels point at."""

    edited = Signal(str)

    def __init__(self, name: str, folder: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = name
        self.line = QLineEdit()
        self.line.setAccessibleName(name)
        self.line.textEdited.connect(self.edited)
        self.button = QPushButton("Choose…")
        self.button.setAccessibleName(f"choose {name}")
        self.button.clicked.connect(self.choose)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)

    def choose(self) -> None:
        # A relative path is relative to the plan's folder, which this row does not know: only
        # an absolute one says where to open; otherwise the window's last folder or home.
        typed = Path(self.line.text().strip()).expanduser()
        near = typed if typed.is_absolute() else None
        chosen = (choose_folder(self, self.name.capitalize(), near) if self.folder
                  else open_file(self, self.name.capitalize(), "", near))
        if chosen is not None:
            self.line.setText(str(chosen))
            self.edited.emit(str(chosen))

    def chain(self) -> list[QWidget]:
        return [self.line, self.button]


class RowsEditor(QWidget):
    """Rows of fields with a Remove button each, and an Add button below them."""

    changed = Signal()
    stretch: tuple[int, ...] = (0,)  # the columns that take the width left over

    def __init__(self, add_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.rows: list[list[QWidget]] = []
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(self._add)
        self.empty = PlainLabel("None.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.empty)
        layout.addWidget(self.add_button)
        self.ordered: Callable[[], None] = lambda: None  # put the rows in the tab order

    # Subclasses: how many rows the form has, adding and removing one, one row's widgets.
    def count(self) -> int:
        raise NotImplementedError

    def add_row(self) -> None:
        raise NotImplementedError

    def remove_row(self, row: int) -> None:
        raise NotImplementedError

    def row_widgets(self, row: int) -> list[QWidget]:
        raise NotImplementedError

    def rebuild(self) -> None:
        """Show the form's rows as they are now."""
        for widgets in self.rows:
            for widget in widgets:
                self.grid.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self.rows = []
        for row in range(self.count()):
            widgets = self.row_widgets(row)
            remove = QPushButton("Remove")
            remove.setAccessibleName(f"remove row {row + 1}")
            remove.clicked.connect(lambda _=False, r=row: self._remove(r))
            widgets.append(remove)
            for column, widget in enumerate(widgets):
                self.grid.addWidget(widget, row, column)
                if self.isVisible():  # now, so a new row can take the focus at once
                    widget.show()
            self.rows.append(widgets)
        for column in self.stretch:
            self.grid.setColumnStretch(column, 1)
        self.empty.setVisible(not self.rows)
        enter_clicks_buttons(self)
        self.ordered()

    def chain(self) -> list[QWidget]:
        """The focusable widgets in tab order."""
        return [w for widgets in self.rows for w in widgets] + [self.add_button]

    def _add(self) -> None:
        self.add_row()
        self.rebuild()
        self.changed.emit()
        self.rows[-1][0].setFocus()

    def _remove(self, row: int) -> None:
        self.remove_row(row)
        self.rebuild()
        self.changed.emit()
        target = self.rows[min(row, len(self.rows) - 1)][0] if self.rows else self.add_button
        target.setFocus()


class PeopleEditor(RowsEditor):
    """The participants: a name and a role per person."""

    def __init__(self, form: PlanForm, roles: tuple[str, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__("Add a person", parent)
        self.form = form
        self.roles = roles
        self.add_button.setObjectName("addPerson")
        self.rebuild()

    def count(self) -> int:
        return len(self.form.participant)

    def add_row(self) -> None:
        self.form.add_participant()

    def remove_row(self, row: int) -> None:
        self.form.remove_participant(row)

    def row_widgets(self, row: int) -> list[QWidget]:
        person = self.form.participant[row]
        name = QLineEdit(person.name)
        name.setAccessibleName(f"name of person {row + 1}")
        name.setPlaceholderText(f"{placeholder('participant.name')}: the name as in the "
                                "transcript")
        name.textEdited.connect(lambda text, r=row: self._rename(r, text))
        role = QComboBox()
        role.setAccessibleName(f"role of person {row + 1}")
        role.addItems(list(self.roles))
        role.setCurrentText(person.role)
        role.currentTextChanged.connect(lambda text, r=row: self._set_role(r, text))
        return [name, role]

    def _rename(self, row: int, text: str) -> None:
        self.form.rename_participant(row, text)
        self.changed.emit()

    def _set_role(self, row: int, role: str) -> None:
        self.form.set_role(row, role)
        self.changed.emit()


class RevocationsEditor(RowsEditor):
    """A CRL's revocations: serial, reason and (optionally) the certificate revoked."""

    stretch = (0, 2)

    def __init__(self, form: PlanForm, reasons: tuple[str, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__("Add a certificate to revoke", parent)
        self.form = form
        self.reasons = reasons
        self.add_button.setObjectName("addRevocation")
        self.rebuild()

    def count(self) -> int:
        return len(self.form.crl.revoke)

    def add_row(self) -> None:
        self.form.add_revocation()

    def remove_row(self, row: int) -> None:
        self.form.remove_revocation(row)

    def row_widgets(self, row: int) -> list[QWidget]:
        entry = self.form.crl.revoke[row]
        serial = QLineEdit(entry.serial)
        serial.setAccessibleName(f"serial of revocation {row + 1}")
        serial.setPlaceholderText(f"serial in hex, {placeholder('crl.revoke.serial')}")
        serial.textEdited.connect(lambda text, r=row: self._update(r, serial=text))
        reason = QComboBox()
        reason.setAccessibleName(f"reason of revocation {row + 1}")
        reason.addItems(list(self.reasons))
        reason.setCurrentText(entry.reason)
        reason.currentTextChanged.connect(lambda text, r=row: self._update(r, reason=text))
        certificate = PathEdit(f"certificate of revocation {row + 1}")
        certificate.line.setText(entry.certificate)
        certificate.line.setPlaceholderText("its certificate (optional)")
        certificate.edited.connect(lambda text, r=row: self._update(r, certificate=text))
        return [serial, reason, certificate]

    def chain(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for row in self.rows:
            for widget in row:
                widgets += widget.chain() if isinstance(widget, PathEdit) else [widget]
        return [*widgets, self.add_button]

    def _update(self, row: int, **values: str) -> None:
        self.form.update_revocation(row, **values)
        self.changed.emit()
