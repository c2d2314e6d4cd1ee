"""The panel for each question the runner asks the room (no state of the view's own).

Each function builds one panel from the question's arguments; the view shows it, waits for its
``answered`` and hands the answer to the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.typography import LARGE, typography
from gui.viewmodels.decision import DecisionForm, Question
from gui.viewmodels.hand_out import CopyCheckForm, HandOut
from gui.viewmodels.share_card import PrinterOffer
from gui.viewmodels.share_form import ShareForm
from gui.widgets.hand_out import CopyCheckWidget, HandOutWidget
from gui.widgets.plaintext import PlainLabel
from gui.widgets.prompts import DecisionPanel, WidgetPanel
from gui.widgets.share_entry import ShareEntryWidget

CONFIRM_HEAD = ("The journal as found ends with the chain head shown below in full. Does it "
                "match the last chain head written in the paper log? If not, the journal may "
                "have been changed since the ceremony stopped: nothing more is done.")


def decision(question: Question, person: str, text: str, preview: Any = None) -> DecisionPanel:
    """A decision ``person`` takes: confirm, refuse (with a reason) or deviate."""
    return DecisionPanel(DecisionForm(question, person, text), preview)


def signing(person: str, preview: Any) -> DecisionPanel:
    """``person`` confirms exactly what is signed, shown in full."""
    return decision(Question.SIGNING, person, f"sign the {preview.what} shown", preview)


def hand_out(holder: str, number: int, total: int, words: tuple[str, ...],
             notice: str | None, wrong: tuple[int, ...] = (),
             cards: PrinterOffer | None = None) -> WidgetPanel:
    """The privacy screen that shows ``holder`` their share, then hides it; ``wrong`` are the
    positions their last copy missed, marked on the share; ``cards``: the printers a card may
    go to, when the plan allows cards."""
    widget = HandOutWidget(HandOut(holder, number, total, words, wrong), notice, cards=cards)
    return WidgetPanel(widget, widget.done)


def copy_check(holder: str, positions: tuple[int, ...], word_count: int,
               notice: str | None) -> WidgetPanel:
    """``holder`` types their share (or the words asked for) back from paper."""
    widget = CopyCheckWidget(CopyCheckForm(holder, positions, word_count), notice)
    return WidgetPanel(widget, widget.answered)


def enter_share(form: ShareForm, progress: str, problem: str | None) -> WidgetPanel:
    """The next custodian types their share into ``form``'s fields."""
    widget = ShareEntryWidget(form)
    widget.set_progress(progress)
    widget.set_problem(problem)
    heading = PlainLabel("Next custodian: type your share, one word per field")
    typography().apply(heading, LARGE, bold=True)
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.addWidget(heading)
    layout.addWidget(widget)
    panel = WidgetPanel(box, widget.submitted)
    panel.focus_first = widget.focus_first  # type: ignore[method-assign]
    panel.default_action = widget.submit  # type: ignore[method-assign]
    return panel
