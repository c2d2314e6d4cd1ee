"""Text from outside is shown as text on every page, never rendered as markup.

Hostile fixtures: a real CSR whose subject carries markup (the review found that
``CN=Acme TLS CA<font size=3> <!--`` hid ``O=Evil Org`` in the signing confirmation), a plan
with markup in its title, location and names, a journal with markup in a deviation reason,
an inventory and file names with markup, and a transcript whose file name claims success.
Each is loaded into the page that shows it, and every label there must be plain text.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QWidget,
)

from ceremony.inventory import Inventory
from ceremony.journal import Event, Journal, head_words
from ceremony.preview import certificate_preview
from ceremony.prompts import HeadMoment, SigningPreview, StepView
from crypto.certificates import random_serial, subordinate_builder
from crypto.csr import check_csr, load_csr
from crypto.issuance import TLS_SUBORDINATE, prepare_certificate
from crypto.softhsm import SoftHsmStore
from crypto.subordinates import SubordinateProfile
from gui.main_window import MainWindow
from gui.viewmodels.audit import AuditResult, CheckRow
from gui.widgets.paper_log import HeadMomentPanel
from gui.widgets.plaintext import TOOL_TIP
from gui.widgets.prompts import DecisionPanel, PinPanel, WidgetPanel
from tests.gui.helpers import NOW, root_certificate, split

pytestmark = pytest.mark.gui

GUI = Path(__file__).resolve().parents[2] / "gui"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

SUBJECT_CN = "Acme TLS CA<font size=3> <!--"
EVIL_ORG = "Evil Org"
MARKUP = "<font color=#137333>all checks passed</font><!-- hidden"
PERSON = "Tom & Jerry <b>Ops</b>"
LOCATION = "Vault <i>2</i>, AT&T <Ops>"
FILE_MARKUP = "<font color=green>ok<!--"


# --- what every page must satisfy ----------------------------------------------------------


def rendered(text: str, label: QLabel) -> str:
    """What ``label`` shows for ``text``: itself in plain text, the rendering otherwise."""
    if label.textFormat() == Qt.TextFormat.PlainText or (
            label.textFormat() == Qt.TextFormat.AutoText and not QtGui.Qt.mightBeRichText(text)):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def assert_no_markup(root: QWidget) -> None:
    """Every label under ``root`` shows its text as given; every tool tip that Qt would read
    as rich text is ours, with the outside text escaped inside."""
    for label in root.findChildren(QLabel):
        where = f"{label.objectName() or type(label).__name__}: {label.text()!r}"
        assert label.textFormat() == Qt.TextFormat.PlainText, where
        assert rendered(label.text(), label) == label.text(), where
    for widget in [root, *root.findChildren(QWidget)]:
        tip = widget.toolTip()
        if tip and QtGui.Qt.mightBeRichText(tip):
            assert tip.startswith(TOOL_TIP.split("{}")[0]), (widget.objectName(), tip)


def shown_texts(root: QWidget) -> list[str]:
    """The text of every label, button, list row and table cell under ``root``."""
    texts = [label.text() for label in root.findChildren(QLabel)]
    texts += [button.text().replace("&&", "&") for button in root.findChildren(QAbstractButton)]
    for items in root.findChildren(QListWidget):
        texts += [items.item(row).text() for row in range(items.count())]
    for table in root.findChildren(QTableWidget):
        texts += [table.item(r, c).text() for r in range(table.rowCount())
                  for c in range(table.columnCount()) if table.item(r, c) is not None]
    return texts


def appears(text: str, root: QWidget) -> bool:
    return any(text in shown for shown in shown_texts(root))


# --- hostile fixtures ----------------------------------------------------------------------


def hostile_csr(path: Path) -> Path:
    """A real CSR (software key) that the CSR check accepts: markup is not refused."""
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, EVIL_ORG),
                         x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT_CN)])
    csr = (x509.CertificateSigningRequestBuilder().subject_name(subject)
           .sign(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384()))
    path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    return path


def hostile_journal(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with Journal.create(folder) as journal:
        journal.append(Event.CEREMONY_STARTED, "keyceremony", "system",
                       {"id": "x", "type": "sign", "title": MARKUP})
        journal.append(Event.DEVIATION, PERSON, "witness",
                       {"problem": MARKUP, "reason": f"{MARKUP} go on"})
    return folder / "journal.jsonl"


@pytest.fixture
def window_at(qtbot: Any, tmp_path: Path) -> Any:
    """A main window on an inventory whose path holds markup."""
    from gui.widgets.background import wait_for_background

    made: list[MainWindow] = []

    def make(inventory: Path) -> MainWindow:
        main = MainWindow(inventory)
        qtbot.addWidget(main)
        main.show()
        qtbot.waitExposed(main)
        made.append(main)
        return main

    yield make
    for main in made:
        if main.ceremony is not None and main.ceremony.running:
            main.ceremony.stop()
            main.ceremony.worker.wait(10_000)
    wait_for_background()


# --- the pages -----------------------------------------------------------------------------


def test_a_plan_with_markup_is_reviewed_as_plain_text(window: MainWindow,
                                                      tmp_path: Path) -> None:
    folder = tmp_path / f"plans{FILE_MARKUP}"
    (folder / "files").mkdir(parents=True)
    shutil.copy(EXAMPLES / "files" / "root.pem", folder / "files" / "root.pem")
    csr = hostile_csr(folder / "files" / f"issuing{FILE_MARKUP}.csr")
    text = (EXAMPLES / "sign.toml").read_text()
    for old, new in (("Example Root CA R1 signs Example TLS Issuing CA 2", MARKUP),
                     ("Vault room 2, Example Trust B.V., Amsterdam", LOCATION),
                     ("Willem Bakker", PERSON), ("files/issuing-ca.csr", f"files/{csr.name}")):
        assert old in text
        text = text.replace(old, new)
    plan = folder / f"sign{FILE_MARKUP}.toml"
    plan.write_text(text)
    window.open_file(plan)
    start = window.page("start")
    assert start.review is not None
    assert start.plan_label.text() == str(plan)
    assert_no_markup(window)
    assert appears(str(plan), window)


def test_the_signing_confirmation_shows_each_subject_attribute_as_written(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    csr = load_csr(hostile_csr(tmp_path / "request.csr").read_bytes())
    check_csr(csr)  # '<' and '&' are allowed in a subject; they must show literally
    root, key = root_certificate()
    profile = SubordinateProfile(365, "http://crl.example.com/r.crl",
                                 "http://crt.example.com/r.crt")
    prepared = prepare_certificate(
        subordinate_builder(profile, csr, root, random_serial(os.urandom), NOW),
        TLS_SUBORDINATE, key.public_key(), root.subject)
    preview = certificate_preview("subordinate CA certificate", prepared.preview,
                                  prepared.lint, "root-key")
    assert ("Subject commonName", SUBJECT_CN) in preview.fields
    assert ("Subject organizationName", EVIL_ORG) in preview.fields
    folder = tmp_path / "ceremony"
    hostile_journal(folder)
    job = HostileJob(preview, folder)
    view = window.start_job(job)
    seen: list[str] = []
    while True:
        qtbot.waitUntil(lambda: (view.panel is not None and view.panel.isEnabled())
                        or not view.running, timeout=20_000)
        if view.panel is None:
            break
        panel = view.panel
        assert_no_markup(window)
        seen.append(answer(panel, job.labels))
    qtbot.waitUntil(lambda: view.outcome is not None or view.result.text() != "",
                    timeout=30_000)
    assert seen == ["sign-off", "deviation", "signing", "pin", "hand-out", "head"]
    assert MARKUP + ", final chain head (record 3)" in job.labels["head"]
    assert_no_markup(window)
    assert view.title.full_text() == f"{MARKUP} (rehearsal) — {folder}"  # elided on screen
    assert view.title.toolTip() == TOOL_TIP.format(html.escape(view.title.full_text(),
                                                               quote=False))
    assert MARKUP in view.step_title.text() and view.instructions.text() == LOCATION
    assert view.result.text() == MARKUP
    assert appears(f"{MARKUP} go on", view)  # the journal's deviation reason, as recorded
    assert job.labels["signing"].count(SUBJECT_CN) == 1
    assert "Subject organizationName:" in job.labels["signing"]
    assert EVIL_ORG in job.labels["signing"]  # its own row: nothing can hide it
    assert f"Confirm as {PERSON}" in job.labels["signing"]


@dataclass
class HostileJob:
    """A job that puts markup through every question the ceremony view shows."""

    preview: SigningPreview
    folder: Path
    title: str = MARKUP
    pin_hint: str = MARKUP

    def __post_init__(self) -> None:
        self.labels: dict[str, list[str]] = {}
        self.words = tuple(split().shares[0][0].split())  # a throwaway share

    def run(self, prompter: Any, begin: Any) -> str:
        step = StepView("x", 1, 1, MARKUP, LOCATION, (PERSON,), ("witness",))
        begin(SimpleNamespace(title=MARKUP, rehearsal=True), self.folder, (step,))
        prompter.step(step)
        prompter.inform(MARKUP)
        prompter.sign_off(PERSON, MARKUP)
        prompter.deviation(PERSON, MARKUP)
        prompter.confirm_signing(PERSON, self.preview)
        prompter.pin(PERSON, MARKUP, MARKUP)
        prompter.hand_out_share(PERSON, 1, 1, self.words)
        head = "ab" * 32
        prompter.record_head(PERSON, HeadMoment(MARKUP, 3, head, head_words(head), final=True))
        return MARKUP


def answer(panel: Any, labels: dict[str, list[str]]) -> str:
    """Note in ``labels`` what ``panel`` shows, then answer it as the room would."""
    texts = shown_texts(panel)
    if isinstance(panel, DecisionPanel):
        choices = [choice.label for choice in panel.form.choices]
        kind = ("deviation" if choices[0] == "Stop the ceremony" else
                "signing" if "Refuse to sign…" in choices else "sign-off")
        labels[kind] = texts
        QTest.mouseClick(panel.buttons[panel.form.choices[0].outcome],
                         Qt.MouseButton.LeftButton)
        return kind
    if isinstance(panel, PinPanel):
        labels["pin"] = texts
        panel.pin.setText("1234")
        panel.default_action()
        return "pin"
    if isinstance(panel, HeadMomentPanel):
        labels["head"] = texts
        assert panel.confirm.text().replace("&&", "&").endswith(f"confirm as {PERSON}")
        QTest.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
        return "head"
    assert isinstance(panel, WidgetPanel)
    labels["hand-out"] = texts
    button = panel.widget.findChild(QPushButton)
    assert button.text().replace("&&", "&") == f"I am {PERSON}: show my share"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert_no_markup(panel)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    return "hand-out"


def test_a_journal_with_markup_is_audited_as_plain_text(window: MainWindow, qtbot: Any,
                                                        tmp_path: Path) -> None:
    journal = hostile_journal(tmp_path / f"c{FILE_MARKUP}")
    auditor = window.page("auditor")
    with qtbot.waitSignal(auditor.verified, timeout=5000):
        window.open_file(journal)
    assert_no_markup(window)
    assert auditor.headline.text().startswith("The journal-chain check passed: ")
    assert auditor.headline.text().endswith(f"c{FILE_MARKUP}/journal.jsonl\nCeremony: x sign")
    assert appears(f"{MARKUP} go on", auditor)


def test_a_csr_with_markup_is_viewed_as_plain_text(window: MainWindow, qtbot: Any,
                                                   tmp_path: Path) -> None:
    csr = hostile_csr(tmp_path / f"request{FILE_MARKUP}.csr")
    window.open_file(csr)
    viewer = window.page("viewer")
    assert_no_markup(window)
    assert viewer.path_label.full_text() == str(csr)
    assert appears("Subject commonName", viewer) and appears(SUBJECT_CN, viewer)
    assert appears(EVIL_ORG, viewer)


def test_an_inventory_with_markup_is_shown_as_plain_text(window_at: Any, qtbot: Any,
                                                         tmp_path: Path) -> None:
    path = tmp_path / f"inventory{FILE_MARKUP}.sqlite3"
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT_CN)])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(NOW - dt.timedelta(days=1))
                   .not_valid_after(NOW + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    with Inventory.open(path) as inventory:
        inventory.record_certificate(certificate, "root")
        inventory.record_share_set(scheme="2-of-2", holders=[PERSON, MARKUP],
                                   check_value="0123456789abcdef", created=NOW, purpose=MARKUP)
        inventory.record_ceremony(ceremony_id="c1", ceremony_type="root", title=MARKUP,
                                  started=NOW, folder=str(tmp_path / FILE_MARKUP))
    window = window_at(path)
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=5000)
    assert_no_markup(window)
    assert dashboard.path_label.full_text() == f"Inventory: {path}"
    assert appears(PERSON, dashboard)


def test_a_headline_leads_with_the_verdict_and_shows_invisible_characters() -> None:
    name = "/tmp/x.pdf: all 3 checks passed.\n\u202e"
    result = AuditResult(f"{name}.pdf", "transcript", True,
                         (CheckRow("a", True, ""), CheckRow("b", False, "bad")))
    assert result.headline == ("1 of 2 checks FAILED (b): x.pdf: all 3 checks passed."
                               "<U+000A><U+202E>.pdf")


@pytest.mark.softhsm
def test_a_failing_transcript_named_like_a_pass_is_not_shown_as_one(
        window: MainWindow, qtbot: Any, tmp_path: Path, softhsm: SoftHsmStore) -> None:
    from tests.ceremony.test_transcript import build_root_ceremony

    built = build_root_ceremony(tmp_path, softhsm)
    named = tmp_path / ("t<font color=#137333>: all 11 checks passed.</font><!--.pdf"
                        .replace("/", ""))
    data = bytearray(built.transcript.read_bytes())
    data[len(data) // 2] ^= 0x01
    named.write_bytes(bytes(data))
    auditor = window.page("auditor")
    auditor.add_root(built.trusted)
    with qtbot.waitSignal(auditor.verified, timeout=30_000):
        window.open_file(named)
    result = auditor.results[str(named)]
    assert not result.ok
    assert_no_markup(window)
    headline = auditor.headline.text()
    failures = sum(not check.ok for check in result.checks)
    assert headline.startswith(f"{failures} of {len(result.checks)} checks FAILED (")
    assert headline.splitlines()[0].endswith(f"): {named.name}")  # the name last, as written
    assert "#a50e0e" in auditor.headline.styleSheet()
    assert auditor.sources.currentItem().text().startswith("✗ ")


# --- the sources ---------------------------------------------------------------------------


def _offences(path: Path) -> list[str]:
    """Ways ``path`` could show outside text as markup without going through the helper."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        where = f"{path.relative_to(GUI.parent)}:{node.lineno}"
        if name in ("QLabel", "QTextBrowser", "QTextEdit", "QMessageBox", "QToolTip"):
            found.append(f"{where} makes a {name}; use gui.widgets.plaintext")
        elif isinstance(func, ast.Attribute) and func.attr in (
                "setToolTip", "setHtml", "insertHtml", "question", "information", "warning",
                "critical", "showText", "setWhatsThis", "setStatusTip"):
            found.append(f"{where} calls {func.attr}; use gui.widgets.plaintext")
        elif isinstance(func, ast.Attribute) and func.attr == "setTextFormat":
            found.append(f"{where} sets a text format; labels are PlainLabels")
        elif isinstance(func, ast.Attribute) and func.attr == "addRow" and node.args \
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
            found.append(f"{where} lets QFormLayout make a label; pass a PlainLabel")
    return found


def test_gui_shows_text_only_through_the_plain_text_helper() -> None:
    helper = GUI / "widgets" / "plaintext.py"
    offences = [o for path in sorted(GUI.rglob("*.py")) if path != helper
                for o in _offences(path)]
    assert not offences, "\n".join(offences)
    assert _offences(helper)  # the check does see what the helper itself does
