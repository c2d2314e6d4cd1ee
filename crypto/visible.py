"""Text from outside (CSR subjects, file names, plan strings) made safe to read.

Some characters print nothing, or change how the text around them prints: controls (an
escape sequence on a terminal), bidirectional overrides and isolates (U+202A-U+202E,
U+2066-U+2069) that reorder what follows, zero-width and other format characters, line and
paragraph separators, spaces other than U+0020, and the fillers and selectors Unicode
lists as default-ignorable. Two strings that differ only in them look alike to the people
who must tell them apart. ``visible`` writes each one as ``<U+XXXX>``; ``first_invisible``
finds one, so a check can refuse the text and name the character.
"""

from __future__ import annotations

import unicodedata

# Control, format (bidi overrides and isolates, zero-width), surrogate, private-use and
# unassigned code points; line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) outside those categories:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other
# variation selectors. And the braille blank, which prints as a space.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180D),
    (0x180F, 0x180F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)


def invisible(char: str) -> bool:
    """Whether ``char`` (one character) prints nothing, or other than as itself."""
    category = unicodedata.category(char)
    if category in _INVISIBLE_CATEGORIES:
        return True
    if category == "Zs":  # every space but the plain one looks like it
        return char != " "
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def code_point(char: str) -> str:
    """``char`` as ``U+XXXX`` (four to six hexadecimal digits)."""
    return f"U+{ord(char):04X}"


def describe(char: str) -> str:
    """``char`` by code point and, where Unicode names it, by name: ``U+202E (RIGHT-TO-LEFT
    OVERRIDE)``."""
    name = unicodedata.name(char, "")
    return f"{code_point(char)} ({name})" if name else code_point(char)


def first_invisible(text: str, allowed: str = "") -> str | None:
    """The first character of ``text`` that ``invisible`` finds and ``allowed`` does not
    hold, or None."""
    return next((c for c in text if c not in allowed and invisible(c)), None)


def visible(text: str, keep: str = "") -> str:
    """``text`` with each invisible character (except those in ``keep``, a new line say)
    written as ``<U+XXXX>``; text with none comes back unchanged."""
    if first_invisible(text, keep) is None:
        return text
    return "".join(f"<{code_point(c)}>" if c not in keep and invisible(c) else c
                   for c in text)
