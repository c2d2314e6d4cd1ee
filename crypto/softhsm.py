"""Throwaway SoftHSM2 token stores, for rehearsals (the demo) and tests.

SoftHSM finds its tokens through the file named by ``SOFTHSM2_CONF``, read when the module is
initialised; ``activate`` points the variable at this store and re-initialises the module.
The PINs of demo tokens are not secrets: they guard throwaway tokens in a rehearsal folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from crypto.errors import ModuleNotFound, TokenError
from crypto.files import make_private_folder, write_new_file
from crypto.token import DEFAULT_MODULE, reset_module


@dataclass(frozen=True)
class SoftHsmStore:
    """A SoftHSM2 token directory and the config file that points at it."""

    root: Path
    module: str = DEFAULT_MODULE

    @property
    def config(self) -> Path:
        return self.root / "softhsm2.conf"

    @classmethod
    def create(cls, root: Path, module: str = DEFAULT_MODULE) -> SoftHsmStore:
        """Make the folder and its config; tokens are added with ``init_token``."""
        store = cls(root, module)
        make_private_folder(root / "tokens")  # the token files hold the keys
        write_new_file(store.config, (
            f"directories.tokendir = {root / 'tokens'}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n"
        ).encode())
        return store

    def activate(self) -> None:
        """Make this store the one SoftHSM uses in this process from now on."""
        os.environ["SOFTHSM2_CONF"] = str(self.config)
        reset_module(self.module)

    def init_token(self, label: str, pin: str, so_pin: str) -> None:
        """Initialise a new token labelled ``label`` in the next free slot."""
        tool = shutil.which("softhsm2-util")
        if tool is None:
            raise ModuleNotFound("softhsm2-util is not installed; run: apt-get install softhsm2")
        env = dict(os.environ, SOFTHSM2_CONF=str(self.config))
        result = subprocess.run(
            [tool, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise TokenError(f"softhsm2-util could not create token {label!r}: "
                             f"{result.stderr.strip() or result.stdout.strip()}")
        # A module initialised before the token existed does not see it until re-initialised.
        reset_module(self.module)
