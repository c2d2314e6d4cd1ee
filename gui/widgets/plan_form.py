"""The plan form: one field per plan key, generated from ``plan_fields.fields_for``.

A thin shell over ``gui.viewmodels.plan_form.PlanForm``: each edit sets the form's value at the
field's key path and emits ``changed``; sections that do not apply with the values as they are
(``[shares]`` when the key is not backed up, say) are hidden. Every field has a label whose
buddy it is, Tab walks the fields in the order shown, and a problem of the plan check marks the
field it names (a red border, the message as its tooltip).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.viewmodels.plan_fields import FieldKind, FieldSpec, field_for_problem, problem_path
from gui.viewmodels.plan_form import PlanForm
from gui.widgets.plaintext import PlainLabel, set_tool_tip
from gui.widgets.plan_rows import PathEdit, PeopleEditor, RevocationsEditor, RowsEditor

PROBLEM_STYLE = "{kind} {{ border: 2px solid #c5221f; }}"
# Fields whose value decides which sections apply.
_DECIDING = ("key.backup", "token.pin", "signed_by_root")
_ROW = re.compile(r"\[(\d+)\]")
_LIST_ROWS = 6  # tallest a holder list grows before it scrolls


class PlanFormWidget(QScrollArea):
    """The fields of one ``PlanForm``, grouped by plan table, in a scrolling area."""

    changed = Signal()

    def __init__(self, form: PlanForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planForm")
        self.setWidgetResizable(True)
        self.form = form
        self.editors: dict[str, QWidget] = {}  # the field (what its label points at) per path
        self.widgets: dict[str, QWidget] = {}  # the whole editor per path
        self.groups: dict[str, QGroupBox] = {}
        self.set_form(form)

    def set_form(self, form: PlanForm) -> None:
        """Show ``form`` (built anew: another type has other fields)."""
        self.form = form
        self.editors, self.widgets, self.groups = {}, {}, {}
        body = QWidget()
        layout = QVBoxLayout(body)
        for section in form.all_sections():
            box = QGroupBox(section.title)
            box.setObjectName(f"section-{section.table or 'ceremony'}")
            rows = QFormLayout(box)
            if section.note:
                note = PlainLabel(section.note)
                note.setWordWrap(True)
                rows.addRow(note)
            for spec in section.fields:
                self._add_field(rows, spec)
            layout.addWidget(box)
            self.groups[section.table] = box
        layout.addStretch(1)
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.setWidget(body)
        self.refresh()
        self.order_tabs()

    # --- building ----------------------------------------------------------------------------

    def _add_field(self, rows: QFormLayout, spec: FieldSpec) -> None:
        widget, focus = self._editor(spec)
        self.widgets[spec.path] = widget
        self.editors[spec.path] = focus
        if spec.hint:
            focus.setAccessibleDescription(spec.hint)
            set_tool_tip(focus, spec.hint)
        if spec.kind is FieldKind.FLAG:
            rows.addRow(widget)  # a check box carries its own label
            return
        focus.setAccessibleName(spec.label)
        label = PlainLabel(f"{spec.label}:")
        label.setBuddy(focus)
        rows.addRow(label, widget)

    def _editor(self, spec: FieldSpec) -> tuple[QWidget, QWidget]:
        """The editor of ``spec`` and the widget in it that takes the focus."""
        value, path, kind = self.form.get(spec.path), spec.path, spec.kind
        if kind is FieldKind.TEXT or kind is FieldKind.TEXTS:
            line = QLineEdit(", ".join(value) if kind is FieldKind.TEXTS else value)
            line.setPlaceholderText(spec.placeholder or spec.hint)
            line.textEdited.connect(lambda text: self._set(path, _split(text) if kind
                                                           is FieldKind.TEXTS else text))
            return line, line
        if kind is FieldKind.INTEGER:
            return self._spin(spec, value)
        if kind is FieldKind.CHOICE:
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(value)
            combo.currentTextChanged.connect(lambda text: self._set(path, text))
            return combo, combo
        if kind is FieldKind.FLAG:
            box = QCheckBox(spec.label)
            box.setChecked(bool(value))
            box.toggled.connect(lambda on: self._set(path, on))
            return box, box
        if kind in (FieldKind.FILE, FieldKind.FOLDER):
            picker = PathEdit(spec.label.lower(), folder=kind is FieldKind.FOLDER)
            picker.line.setText(value)
            picker.line.setPlaceholderText(spec.placeholder or spec.hint)
            picker.edited.connect(lambda text: self._set(path, text))
            return picker, picker.line
        if kind in (FieldKind.HOLDERS, FieldKind.OPTIONS):
            ticks = QListWidget()
            ticks.itemChanged.connect(lambda item: self._tick(spec, item))
            return ticks, ticks
        editor: RowsEditor
        if kind is FieldKind.PARTICIPANTS:
            editor = PeopleEditor(self.form, spec.choices)
            editor.changed.connect(self._people_changed)
        else:
            editor = RevocationsEditor(self.form, spec.choices)
            editor.changed.connect(self.changed)
        editor.ordered = self.order_tabs
        return editor, editor.add_button

    def _spin(self, spec: FieldSpec, value: int | None) -> tuple[QWidget, QWidget]:
        spin = QSpinBox()
        lowest = spec.minimum - 1 if spec.unlimited else spec.minimum
        spin.setRange(lowest, spec.maximum)
        if spec.unlimited:
            spin.setSpecialValueText(spec.unlimited)  # shown for the value below the minimum
        spin.setValue(lowest if value is None else value)
        spin.valueChanged.connect(
            lambda number: self._set(spec.path, None if number < spec.minimum else number))
        return spin, spin

    # --- editing -----------------------------------------------------------------------------

    def _set(self, path: str, value: Any) -> None:
        self.form.set(path, value)
        if path in _DECIDING:
            self.refresh()
        self.changed.emit()

    def _tick(self, spec: FieldSpec, item: QListWidgetItem) -> None:
        held = item.checkState() == Qt.CheckState.Checked
        if spec.kind is FieldKind.HOLDERS:
            self.form.set_holder(spec.path, item.text(), held)
        else:  # options keep the order of their choices
            chosen = set(self.form.get(spec.path))
            if held:
                chosen.add(item.text())
            else:
                chosen.discard(item.text())
            self.form.set(spec.path, [c for c in spec.choices if c in chosen])
        self.changed.emit()

    def _people_changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def refresh(self) -> None:
        """Show the sections that apply and the custodians each holder list offers."""
        for table, box in self.groups.items():
            box.setVisible(self.form.applies(table))
        for section in self.form.all_sections():
            for spec in section.fields:
                if spec.kind in (FieldKind.HOLDERS, FieldKind.OPTIONS):
                    self._fill_ticks(spec)

    def _fill_ticks(self, spec: FieldSpec) -> None:
        ticks = self.widgets[spec.path]
        if not isinstance(ticks, QListWidget):
            raise TypeError(f"{spec.path} is shown as a {type(ticks).__name__}, not a tick list")
        names = (self.form.holder_choices(spec.path) if spec.kind is FieldKind.HOLDERS
                 else spec.choices)
        chosen = set(self.form.get(spec.path))
        row = ticks.currentRow()
        ticks.blockSignals(True)
        ticks.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen
                               else Qt.CheckState.Unchecked)
            ticks.addItem(item)
        if names and row >= 0:  # where the keyboard was, without selecting anything
            ticks.setCurrentRow(min(row, len(names) - 1),
                                QItemSelectionModel.SelectionFlag.NoUpdate)
        ticks.blockSignals(False)
        shown = max(1, min(len(names), _LIST_ROWS))
        ticks.setFixedHeight(ticks.sizeHintForRow(0) * shown + 2 * ticks.frameWidth() + 4
                             if names else 2 * ticks.fontMetrics().height())

    def order_tabs(self) -> None:
        """Tab walks the fields in the order shown (rows added later included)."""
        chain: list[QWidget] = []
        for section in self.form.all_sections():
            for spec in section.fields:
                widget = self.widgets.get(spec.path)
                if isinstance(widget, PathEdit | RowsEditor):
                    chain += widget.chain()
                elif widget is not None:
                    chain.append(widget)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- problems ----------------------------------------------------------------------------

    def mark_problems(self, problems: tuple[str, ...]) -> dict[str, list[str]]:
        """Mark each field a problem names; return the problems per field path."""
        sections = self.form.all_sections()
        found: dict[str, list[str]] = {}
        for problem in problems:
            spec = field_for_problem(problem, sections)
            if spec is not None:
                found.setdefault(spec.path, []).append(problem)
        for section in sections:
            for spec in section.fields:
                self._mark(spec, found.get(spec.path, []))
        return found

    def _mark(self, spec: FieldSpec, problems: list[str]) -> None:
        widget = self.widgets[spec.path]
        targets: list[QWidget] = [self.editors[spec.path]]
        if isinstance(widget, RowsEditor):
            targets = [*(row[0] for row in widget.rows), widget.add_button]
        for target in targets:
            mine = problems
            if isinstance(widget, RowsEditor):
                mine = [p for p in problems if _row_of(p) == _row_index(widget, target)]
            target.setStyleSheet(PROBLEM_STYLE.format(kind=type(target).__name__) if mine
                                 else "")
            text = "\n".join(mine) or spec.hint
            set_tool_tip(target, text)
            target.setAccessibleDescription(text)

    def focus_field(self, path: str, row: int | None = None) -> bool:
        """Put the keyboard focus on the field at ``path`` (a row's first field for rows)."""
        widget = self.widgets.get(path)
        if widget is None:
            return False
        target = self.editors[path]
        if isinstance(widget, RowsEditor) and row is not None and 0 <= row < len(widget.rows):
            target = widget.rows[row][0]
        self.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def focus_problem(self, problem: str) -> bool:
        """Focus the field ``problem`` is about; False when it names none."""
        spec = field_for_problem(problem, self.form.all_sections())
        return spec is not None and self.focus_field(spec.path, _row_of(problem))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _row_of(problem: str) -> int | None:
    """The 0-based row a problem names (``participant[3]`` is row 2), if any."""
    found = _ROW.search(problem_path(problem))
    return int(found.group(1)) - 1 if found else None


def _row_index(editor: RowsEditor, target: QWidget) -> int | None:
    for index, row in enumerate(editor.rows):
        if row[0] is target:
            return index
    return None
