"""Which PKCS#11 module to load when a plan or command names none, and whether a module or a
token is a software token (whose keys are files on the host's disk: SoftHSM, NSS softokn, a
TPM emulated by swtpm).

Apart from ``crypto.token`` so that reading a plan does not load the PKCS#11 library.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
MODULE_VARIABLE = "KEYCEREMONY_PKCS11_MODULE"

# Module files of software tokens, by the name of the file a path resolves to.
SOFTWARE_MODULE_FILES = {
    "libsofthsm2.so": "SoftHSM",
    "libsofthsm.so": "SoftHSM",
    "libsoftokn3.so": "NSS softokn",
}
# How software tokens describe themselves (CK_TOKEN_INFO manufacturerID and model), for a
# software token reached through another module (a p11-kit proxy, say).
SOFTWARE_TOKENS = {
    ("SoftHSM project", "SoftHSM v2"): "SoftHSM",
    ("Mozilla Foundation", "NSS 3"): "NSS softokn",
}


def default_module() -> str:
    """``$KEYCEREMONY_PKCS11_MODULE``, else SoftHSM2's module."""
    return os.environ.get(MODULE_VARIABLE, DEFAULT_MODULE)


def software_module(path: str) -> str | None:
    """The software token ``path`` resolves to ("SoftHSM"), or None for any other module."""
    name = os.path.basename(os.path.realpath(path))
    for file_name, product in SOFTWARE_MODULE_FILES.items():
        if name == file_name or name.startswith(file_name + "."):
            return product
    return None


# Software tokens known by their model alone: a TPM's model is its vendor string, and IBM's
# software TPM (libtpms, behind swtpm) calls itself "SW   TPM" whatever reaches it.
SOFTWARE_MODELS = {"SW   TPM": "swtpm (a software TPM)"}


def software_token(manufacturer: str, model: str) -> str | None:
    """The software token a token's own description names, or None."""
    for (maker, product_model), product in SOFTWARE_TOKENS.items():
        if manufacturer.strip() == maker or model.strip() == product_model:
            return product
    return SOFTWARE_MODELS.get(model.strip())


@dataclass(frozen=True)
class ModuleFile:
    """The PKCS#11 module file actually loaded: the path as named, resolved, and its digest."""

    named: str
    resolved: str
    sha256: str


def module_file(path: str) -> ModuleFile:
    """Resolve ``path`` (symbolic links followed) and hash the file it names."""
    resolved = os.path.realpath(path)
    digest = hashlib.sha256()
    with open(resolved, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return ModuleFile(path, resolved, digest.hexdigest())
