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


@dataclass(frozen=True)
class NssToken:
    """One NSS database (one token) in ``root`` and the p11-kit module file that loads it."""

    root: Path
    label: str
    module_file: Path

    @classmethod
    def create(cls, root: Path, label: str, pin: str, number: int) -> NssToken:
        database = root / "nssdb"
        database.mkdir(parents=True)
        password = root / "pin.txt"
        password.write_text(pin + "\n")
        try:
            subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "-f", str(password)],
                           check=True, capture_output=True)
        finally:
            password.unlink()
        folder = module_folder()
        folder.mkdir(parents=True, exist_ok=True)
        module_file = folder / f"{_PREFIX}{os.getpid()}-{number}.module"
        module_file.write_text(
            f"module: {SOFTOKN}\n"
            f"x-init-reserved: configdir='sql:{database}' certPrefix='' keyPrefix='' "
            "secmod='secmod.db' flags='' updatedir='' updateCertPrefix='' updateKeyPrefix='' "
            f"updateid='' updateTokenDescription='' dbTokenDescription='{label}' "
            f"dbSlotDescription='{label}' cryptoTokenDescription='{label}-crypto' "
            "cryptoSlotDescription='' manufacturerID='Mozilla Foundation'\n")
        return cls(root, label, module_file)

    def remove(self) -> None:
        self.module_file.unlink(missing_ok=True)
