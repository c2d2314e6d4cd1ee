"""Token faults through the CLI: each is one sentence, its exit status, a consistent journal,
and once the fault is put right the same command resumes the ceremony to its end.

`keyceremony run` runs in this process (as ``gui.launcher.main``) on a real SoftHSM token,
with the PINs in a rehearsal's answers file. SoftHSM never reports a final try or locks a PIN,
so those two fake the token's log-in (the only faked part); an unsupported mechanism is asked of
the real token by pointing the signer at a mechanism SoftHSM does not offer. Between runs the
module is finalised, as a new process would find it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from pkcs11 import Mechanism, TokenFlag
from pkcs11 import exceptions as p11

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_KEY, ROOT_TOKEN, root_plan
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import verify_journal
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, reset_module
from gui.launcher import main

pytestmark = pytest.mark.softhsm


@dataclass
class Room:
    """A plan for a root ceremony on its own SoftHSM store, and the command that runs it."""

    folder: Path
    store: SoftHsmStore
    module: str

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def journal(self) -> Path:
        return self.out / "journal.jsonl"

    def answers(self, pin: str) -> None:
        (self.folder / "answers.toml").write_text(f'[pins]\n"{ROOT_TOKEN}" = "{pin}"\n')

    def run(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
        capsys.readouterr()
        status = main(["run", str(self.folder / "root.toml"), "--out", str(self.out),
                       "--answers", str(self.folder / "answers.toml"),
                       "--inventory", str(self.folder / "inv.sqlite3")])
        reset_module(self.module)  # the next run finds the module as a new process would
        return status, capsys.readouterr().err

    def events(self) -> list[str]:
        return [json.loads(line)["event"] for line in self.journal.open()]


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    # A module file of the plan's own, so that "missing module" can take it away.
    module = tmp_path / "module" / "libsofthsm2.so"
    module.parent.mkdir()
    shutil.copy(default_module(), module)
    store = SoftHsmStore.create(tmp_path / "softhsm", str(module))
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    (tmp_path / "root.toml").write_text(root_plan(KeyAlgorithm.EC_P256, str(module)))
    made = Room(tmp_path, store, str(module))
    made.answers(DEMO_PIN)
    yield made
    reset_module(str(module))


def _one_sentence(stderr: str, words: str) -> None:
    assert stderr.startswith("keyceremony: ") and stderr.count("\n") == 1, stderr
    assert words in stderr and "Traceback" not in stderr and DEMO_PIN not in stderr


def _resumes(room: Room, capsys: pytest.CaptureFixture[str], journaled: bool = True) -> None:
    """The journal (if any) verifies and ends in the error; the same command then finishes."""
    before = room.journal.read_bytes() if journaled else b""
    if journaled:
        check = verify_journal(room.journal)
        assert check.ok and check.records[-1].event in ("error", "step-refused")
    else:
        assert not room.out.exists() or not any(room.out.iterdir())
    status, stderr = room.run(capsys)
    assert status == 0, stderr
    assert room.journal.read_bytes().startswith(before)  # nothing before the fault rewritten
    records = verify_journal(room.journal).records
    # A whole ceremony ends with its transcript, then the room writing down its final head.
    assert [r.event for r in records[-2:]] == ["transcript-written", "head-recorded"]
    labels = [r.data.get("label") for r in records if r.event == "key-generated"]
    assert labels.count(ROOT_KEY) == 1  # the key made before the fault is taken up
    assert (room.out / "root-ca.pem").exists()


class _LogInFails:
    """A token whose log-in fails as a locked or final-try token's would (a faked token)."""

    label = ROOT_TOKEN
    manufacturer_id = model = "Fake"
    serial = b"1"
    firmware_version = hardware_version = (1, 0)

    def __init__(self, error: Exception, flags: int) -> None:
        self.error, self.flags = error, flags

    def open(self, **_kwargs: object) -> None:
        raise self.error


def test_a_wrong_pin_stops_before_the_token_locks_and_the_right_one_resumes(
        room: Room, capsys: pytest.CaptureFixture[str]) -> None:
    room.answers("wrong-pin")
    status, stderr = room.run(capsys)
    assert status == 1
    _one_sentence(stderr, "the PIN of token 'demo-root' was refused 3 times")
    assert "wrong-pin" not in room.journal.read_text()
    room.answers(DEMO_PIN)
    _resumes(room, capsys)


