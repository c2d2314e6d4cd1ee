"""SLIP-39 shares of a secret: split it, check one share, rebuild it from a quorum.

shamir-mnemonic (the SLIP-39 reference) does the arithmetic. This module adds what a ceremony
needs around it: errors that name a share by its position in the input, a check value for every
split secret (a wrong passphrase silently yields a different secret), and recovery from any set
holding a quorum, where the library wants exactly the threshold. The words of one share (entry
by unique prefix, the checksum, locating a wrong word) are in ``crypto.slip39words`` and the
schemes in ``crypto.sharescheme``; their public names are importable from here too.

Secrets and share words live in host memory only. Exception messages carry numbers (share, word,
group, counts), never words or secret bytes, and dataclasses holding shares keep them out of
``repr``, so logging a value or an error cannot leak them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import shamir_mnemonic
from shamir_mnemonic.constants import ITERATION_EXP_LENGTH_BITS

from crypto.checkvalue import check_value, matches
from crypto.errors import CheckValueMismatch, ShareError, UnusableInput

# Re-exported so that callers need only this module for anything about shares.
from crypto.sharescheme import MAX_SHARES as MAX_SHARES
from crypto.sharescheme import GroupSpec as GroupSpec
from crypto.sharescheme import ShareScheme as ShareScheme

# _share_name is the one wording for a share in messages, shared with the word checks.
from crypto.slip39words import WORDLIST as WORDLIST
from crypto.slip39words import _share_name, check_words
from crypto.slip39words import candidates as candidates
from crypto.slip39words import complete_word as complete_word
from crypto.slip39words import normalise_share as normalise_share
from crypto.slip39words import suspect_word as suspect_word

MIN_SECRET_BYTES = 16
MAX_SECRET_BYTES = 32
DEFAULT_ITERATION_EXPONENT = 1


# --- one share -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareInfo:
    """What one share says about itself; never its value. Indexes are 0-based as in SLIP-39."""

    identifier: int
    extendable: bool
    iteration_exponent: int
    group_index: int
    group_threshold: int
    group_count: int
    member_index: int
    member_threshold: int
    word_count: int
    secret_bytes: int

    def difference(self, reference: ShareInfo) -> str | None:
        """Why this share cannot be in one set with ``reference``, or None if it can."""
        if self.identifier != reference.identifier:
            return "it is from another share set (its identifier differs)"
        if (self.extendable, self.iteration_exponent) != (reference.extendable,
                                                          reference.iteration_exponent):
            return "it is from another split (its iteration exponent or extendable flag differs)"
        if (self.group_threshold, self.group_count) != (reference.group_threshold,
                                                        reference.group_count):
            return "it is from another split (its group threshold or group count differs)"
        if (self.group_index == reference.group_index
                and self.member_threshold != reference.member_threshold):
            return (f"it is from another split (it says group {self.group_index + 1} needs "
                    f"{self.member_threshold} shares, not {reference.member_threshold})")
        return None

    def describe(self) -> str:
        """E.g. 'member 2 of group 1 (3 shares needed), 2 of 3 groups needed'."""
        text = f"member {self.member_index + 1} of group {self.group_index + 1} " \
               f"({self.member_threshold} shares needed)"
        if self.group_count > 1:
            text += f", {self.group_threshold} of {self.group_count} groups needed"
        return text


@dataclass(frozen=True)
class _Entry:
    """One decoded share of an input list; words and value stay out of repr."""

    number: int | None
    mnemonic: str = field(repr=False)
    info: ShareInfo


def _decode(text: str, share_number: int | None, identifier: int | None = None) -> _Entry:
    name = _share_name(share_number)
    mnemonic = check_words(text, share_number)
    try:
        share: Any = shamir_mnemonic.Share.from_mnemonic(mnemonic)
    except shamir_mnemonic.MnemonicError:
        # "from None": the reference's message quotes the share's first words, keep it out.
        raise ShareError(f"{name} passes its checksum but its parameters are impossible; it was "
                         "not made by a SLIP-39 tool.", share_number) from None
    if identifier is not None and share.identifier != identifier:
        raise ShareError(f"{name} is from another share set than the one expected; find a share "
                         "of the right set.", share_number)
    info = ShareInfo(share.identifier, share.extendable, share.iteration_exponent,
                     share.group_index, share.group_threshold, share.group_count, share.index,
                     share.member_threshold, len(mnemonic.split()), len(share.value))
    return _Entry(share_number, mnemonic, info)


def check_share(text: str, share_number: int | None = None, *,
                identifier: int | None = None) -> ShareInfo:
    """Check one share on its own (words, length, checksum) and say what it is.

    With ``identifier`` (recorded at the split) also check that the share is of that set.
    ``share_number`` only names the share in error messages.
    """
    return _decode(text, share_number, identifier).info


# --- splitting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitSecret:
    """The shares of one split, per group, and what may be recorded about them."""

    shares: tuple[tuple[str, ...], ...] = field(repr=False)  # secret: never log or store
    check_value: str
    identifier: int
    scheme: ShareScheme
    iteration_exponent: int
    extendable: bool

    def describe(self) -> str:
        """E.g. '3-of-5, share set 12345, check value 0123456789abcdef'."""
        return (f"{self.scheme.describe()}, share set {self.identifier}, "
                f"check value {self.check_value}")


def _passphrase_bytes(passphrase: str) -> bytes:
    if not all(32 <= ord(char) <= 126 for char in passphrase):
        raise UnusableInput("A SLIP-39 passphrase may contain only printable ASCII characters "
                            "(letters, digits, punctuation, space); type it again.")
    return passphrase.encode("ascii")


def split_secret(secret: bytes, scheme: ShareScheme, passphrase: str = "", *,
                 iteration_exponent: int = DEFAULT_ITERATION_EXPONENT,
                 extendable: bool = True) -> SplitSecret:
    """Split ``secret`` (16 to 32 bytes, even length) into SLIP-39 shares under ``scheme``."""
    if not (MIN_SECRET_BYTES <= len(secret) <= MAX_SECRET_BYTES and len(secret) % 2 == 0):
        raise ValueError(f"SLIP-39 splits secrets of {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} "
                         f"bytes of even length, not {len(secret)} bytes.")
    if not 0 <= iteration_exponent < 1 << ITERATION_EXP_LENGTH_BITS:
        raise ValueError(f"The iteration exponent must be from 0 to 15, not {iteration_exponent}.")
    phrase = _passphrase_bytes(passphrase)
    # The secret goes to the reference implementation in this process's memory only.
    groups: list[list[str]] = shamir_mnemonic.generate_mnemonics(
        scheme.group_threshold, [(group.threshold, group.count) for group in scheme.groups],
        secret, phrase, extendable, iteration_exponent)
    shares = tuple(tuple(group) for group in groups)
    value = check_value(secret)
    # Prove the split before anyone writes a share down: a quorum must rebuild the secret.
    quorum = [mnemonic
              for spec, group in zip(scheme.groups[:scheme.group_threshold], shares, strict=False)
              for mnemonic in group[:spec.threshold]]
    try:
        rebuilt = shamir_mnemonic.combine_mnemonics(quorum, phrase)
    except shamir_mnemonic.MnemonicError:  # its message would quote share words
        rebuilt = b""
    if len(rebuilt) != len(secret) or not matches(rebuilt, value):
        raise ShareError("The new shares did not rebuild the secret; hand none out, split again.")
    identifier = check_share(shares[0][0]).identifier
    return SplitSecret(shares, value, identifier, scheme, iteration_exponent, extendable)


# --- recovery --------------------------------------------------------------------------------

_Quorum = dict[int, list[_Entry]]  # group index -> exactly its threshold of shares
_MAX_SUBSETS = 64  # of one group, tried when comparing extra shares: bounds the work


def _numbers(numbers: Sequence[int]) -> str:
    """'share 1' or 'shares 1, 2 and 4'."""
    if len(numbers) == 1:
        return f"share {numbers[0]}"
    return "shares " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _set_key(info: ShareInfo) -> tuple[int, bool, int, int, int]:
    return (info.identifier, info.extendable, info.iteration_exponent, info.group_threshold,
            info.group_count)


def _majority(entries: Sequence[_Entry], key: Callable[[_Entry], object]) -> list[_Entry]:
    """The entries sharing the commonest ``key``; a tie goes to the key seen first."""
    votes = Counter(key(entry) for entry in entries)
    winner = max(votes, key=votes.__getitem__)  # max keeps the first of equals
    return [entry for entry in entries if key(entry) == winner]


def _refuse_strays(entries: Sequence[_Entry]) -> None:
    """Refuse repeated shares and shares that differ from the majority, naming the odd one."""
    first_with: dict[str, int | None] = {}
    for entry in entries:
        if entry.mnemonic in first_with:
            raise ShareError(f"Share {entry.number} is the same as share "
                             f"{first_with[entry.mnemonic]}; enter each share once.", entry.number)
        first_with[entry.mnemonic] = entry.number
    # Blame the minority: the first share entered is not more trustworthy than the others.
    agreeing = _majority(entries, lambda entry: _set_key(entry.info))
    for entry in entries:
        same_group = [other for other in agreeing
                      if other.info.group_index == entry.info.group_index]
        reference = (_majority(same_group, lambda other: other.info.member_threshold)
                     if same_group else agreeing)
        reason = entry.info.difference(reference[0].info)
        if reason is not None:
            others = [other.number for other in reference if other.number is not None]
            raise ShareError(f"Share {entry.number} does not belong with {_numbers(others)}: "
                             f"{reason}; leave it out or find the right share.", entry.number)
    seen: dict[tuple[int, int], int | None] = {}
    for entry in entries:
        slot = (entry.info.group_index, entry.info.member_index)
        if slot in seen:
            raise ShareError(f"Share {entry.number} has the same group and member number as "
                             f"share {seen[slot]} but other words; one of them is damaged, "
                             "so compare both with their paper copies.", entry.number)
        seen[slot] = entry.number


def _shortfall(given: dict[int, int], member_thresholds: dict[int, int], group_threshold: int,
              group_count: int) -> str:
    """Why the shares given are too few, e.g. '2 of 3 shares given; 1 more needed.'.

    ``given`` and ``member_thresholds`` are keyed by 0-based group index.
    """
    if group_count == 1:
        count, needed = given.get(0, 0), member_thresholds.get(0, 0)
        return f"{count} of {needed} shares given; {needed - count} more needed."
    complete = sum(1 for g, count in given.items() if count >= member_thresholds[g])
    started = ", ".join(f"group {g + 1} has {count} of {member_thresholds[g]} shares"
                        for g, count in sorted(given.items()) if count < member_thresholds[g])
    text = (f"{complete} of {group_threshold} groups complete; "
            f"{group_threshold - complete} more needed")
    return text + (f" ({started})." if started else ".")


def _base_quorum(entries: Sequence[_Entry], groups: dict[int, list[_Entry]]) -> _Quorum:
    info = entries[0].info
    thresholds = {g: members[0].info.member_threshold for g, members in groups.items()}
    complete = [g for g in sorted(groups) if len(groups[g]) >= thresholds[g]]
    if len(complete) < info.group_threshold:
        counts = {g: len(members) for g, members in groups.items()}
        raise ShareError(_shortfall(counts, thresholds, info.group_threshold, info.group_count))
    return {g: groups[g][:thresholds[g]] for g in complete[:info.group_threshold]}


def _variants(quorum: _Quorum, entry: _Entry, groups: dict[int, list[_Entry]]) -> list[_Quorum]:
    """``quorum`` with ``entry`` swapped in for each of its shares (or groups) in turn, to see
    whether it agrees; none if it is in the quorum or its group is too incomplete to test."""
    group = entry.info.group_index
    if group in quorum:
        members = quorum[group]
        if entry in members:
            return []
        return [{**quorum, group: [*members[:i], entry, *members[i + 1:]]}
                for i in range(len(members))]
    peers = [other for other in groups[group] if other is not entry]
    peers = peers[:entry.info.member_threshold - 1]
    if len(peers) < entry.info.member_threshold - 1:
        return []
    return [{**{g: members for g, members in quorum.items() if g != replaced},
             group: [entry, *peers]} for replaced in quorum]


def _encrypted(quorum: _Quorum) -> Any:
    """The encrypted master secret this quorum rebuilds, or None if its digest fails."""
    mnemonics = [entry.mnemonic for members in quorum.values() for entry in members]
    try:
        return shamir_mnemonic.recover_ems(shamir_mnemonic.decode_mnemonics(mnemonics))
    except shamir_mnemonic.MnemonicError:
        return None


def recover_secret(shares: Sequence[str], passphrase: str = "", *,
                   expected_check_value: str) -> bytes:
    """Rebuild the secret from shares holding a quorum, in any order, and verify it.

    More shares than needed are welcome: every share that can be compared with the rebuilt
    secret must agree with it. Raises ShareError naming the first bad share (1-based position
    in ``shares``), or CheckValueMismatch when the passphrase or the shares are wrong.
    """
    phrase = _passphrase_bytes(passphrase)
    entries = [_decode(text, number) for number, text in enumerate(shares, 1)]
    if not entries:
        raise ShareError("No shares were given; enter the shares of a quorum.")
    _refuse_strays(entries)
    groups: dict[int, list[_Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.info.group_index, []).append(entry)
    base = _base_quorum(entries, groups)

    def quorums() -> Iterator[_Quorum]:
        yield base
        for entry in entries:
            yield from _variants(base, entry, groups)

    tried: set[bytes] = set()  # encrypted secrets already decrypted; memory only
    for quorum in quorums():
        encrypted = _encrypted(quorum)
        if encrypted is None or encrypted.ciphertext in tried:
            continue
        tried.add(encrypted.ciphertext)
        # A candidate secret stays in this frame; only one that matches its check value leaves.
        secret: bytes = encrypted.decrypt(phrase)
        if matches(secret, expected_check_value):
            _refuse_disagreeing(entries, groups, quorum, encrypted.ciphertext)
            return secret
    if not tried:
        raise ShareError("The shares pass their checksums but do not fit together; they were "
                         "not all made in the same split, so check where each came from.")
    raise CheckValueMismatch("The rebuilt secret does not match its check value: the passphrase "
                             "is wrong or the shares are not this secret's; check both and retry.")


def _with_group(quorum: _Quorum, group: int, members: list[_Entry]) -> _Quorum:
    """``quorum`` with ``members`` standing for ``group``, in place of another group if new."""
    if group in quorum:
        return {**quorum, group: members}
    return {**dict(list(quorum.items())[1:]), group: members}


def _agrees(quorum: _Quorum, ciphertext: bytes) -> bool:
    encrypted = _encrypted(quorum)
    return encrypted is not None and bool(encrypted.ciphertext == ciphertext)


def _refuse_disagreeing(entries: Sequence[_Entry], groups: dict[int, list[_Entry]],
                        verified: _Quorum, ciphertext: bytes) -> None:
    """Compare every share that can be compared with a verified quorum; name one that differs.

    Shares of a group outside the quorum are compared once a sound subset of that group is
    found; a group with fewer shares than its threshold cannot be compared at all.
    """
    references = dict(verified)
    for group, members in sorted(groups.items()):
        threshold = members[0].info.member_threshold
        if group in references or len(members) < threshold:
            continue
        subsets = itertools.islice(itertools.combinations(members, threshold), _MAX_SUBSETS)
        found = next((list(subset) for subset in subsets
                      if _agrees(_with_group(verified, group, list(subset)), ciphertext)), None)
        if found is None:
            numbers = [member.number for member in members if member.number is not None]
            raise ShareError(f"The shares of group {group + 1} ({_numbers(numbers)}) pass their "
                             "checksums but do not rebuild the same secret as the other groups; "
                             "leave them out and check where they came from.", numbers[0])
        references[group] = found
    for entry in entries:
        reference = references.get(entry.info.group_index)
        if reference is None or entry in reference:
            continue
        # The reference shares are sound, so swapping one of them out tests this entry alone.
        swapped = _with_group(verified, entry.info.group_index, [entry, *reference[1:]])
        if not _agrees(swapped, ciphertext):
            raise ShareError(f"Share {entry.number} passes its checksum but does not rebuild the "
                             "same secret as the others; leave it out and check where it came "
                             "from.", entry.number)
