"""The main window offscreen: navigation by keyboard, presentation mode, the dashboard with
overdue items, the plan error list, the certificate viewer and the auditor view."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from crypto.softhsm import SoftHsmStore
from gui.main_window import MainWindow
from gui.typography import PRESENTATION_SCALE, typography
from gui.viewmodels.plan_review import plan_template
from tests.gui.helpers import NOW, ceremony_journal, overdue_inventory, pem, root_certificate

pytestmark = pytest.mark.gui


def test_the_window_opens_on_the_dashboard_and_pages_are_reached_by_keyboard(
        window: MainWindow, qtbot: Any) -> None:
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=5000)
    assert window.stack.currentWidget() is dashboard
    assert dashboard.summary.text().startswith("Nothing is overdue")
    for key, name in ((Qt.Key.Key_2, "start"), (Qt.Key.Key_3, "auditor"),
                      (Qt.Key.Key_4, "viewer"), (Qt.Key.Key_1, "dashboard")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page_name() == name
        assert window.stack.currentWidget() is window.page(name)
    assert window.banner.text == ""


def test_presentation_mode_scales_every_font_from_the_system_font(
        window: MainWindow, qtbot: Any) -> None:
    app = QApplication.instance()
    base = app.font().pointSizeF()
    window.show_page("start")
    verdict = window.page("start").plan_review.verdict
    headline = verdict.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert typography().presenting
    assert app.font().pointSizeF() == pytest.approx(base * PRESENTATION_SCALE)
    assert verdict.font().pointSizeF() == pytest.approx(headline * PRESENTATION_SCALE)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert not typography().presenting
    assert app.font().pointSizeF() == pytest.approx(base)
    assert verdict.font().pointSizeF() == pytest.approx(headline)


def test_the_dashboard_shows_overdue_items_first_and_in_colour(qtbot: Any,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    overdue_inventory(path)
    window = MainWindow(path)
    qtbot.addWidget(window)
    window.show()
    dashboard = window.page("dashboard")
    dashboard.now = lambda: NOW
    with qtbot.waitSignal(dashboard.loaded, timeout=5000):
        dashboard.reload()
    due = dashboard.due
    assert due.rowCount() == 3
    assert [due.item(r, 0).text() for r in range(3)] == ["OVERDUE", "OVERDUE", "due soon"]
    assert due.item(0, 0).background().color().name() == "#fce8e6"
    assert due.item(2, 0).background().color().name() == "#fef7e0"
    assert "Expired Root" in due.item(1, 3).text()
    assert dashboard.summary.text() == "2 overdue and 1 due within 90 days."
    assert dashboard.certificates.cellWidget(0, 6).value() == 100  # the expired one, all used
    assert dashboard.share_sets.item(0, 4).text() == "never"


def test_a_file_that_is_no_inventory_is_a_sentence_not_a_crash(qtbot: Any,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "broken.sqlite3"
    bad.write_bytes(b"\x00garbage" * 100)
    window = MainWindow(bad)
    qtbot.addWidget(window)
    window.show()
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=5000)
    assert str(bad) in window.banner.text and "\n" not in window.banner.text
    assert dashboard.summary.text() == "The inventory could not be read."


def test_the_plan_error_list_names_every_key_and_blocks_the_start(
        window: MainWindow, tmp_path: Path) -> None:
    plan = tmp_path / "root.toml"
    plan.write_text(plan_template("root").replace("threshold = 3", "threshold = 9")
                    .replace('country = "NL"', 'country = "nl"'), encoding="utf-8")
    window.open_file(plan)
    start = window.page("start")
    assert window.stack.currentWidget() is start
    problems = [start.plan_review.problems.item(i).text()
                for i in range(start.plan_review.problems.count())]
    assert [p.split(":")[0] for p in problems] == ["shares.threshold", "certificate.country"]
    assert start.plan_review.problems.item(0).foreground().color().name() == "#a50e0e"
    assert not start.start_button.isEnabled()
    assert start.plan_review.verdict.text().startswith("The plan has 2 problems")
    plan.write_text(plan_template("root"), encoding="utf-8")
    start.check_again()
    assert start.start_button.isEnabled()
    assert start.plan_review.problems.count() == 0


def test_the_start_page_prints_the_open_plans_script_or_says_why_not(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    import subprocess

    from gui.widgets.background import wait_for_background

    plan = tmp_path / "drill.toml"
    plan.write_text(plan_template("drill").replace("threshold = 3", "threshold = 9"),
                    encoding="utf-8")
    start = window.page("start")
    assert not start.print_button.isEnabled()
    window.open_file(plan)
    assert start.print_button.isEnabled()
    out = tmp_path / "drill-script.pdf"
    start.print_script_to(out)
    wait_for_background()
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=5000)
    assert window.banner.kind == "error" and "shares.threshold" in window.banner.text
    assert not out.exists()
    plan.write_text(plan_template("drill"), encoding="utf-8")
    start.check_again()
    start.print_script_to(out)
    wait_for_background()
    qtbot.waitUntil(lambda: window.banner.kind == "info", timeout=5000)
    assert window.banner.text.startswith("The ceremony script (2 steps) was written to ")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "example-drill-2026" in text


def test_a_new_plan_of_any_type_is_begun_by_keyboard(window: MainWindow, qtbot: Any) -> None:
    start = window.show_page("start")
    start.tabs.setCurrentIndex(1)
    tab = start.new_plan
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    tab.type_box.setFocus()
    qtbot.keyClicks(tab.type_box, "drill")  # a closed combo box selects what is typed
    qtbot.keyClick(tab.type_box, Qt.Key.Key_Tab)
    new_form = tab.findChild(QPushButton, "newForm")
    assert QApplication.focusWidget() is new_form
    qtbot.keyClick(new_form, Qt.Key.Key_Return)
    assert tab.form.type.value == "drill"
    assert 'type = "drill"' in tab.toml.toPlainText()
    review = tab.check_now()
    assert review is not None  # an empty form: nothing passes until the person fills it in
    assert {"id", "title", "participant"} <= {p.split(":")[0] for p in review.problems}
    assert tab.check_view.problems.item(0).foreground().color().name() == "#a50e0e"
    qtbot.keyClick(new_form, Qt.Key.Key_Tab)
    example = tab.findChild(QPushButton, "exampleForm")
    assert QApplication.focusWidget() is example
    qtbot.keyClick(example, Qt.Key.Key_Return)  # nothing typed yet: nothing to lose, no question
    review = tab.check_now()
    assert review is not None
    assert [p.split(":")[0] for p in review.problems] == ["shares.check_value"]


def test_the_viewer_shows_a_certificate_dropped_on_the_window(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    certificate, _ = root_certificate()
    path = tmp_path / "root.pem"
    path.write_bytes(pem(certificate))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    viewer = window.page("viewer")
    with qtbot.waitSignal(viewer.linted, timeout=15_000):
        window.dropEvent(drop)
    assert window.stack.currentWidget() is viewer
    panel = viewer.panel
    assert panel.title.text() == "Certificate: CN=GUI Test Root CA,O=GUI Test,C=NL"
    fields = {panel.fields.item(r, 0).text(): panel.fields.item(r, 1).text()
              for r in range(panel.fields.rowCount())}
    assert fields["Serial"] == f"{certificate.serial_number:x}"
    assert panel.extensions.count() == 4
    assert panel.lint_summary.text().startswith("Lint as ROOT_CA")
    assert window.banner.text == ""


def test_the_viewer_refuses_garbage_with_a_sentence(window: MainWindow,
                                                    tmp_path: Path) -> None:
    garbage = tmp_path / "photo.crt"
    garbage.write_bytes(bytes(range(256)) * 4)
    window.open_file(garbage)
    assert window.banner.text == (f"{garbage} is not a certificate, CRL or certificate signing "
                                  "request in PEM or DER form.")
    assert window.page("viewer").panel.view is None
    assert window.isVisible()


def test_the_auditor_checks_a_journal_and_finds_tampering(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    ceremony_journal(good)
    journal = ceremony_journal(bad)
    journal.write_bytes(journal.read_bytes().replace(b'"Bob"', b'"Eve"'))
    auditor = window.page("auditor")
    for folder in (good, bad):
        with qtbot.waitSignal(auditor.verified, timeout=5000):
            window.open_file(folder / "journal.jsonl")
    texts = [auditor.sources.item(i).text() for i in range(2)]
    assert texts[0] == "✓ The journal-chain check passed: good/journal.jsonl"
    assert texts[1] == "✗ 1 of 1 checks FAILED (journal-chain): bad/journal.jsonl"
    assert auditor.checks.item(0, 1).text() == "✗ FAILED"
    assert "line 2" in auditor.checks.item(0, 2).text()


@pytest.mark.softhsm
def test_the_auditor_verifies_a_signed_transcript_and_a_tampered_copy(
        window: MainWindow, qtbot: Any, tmp_path: Path, softhsm: SoftHsmStore) -> None:
    from tests.ceremony.test_transcript import build_root_ceremony

    built = build_root_ceremony(tmp_path, softhsm)
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(built.transcript.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    auditor = window.page("auditor")
    auditor.add_root(built.trusted)
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        window.open_file(built.transcript)
    result = auditor.results[str(built.transcript)]
    assert result.ok, [c for c in result.checks if not c.ok]
    assert auditor.checks.rowCount() == len(result.checks) >= 10
    assert all(auditor.checks.item(r, 1).text() == "✓ passed"
               for r in range(auditor.checks.rowCount()))
    assert auditor.journal.rowCount() == len(result.journal) > 10
    assert auditor.artifact_list.count() == len(result.artifacts) >= 3
    assert auditor.head_hex.text() == built.head and auditor.qr.text == built.head
    auditor.artifact_list.setCurrentRow(
        next(i for i, a in enumerate(result.artifacts) if a.name.endswith(".pem")))
    assert auditor.artifact.title.text().startswith("Certificate:")
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        window.open_file(tampered)
    bad = auditor.results[str(tampered)]
    assert not bad.ok and "FAILED" in auditor.headline.text()
    report = tmp_path / "report.json"
    assert auditor.export(report)
    exported = json.loads(report.read_text())
    assert [r["ok"] for r in exported["reports"]] == [True, False]


@pytest.mark.softhsm
def test_the_auditor_accepts_countersigners_apart_from_the_ceremony_root(
        window: MainWindow, qtbot: Any, tmp_path: Path, softhsm: SoftHsmStore) -> None:
    from ceremony.transcript.sign import countersign
    from tests.ceremony.test_transcript import build_root_ceremony
    from tests.ceremony.test_verify_attacks import AuditCa

    built = build_root_ceremony(tmp_path, softhsm)
    audit = AuditCa(tmp_path)
    key, mine = audit.issue(audit.name, 7)
    signed = tmp_path / "countersigned.pdf"
    signed.write_bytes(countersign(built.transcript.read_bytes(), key, [mine, audit.certificate]))
    auditor = window.page("auditor")
    auditor.add_root(built.trusted)
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        window.open_file(signed)
    assert [c.name for c in auditor.results[str(signed)].checks if not c.ok] == [
        "signatures-trusted"]
    auditor.add_countersigner_root(audit.file)
    assert auditor.countersigners_label.full_text() == str(audit.file)
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        auditor.verify_all()
    result = auditor.results[str(signed)]
    assert result.ok, [c for c in result.checks if not c.ok]
    trusted = result.report["trusted"]
    assert trusted["countersigners"]["roots"][0]["subject"] == "CN=Audit CA,O=Audit Firm"
    assert [r["subject"] for r in trusted["ceremony"]["roots"]] == [
        built.signer.issuer.rfc4514_string()]


def test_many_qt_calls_do_not_wear_down_none() -> None:
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None per void Qt call and aborted
    after a few thousand (PYSIDE-3474); pyproject excludes it, and this guards the pin."""
    before = sys.getrefcount(None)
    label = QLabel()
    for _ in range(20_000):
        label.setText("x")
    assert sys.getrefcount(None) > before - 1000
