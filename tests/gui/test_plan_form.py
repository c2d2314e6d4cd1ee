"""The plan form: a new form of every ceremony type writes a plan that the strict parser reads
and ``plan check`` passes once the user's own values are in; typed text of any kind comes back
exactly; problems find their fields. Then the form in the window, driven by the keyboard.

The plain tests use no Qt. The oracles are the project's own parser and check (the same ones a
ceremony runs), Python's ``tomllib`` for the string escaping, and real files: a root and a CSR
made with software keys, and the example backup of docs/examples/files.
"""

from __future__ import annotations

import dataclasses
import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.plan import (
    CeremonyPlan,
    CeremonyType,
    PinSource,
    SoftwareToken,
    check_plan,
    parse_plan_text,
)
from gui.errors import GuiError
from gui.viewmodels.plan_fields import field_for_problem, fields_for, problem_path
from gui.viewmodels.plan_form import PlanForm, default_plan_name, secret_problems
from gui.viewmodels.toml_text import toml_string
from tests.ceremony.test_plan_check import issue_subordinate, make_csr, make_root
from tests.gui.helpers import shown, split

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
BACKUP = EXAMPLES / "files" / "backup" / "root-key.json"
BACKUP_CHECK_VALUE = "680f3e20eecf0ee4"  # recorded in the example backup's metadata
# What a name may hold and still pass the parser (which refuses control characters in names,
# titles and locations, but for a title's tab and a location's newline): quotes, backslashes,
# TOML syntax, bidi overrides, zero-width and line separators, any script.
HOSTILE = ('He said "stop" \\ then left ] = [x] # not a comment \\n '
           "\u202eevil\u202c \u200b \u2028 日本語 Ünïcödé 🔑 '''\"\"\"")
CONTROLS = "line one\nline two\r\n\x00\x1b[31mred\x7f"


def user_input(form: PlanForm, folder: Path) -> None:
    """What only the person writing the plan knows: the files it names, a set's check value."""
    kind = form.type
    folder.mkdir(exist_ok=True)
    if kind in (CeremonyType.SIGN, CeremonyType.CRL, CeremonyType.CROSS_CERTIFICATE,
                CeremonyType.ROOT_RENEWAL, CeremonyType.OCSP_SIGNER, CeremonyType.RETIRE):
        root = make_root(folder)
        form.issuer.certificate = str(root.path)
        if kind is CeremonyType.CROSS_CERTIFICATE:
            form.cross.certificate = str(make_root(folder, "Test Root CA 2").path)
        elif kind is CeremonyType.SIGN:
            form.csr.file = str(make_csr(folder / "issuing.csr"))
        else:
            retired = issue_subordinate(root, folder / "retired.pem", 0x64FD78DF17A2F64A)
            form.add_revocation()
            form.update_revocation(0, serial="64:fd:78:df:17:a2:f6:4a", reason="superseded",
                                   certificate=str(retired))
    if kind in (CeremonyType.RESTORE, CeremonyType.RESHARE):
        form.backup.file = str(BACKUP)
    if kind in (CeremonyType.RESTORE, CeremonyType.RESHARE, CeremonyType.DRILL,
                CeremonyType.RETIRE):
        form.shares.check_value = BACKUP_CHECK_VALUE


def written(form: PlanForm, folder: Path) -> CeremonyPlan:
    return parse_plan_text(form.to_toml(), folder / "plan.toml")


# --- the model, without Qt ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CeremonyType))
def test_a_new_form_needs_only_the_users_own_values(kind: CeremonyType, tmp_path: Path) -> None:
    form = PlanForm.example(kind)
    before = form.review(tmp_path / "plan.toml")
    users = {CeremonyType.SIGN: {"issuer.certificate", "csr.file"},
             CeremonyType.CRL: {"issuer.certificate"},
             CeremonyType.CROSS_CERTIFICATE: {"issuer.certificate", "cross"},
             CeremonyType.ROOT_RENEWAL: {"issuer.certificate"},
             CeremonyType.OCSP_SIGNER: {"issuer.certificate"},
             CeremonyType.RETIRE: {"issuer.certificate", "shares.check_value"},
             CeremonyType.RESTORE: {"shares.check_value", "backup.file"},
             CeremonyType.RESHARE: {"shares.check_value", "backup.file"},
             CeremonyType.DRILL: {"shares.check_value"}}.get(kind, set())
    assert {problem_path(p) for p in before.problems} == users
    user_input(form, tmp_path)
    plan = written(form, tmp_path)
    report = check_plan(plan, tmp_path / "out")
    assert report.problems == ()
    assert plan.type is kind and plan.id == form.id and plan.title == form.title
    assert [(p.name, p.role.value) for p in plan.participants] == [
        (p.name, p.role) for p in form.participant]
    assert form.review(tmp_path / "plan.toml").can_start


