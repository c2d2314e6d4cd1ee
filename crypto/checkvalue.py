"""Check values: recognise a rebuilt secret without recording the secret.

A wrong SLIP-39 passphrase silently yields a different secret, so every split secret gets a
check value at creation and a rebuilt secret is compared with it before use. The value is a
keyed digest (HMAC-SHA256 under the secret itself, over a fixed label), cut to 64 bits: enough
that a wrong secret passes with probability 2**-64, and it says nothing useful about a
128-bit-or-longer random secret. Never split a low-entropy secret (a short PIN) directly: its
check value would allow an offline search.
"""

from __future__ import annotations

import hashlib
import hmac

_LABEL = b"keyceremony/check-value/v1"
CHECK_VALUE_HEX_LENGTH = 16


def check_value(secret: bytes) -> str:
    """The lowercase hex check value of ``secret``."""
    if len(secret) < 16:
        raise ValueError("check values are only for secrets of at least 16 bytes")
    return hmac.new(secret, _LABEL, hashlib.sha256).hexdigest()[:CHECK_VALUE_HEX_LENGTH]


def matches(secret: bytes, expected: str) -> bool:
    """Whether ``secret`` has check value ``expected`` (compared in constant time)."""
    return hmac.compare_digest(check_value(secret), expected.strip().lower())
