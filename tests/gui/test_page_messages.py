"""The message strip belongs to the page that raised its message, and an error goes once it is
put right (issue 13, item 9): a red "say what you trust" never stands beside a green verdict,
and never follows the person to another page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from crypto.softhsm import SoftHsmStore
from gui.main_window import MainWindow
from gui.viewmodels.page_messages import MessageKind, PageMessage, PageMessages

pytestmark = pytest.mark.gui


def test_each_page_keeps_its_own_message_until_it_is_put_right_or_dismissed() -> None:
    messages = PageMessages()
    messages.say("auditor", "Say what you trust.", MessageKind.ERROR)
    messages.say("start", "Saved as plan.toml.", MessageKind.INFO)
    assert messages.of("dashboard") is None
    assert messages.of("auditor") == PageMessage("Say what you trust.", MessageKind.ERROR)
    messages.resolved("auditor")
    assert messages.of("auditor") is None
    messages.resolved("start")  # information is not a problem to put right: it stays
    assert messages.of("start") == PageMessage("Saved as plan.toml.", MessageKind.INFO)
    messages.dismissed("start")
    assert messages.of("start") is None


@pytest.mark.softhsm
def test_the_auditors_error_stays_on_its_page_and_goes_once_the_transcript_verifies(
        window: MainWindow, qtbot: Any, tmp_path: Path, softhsm: SoftHsmStore) -> None:
    from tests.ceremony.test_transcript import build_root_ceremony

    built = build_root_ceremony(tmp_path, softhsm)
    auditor = window.show_page("auditor")
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        auditor.open_path(built.transcript)  # nothing trusted yet
    assert window.banner.kind == "error"
    assert window.banner.text.startswith("Say what you trust before verifying")
    window.show_page("dashboard")  # the auditor's error does not follow
    assert window.banner.text == ""
    window.show_page("auditor")  # and is still there on its own page, still unresolved
    assert window.banner.text.startswith("Say what you trust")
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        auditor.add_root(built.trusted)  # the file that could not be verified is, at once
    assert auditor.headline.text().startswith("All ") and "checks passed" in \
        auditor.headline.text()
    assert window.banner.text == "" and window.banner.isHidden()  # no red beside the green
    window.show_page("dashboard")
    window.show_page("auditor")
    assert window.banner.text == ""


def test_a_page_error_is_shown_only_with_its_page_and_dismissing_ends_it(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate")
    window.open_file(garbage)  # the viewer's error
    assert window.current_page_name() == "viewer" and "garbage.pem" in window.banner.text
    window.show_page("start")
    assert window.banner.text == ""
    window.show_page("viewer")
    assert "garbage.pem" in window.banner.text
    window.banner.findChild(QPushButton, "bannerDismiss").click()
    window.show_page("start")
    window.show_page("viewer")
    assert window.banner.text == ""


def test_a_file_that_opens_clears_the_viewers_error(window: MainWindow, tmp_path: Path) -> None:
    from tests.gui.helpers import pem, root_certificate

    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate")
    good = tmp_path / "root.pem"
    good.write_bytes(pem(root_certificate()[0]))
    window.open_file(garbage)
    assert window.banner.kind == "error"
    window.open_file(good)
    assert window.banner.text == ""