def test_the_values_typed_are_the_values_planned(tmp_path: Path) -> None:
    form = PlanForm.example("sign")
    user_input(form, tmp_path)
    form.profile.path_length = None
    form.profile.validity_days = 400
    form.profile.ocsp_url = "http://ocsp.example.com/r"
    form.profile.extended_key_usages = ["serverAuth"]
    form.profile.policies = ["2.23.140.1.2.2", "1.3.6.1.4.1.99999.1"]
    form.token.module = "/opt/hsm/lib.so"
    profile = written(form, tmp_path).subordinate_profile
    assert profile is not None
    assert (profile.path_length, profile.validity_days, profile.ocsp_url) == (
        None, 400, "http://ocsp.example.com/r")
    assert profile.extended_key_usages == ("serverAuth",)
    assert profile.policies == ("2.23.140.1.2.2", "1.3.6.1.4.1.99999.1")
    root = PlanForm.example("root")
    user_input(root, tmp_path / "root")
    assert written(root, tmp_path).shares.print_cards is False  # type: ignore[union-attr]
    root.set("shares.print_cards", True)
    assert written(root, tmp_path).shares.print_cards is True  # type: ignore[union-attr]
    assert PlanForm.from_plan_text(root.to_toml()).shares.print_cards is True
    assert written(form, tmp_path).token.module == "/opt/hsm/lib.so"  # type: ignore[union-attr]
    crl = PlanForm.example("crl")
    user_input(crl, tmp_path / "crl")
    plan = written(crl, tmp_path)
    assert [(r.serial, r.reason) for r in plan.revocations] == [(0x64FD78DF17A2F64A,
                                                                 "superseded")]


def test_a_backed_up_root_is_planned_with_a_split_pin_and_a_named_module(
        tmp_path: Path) -> None:
    form = PlanForm.example("root")
    plan = written(form, tmp_path)
    assert plan.token is not None and plan.token.pin is PinSource.SHARES
    assert plan.token.module_named and "software_token" not in form.to_toml()
    assert check_plan(plan, tmp_path / "out").warnings == ()
    # A software token in a real ceremony is the plan's explicit choice, written and read back.
    form.token.module = ""
    assert problem_path(form.review(tmp_path / "plan.toml").problems[0]) == "token.module"
    form.token.software_token = "accepted"
    assert 'software_token = "accepted"' in form.to_toml()
    token = written(form, tmp_path).token
    assert token is not None and token.software_token is SoftwareToken.ACCEPTED
    assert form.review(tmp_path / "plan.toml").problems == ()
    again = PlanForm.from_plan_text(form.to_toml())
    assert again.token.software_token == "accepted"
    form.token.pin = "typed"
    assert any(n.startswith("Warning: token.pin: the root key is backed up")
               for n in form.review(tmp_path / "plan.toml").notes)


