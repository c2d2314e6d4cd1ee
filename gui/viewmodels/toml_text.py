"""Writing TOML values from what people type (no Qt).

Every string a person typed goes through ``toml_string``, never into an f-string between
quotes: a quote, a backslash or a newline in a name must stay part of the name, not end the
string or start a new key. Invisible characters (``crypto.visible``: controls, bidirectional
overrides, line separators) are written as ``\\u`` escapes, so a reviewer reading the plan sees
them; the value TOML reads back is exactly the one typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from crypto.visible import invisible

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                  "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string that reads back as exactly ``text``.

    ValueError for a lone surrogate, which no TOML (or UTF-8) string can hold.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError("the text holds a broken character (a lone surrogate); retype it")
        elif invisible(char):  # the one definition the CSR check and the displays use
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def toml_strings(texts: Iterable[str]) -> str:
    """An inline array of TOML strings, on one line."""
    return "[" + ", ".join(toml_string(text) for text in texts) + "]"


def toml_bool(value: bool) -> str:
    return "true" if value else "false"
