"""A throwaway TPM 2.0 behind tpm2-pkcs11, for tests: swtpm, a private D-Bus, tpm2-abrmd.

Everything lives in one temporary folder; the three processes are started here, found by the
PIDs they report, and ended by those PIDs. The TCP ports are free ones the kernel picked.
tpm2-pkcs11 cannot talk to swtpm directly (0x902), so the resource manager sits between them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

TPM2_MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so"
SO_PIN = "tpm-so-pin-1"


def free_port_pair() -> int:
    """A free TCP port P on loopback whose successor is free too (the swtpm TCTI talks to the
    TPM on P and to its control channel on P + 1)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two adjacent free TCP ports on loopback")


def _wait(predicate: object, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up within {seconds} s")


def _end(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # our own child: reap it
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)


@dataclass
class Tpm2Store:
    """A running swtpm + tpm2-abrmd and a tpm2-pkcs11 store in ``root``."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    pids: list[int] = field(default_factory=list)
    _saved: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def start(cls, root: Path) -> Tpm2Store:
        store = cls(root)
        try:
            store._start()
        except BaseException:
            store.stop()
            raise
        return store

    def _start(self) -> None:
        for tool in ("swtpm", "dbus-daemon", "tpm2-abrmd", "tpm2_ptool"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing; scripts/setup.sh installs it")
        state, store = self.root / "state", self.root / "store"
        state.mkdir(parents=True)
        store.mkdir()
        port = free_port_pair()
        ctrl = port + 1
        pid_file = self.root / "swtpm.pid"
        subprocess.run(
            ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
             "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
             "--ctrl", f"type=tcp,port={ctrl},bindaddr=127.0.0.1",
             "--flags", "not-need-init,startup-clear", "--daemon", "--pid", f"file={pid_file}"],
            check=True, capture_output=True)
        self.pids.append(int(pid_file.read_text().strip()))
        bus = subprocess.run(
            ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1",
             f"--address=unix:path={self.root / 'bus'}"],
            check=True, capture_output=True, text=True).stdout.split()
        address, dbus_pid = bus[0], int(bus[1])
        self.pids.append(dbus_pid)
        self.env = {
            "DBUS_SESSION_BUS_ADDRESS": address,
            "TPM2_PKCS11_TCTI": "tabrmd:bus_type=session",
            "TPM2TOOLS_TCTI": "tabrmd:bus_type=session",
            "TPM2_PKCS11_STORE": str(store),
            "TSS2_LOG": "all+NONE",  # the TSS libraries are chatty on stderr otherwise
            "TPM2_PKCS11_LOG_LEVEL": "0",
        }
        env = {**os.environ, **self.env}
        with open(self.root / "abrmd.log", "wb") as log:
            abrmd = subprocess.Popen(
                ["tpm2-abrmd", "--session", "--allow-root",
                 f"--tcti=swtpm:host=127.0.0.1,port={port}"],
                env=env, stdout=subprocess.DEVNULL, stderr=log)
        self.pids.append(abrmd.pid)
        _wait(lambda: subprocess.run(["tpm2_getrandom", "4"], env=env,
                                     capture_output=True).returncode == 0, "tpm2-abrmd")
        self._tool("init")

    def new_store(self, folder: Path) -> None:
        """Start a fresh tpm2-pkcs11 store (its tokens) in ``folder`` and use it from now on;
        the TPM and its resource manager stay."""
        folder.mkdir(parents=True, exist_ok=True)
        self.env["TPM2_PKCS11_STORE"] = str(folder)
        os.environ["TPM2_PKCS11_STORE"] = str(folder)
        self._tool("init")

    def _tool(self, *args: str) -> None:
        result = subprocess.run(["tpm2_ptool", *args, "--path", self.env["TPM2_PKCS11_STORE"]],
                                env={**os.environ, **self.env}, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"tpm2_ptool {args[0]} failed: {result.stderr.strip()}")

    def activate(self) -> None:
        """Point this process at the store (tpm2-pkcs11 reads it when initialised)."""
        for name, value in self.env.items():
            self._saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def add_token(self, label: str, pin: str) -> None:
        self._tool("addtoken", "--pid=1", f"--label={label}", f"--sopin={SO_PIN}",
                   f"--userpin={pin}")

    def stop(self) -> None:
        for pid in reversed(self.pids):
            _end(pid)
        self.pids.clear()
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