@pytest.mark.parametrize(("error", "flags", "status", "words"), [
    (p11.PinIncorrect(), int(TokenFlag.USER_PIN_FINAL_TRY), 1,
     "refused the PIN and one try is left before it locks; the ceremony stopped"),
    (p11.PinLocked(), int(TokenFlag.USER_PIN_LOCKED), 2, "the security officer must reset it"),
], ids=["final-try", "locked"])
def test_a_final_try_or_a_locked_pin_is_one_sentence_and_the_ceremony_resumes(
        room: Room, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        error: Exception, flags: int, status: int, words: str) -> None:
    from crypto import token

    real = token.find_token
    with monkeypatch.context() as patch:
        patch.setattr(token, "find_token", lambda *_a, **_k: _LogInFails(error, flags))
        got, stderr = room.run(capsys)
    assert token.find_token is real
    assert got == status
    _one_sentence(stderr, words)
    _resumes(room, capsys, journaled=room.journal.exists())


def test_a_missing_module_is_refused_before_anything_is_written_and_then_runs(
        room: Room, capsys: pytest.CaptureFixture[str]) -> None:
    module = Path(room.module)
    module.rename(module.with_suffix(".away"))
    status, stderr = room.run(capsys)
    assert status == 2
    _one_sentence(stderr, f"PKCS#11 module {module} does not exist")
    module.with_suffix(".away").rename(module)
    _resumes(room, capsys, journaled=room.journal.exists())


def test_a_module_that_will_not_load_is_one_sentence(
        room: Room, capsys: pytest.CaptureFixture[str]) -> None:
    Path(room.module).write_bytes(b"\x7fELF not a library")
    status, stderr = room.run(capsys)
    assert status == 2
    _one_sentence(stderr, "would not load")
    assert not room.journal.exists() or verify_journal(room.journal).ok


def test_a_missing_token_is_refused_and_the_ceremony_runs_once_it_is_there(
        room: Room, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(room.store.root / "tokens")
    (room.store.root / "tokens").mkdir()
    status, stderr = room.run(capsys)
    assert status == 2
    _one_sentence(stderr, "no token labelled 'demo-root' is present")
    room.store.activate()
    room.store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    reset_module(room.module)
    _resumes(room, capsys, journaled=room.journal.exists())


def _during_signing(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> None:
    """Do ``act`` while the administrator reads the preview of the first signing."""
    real = ScriptedPrompter.confirm_signing

    def confirm(self: ScriptedPrompter, person: str, preview: object) -> object:
        act()
        return real(self, person, preview)  # type: ignore[arg-type]

    monkeypatch.setattr(ScriptedPrompter, "confirm_signing", confirm)


def test_a_token_store_moved_away_mid_step_stops_cleanly_and_the_ceremony_resumes(
        room: Room, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = room.store.root / "tokens"
    with monkeypatch.context() as patch:
        _during_signing(patch, lambda: os.rename(tokens, room.folder / "away"))
        status, stderr = room.run(capsys)
    assert status == 2
    _one_sentence(stderr, "the token went away while signing with key 'demo-root-key'")
    assert not (room.out / "root-ca.pem").exists()
    os.rename(room.folder / "away", tokens)
    _resumes(room, capsys)


def test_an_unsupported_mechanism_is_refused_before_a_key_is_made_and_then_runs(
        room: Room, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from crypto import signer

    # SoftHSM 2.6 has no CKM_ECDSA_SHA384: ask the real token for it where ECDSA is used. The
    # token's capability check meets it first, with a probe key, before the CA key is made.
    with monkeypatch.context() as patch:
        patch.setattr(signer, "Mechanism", SimpleNamespace(ECDSA=Mechanism.ECDSA_SHA384))
        status, stderr = room.run(capsys)
    assert status == 1
    _one_sentence(stderr, "does not support what signing with key 'keyceremony-probe-")
    assert "key-generated" not in room.events()
    _resumes(room, capsys)
