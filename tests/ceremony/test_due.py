"""What falls due: ordering, days left, the rules for each kind, and the ``due`` command's exit
status (1 when anything is overdue) and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ceremony.inventory import CertificateRole, Inventory, serial_hex
from ceremony.inventory.due import DRILL_INTERVAL, DueItem, DueKind, due_items
from tests.ceremony.test_inventory import keyceremony, make_certificate, make_crl, new_key

NOW = datetime(2026, 3, 1, 9, 30, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[Inventory]:
    with Inventory.open(tmp_path / "inventory.sqlite3") as opened:
        yield opened


def summary(items: tuple[DueItem, ...]) -> list[tuple[DueKind, int, bool]]:
    return [(item.kind, item.days_left, item.overdue) for item in items]


def fill_mixed(inventory: Inventory) -> None:
    """One of each kind, due at different times (see the expected order in the tests)."""
    root_key = new_key()
    inventory.record_certificate(make_certificate("Root", key=root_key, not_before=NOW - 900 * DAY,
                                                  not_after=NOW + 400 * DAY), "root")
    inventory.record_certificate(make_certificate("Sub", issuer="Root", issuer_key=root_key,
                                                  not_before=NOW - 300 * DAY,
                                                  not_after=NOW + 30 * DAY), "intermediate")
    inventory.record_certificate(make_certificate("Old Sub", issuer="Root", issuer_key=root_key,
                                                  not_before=NOW - 300 * DAY,
                                                  not_after=NOW - 10 * DAY), "intermediate")
    inventory.record_crl(make_crl("Root", root_key, number=4, this_update=NOW - 20 * DAY,
                                  next_update=NOW + 5 * DAY + timedelta(hours=12)))
    inventory.record_share_set(scheme="3-of-5", holders=list("ABCDE"), check_value="aa" * 8,
                               created=NOW - 400 * DAY, purpose="root backup")


def test_items_come_soonest_first_with_whole_days_left(inventory: Inventory) -> None:
    fill_mixed(inventory)
    items = due_items(inventory, NOW, within_days=90)
    assert summary(items) == [
        (DueKind.SHARE_DRILL, -35, True),
        (DueKind.CERTIFICATE_EXPIRY, -10, True),
        (DueKind.CRL_NEXT_UPDATE, 5, False),
        (DueKind.CERTIFICATE_EXPIRY, 30, False),
        # The root grants 330 days (Sub) and has 400 left: in 70 days it must be renewed.
        (DueKind.ROOT_RENEWAL, 70, False),
    ]
    assert items[0].due == NOW - 400 * DAY + DRILL_INTERVAL
    assert items[0].what == "share set 3-of-5 for root backup (check value aaaaaaaaaaaaaaaa), " \
                            "never drilled"
    assert items[1].what.startswith("intermediate certificate CN=Old Sub (serial ")
    assert items[2].what == "CRL of CN=Root (number 4)"
    # Looking further ahead brings in the root; overdue items are listed at any horizon.
    assert summary(due_items(inventory, NOW, within_days=400))[-1] == (
        DueKind.CERTIFICATE_EXPIRY, 400, False)
    assert [i.overdue for i in due_items(inventory, NOW, within_days=0)] == [True, True]


def test_the_horizon_and_the_moment_of_falling_due(inventory: Inventory) -> None:
    inventory.record_certificate(make_certificate("Edge", not_before=NOW - DAY, not_after=NOW),
                                 "root")
    assert summary(due_items(inventory, NOW, 0)) == [(DueKind.CERTIFICATE_EXPIRY, 0, False)]
    later = NOW + timedelta(seconds=1)
    assert summary(due_items(inventory, later, 0)) == [(DueKind.CERTIFICATE_EXPIRY, -1, True)]
    assert due_items(inventory, NOW - 10 * DAY, 10) != ()  # the horizon is inclusive
    assert due_items(inventory, NOW - 10 * DAY - timedelta(seconds=1), 10) == ()


def test_revoked_and_renewed_certificates_are_not_due(inventory: Inventory) -> None:
    root_key = new_key()
    old = make_certificate("Sub", issuer="Root", issuer_key=root_key, not_before=NOW - 400 * DAY,
                           not_after=NOW + 10 * DAY)
    renewal = make_certificate("Sub", issuer="Root", issuer_key=root_key, not_before=NOW,
                               not_after=NOW + 60 * DAY)
    bad = make_certificate("Bad", issuer="Root", issuer_key=root_key, not_before=NOW - DAY,
                           not_after=NOW + 20 * DAY)
    for cert in (old, renewal, bad):
        inventory.record_certificate(cert, CertificateRole.INTERMEDIATE)
    inventory.mark_revoked(bad.serial_number, "keyCompromise", NOW)
    items = due_items(inventory, NOW, 90)
    assert [(i.due, i.what) for i in items] == [
        (NOW + 60 * DAY,
         f"intermediate certificate CN=Sub (serial {serial_hex(renewal.serial_number)})")]
    # A revoked renewal does not hide the certificate it was meant to replace.
    inventory.mark_revoked(renewal.serial_number, "superseded", NOW)
    assert [i.due for i in due_items(inventory, NOW, 90)] == [NOW + 10 * DAY]


def test_transcript_signer_certificates_never_fall_due(inventory: Inventory) -> None:
    root_key = new_key()
    inventory.record_certificate(make_certificate("Signer", issuer="Root", issuer_key=root_key,
                                                  not_before=NOW - 300 * DAY,
                                                  not_after=NOW - 10 * DAY), "document-signing")
    assert due_items(inventory, NOW, 90) == ()


def test_only_the_newest_crl_of_each_issuer_counts(inventory: Inventory) -> None:
    root_key, rekeyed_root_key = new_key(), new_key()
    newer = make_crl("Root", root_key, number=8, this_update=NOW - 5 * DAY,
                     next_update=NOW + 60 * DAY)
    older = make_crl("Root", root_key, number=7, this_update=NOW - 40 * DAY,
                     next_update=NOW + 2 * DAY)
    # A CA re-keyed under the same name keeps its own line (told apart by key identifier).
    other_key = make_crl("Root", rekeyed_root_key, number=1, this_update=NOW - 100 * DAY,
                         next_update=NOW - 3 * DAY)
    for crl in (newer, older, other_key):  # recorded out of order on purpose
        inventory.record_crl(crl)
    items = due_items(inventory, NOW, 90)
    assert [(i.kind, i.what, i.days_left) for i in items] == [
        (DueKind.CRL_NEXT_UPDATE, "CRL of CN=Root (number 1)", -3),
        (DueKind.CRL_NEXT_UPDATE, "CRL of CN=Root (number 8)", 60),
    ]


def test_share_drill_rules(inventory: Inventory) -> None:
    drilled = inventory.record_share_set(scheme="3-of-5", holders=list("ABCDE"),
                                         check_value="01" * 8, created=NOW - 700 * DAY)
    inventory.record_drill(drilled.id, NOW - 300 * DAY, ok=True)
    failed = inventory.record_share_set(scheme="2-of-3", holders=list("ABC"),
                                        check_value="02" * 8, created=NOW - 100 * DAY)
    inventory.record_drill(failed.id, NOW - 10 * DAY, ok=False)
    retired = inventory.record_share_set(scheme="2-of-3", holders=list("XYZ"),
                                         check_value="03" * 8, created=NOW - 900 * DAY)
    inventory.retire_share_set(retired.check_value, NOW - 50 * DAY)
    fresh = inventory.record_share_set(scheme="2-of-2", holders=list("PQ"),
                                       check_value="04" * 8, created=NOW - 100 * DAY)
    items = due_items(inventory, NOW, 300)
    assert [(i.what, i.days_left, i.overdue) for i in items] == [
        (f"share set 2-of-3 (check value {failed.check_value}), last drill FAILED", -10, True),
        (f"share set 3-of-5 (check value {drilled.check_value})", 65, False),
        (f"share set 2-of-2 (check value {fresh.check_value}), never drilled", 265, False),
    ]
    # A good drill after the failure puts the set back on its yearly rhythm.
    inventory.record_drill(failed.id, NOW - DAY, ok=True)
    assert [i.days_left for i in due_items(inventory, NOW, 400)] == [65, 265, 364]


def test_due_items_refuses_a_naive_now_or_a_negative_horizon(inventory: Inventory) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_items(inventory, datetime(2026, 1, 1), 90)
    with pytest.raises(ValueError, match="negative"):
        due_items(inventory, NOW, -1)


# --- the due command ---------------------------------------------------------------------------


def test_due_command_exits_1_when_something_is_overdue(
        inventory: Inventory, capsys: pytest.CaptureFixture[str]) -> None:
    fill_mixed(inventory)
    path = str(inventory.path)
    assert keyceremony("due", "--inventory", path, "--now", NOW.isoformat()) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Due within 90 days of 2026-03-01: 5, 2 overdue"
    assert lines[1].split() == ["DUE", "DAYS", "LEFT", "KIND", "WHAT"]
    assert "-35 overdue" in lines[2] and "share-drill" in lines[2]
    # Before anything is overdue the same inventory exits 0.
    assert keyceremony("due", "--inventory", path, "--now", "2025-01-01") == 0
    assert capsys.readouterr().out.startswith("Nothing falls due within 90 days of 2025-01-01")


def test_due_command_json(inventory: Inventory, capsys: pytest.CaptureFixture[str]) -> None:
    fill_mixed(inventory)
    status = keyceremony("due", "--json", "--within", "45", "--inventory", str(inventory.path),
                         "--now", "2026-03-01T09:30:00")  # no zone given: UTC
    assert status == 1
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["now", "within_days", "overdue", "items"]
    assert (report["now"], report["within_days"], report["overdue"]) == (
        "2026-03-01T09:30:00Z", 45, 2)
    assert [list(item) for item in report["items"]] == [
        ["kind", "what", "due", "days_left", "overdue"]] * 4
    assert [(i["kind"], i["days_left"], i["overdue"]) for i in report["items"]] == [
        ("share-drill", -35, True), ("certificate-expiry", -10, True),
        ("crl-next-update", 5, False), ("certificate-expiry", 30, False)]
    assert report["items"][2]["due"] == "2026-03-06T21:30:00Z"


@pytest.mark.parametrize("within", ["-1", "soon"])
def test_due_command_refuses_a_bad_horizon(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], within: str) -> None:
    with pytest.raises(SystemExit) as caught:
        keyceremony("due", "--within", within, "--inventory", str(tmp_path / "i.sqlite3"))
    assert caught.value.code == 2
    assert "--within" in capsys.readouterr().err
    assert not (tmp_path / "i.sqlite3").exists()


# --- the lifecycle: renewal and rollover, cross and OCSP signer certificates, retired keys ------


def test_a_root_falls_due_for_renewal_while_it_can_still_grant_what_it_grants(
        inventory: Inventory) -> None:
    root_key = new_key()
    inventory.record_certificate(make_certificate("Root", key=root_key, not_before=NOW - 9 * DAY,
                                                  not_after=NOW + 1000 * DAY), "root")
    # It has issued nothing: only its own expiry is due, no renewal rule applies.
    assert [i.kind for i in due_items(inventory, NOW, 2000)] == [DueKind.CERTIFICATE_EXPIRY]
    inventory.record_certificate(make_certificate("OCSP", issuer="Root", issuer_key=root_key,
                                                  not_before=NOW - DAY, not_after=NOW + 89 * DAY),
                                 CertificateRole.OCSP_SIGNER)
    inventory.record_certificate(make_certificate("Sub", issuer="Root", issuer_key=root_key,
                                                  not_before=NOW - DAY, not_after=NOW + 899 * DAY),
                                 CertificateRole.INTERMEDIATE)
    items = due_items(inventory, NOW, 120)
    assert [(i.kind, i.days_left) for i in items] == [
        (DueKind.CERTIFICATE_EXPIRY, 89), (DueKind.ROOT_RENEWAL, 100)]
    assert items[0].what.startswith("ocsp-signer certificate CN=OCSP")
    assert "renew or roll over" in items[1].what and "900 days it grants" in items[1].what
    # Renewed (same subject and key, longer life): the newest root certificate counts.
    inventory.record_certificate(make_certificate("Root", key=root_key, not_before=NOW,
                                                  not_after=NOW + 3000 * DAY), "root")
    assert [i.kind for i in due_items(inventory, NOW, 120)] == [DueKind.CERTIFICATE_EXPIRY]


def test_a_cross_certificate_is_its_own_line(inventory: Inventory) -> None:
    old_key, new_root_key = new_key(), new_key()
    inventory.record_certificate(make_certificate("New Root", key=new_root_key,
                                                  not_before=NOW - DAY,
                                                  not_after=NOW + 5000 * DAY), "root")
    inventory.record_certificate(make_certificate("New Root", key=new_root_key, issuer="Old Root",
                                                  issuer_key=old_key, not_before=NOW - DAY,
                                                  not_after=NOW + 60 * DAY), CertificateRole.CROSS)
    items = due_items(inventory, NOW, 90)
    assert [(i.kind, i.days_left) for i in items] == [(DueKind.CERTIFICATE_EXPIRY, 60)]
    assert items[0].what.startswith("cross certificate CN=New Root")


def test_a_retired_key_is_never_due(inventory: Inventory) -> None:
    from crypto.keys import spki_sha256

    root_key = new_key()
    spki = spki_sha256(root_key.public_key())
    inventory.record_key(token_label="root", token_serial="1", key_label="root-key",
                         spki_sha256=spki, algorithm="ec-p256", created=NOW - 900 * DAY)
    inventory.record_certificate(make_certificate("Root", key=root_key, not_before=NOW - 900 * DAY,
                                                  not_after=NOW + 10 * DAY), "root")
    inventory.record_crl(make_crl("Root", root_key, number=4, this_update=NOW - 20 * DAY,
                                  next_update=NOW + 5 * DAY))
    assert len(due_items(inventory, NOW, 90)) == 2
    # A restored copy in another token keeps it live; destroying only the first is not enough.
    inventory.record_key(token_label="spare", token_serial="2", key_label="root-key",
                         spki_sha256=spki, algorithm="ec-p256", created=NOW - 90 * DAY)
    inventory.retire_key(spki, "1", NOW)
    assert len(due_items(inventory, NOW, 90)) == 2
    retired = inventory.retire_key(spki, "2", NOW)
    assert retired.retired == NOW
    assert due_items(inventory, NOW, 90) == ()