def test_hostile_text_comes_back_exactly(tmp_path: Path) -> None:
    form = PlanForm.example("root")
    form.title = HOSTILE + "\ttab"
    form.location = HOSTILE + "\nsecond line"
    form.rename_participant(3, HOSTILE)  # a custodian, who holds a share
    form.add_participant('Zoë "Z" O\'Brien\\', "custodian")
    form.set_holder("shares.holders", 'Zoë "Z" O\'Brien\\', True)
    form.certificate.organization = 'Ω "Trust" \\ B.V.'
    text = form.to_toml()
    plan = parse_plan_text(text, tmp_path / "plan.toml")
    assert plan.title == HOSTILE + "\ttab" and plan.location == HOSTILE + "\nsecond line"
    assert plan.participants[3].name == HOSTILE
    assert plan.shares is not None and plan.shares.holders == tuple(form.shares.holders)
    assert HOSTILE in plan.shares.holders and plan.shares.holders[-1] == 'Zoë "Z" O\'Brien\\'
    assert plan.subject is not None and plan.subject.organization == 'Ω "Trust" \\ B.V.'
    # Nothing typed starts a key of its own, and invisible characters are visible escapes.
    assert set(tomllib.loads(text)) == {"format", "type", "id", "title", "rehearsal",
                                        "location", "participant", "token", "key", "shares",
                                        "certificate", "crl"}
    assert "\u202e" not in text and "\\u202E" in text and "\\u2028" in text


def test_control_characters_are_written_as_escapes_and_read_back() -> None:
    form = PlanForm.example("drill")
    form.title = form.location = CONTROLS
    form.rename_participant(0, CONTROLS)
    text = form.to_toml()
    assert "\x00" not in text and "\x1b" not in text and "\\u001B[31m" in text
    document = tomllib.loads(text)  # the writer's part; whether they are allowed is the check's
    assert document["title"] == document["location"] == CONTROLS
    assert document["participant"][0]["name"] == CONTROLS


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_any_string_is_escaped_as_toml_reads_it(text: str) -> None:
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


def test_a_lone_surrogate_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="broken character"):
        toml_string("a\ud800b")


def test_a_threshold_above_the_holders_is_a_problem_on_its_field(tmp_path: Path) -> None:
    form = PlanForm.example("root")
    form.shares.threshold = 6
    review = form.review(tmp_path / "plan.toml")
    assert review.problems == ("shares.threshold: must not exceed the 5 holders (it is 6)",)
    assert not review.can_start
    spec = field_for_problem(review.problems[0], form.sections())
    assert spec is not None and spec.path == "shares.threshold"


def test_problems_of_rows_and_tables_find_their_fields() -> None:
    sections = fields_for("crl")
    for problem, path in (("participant[3].role: must be one of …", "participant"),
                          ("crl.revoke[2].serial: must be …", "crl.revoke"),
                          ("issuer.certificate: expired", "issuer.certificate"),
                          ("out: holds journal.jsonl", None), ("token: missing", None)):
        spec = field_for_problem(problem, sections)
        assert (spec.path if spec else None) == path


def test_the_sections_written_follow_the_values(tmp_path: Path) -> None:
    root = PlanForm.example("root")
    root.key.backup = "none"
    root.token.pin = "typed"  # "shares" derives the PIN from the backup's share set
    assert [s.table for s in root.sections()] == ["", "participant", "token", "key",
                                                  "certificate", "crl"]
    plan = written(root, tmp_path)
    assert plan.shares is None and plan.backup is None
    sign = PlanForm.example("sign")
    user_input(sign, tmp_path)
    sign.token.pin = "shares"
    assert "shares" in [s.table for s in sign.sections()]
    assert problem_path(sign.review(tmp_path / "p.toml").problems[0]) == "shares.check_value"
    drill = PlanForm.example("drill")
    user_input(drill, tmp_path)
    drill.signed_by_root = True
    drill.issuer.certificate = str(make_root(tmp_path, "Drill Root").path)
    plan = written(drill, tmp_path)
    assert plan.token is not None and plan.issuer is not None
    assert check_plan(plan).problems == ()


@pytest.mark.parametrize("kind", ["restore", "reshare"])
def test_a_restore_or_reshare_may_name_the_keys_certificate(kind: str, tmp_path: Path) -> None:
    form = PlanForm.example(kind)
    user_input(form, tmp_path)
    assert ("[key]" in form.to_toml()) is (kind == "restore")  # an empty [key] is left out
    assert written(form, tmp_path).key_certificate is None
    form.key.certificate = "root-ca.pem"
    assert written(form, tmp_path).key_certificate == tmp_path / "root-ca.pem"
    assert PlanForm.from_plan_text(form.to_toml()).key.certificate == "root-ca.pem"


