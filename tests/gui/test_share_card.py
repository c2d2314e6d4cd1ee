"""Printed share cards: the card's content against the SLIP-39 reference, the card painted in
memory, the printer rules (paper only, never a file) and the hand-out screen's button.

Nothing here writes a share to disk: cards are painted onto a ``QImage`` in memory, and the
printers set to a file are refused before anything is painted.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
import shamir_mnemonic
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton

from crypto.errors import ShareError
from gui.viewmodels.hand_out import HandOut
from gui.viewmodels.share_card import NO_PRINTER, PrinterOffer, ShareCard, refusal
from gui.widgets.hand_out import HandOutWidget
from gui.widgets.qr import QUIET_ZONE, qr_modules
from gui.widgets.share_card import (
    CardCanvas,
    CardNotPrinted,
    SpoolWarning,
    attached_printers,
    paint_card,
    print_card,
)

pytestmark = pytest.mark.gui


def reference_shares(group_threshold: int, groups: list[tuple[int, int]],
                     secret_bytes: int = 32) -> list[list[str]]:
    """Shares made by the SLIP-39 reference itself, not by our wrapper."""
    return shamir_mnemonic.generate_mnemonics(group_threshold, groups,
                                              secrets.token_bytes(secret_bytes),
                                              iteration_exponent=0)


# --- the card (no Qt) -----------------------------------------------------------------------


def test_a_card_says_what_the_share_itself_encodes() -> None:
    shares = reference_shares(1, [(3, 5)])
    for member, mnemonic in enumerate(shares[0]):
        reference = shamir_mnemonic.Share.from_mnemonic(mnemonic)
        card = ShareCard.of("Bob", member + 1, 5, mnemonic.split())
        assert card.info.identifier == reference.identifier
        assert card.info.member_index == reference.index == member
        assert card.title == f"SLIP-39 share {member + 1} of 5: Bob"
        assert card.header == (f"Set identifier {reference.identifier}",
                               f"Member {member + 1} (3 shares needed)",
                               "33 words, read down each column")


def test_a_card_of_a_group_share_names_its_group_and_both_quorums() -> None:
    shares = reference_shares(2, [(2, 3), (1, 1), (3, 4)], secret_bytes=16)
    mnemonic = shares[2][3]
    reference = shamir_mnemonic.Share.from_mnemonic(mnemonic)
    card = ShareCard.of("Dave", 8, 8, mnemonic.split())
    assert (card.info.group_index, card.info.member_index) == (2, 3) == \
        (reference.group_index, reference.index)
    assert card.header[1] == ("Member 4 of group 3 (3 of the group needed; 2 of 3 groups "
                              "needed)")
    assert card.header[2] == "20 words, read down each column"


def test_the_words_go_down_each_column_and_the_qr_code_carries_them_all() -> None:
    mnemonic = reference_shares(1, [(2, 3)])[0][0]
    words = mnemonic.split()
    card = ShareCard.of("Carol", 1, 3, words)
    assert card.rows == 11
    assert [(w.position, w.column, w.row) for w in card.words[:2]] == [(1, 0, 0), (2, 0, 1)]
    assert (card.words[11].column, card.words[11].row) == (1, 0)
    assert (card.words[32].column, card.words[32].row) == (2, 10)
    assert [w.text for w in card.words] == [f"{i}. {w}" for i, w in enumerate(words, start=1)]
    assert card.qr_text() == mnemonic
    assert shamir_mnemonic.Share.from_mnemonic(card.qr_text()).identifier == card.info.identifier
    twenty = ShareCard.of("Carol", 1, 3, reference_shares(1, [(2, 3)], 16)[0][0].split())
    assert twenty.rows == 7 and twenty.words[-1].column == 2


def test_a_card_never_shows_its_words_in_repr_and_refuses_a_share_that_does_not_decode() -> None:
    words = reference_shares(1, [(2, 3)])[0][1].split()
    card = ShareCard.of("Carol", 2, 3, words)
    assert not set(words) & set(repr(card).replace("'", " ").split())
    # The whole repr, not a substring search: a share word can be part of a field name.
    assert all(repr(w) == f"CardWord(position={w.position}, column={w.column}, row={w.row})"
               for w in card.words)
    miscopied = [*words[:-1], "academic" if words[-1] != "academic" else "acid"]
    with pytest.raises(ShareError):
        ShareCard.of("Carol", 2, 3, miscopied)
    with pytest.raises(ValueError, match="at least one column"):
        ShareCard.of("Carol", 2, 3, words, columns=0)


def test_the_spool_warning_names_the_risk_and_the_copy_check() -> None:
    card = ShareCard.of("Carol", 2, 3, reference_shares(1, [(2, 3)])[0][1].split())
    warning = card.spool_warning()
    assert "spool may keep a copy" in warning
    assert "stays in this room" in warning
    assert "Carol still types the share back" in warning


def test_only_a_named_printer_printing_on_paper_may_receive_a_share() -> None:
    assert refusal(native=True, file_name="", printer_name="Room printer") is None
    assert "print to a file" in (refusal(True, "/tmp/share.pdf", "Room printer") or "")
    assert "print to a file" in (refusal(False, "", "Room printer") or "")
    assert "No printer was chosen" in (refusal(True, "", "") or "")
    assert (refusal(False, "", "") or "").startswith("The printer is set to print to a file")


def test_the_offer_says_why_there_is_no_card_without_a_printer() -> None:
    none = PrinterOffer(())
    assert not none.available and none.reason == NO_PRINTER and none.first_choice == ""
    two = PrinterOffer(("Hall", "Room"), default="Room")
    assert two.available and two.reason == "" and two.first_choice == "Room"
    assert PrinterOffer(("Hall",), default="Gone").first_choice == "Hall"


# --- painting and printing (Qt, in memory) ----------------------------------------------------


def painted(card: ShareCard, width: int = 1480, height: int = 1050) -> tuple[QImage, CardCanvas]:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    canvas = CardCanvas(painter)
    paint_card(canvas, card, QRectF(0, 0, width, height))
    painter.end()
    return image, canvas


def dark_pixels(image: QImage, rect: QRectF) -> int:
    area = rect.toRect()
    return sum(1 for x in range(area.left(), area.right(), 4)
               for y in range(area.top(), area.bottom(), 4)
               if QColor(image.pixel(x, y)).lightness() < 128)


def test_the_card_paints_every_numbered_word_the_header_and_a_qr_code(qtbot: Any) -> None:
    words = reference_shares(1, [(3, 5)])[0][2].split()
    card = ShareCard.of("Bob", 3, 5, words)
    image, canvas = painted(card)
    texts = [run.text for run in canvas.runs]
    assert texts[:4] == [card.title, *card.header]
    assert [f"{i}. {w}" for i, w in enumerate(words, start=1)] == texts[4:-1]
    assert "Keep this card private" in texts[-1]
    assert all(not run.bold for run in canvas.runs[1:4])
    page = QRectF(0, 0, image.width(), image.height())
    assert all(page.contains(run.rect) for run in canvas.runs)
    word_rects = [run.rect for run in canvas.runs[4:-1]]
    assert not any(canvas.qr_rect.intersects(rect) for rect in word_rects)
    assert dark_pixels(image, word_rects[0]) > 0  # text was drawn, not only recorded
    modules = len(qr_modules(card.qr_text())) + 2 * QUIET_ZONE
    assert canvas.qr_rect.width() >= modules * 3  # at least three device pixels a module
    assert dark_pixels(image, canvas.qr_rect) > 100
    # Every module painted is the module of the words' QR code, read back at its centre.
    expected = qr_modules(card.qr_text())
    unit = canvas.qr_rect.width() / modules
    seen = tuple(tuple(QColor(image.pixel(
        int(canvas.qr_rect.left() + (column + QUIET_ZONE + 0.5) * unit),
        int(canvas.qr_rect.top() + (row + QUIET_ZONE + 0.5) * unit))).lightness() < 128
        for column in range(len(expected))) for row in range(len(expected)))
    assert seen == expected


def test_a_small_card_shrinks_its_text_to_fit(qtbot: Any) -> None:
    card = ShareCard.of("Bartholomew Featherstonehaugh-Cholmondeley", 3, 5,
                        reference_shares(1, [(3, 5)])[0][2].split())
    _, canvas = painted(card, 420, 300)
    assert all(QRectF(0, 0, 420, 300).contains(run.rect) for run in canvas.runs)


def test_a_printer_set_to_a_file_is_refused_before_anything_is_painted(
        qtbot: Any, tmp_path: Path) -> None:
    card = ShareCard.of("Bob", 1, 5, reference_shares(1, [(3, 5)])[0][0].split())
    for output in (QPrinter.OutputFormat.PdfFormat, QPrinter.OutputFormat.NativeFormat):
        printer = QPrinter()
        printer.setPrinterName("Room printer")
        printer.setOutputFileName(str(tmp_path / "card.pdf"))
        printer.setOutputFormat(output)
        with pytest.raises(CardNotPrinted, match="print to a file"):
            print_card(card, printer)
    # With no printer attached, Qt's default printer is a PDF writer with no file yet.
    with pytest.raises(CardNotPrinted, match="print to a file"):
        print_card(card, QPrinter())
    assert list(tmp_path.iterdir()) == []


def test_this_machine_offers_exactly_the_printers_qt_sees() -> None:
    offer = attached_printers()
    assert offer.printers == tuple(QPrinterInfo.availablePrinterNames())
    assert offer.available is bool(QPrinterInfo.availablePrinters())


# --- the hand-out screen ----------------------------------------------------------------------


def hand_out_widget(qtbot: Any, cards: PrinterOffer | None) -> HandOutWidget:
    words = tuple(reference_shares(1, [(2, 3)])[0][0].split())
    widget = HandOutWidget(HandOut("Carol", 1, 3, words), cards=cards)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_without_the_plan_option_there_is_no_card_button(qtbot: Any) -> None:
    widget = hand_out_widget(qtbot, None)
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert not widget.card_button.isVisible()
    assert not widget.card_status.isVisible()


def test_with_no_printer_the_button_is_disabled_and_says_why(qtbot: Any) -> None:
    widget = hand_out_widget(qtbot, PrinterOffer(()))
    assert not widget.card_button.isVisible()  # nothing about the share before it is shown
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert widget.card_button.isVisible() and not widget.card_button.isEnabled()
    assert widget.card_status.isVisible() and widget.card_status.text() == NO_PRINTER
    with qtbot.waitSignal(widget.done) as done:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert done.args == [False]
    assert not widget.card_button.isVisible()


def answer_warning(press: str, seen: list[str]) -> None:
    """Answer the spool warning when it opens: read its text, press the named verb."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SpoolWarning):
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.findChild(QComboBox, "cardPrinter").currentText())
        button = dialog.findChild(QPushButton, press)
        seen.append(button.text())
        button.click()
    QTimer.singleShot(20, answer)


