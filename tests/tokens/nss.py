"""A throwaway NSS softokn database reached through p11-kit's proxy module, for tests.

Loaded directly, softokn's C_Initialize(NULL) fails: it needs its database named in the
initialisation arguments, which python-pkcs11 cannot pass. p11-kit's proxy passes a module
file's ``x-init-reserved`` as those arguments. As root p11-kit reads only the system folder
(/etc/pkcs11/modules), otherwise the user's (~/.config/pkcs11/modules); the module file is
named for this process and removed again, and files left by a test process that died are
removed when the next one starts.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

P11_KIT_PROXY = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"
SOFTOKN = "/usr/lib/x86_64-linux-gnu/libsoftokn3.so"
_PREFIX = "keyceremony-test-"


def module_folder() -> Path:
    if os.geteuid() == 0:
        return Path("/etc/pkcs11/modules")
    return Path.home() / ".config" / "pkcs11" / "modules"


def remove_stale_module_files() -> None:
    """Module files of test processes that no longer run."""
    folder = module_folder()
    if not folder.is_dir():
        return
    for path in folder.glob(f"{_PREFIX}*.module"):
        match = re.fullmatch(rf"{_PREFIX}(\d+)-\d+\.module", path.name)
        if match is None:
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:
            pass  # another user's live process


# Every label a test may give an NSS token. p11-kit reads its module files once per process
# (finalising its proxy and initialising it again does not read them afresh), so the tokens are
# made together, once per test session, as the slots of one softokn module (its ``tokens=``
# parameter), and each test wipes the ones it used.
POOL_LABELS = ("checked", "signer", "restored-here", "nss-root", "nss-plan", "nss-spare")
_FIRST_SLOT = 0x10  # softokn's user slots start at 4; keep clear of its own


@dataclass(frozen=True)
class NssPool:
    """One NSS database per label in ``root``, all reached through one p11-kit module file."""

    root: Path
    module_file: Path
    labels: tuple[str, ...]
    made_folders: tuple[Path, ...] = ()  # made for the module file; removed with it

    @classmethod
    def create(cls, root: Path, pin: str, labels: tuple[str, ...] = POOL_LABELS) -> NssPool:
        password = root / "pin.txt"
        password.write_text(pin + "\n")
        slots = []
        try:
            for number, label in enumerate(labels):
                database = root / label
                database.mkdir(parents=True)
                subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "-f",
                                str(password)], check=True, capture_output=True)
                slots.append(f"0x{_FIRST_SLOT + number:x}=[configdir='sql:{database}' "
                             f"tokenDescription='{label}' slotDescription='{label}']")
        finally:
            password.unlink()
        folder = module_folder()
        made = tuple(reversed([f for f in (folder, *folder.parents) if not f.exists()]))
        folder.mkdir(parents=True, exist_ok=True)
        module_file = folder / f"{_PREFIX}{os.getpid()}-0.module"
        module_file.write_text(
            f"module: {SOFTOKN}\n"
            f"x-init-reserved: configdir='sql:{root / labels[0]}' certPrefix='' keyPrefix='' "
            "secmod='secmod.db' flags='' cryptoTokenDescription='nss-pool-crypto' "
            f"manufacturerID='Mozilla Foundation' tokens=<{' '.join(slots)}>\n")
        return cls(root, module_file, labels, made)

    def remove(self) -> None:
        self.module_file.unlink(missing_ok=True)
        for folder in reversed(self.made_folders):
            try:
                folder.rmdir()
            except OSError:
                break  # something else was put there since: it stays
