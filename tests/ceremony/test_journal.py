"""The ceremony journal: writing, the hash chain, tamper detection, torn tails and secrets."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.errors import JournalError, JournalTornTailError
from ceremony.journal import (
    GENESIS,
    JOURNAL_NAME,
    Event,
    Journal,
    canonical_json,
    names_a_secret,
    verify_journal,
)

NOTE = "Zo\u00eb\u2019s witness \u2713"  # non-ASCII text stays UTF-8 on disk
DOC = Path(__file__).resolve().parents[2] / "docs" / "journal-format.md"


def fixed_clock() -> Callable[[], datetime]:
    """A clock that ticks one second per record from a fixed instant."""
    times = iter(datetime(2026, 11, 25, 9, 30, 12, 123456, tzinfo=UTC) + timedelta(seconds=i)
                 for i in range(10_000))
    return lambda: next(times)


def write_journal(folder: Path, count: int = 5) -> Journal:
    journal = Journal.create(folder, clock=fixed_clock())
    journal.append(Event.CEREMONY_STARTED, "Alice Admin", "administrator",
                   {"ceremony": "root", "plan_sha256": "ab" * 32})
    for i in range(2, count + 1):
        journal.append(Event.ARTIFACT_WRITTEN, "keyceremony", "program",
                       {"path": f"out/file-{i}.pem", "sha256": f"{i:02x}" * 32, "size": 100 + i,
                        "note": NOTE})
    return journal


def lines_of(folder: Path) -> list[bytes]:
    return (folder / JOURNAL_NAME).read_bytes().splitlines(keepends=True)


def rewrite(line: bytes, rehash: bool = False, **changes: Any) -> bytes:
    """The line with ``changes`` made, still canonical; with ``rehash``, a fresh hash too."""
    record = json.loads(line)
    record.update(changes)
    if rehash:
        body = {key: value for key, value in record.items() if key != "hash"}
        record["hash"] = hashlib.sha256(canonical_json(body)).hexdigest()
    return canonical_json(record) + b"\n"


# --- writing and reading back ---------------------------------------------------------------


def test_records_chain_and_verify(tmp_path: Path) -> None:
    with write_journal(tmp_path, 3) as journal:
        records = journal.records
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev == GENESIS
    assert [r.prev for r in records[1:]] == [r.hash for r in records[:-1]]
    assert journal.head == records[-1].hash
    assert records[0].time == "2026-11-25T09:30:12.123456Z"
    assert records[0].timestamp == datetime(2026, 11, 25, 9, 30, 12, 123456, tzinfo=UTC)
    assert (records[0].actor, records[0].role, records[0].event) == (
        "Alice Admin", "administrator", "ceremony-started")
    assert records[1].data["note"] == NOTE

    result = verify_journal(tmp_path / JOURNAL_NAME)
    assert result.ok and result.problems == () and not result.truncated_tail
    assert result.records == records
    assert result.head == journal.head


def test_each_line_is_canonical_json_hashed_without_its_hash(tmp_path: Path) -> None:
    write_journal(tmp_path, 2).close()
    for line in lines_of(tmp_path):
        record = json.loads(line)
        body = {key: value for key, value in record.items() if key != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == record["hash"]
        assert line == json.dumps(record, sort_keys=True, separators=(",", ":"),
                                  ensure_ascii=False).encode("utf-8") + b"\n"
    assert NOTE.encode() in lines_of(tmp_path)[1]


def test_time_is_utc_whatever_the_clock_zone(tmp_path: Path) -> None:
    plus_two = timezone(timedelta(hours=2))
    with Journal.create(tmp_path, clock=lambda: datetime(2026, 1, 1, 2, 0, tzinfo=plus_two)) as j:
        record = j.append(Event.TOKEN_INFO, "keyceremony", "program", {"token_label": "root"})
    assert record.time == "2026-01-01T00:00:00.000000Z"


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    with Journal.create(tmp_path, clock=lambda: datetime(2026, 1, 1)) as journal, \
            pytest.raises(ValueError, match="aware datetime"):
        journal.append(Event.ERROR, "keyceremony", "program")


def test_the_real_clock_is_now_in_utc(tmp_path: Path) -> None:
    with Journal.create(tmp_path) as journal:
        before = datetime.now(UTC).replace(microsecond=0)
        record = journal.append(Event.ERROR, "keyceremony", "program")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", record.time)
    assert before <= record.timestamp <= datetime.now(UTC)


def test_create_refuses_an_existing_journal(tmp_path: Path) -> None:
    write_journal(tmp_path, 1).close()
    before = (tmp_path / JOURNAL_NAME).read_bytes()
    with pytest.raises(JournalError, match="already exists"):
        Journal.create(tmp_path)
    assert (tmp_path / JOURNAL_NAME).read_bytes() == before


def test_create_needs_the_ceremony_folder(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="does not exist"):
        Journal.create(tmp_path / "missing")


def test_open_continues_seq_and_prev(tmp_path: Path) -> None:
    first = write_journal(tmp_path, 3)
    head = first.head
    first.close()
    with Journal.open(tmp_path) as journal:
        assert len(journal.records) == 3 and journal.head == head
        record = journal.append(Event.CEREMONY_COMPLETED, "Alice Admin", "administrator",
                                {"steps": 3})
    assert (record.seq, record.prev) == (4, head)
    result = verify_journal(tmp_path / JOURNAL_NAME)
    assert result.ok and len(result.records) == 4 and result.head == record.hash


def test_open_needs_a_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="there is no journal"):
        Journal.open(tmp_path)


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    with write_journal(tmp_path, 1), pytest.raises(JournalError, match="in use by another"):
        Journal.open(tmp_path)
    Journal.open(tmp_path).close()  # free again once the first writer closed


def test_a_closed_journal_takes_no_records(tmp_path: Path) -> None:
    journal = write_journal(tmp_path, 1)
    journal.close()
    with pytest.raises(ValueError, match="closed"):
        journal.append(Event.ERROR, "keyceremony", "program")


def test_a_change_behind_the_writers_back_stops_the_journal(tmp_path: Path) -> None:
    journal = write_journal(tmp_path, 2)
    with open(tmp_path / JOURNAL_NAME, "ab") as other:
        other.write(b"{}\n")
    with pytest.raises(JournalError, match="changed on disk"):
        journal.append(Event.ERROR, "keyceremony", "program")
    with pytest.raises(JournalError, match="changed on disk"):
        journal.append(Event.ERROR, "keyceremony", "program")
    journal.close()


def test_appending_fsyncs_before_returning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Faking the OS call only to observe it: each fsync must come after the line is written.
    real_fsync = os.fsync
    sizes: list[int] = []

    def counting_fsync(fd: int) -> None:
        sizes.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    journal = Journal.create(tmp_path, clock=fixed_clock())
    assert len(sizes) == 2  # the new file, then its folder
    path = tmp_path / JOURNAL_NAME
    for i in range(3):
        journal.append(Event.STEP_STARTED, "Alice Admin", "administrator", {"step": f"s{i}"})
        assert len(sizes) == 3 + i
        assert sizes[-1] == path.stat().st_size  # fsynced with the whole record in the file
    journal.close()


# --- tampering is detected and located ------------------------------------------------------


def tampered(tmp_path: Path, change: Callable[[list[bytes]], list[bytes]]) -> tuple[str, ...]:
    write_journal(tmp_path, 6).close()
    path = tmp_path / JOURNAL_NAME
    path.write_bytes(b"".join(change(lines_of(tmp_path))))
    result = verify_journal(path)
    assert not result.ok
    return result.problems


def test_edited_data_is_detected_on_its_line(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:3], rewrite(ls[3], data={"size": 1}), *ls[4:]])
    assert problems == ("line 4: hash does not match its content",)


def test_a_record_rewritten_with_a_fresh_hash_breaks_the_next_link(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:3], rewrite(ls[3], True, data={}), *ls[4:]])
    assert problems == ("line 5: prev does not match line 4's hash",)


def test_a_removed_record_is_detected(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:2], *ls[3:]])
    assert problems == ("line 3: prev does not match line 2's hash", "line 3: seq 4 expected 3")


def test_reordered_records_are_detected(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:2], ls[3], ls[2], *ls[4:]])
    assert problems == ("line 3: prev does not match line 2's hash", "line 3: seq 4 expected 3",
                        "line 4: prev does not match line 3's hash", "line 4: seq 3 expected 4",
                        "line 5: prev does not match line 4's hash")


def test_a_changed_prev_is_detected(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:4], rewrite(ls[4], prev="1" * 64), *ls[5:]])
    assert problems == ("line 5: hash does not match its content",
                        "line 5: prev does not match line 4's hash")


def test_a_changed_seq_is_detected(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:4], rewrite(ls[4], seq=9), *ls[5:]])
    assert problems == ("line 5: hash does not match its content", "line 5: seq 9 expected 5")


def test_the_first_record_must_start_the_chain(tmp_path: Path) -> None:
    problems = tampered(tmp_path, lambda ls: [rewrite(ls[0], True, prev="1" * 64), *ls[1:]])
    assert problems == ("line 1: prev is not 64 zeros, as the first record's must be",
                        "line 2: prev does not match line 1's hash")


def test_a_line_not_in_canonical_form_is_reported(tmp_path: Path) -> None:
    def spaced(ls: list[bytes]) -> list[bytes]:
        return [ls[0], json.dumps(json.loads(ls[1]), ensure_ascii=False).encode() + b"\n", *ls[2:]]

    assert tampered(tmp_path, spaced) == (
        "line 2 is not in canonical form (sorted keys, no spaces)",)


@pytest.mark.parametrize(("line", "problem"), [
    (b"not json\n", "line 3 is not a JSON record"),
    (b"[1, 2]\n", "line 3 is not a JSON object"),
    (b"\n", "line 3 is empty"),
    (b'{"seq": 3}\n', "line 3 has the wrong fields (missing: actor, data, event, hash"),
])
def test_an_unreadable_line_is_reported_once(tmp_path: Path, line: bytes, problem: str) -> None:
    problems = tampered(tmp_path, lambda ls: [*ls[:2], line, *ls[3:]])
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_a_float_or_wrong_type_in_a_line_is_reported(tmp_path: Path) -> None:
    def floats(ls: list[bytes]) -> list[bytes]:
        return [ls[0], ls[1].replace(b'"size":102', b'"size":102.5'), *ls[2:]]

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert tampered(tmp_path / "a", floats)[0].startswith("line 2 is not a JSON record (102.5")
    problems = tampered(tmp_path / "b",
                        lambda ls: [*ls[:1], rewrite(ls[1], True, seq="2"), *ls[2:]])
    assert problems[0] == "line 2 has malformed seq"


# --- a crash while writing: the torn tail ---------------------------------------------------


def torn_journal(folder: Path) -> tuple[bytes, bytes]:
    """A 5-record journal whose fifth line stops half way; returns (intact part, torn bytes)."""
    write_journal(folder, 5).close()
    lines = lines_of(folder)
    kept, torn = b"".join(lines[:4]), lines[4][:len(lines[4]) // 2]
    (folder / JOURNAL_NAME).write_bytes(kept + torn)
    return kept, torn


def test_a_torn_tail_is_reported_apart_and_the_rest_verifies(tmp_path: Path) -> None:
    kept, torn = torn_journal(tmp_path)
    result = verify_journal(tmp_path / JOURNAL_NAME)
    assert result.truncated_tail and result.torn_tail == torn and not result.ok
    assert result.problems == (
        "line 5 is incomplete (the program stopped while writing it); lines 1 to 4 verify",)
    assert len(result.records) == 4
    assert result.head == json.loads(kept.splitlines()[-1])["hash"]


def test_open_refuses_a_torn_tail_and_changes_nothing(tmp_path: Path) -> None:
    kept, torn = torn_journal(tmp_path)
    with pytest.raises(JournalTornTailError, match=r"incomplete line 5.*open it with repair"):
        Journal.open(tmp_path)
    assert (tmp_path / JOURNAL_NAME).read_bytes() == kept + torn


def test_repair_keeps_every_byte_and_continues(tmp_path: Path) -> None:
    kept, torn = torn_journal(tmp_path)
    with Journal.open(tmp_path, repair=True) as journal:
        repaired = journal.records[-1]
        assert repaired.event == "journal-repaired" and repaired.seq == 5
        assert (repaired.actor, repaired.role) == ("keyceremony", "program")
        assert dict(repaired.data) == {"after_line": 4, "torn_tail_size": len(torn),
                                       "torn_tail_hex": torn.hex()}
        journal.append(Event.CEREMONY_ABORTED, "Alice Admin", "administrator",
                       {"reason": "power cut"})
    content = (tmp_path / JOURNAL_NAME).read_bytes()
    assert content.startswith(kept)
    assert bytes.fromhex(json.loads(content.splitlines()[4])["data"]["torn_tail_hex"]) == torn
    result = verify_journal(content)
    assert result.ok and len(result.records) == 6
    assert [p.name for p in tmp_path.iterdir()] == [JOURNAL_NAME]  # no temporary file left


def test_a_tampered_journal_is_never_repaired(tmp_path: Path) -> None:
    kept, torn = torn_journal(tmp_path)
    lines = kept.splitlines(keepends=True)
    (tmp_path / JOURNAL_NAME).write_bytes(lines[0] + rewrite(lines[1], data={}) + b"".join(
        lines[2:]) + torn)
    with pytest.raises(JournalError, match="does not verify: line 2: hash does not match") as err:
        Journal.open(tmp_path, repair=True)
    assert not isinstance(err.value, JournalTornTailError)
    assert len(err.value.problems) == 2


def test_a_failed_write_stops_the_journal_and_repair_recovers_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = write_journal(tmp_path, 2)
    real_write = os.write

    def half_write(fd: int, data: bytes) -> int:  # a crash half way through one record
        return real_write(fd, bytes(data)[:len(data) // 2])

    monkeypatch.setattr(os, "write", half_write)
    with pytest.raises(JournalError, match="record 3 could not be written"):
        journal.append(Event.KEY_GENERATED, "keyceremony", "program", {"label": "root"})
    monkeypatch.setattr(os, "write", real_write)
    with pytest.raises(JournalError, match="record 3 could not be written"):
        journal.append(Event.ERROR, "keyceremony", "program")
    journal.close()

    with pytest.raises(JournalTornTailError):
        Journal.open(tmp_path)
    with Journal.open(tmp_path, repair=True) as repaired:
        torn = bytes.fromhex(repaired.records[-1].data["torn_tail_hex"])
    assert torn.startswith(b'{"actor":"keyceremony","data":{"label":"root"}')
    assert verify_journal(tmp_path / JOURNAL_NAME).ok


# --- what may be journalled -----------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "pin", "PIN", "user_pin", "so-pin", "userPin", "SOPin", "pins", "share", "shares", "share2",
    "share_words", "mnemonic", "Mnemonics", "passphrase", "password", "secret", "secrets",
    "wrap_key", "wrapKey", "WRAP-KEY", "wrapkey", "private_key", "privateKey", "ca_private_key",
    "private_key_pem", "privkey",
])
def test_secret_keys_are_refused(tmp_path: Path, key: str) -> None:
    assert names_a_secret(key)
    with write_journal(tmp_path, 1) as journal:
        size = (tmp_path / JOURNAL_NAME).stat().st_size
        for data in ({key: "s3cr3t-value"}, {"holders": [{"name": "Bob", key: "s3cr3t-value"}]},
                     {"a": {"b": {key: "s3cr3t-value"}}}):
            with pytest.raises(ValueError, match="named like a secret") as refused:
                journal.append(Event.SHARE_HANDED_OUT, "Bob", "custodian", data)
            assert "s3cr3t-value" not in str(refused.value)
        assert (tmp_path / JOURNAL_NAME).stat().st_size == size  # nothing was written
        assert len(journal.records) == 1


@pytest.mark.parametrize("key", [
    "share_index", "share_count", "shareIndex", "holders", "pin_length", "tries_hint",
    "private_key_label", "wrap_key_check_value", "check_value", "share_set_id", "spin",
    "spki_sha256", "token_label", "threshold",
])
def test_facts_about_secrets_are_allowed(key: str) -> None:
    assert not names_a_secret(key)


@pytest.mark.parametrize(("data", "message"), [
    ({"ratio": 0.5}, "is a float"),
    ({"nested": [1, {"x": 2.0}]}, "is a float"),
    ({"serial": 2**64}, "beyond 2\\*\\*53"),
    ({"pair": (1, 2)}, "is a tuple"),
    ({"blob": b"\x00"}, "is a bytes"),
    ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, "is a datetime"),
    ({1: "one"}, "keys are non-empty printable ASCII"),
    ({"": "empty"}, "keys are non-empty printable ASCII"),
    ({"naïve": "x"}, "keys are non-empty printable ASCII"),
    ({"text": "\ud800"}, "not valid Unicode"),
])
def test_values_without_one_canonical_form_are_refused(tmp_path: Path, data: dict[Any, Any],
                                                        message: str) -> None:
    with Journal.create(tmp_path) as journal, pytest.raises(ValueError, match=message):
        journal.append(Event.LINT_RESULT, "keyceremony", "program", data)


def test_event_actor_and_role_are_checked(tmp_path: Path) -> None:
    with Journal.create(tmp_path) as journal:
        with pytest.raises(ValueError, match="not a valid Event"):
            journal.append("key-stolen", "keyceremony", "program")
        with pytest.raises(ValueError, match="actor must be a non-empty string"):
            journal.append(Event.ERROR, " ", "program")
        with pytest.raises(ValueError, match="role must be a non-empty string"):
            journal.append(Event.ERROR, "keyceremony", "")
        assert journal.append("sign-off", "Wendy", "witness").event == "sign-off"


def test_a_record_is_a_copy_of_its_data(tmp_path: Path) -> None:
    data: dict[str, Any] = {"holders": ["Bob"]}
    with Journal.create(tmp_path) as journal:
        record = journal.append(Event.SHARES_CREATED, "Alice Admin", "administrator", data)
    data["holders"].append("Mallory")
    assert record.data["holders"] == ["Bob"]
    with pytest.raises(TypeError):
        record.data["holders"] = []  # type: ignore[index]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "label", "holders", "Z_9", "x y"]), inner,
                      max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["path", "note", "list", "k"]), _json_values, max_size=4))
def test_any_json_data_round_trips_and_verifies(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with Journal.create(folder) as journal:
            record = journal.append(Event.DEVIATION, "Wendy", "witness", data)
        result = verify_journal(Path(folder) / JOURNAL_NAME)
    assert result.ok
    assert result.records == (record,)
    assert result.records[0].data == data


# --- the document -----------------------------------------------------------------------------


def doc_snippet() -> str:
    found = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "docs/journal-format.md has no python block"
    return found.group(1)


def run_snippet(tmp_path: Path, journal: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "check_journal.py"
    script.write_text(doc_snippet(), encoding="utf-8")
    return subprocess.run([sys.executable, "-I", str(script), str(journal)],
                          capture_output=True, text=True, timeout=30, check=False)


def test_the_documented_snippet_verifies_a_journal_we_wrote(tmp_path: Path) -> None:
    folder = tmp_path / "ceremony"
    folder.mkdir()
    with write_journal(folder, 6) as journal:
        head = journal.head
    lines = [line for line in doc_snippet().splitlines() if line.strip()]
    assert len(lines) <= 12  # "about ten lines"
    done = run_snippet(tmp_path, folder / JOURNAL_NAME)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"journal verifies; head {head}"


def test_the_documented_snippet_catches_tampering(tmp_path: Path) -> None:
    folder = tmp_path / "ceremony"
    folder.mkdir()
    write_journal(folder, 6).close()
    lines = lines_of(folder)
    (folder / JOURNAL_NAME).write_bytes(b"".join([*lines[:2], *lines[3:]]))
    done = run_snippet(tmp_path, folder / JOURNAL_NAME)
    assert done.returncode != 0
    assert "line 3 does not verify" in done.stderr


def test_every_event_is_in_the_documented_catalogue() -> None:
    text = DOC.read_text(encoding="utf-8").split("## Event catalogue")[1]
    catalogue = set(re.findall(r"^\| `([a-z-]+)` \|", text, re.MULTILINE))
    assert catalogue == {event.value for event in Event}