def test_the_spool_warning_comes_first_and_not_printing_is_the_default(qtbot: Any) -> None:
    widget = hand_out_widget(qtbot, PrinterOffer(("Room printer",), "Room printer"))
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert widget.card_button.isEnabled() and not widget.card_status.isVisible()
    seen: list[str] = []
    answer_warning("doNotPrintCard", seen)
    widget.card_button.click()
    assert seen == ["Room printer", "Do not print"]
    assert not widget.printed and not widget.card_status.isVisible()


def test_a_printer_gone_before_printing_is_said_and_nothing_is_printed(qtbot: Any) -> None:
    # A printer name Qt does not know stands for one unplugged after the screen offered it.
    widget = hand_out_widget(qtbot, PrinterOffer(("Unplugged printer",)))
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    seen: list[str] = []
    answer_warning("printCard", seen)
    widget.card_button.click()
    assert seen == ["Unplugged printer", "Print the card"]
    assert "no longer attached" in widget.card_status.text()
    assert widget.card_status.isVisible() and not widget.printed
    with qtbot.waitSignal(widget.done) as done:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert done.args == [False]


def test_a_card_is_offered_only_while_the_share_is_on_screen() -> None:
    hand_out = HandOut("Carol", 1, 3, tuple(reference_shares(1, [(2, 3)])[0][0].split()))
    with pytest.raises(ValueError, match="only while the share is on screen"):
        hand_out.card()
    hand_out.reveal()
    assert hand_out.card().info.member_index == 0
    hand_out.hide()
    with pytest.raises(ValueError):
        hand_out.card()