def test_renaming_a_custodian_keeps_their_share_and_unticking_drops_it() -> None:
    form = PlanForm.example("reshare")
    row = next(i for i, p in enumerate(form.participant) if p.name == "Carla Smit")
    form.rename_participant(row, "Carla Smit-de Wit")
    assert form.shares.holders[0] == form.new_shares.holders[0] == "Carla Smit-de Wit"
    form.set_role(row, "witness")
    assert "Carla Smit-de Wit" not in form.custodians()
    assert form.holder_choices("shares.holders")[-1] == "Carla Smit-de Wit"  # still untickable
    form.set_holder("shares.holders", "Carla Smit-de Wit", False)
    assert "Carla Smit-de Wit" not in form.shares.holders


@pytest.mark.parametrize("name", ["root", "sign", "crl", "restore", "reshare", "drill"])
def test_an_example_plan_fills_the_form_and_is_written_back_unchanged(name: str) -> None:
    text = (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")
    hint = EXAMPLES / "again.toml"  # the examples' relative paths resolve the same way
    form = PlanForm.from_plan_text(text)
    original, again = parse_plan_text(text, hint), parse_plan_text(form.to_toml(), hint)
    assert dataclasses.replace(again, sha256="") == dataclasses.replace(original, sha256="")


def test_what_the_form_cannot_show_is_refused_by_name() -> None:
    groups = (EXAMPLES / "intermediate-key.toml").read_text(encoding="utf-8")
    with pytest.raises(GuiError, match=r"cannot show shares\.group_threshold, shares\.group "):
        PlanForm.from_plan_text(groups)
    drill = (EXAMPLES / "drill.toml").read_text(encoding="utf-8")
    with pytest.raises(GuiError, match=r"cannot show colour, shares\.threshold of"):
        PlanForm.from_plan_text(drill.replace("threshold = 3", 'threshold = "3"')
                                .replace("rehearsal = false", 'rehearsal = false\ncolour = 1'))
    with pytest.raises(GuiError, match="not valid TOML"):
        PlanForm.from_plan_text("title = ")
    with pytest.raises(GuiError, match="is not a plan"):
        PlanForm.from_plan_text('format = "other"\n')


def test_a_plan_holding_a_secret_is_never_saved() -> None:
    share = split().shares[0][0]
    words = share.split()
    assert secret_problems(PlanForm.example("root").to_toml()) == ()
    for name in ("root", "sign", "crl", "restore", "reshare", "drill", "intermediate-key"):
        assert secret_problems((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")) == ()
    form = PlanForm.example("drill")
    form.location = share
    problems = secret_problems(form.to_toml())
    assert problem_path(problems[0]) == "location" and share not in " ".join(problems)
    wrapped = form.to_toml().replace(toml_string(share), '""') + (
        "# " + " ".join(f"{n}. {w}" for n, w in enumerate(words[:12], 1)) + "\n# "
        + " ".join(words[12:]) + "\n")
    # In a comment, numbered and wrapped: found on the line where the 20th word is.
    assert [problem_path(p) for p in secret_problems(wrapped)] == [
        f"line {len(wrapped.splitlines())}"]
    assert problem_path(secret_problems('[token]\nso_pin = "1234"\n')[0]) == "token.so_pin"


def test_the_file_name_comes_from_a_usable_id() -> None:
    form = PlanForm.example("drill")
    assert default_plan_name(form) == "drill-root-r1.toml"
    form.id = "../../etc/passwd"
    assert default_plan_name(form).startswith("drill-") and "/" not in default_plan_name(form)


# --- the form in the window --------------------------------------------------------------------


def new_plan_tab(window: Any, folder: Path, kind: str) -> Any:
    start = window.show_page("start")
    start.tabs.setCurrentIndex(1)
    tab = start.new_plan
    tab.folder = folder
    tab.type_box.setCurrentText(kind)
    tab.example_form()
    tab.check_now()
    return tab


def type_into(qtbot: Any, widget: Any, text: str) -> None:
    from PySide6.QtCore import Qt

    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(widget, text)


@pytest.mark.gui
def test_a_root_plan_is_filled_in_by_keyboard_checked_and_saved(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    tab = new_plan_tab(window, tmp_path, "root")
    view = tab.form_view
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())

    type_into(qtbot, view.editors["id"], "acme-root-2026")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.editors["title"]  # Tab follows the form
    type_into(qtbot, view.editors["title"], 'Acme "R1" Root CA')
    type_into(qtbot, view.editors["shares.threshold"], "6")
    type_into(qtbot, view.editors["certificate.country"], "nl")
    qtbot.waitUntil(lambda: len(tab.review.problems) == 2, timeout=3000)
    assert [problem_path(p) for p in tab.review.problems] == ["shares.threshold",
                                                              "certificate.country"]
    assert "c5221f" in view.editors["shares.threshold"].styleSheet()
    assert shown(view.editors["shares.threshold"].toolTip()) == tab.review.problems[0]
    assert not tab.start_button.isEnabled()

    # Enter on a problem takes the keyboard to its field.
    problems = tab.check_view.problems
    problems.setFocus()
    problems.setCurrentRow(1)
    qtbot.keyClick(problems, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is view.editors["certificate.country"]
    type_into(qtbot, view.editors["certificate.country"], "NL")
    type_into(qtbot, view.editors["shares.threshold"], "3")
    holders = view.editors["shares.holders"]
    holders.setFocus()
    holders.setCurrentRow(0)
    qtbot.keyClick(holders, Qt.Key.Key_Space)  # Carla Smit gives up her share
    assert tab.form.shares.holders == ["Daan Visser", "Eva Mulder", "Floor de Boer",
                                       "Gijs Peters"]
    qtbot.waitUntil(lambda: tab.review.can_start, timeout=3000)
    assert view.editors["shares.threshold"].styleSheet() == ""
    assert tab.start_button.isEnabled()
    assert tab.check_view.verdict.text().startswith("The plan passes its check")

    path = tmp_path / "acme-root-2026.toml"
    assert tab.save_plan(path)
    assert window.banner.text == f"Saved as {path}."
    plan = parse_plan_text(path.read_text(encoding="utf-8"), path)
    assert (plan.id, plan.title) == ("acme-root-2026", 'Acme "R1" Root CA')
    assert plan.shares is not None and plan.shares.threshold == 3
    assert len(plan.shares.holders) == 4

    saved = path.read_bytes()
    type_into(qtbot, view.editors["location"], "Somewhere else")
    assert not tab.save_plan(path)
    assert path.read_bytes() == saved
    refusal = f"{path} already exists; a plan is never overwritten, so choose another name."
    assert window.banner.text == refusal and tab.status.text() == refusal

    share = split().shares[0][0]
    type_into(qtbot, view.editors["location"], share)  # pasted in the wrong place
    elsewhere = tmp_path / "other.toml"
    assert not tab.save_plan(elsewhere)
    assert not elsewhere.exists()
    assert window.banner.text.startswith("The plan is not saved: location: looks like SLIP-39")
    assert share not in window.banner.text


@pytest.mark.gui
def test_tab_walks_through_added_rows_in_order(window: Any, qtbot: Any,
                                               tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    tab = new_plan_tab(window, tmp_path, "crl")
    view = tab.form_view
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    people = view.widgets["participant"]
    assert len(people.rows) == 2 and all(w.isVisible() for row in people.rows for w in row)
    people.add_button.click()
    assert QApplication.focusWidget() is people.rows[-1][0]
    qtbot.keyClicks(people.rows[-1][0], "Olga Jansen")
    assert tab.form.participant[-1].name == "Olga Jansen"
    token = next(s for s in tab.form.sections() if s.table == "token").fields[0].path
    chain = [w for row in people.rows for w in row] + [people.add_button,
                                                       view.editors[token]]
    for widget, after in itertools.pairwise(chain):
        assert widget.nextInFocusChain() is after
    revocations = view.widgets["crl.revoke"]
    revocations.add_button.click()
    assert revocations.rows[0][0].nextInFocusChain() is revocations.rows[0][1]
    assert revocations.rows[0][-1].nextInFocusChain() is revocations.add_button


@pytest.mark.gui
def test_the_toml_can_be_edited_by_hand_and_read_back(window: Any, qtbot: Any,
                                                      tmp_path: Path) -> None:
    tab = new_plan_tab(window, tmp_path, "drill")
    assert tab.toml.toPlainText() == tab.form.to_toml() and tab.toml.isReadOnly()
    tab.by_hand.setChecked(True)
    assert not tab.toml.isReadOnly() and not tab.form_view.isEnabled()
    tab.toml.setPlainText(tab.toml.toPlainText().replace('check_value = ""',
                                                         'check_value = "680f3e20eecf0ee4"'))
    review = tab.check_now()
    assert review is not None and review.can_start
    tab.toml.setPlainText(tab.toml.toPlainText() + "\n[[shares.group]]\n")
    tab.by_hand.setChecked(False)  # the form has no share groups: it stays by hand
    assert tab.by_hand.isChecked()
    assert "cannot show shares.group" in window.banner.text
    tab.toml.setPlainText(tab.toml.toPlainText().replace("\n[[shares.group]]\n", ""))
    tab.by_hand.setChecked(False)
    assert tab.form_view.isEnabled() and tab.form.shares.check_value == "680f3e20eecf0ee4"


@pytest.mark.gui
def test_a_clean_saved_plan_starts_as_an_opened_plan_does(window: Any, qtbot: Any,
                                                          tmp_path: Path) -> None:
    tab = new_plan_tab(window, tmp_path, "drill")
    assert not tab.start_ceremony()  # no check value yet
    assert "fix the fields marked in red" in window.banner.text
    type_into(qtbot, tab.form_view.editors["shares.check_value"], BACKUP_CHECK_VALUE)
    qtbot.waitUntil(lambda: tab.review.can_start, timeout=3000)
    path = tmp_path / "drill.toml"
    assert tab.save_plan(path)
    assert tab.start_ceremony()
    assert window.ceremony is not None
    assert window.ceremony.job.plan.path == path
    assert window.ceremony.job.folder == tmp_path / "drill-root-r1"
    assert window.page("start").plan_label.text() == str(path)
    view = window.ceremony
    qtbot.waitUntil(lambda: view.panel is not None, timeout=30_000)  # the first sign-off
    view.stop()  # before the window closes, which would ask whether to stop
    assert view.worker.wait(10_000)


def test_a_token_named_by_uri_and_serial_round_trips(tmp_path: Path) -> None:
    form = PlanForm.example("root")
    user_input(form, tmp_path)
    form.token.label = ""
    form.token.module = ""
    form.token.uri = "pkcs11:token=root-r1;serial=4a1c?module-path=/opt/hsm/lib.so"
    plan = written(form, tmp_path)
    assert plan.token is not None
    assert (plan.token.label, plan.token.serial, plan.token.module) == (
        "root-r1", "4a1c", "/opt/hsm/lib.so")
    assert plan.token.display_uri == "pkcs11:serial=4a1c;token=root-r1"
    again = PlanForm.from_plan_text(form.to_toml())
    assert again.token.uri == form.token.uri and again.token.label == ""
    form.token.label = "root-r1"  # both: the live check says to give one
    assert any("give one of uri and label" in p
               for p in form.review(tmp_path / "plan.toml").problems)


def test_the_form_writes_every_subordinate_kind(tmp_path: Path) -> None:
    form = PlanForm.example("sign")
    user_input(form, tmp_path)
    form.profile.kind = "tls-constrained"
    form.profile.permitted_dns = ["example.com", "example.net"]
    profile = written(form, tmp_path).subordinate_profile
    assert profile is not None and profile.kind.value == "tls-constrained"
    assert profile.name_constraints is not None
    assert profile.name_constraints.permitted_dns == ("example.com", "example.net")
    assert form.review(tmp_path / "plan.toml").can_start
    form.profile.kind = "smime"
    form.profile.permitted_dns = []
    review = form.review(tmp_path / "plan.toml")
    assert not review.can_start  # serverAuth is not for S/MIME, and the problem finds its field
    form.profile.extended_key_usages = ["emailProtection"]
    form.profile.policies = ["2.23.140.1.5.1.2"]
    assert form.review(tmp_path / "plan.toml").can_start
    reloaded = PlanForm.from_plan_text(form.to_toml())
    assert (reloaded.profile.kind, reloaded.profile.extended_key_usages) == (
        "smime", ["emailProtection"])
    assert "permitted_dns" not in form.to_toml()
