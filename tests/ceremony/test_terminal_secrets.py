"""Shares and PINs reach the controlling terminal only; a process holding them is hardened.

`keyceremony run` runs as a real process under a pseudo-terminal that is its controlling
terminal, with standard output and error redirected to files, as in `run ... 2>&1 | tee log`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_TOKEN, root_plan
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module

pytestmark = pytest.mark.softhsm
ROOT = Path(__file__).resolve().parents[2]
CLEAR = "\033[2J\033[3J\033[H"


def _plan(tmp_path: Path) -> Path:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    plan = tmp_path / "root.toml"
    plan.write_text(root_plan(KeyAlgorithm.EC_P256, default_module()))
    return plan


def _command(tmp_path: Path, plan: Path) -> list[str]:
    return [sys.executable, "-m", "gui.launcher", "run", str(plan), "--out",
            str(tmp_path / "out"), "--inventory", str(tmp_path / "inv.sqlite3")]


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT),
                SOFTHSM2_CONF=str(tmp_path / "softhsm" / "softhsm2.conf"))


def _sign_offs(tmp_path: Path) -> int:
    # Sign-offs are not secrets: they come on standard input, here a pipe of yeses.
    path = tmp_path / "yes"
    path.write_text("y\n" * 40)
    return os.open(path, os.O_RDONLY)


class Room:
    """The people at the terminal: they answer what the pty shows."""

    def __init__(self, master: int, process: subprocess.Popen[bytes]) -> None:
        self.master = master
        self.process = process
        self.screen = ""
        self.done_to = 0
        self.shares: list[list[str]] = []
        self.core_limits: list[str] = []

    def _type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def _react(self) -> None:
        prompts = {"(not shown): ": lambda: self._type(DEMO_PIN + "\n"),
                   "Press Enter to show it.": self._show,
                   "press Enter to hide the share.": self._hide,
                   "are enough): ": lambda: self._type(
                       " ".join(w[:4] for w in self.shares[-1]) + "\n")}
        while True:
            found = [(self.screen.find(p, self.done_to), p) for p in prompts]
            found = [(at, p) for at, p in found if at >= 0]
            if not found:
                return
            at, prompt = min(found)
            self.done_to = at + len(prompt)
            prompts[prompt]()

    def _show(self) -> None:
        limits = Path(f"/proc/{self.process.pid}/limits").read_text()
        self.core_limits.append(next(line for line in limits.splitlines()
                                     if line.startswith("Max core file size")))
        self._type("\n")

    def _hide(self) -> None:
        shown = self.screen[self.screen.rfind(CLEAR, 0, self.done_to):self.done_to]
        self.shares.append(re.findall(r"\d+\. ([a-z]+)", shown))
        self._type("\n")

    def run(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: the child is gone and the pty closed
                    data = b""
                if not data and self.process.poll() is not None:
                    return
                self.screen += data.decode("utf-8", "replace")
                self._react()
            elif self.process.poll() is not None:
                return
        raise AssertionError(f"the ceremony did not end; the terminal shows {self.screen[-500:]}")


def test_shares_and_pins_go_to_the_terminal_only_and_the_process_is_hardened(
        tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    master, slave = os.openpty()

    def controlling_terminal() -> None:  # in the child: a new session whose terminal is the pty
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    stdin = _sign_offs(tmp_path)
    with open(tmp_path / "stdout", "wb") as out, open(tmp_path / "stderr", "wb") as err:
        process = subprocess.Popen(_command(tmp_path, plan), stdin=stdin, stdout=out, stderr=err,
                                   env=_env(tmp_path), preexec_fn=controlling_terminal,
                                   pass_fds=(slave,))
    os.close(slave)
    os.close(stdin)
    room = Room(master, process)
    try:
        room.run()
    finally:
        os.close(master)
    assert process.wait(10) == 0, (tmp_path / "stderr").read_text()

    shares = room.shares
    assert len(shares) == 5 and all(len(words) == 33 for words in shares)
    logged = (tmp_path / "stdout").read_text() + (tmp_path / "stderr").read_text()
    assert "Ceremony demo-root complete" in logged and "Share 1 of 5 is for Carol" in logged
    # Three consecutive words of a share never reach the logs (single words are English).
    for words in shares:
        for i in range(len(words) - 2):
            assert " ".join(words[i:i + 3]) not in logged
        assert all(f"{n + 1:>2}. {w}" in room.screen for n, w in enumerate(words))
    assert "PIN of token" in room.screen and "PIN of token" not in logged
    assert DEMO_PIN not in logged and DEMO_PIN not in room.screen  # typed without echo

    # The process that held them could not dump core and was not dumpable (read in it).
    assert room.core_limits and all(line.split()[4:6] == ["0", "0"]
                                    for line in room.core_limits), room.core_limits
    records = [json.loads(line) for line in (tmp_path / "out" / "journal.jsonl").open()]
    environment = next(r for r in records if r["event"] == "environment-recorded")["data"]
    assert environment["core_limit"] == 0 and environment["dumpable"] is False
    assert isinstance(environment["memory_locked"], bool) and environment["memory_note"]


def test_with_no_controlling_terminal_secrets_are_refused_in_one_sentence(
        tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    stdin = _sign_offs(tmp_path)
    try:
        done = subprocess.run(_command(tmp_path, plan), stdin=stdin, capture_output=True,
                              text=True, env=_env(tmp_path), start_new_session=True,
                              timeout=120, check=False)
    finally:
        os.close(stdin)
    assert done.returncode == 2
    assert done.stderr.startswith("keyceremony: typing a PIN needs the controlling terminal")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    records = [json.loads(line) for line in (tmp_path / "out" / "journal.jsonl").open()]
    assert records[-1]["event"] == "error" and "controlling terminal" in \
        records[-1]["data"]["message"]
    assert "The ceremony stopped. Write the chain head" in done.stdout  # resumable, on paper


HAND_OUT = """
import sys
from ceremony.demo.rehearsal import DEMO_PIN
from ceremony.execution import prepare, run_plan
from ceremony.plan.parser import parse_plan
from ceremony.frontends.terminal import TerminalPrompter

class PinFromHere(TerminalPrompter):  # reaches the hand-out without a terminal for the PIN
    def pin(self, person, token_label, problem):
        return DEMO_PIN

run_plan(prepare(parse_plan(sys.argv[1]), __import__("pathlib").Path(sys.argv[2])),
         PinFromHere(), __import__("pathlib").Path(sys.argv[3]))
"""


def test_with_no_controlling_terminal_the_hand_out_is_refused_and_journaled(
        tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    stdin = _sign_offs(tmp_path)
    try:
        done = subprocess.run([sys.executable, "-c", HAND_OUT, str(plan), str(tmp_path / "out"),
                               str(tmp_path / "inv.sqlite3")], stdin=stdin, capture_output=True,
                              text=True, env=_env(tmp_path), start_new_session=True,
                              timeout=120, check=False)
    finally:
        os.close(stdin)
    assert done.returncode != 0
    assert "NoTerminal: handing out a share needs the controlling terminal" in done.stderr
    records = [json.loads(line) for line in (tmp_path / "out" / "journal.jsonl").open()]
    events = [r["event"] for r in records]
    assert "shares-created" in events and "share-handed-out" not in events
    assert events[-1] == "error"
    assert "Share 1 of 5 for Carol" not in done.stdout + done.stderr
