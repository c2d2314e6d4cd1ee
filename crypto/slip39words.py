"""The words of one SLIP-39 share: prefix completion, canonical form, checksum, a wrong word.

Share words are typed by custodians, so a word may be entered by a unique prefix, and a share
whose RS1024 checksum fails can often say which word is wrong (one wrong word can be located,
RS1024 having distance 4). What a share's words encode (its set, group and member) is read in
``crypto.shares``, which also splits and recovers secrets.

Share words live in host memory only. Exception messages carry numbers (share, word, counts),
never words, so logging an error cannot leak a share.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence

from shamir_mnemonic import rs1024
from shamir_mnemonic.constants import (
    CUSTOMIZATION_STRING_EXTENDABLE,
    CUSTOMIZATION_STRING_ORIG,
    ITERATION_EXP_LENGTH_BITS,
    METADATA_LENGTH_WORDS,
    MIN_MNEMONIC_LENGTH_WORDS,
    RADIX_BITS,
)
from shamir_mnemonic.wordlist import WORDLIST as _REFERENCE_WORDLIST

from crypto.errors import ShareError

WORDLIST: tuple[str, ...] = tuple(_REFERENCE_WORDLIST)  # sorted; unique by first 4 letters
_WORD_INDEX = {word: index for index, word in enumerate(WORDLIST)}
_CHECKSUM_WORDS = 3


def candidates(prefix: str) -> tuple[str, ...]:
    """SLIP-39 words starting with ``prefix`` (case and surrounding space ignored), in order.

    An empty prefix gives no candidates rather than all 1024 words.
    """
    typed = prefix.strip().lower()
    if not typed:
        return ()
    start = end = bisect.bisect_left(WORDLIST, typed)
    while end < len(WORDLIST) and WORDLIST[end].startswith(typed):
        end += 1
    return WORDLIST[start:end]


def complete_word(prefix: str) -> str | None:
    """The one SLIP-39 word ``prefix`` stands for, or None if it is unknown or ambiguous."""
    found = candidates(prefix)
    return found[0] if len(found) == 1 else None


def _share_name(share_number: int | None) -> str:
    return "The share" if share_number is None else f"Share {share_number}"


def normalise_share(text: str, share_number: int | None = None) -> str:
    """The share in canonical form: lower case, single spaces, each prefix expanded.

    Raises ShareError naming the position of the first unknown or ambiguous word; the checksum
    is not checked here (see ``check_words``).
    """
    typed = text.lower().split()
    if not typed:
        raise ShareError(f"{_share_name(share_number)} is empty; enter its words.", share_number)
    words = []
    for position, prefix in enumerate(typed, 1):
        found = candidates(prefix)
        if len(found) != 1:
            # Name the position only: the letters typed are part of a share.
            problem = ("no SLIP-39 word starts with the letters typed; compare it with the paper"
                       if not found else
                       f"{len(found)} SLIP-39 words start with the letters typed; type more of it")
            raise ShareError(f"{_share_name(share_number)}, word {position}: {problem}.",
                             share_number)
        words.append(found[0])
    return " ".join(words)


def _valid_word_count(count: int) -> bool:
    # The same rule as the reference: at least 128 bits of value, padding of at most 8 bits.
    padding = (RADIX_BITS * (count - METADATA_LENGTH_WORDS)) % 16
    return bool(count >= MIN_MNEMONIC_LENGTH_WORDS and padding <= 8)


def _extendable_flag(indices: Sequence[int]) -> bool:
    return bool((indices[1] >> ITERATION_EXP_LENGTH_BITS) & 1)


def _customization(extendable: bool) -> bytes:
    return bytes(CUSTOMIZATION_STRING_EXTENDABLE if extendable else CUSTOMIZATION_STRING_ORIG)


def _as_int(words: Sequence[int]) -> int:
    value = 0
    for word in words:
        value = value << RADIX_BITS | word
    return value


def _checksum(data: Sequence[int], extendable: bool) -> int:
    return _as_int(rs1024.create_checksum(data, _customization(extendable)))


@functools.lru_cache(maxsize=32)
def _error_basis(data_words: int, extendable: bool) -> tuple[tuple[int, ...], ...]:
    """How flipping each bit of each data word changes the checksum (it is GF(2)-linear)."""
    zero = _checksum([0] * data_words, extendable)
    basis = []
    for position in range(data_words):
        unit = [0] * data_words
        row = []
        for bit in range(RADIX_BITS):
            unit[position] = 1 << bit
            row.append(_checksum(unit, extendable) ^ zero)
        basis.append(tuple(row))
    return tuple(basis)


def suspect_word(text: str) -> int | None:
    """For a share that fails its checksum, the 1-based position of the one wrong word.

    RS1024 has distance 4, so a single wrong word can be located; two or more cannot, and then
    (or when the share is valid or unreadable) the answer is None. Three or more wrong words
    may point at a wrong position, so present the answer as "probably".
    """
    try:
        indices = [_WORD_INDEX[word] for word in normalise_share(text).split()]
    except ShareError:
        return None
    if len(indices) < MIN_MNEMONIC_LENGTH_WORDS:
        return None
    data, received = indices[:-_CHECKSUM_WORDS], _as_int(indices[-_CHECKSUM_WORDS:])
    positions = set()
    for extendable in (False, True):  # the flag itself may be in the wrong word
        syndrome = _checksum(data, extendable) ^ received
        if syndrome == 0:
            return None
        for word in range(_CHECKSUM_WORDS):  # a wrong checksum word: syndrome in that word only
            shift = RADIX_BITS * (_CHECKSUM_WORDS - 1 - word)
            if syndrome >> shift < 1 << RADIX_BITS and syndrome & ((1 << shift) - 1) == 0:
                if _extendable_flag(data) == extendable:
                    positions.add(len(data) + word + 1)
        for position, row in enumerate(_error_basis(len(data), extendable)):
            change = effect = 0
            for step in range(1, 1 << RADIX_BITS):  # Gray code: one bit flips per step
                bit = (step & -step).bit_length() - 1
                change, effect = change ^ 1 << bit, effect ^ row[bit]
                if effect == syndrome:
                    fixed = [*data[:position], data[position] ^ change, *data[position + 1:]]
                    if _extendable_flag(fixed) == extendable:
                        positions.add(position + 1)
                    break
    return positions.pop() if len(positions) == 1 else None


def check_words(text: str, share_number: int | None = None) -> str:
    """The share in canonical form once its words, their count and its checksum are sound.

    Raises ShareError naming the share and, when the checksum fails, the word that is probably
    wrong. What the words encode is not read here (see ``crypto.shares.check_share``).
    """
    name = _share_name(share_number)
    mnemonic = normalise_share(text, share_number)
    indices = [_WORD_INDEX[word] for word in mnemonic.split()]
    if not _valid_word_count(len(indices)):
        raise ShareError(
            f"{name} has {len(indices)} word{'s' if len(indices) != 1 else ''}, which no "
            "SLIP-39 share has; a word is missing or "
            "extra (a share of a 16-byte secret has 20 words, of a 32-byte secret 33).",
            share_number)
    if not rs1024.verify_checksum(indices, _customization(_extendable_flag(indices))):
        position = suspect_word(mnemonic)
        where = (f"word {position} is probably wrong" if position is not None else
                 "a word is wrong, missing or out of order")
        raise ShareError(f"{name} fails its checksum: {where}; compare it with its paper copy.",
                         share_number)
    return mnemonic
