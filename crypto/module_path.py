"""Which PKCS#11 module to load when a plan or command names none.

Apart from ``crypto.token`` so that reading a plan does not load the PKCS#11 library.
"""

from __future__ import annotations

import os

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def default_module() -> str:
    """``$KEYCEREMONY_PKCS11_MODULE``, else SoftHSM2's module."""
    return os.environ.get("KEYCEREMONY_PKCS11_MODULE", DEFAULT_MODULE)
