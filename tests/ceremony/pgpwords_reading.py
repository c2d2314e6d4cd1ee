"""Reading PGP words back into bytes: the tests' oracle for ``ceremony.journal``'s words.

The program only speaks words (people compare and copy them); reading them back is what the
tests do to show nothing is lost: a dropped, doubled or swapped word lands on the wrong half.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ceremony.journal import EVEN_WORDS, ODD_WORDS

# lower-case word -> (position parity, byte value); the halves share no word
_LOOKUP: dict[str, tuple[int, int]] = {
    **{word.lower(): (0, value) for value, word in enumerate(EVEN_WORDS)},
    **{word.lower(): (1, value) for value, word in enumerate(ODD_WORDS)},
}


class PgpWordsError(ValueError):
    """Words read back are not a PGP word list encoding (unknown word, or one out of place)."""


def from_words(words: str | Iterable[str]) -> bytes:
    """The bytes spelt by ``words`` (any case; a string is split at spaces and hyphens).

    Raises ``PgpWordsError`` naming the first word that is not in the list or that comes
    from the wrong half for its position, which is how a missing or swapped word shows.
    """
    if isinstance(words, str):
        words = re.split(r"[\s\-]+", words.strip())
    values = bytearray()
    for position, word in enumerate((w for w in words if w), start=1):
        found = _LOOKUP.get(word.strip().lower())
        if found is None:
            raise PgpWordsError(f"word {position} ({word!r}) is not in the PGP word list; "
                                "check its spelling")
        parity, value = found
        if parity != (position - 1) % 2:
            wanted, got = ("two", "three") if parity else ("three", "two")
            raise PgpWordsError(f"word {position} ({word!r}) has {got} syllables where one of "
                                f"{wanted} belongs; a word may be missing, doubled or swapped")
        values.append(value)
    return bytes(values)