# --- from the engine's question to the screen and back -----------------------------------------


class IdleJob:
    """A job the view is built for but never started: the test asks its questions itself."""

    title = "Cards"
    pin_hint = ""

    def run(self, prompter: Any, begin: Any) -> str:
        raise AssertionError("not started in these tests")


@pytest.mark.parametrize("may_print", [False, True])
def test_the_ceremony_view_offers_a_card_only_when_the_plan_allows_it(
        qtbot: Any, may_print: bool) -> None:
    from gui.pages.ceremony import CeremonyView
    from gui.viewmodels.exchange import Prompt

    view = CeremonyView(IdleJob())
    qtbot.addWidget(view)
    view.show()
    words = tuple(reference_shares(1, [(2, 3)])[0][0].split())
    prompt = Prompt("hand_out_share", ("Carol", 1, 3, words, may_print))
    view._on_prompt(prompt)
    widget = view.panel.widget  # type: ignore[union-attr]
    assert isinstance(widget, HandOutWidget)
    assert (widget.cards is not None) is may_print
    if may_print:
        assert widget.cards == attached_printers()
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert (not widget.card_button.isHidden()) is may_print
    qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert prompt.answered and prompt._take() is False
    assert prompt.args == ()  # the words left the prompt when the screen took them


def test_the_window_prompter_hands_the_plan_option_over_and_the_answer_back() -> None:
    import threading

    from gui.prompter import WindowPrompter
    from gui.viewmodels.exchange import PromptExchange

    posted: list[Any] = []

    def post(prompt: Any) -> None:
        posted.append(prompt.args[-1])
        threading.Timer(0.01, prompt.answer, (True,)).start()

    assert WindowPrompter(PromptExchange(post)).hand_out_share("Carol", 1, 3, ("acid",),
                                                               True) is True
    assert posted == [True]
