"""Entering shares one at a time, and proving a share was copied: plain objects a GUI or CLI drives.

Like shamir-mnemonic's ``RecoveryState``, ``ShareEntry`` holds no UI code: it checks each share
as it is entered (words, checksum, same set as the others, not a repeat), knows the progress
towards a quorum, and rebuilds the secret through ``crypto.shares.recover_secret``, which
verifies it against its check value. ``check_words`` lets a view mark a bad word while it is
typed, and ``CopyCheck`` asks a custodian to re-enter a few words of a share handed out.

Accepted shares stay in this object's memory only (a restore needs them until the secret is
rebuilt); nothing here logs them, and errors name shares and words by number only.
"""

from __future__ import annotations

import enum
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from crypto.errors import ShareError
from crypto.shares import (
    ShareInfo,
    candidates,
    check_share,
    complete_word,
    normalise_share,
    recover_secret,
)

# --- word by word ------------------------------------------------------------------------------


class WordState(enum.Enum):
    """How a typed word stands against the SLIP-39 wordlist."""

    WORD = "word"  # a whole SLIP-39 word
    PREFIX = "prefix"  # the start of exactly one word: it counts as that word
    AMBIGUOUS = "ambiguous"  # the start of several words: type more (or still typing)
    UNKNOWN = "unknown"  # no word starts like this: a mistake


@dataclass(frozen=True)
class WordCheck:
    """One typed word of a share; ``word`` is the SLIP-39 word it stands for, if one."""

    position: int  # 1-based
    state: WordState
    word: str | None = field(default=None, repr=False)  # share content: keep out of logs

    @property
    def ok(self) -> bool:
        """Whether the typed letters stand for exactly one word."""
        return self.state in (WordState.WORD, WordState.PREFIX)


def check_words(text: str) -> tuple[WordCheck, ...]:
    """Check each typed word of a (possibly partial) share against the wordlist."""
    checks = []
    for position, typed in enumerate(text.lower().split(), 1):
        found = candidates(typed)
        if found == (typed,):
            checks.append(WordCheck(position, WordState.WORD, typed))
        elif len(found) == 1:
            checks.append(WordCheck(position, WordState.PREFIX, found[0]))
        else:
            state = WordState.AMBIGUOUS if found else WordState.UNKNOWN
            checks.append(WordCheck(position, state))
    return tuple(checks)


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupProgress:
    """Shares accepted in one group; ``group_index`` is 0-based, people see it plus one."""

    group_index: int
    accepted: int
    threshold: int

    @property
    def complete(self) -> bool:
        """Whether the group has its threshold of shares."""
        return self.accepted >= self.threshold

    def describe(self) -> str:
        """E.g. 'group 2: 1 of 3 shares accepted'."""
        return f"group {self.group_index + 1}: {_count(self.accepted, self.threshold)}"


def _count(accepted: int, threshold: int) -> str:
    if accepted > threshold:  # extra shares are welcome: they are cross-checked
        return f"{accepted} shares accepted, {threshold} needed"
    return f"{accepted} of {threshold} shares accepted"


@dataclass(frozen=True)
class EntryProgress:
    """How far share entry is towards a quorum. Thresholds are unknown until a first share."""

    shares_accepted: int
    group_threshold: int | None
    group_count: int | None
    groups: tuple[GroupProgress, ...]  # groups with at least one share, by index

    @property
    def groups_complete(self) -> int:
        """How many groups have their threshold of shares."""
        return sum(1 for group in self.groups if group.complete)

    @property
    def is_complete(self) -> bool:
        """Whether a quorum of shares has been accepted."""
        return self.group_threshold is not None and self.groups_complete >= self.group_threshold

    def describe(self) -> str:
        """E.g. '2 of 3 shares accepted.' or '1 of 2 groups complete; group 1: 2 of 2 ...'."""
        if self.group_threshold is None:
            return "No shares accepted yet."
        if self.group_count == 1:
            return _count(self.groups[0].accepted, self.groups[0].threshold) + "."
        details = ", ".join(group.describe() for group in self.groups)
        return (f"{self.groups_complete} of {self.group_threshold} groups complete; "
                f"{details}.")


@dataclass(frozen=True)
class AcceptedShare:
    """The outcome of entering one share that was accepted."""

    share_number: int
    info: ShareInfo
    progress: EntryProgress


class ShareEntry:
    """Shares entered one by one for a restore or drill, checked as each arrives.

    Give ``identifier`` (recorded when the secret was split) to refuse a share of another set
    from the very first share on.
    """

    def __init__(self, identifier: int | None = None) -> None:
        self._identifier = identifier
        self._shares: list[tuple[str, ShareInfo]] = []  # canonical words: memory only

    @property
    def share_count(self) -> int:
        """How many shares are accepted."""
        return len(self._shares)

    def add_share(self, text: str) -> AcceptedShare:
        """Check ``text`` as the next share and accept it, or raise ShareError saying why not.

        The share is numbered after those accepted so far; a refused share takes no number.
        """
        number = len(self._shares) + 1
        info = check_share(text, number, identifier=self._identifier)
        mnemonic = normalise_share(text, number)
        for earlier, (other_mnemonic, other) in enumerate(self._shares, 1):
            if other_mnemonic == mnemonic:
                raise ShareError(f"Share {number} is the same as share {earlier}, already "
                                 "accepted; enter a different share.", number)
            reason = info.difference(other)
            if reason is not None:
                raise ShareError(f"Share {number} does not belong with share {earlier}: "
                                 f"{reason}; enter a share of the same set.", number)
            if (info.group_index, info.member_index) == (other.group_index, other.member_index):
                raise ShareError(f"Share {number} has the same group and member number as share "
                                 f"{earlier} but other words; one of them is damaged, so "
                                 "compare both with their paper copies.", number)
        self._shares.append((mnemonic, info))
        return AcceptedShare(number, info, self.progress)

    def remove_share(self, share_number: int) -> None:
        """Forget an accepted share (1-based); the shares after it move up one number."""
        if not 1 <= share_number <= len(self._shares):
            raise ValueError(f"There is no accepted share {share_number}.")
        del self._shares[share_number - 1]

    @property
    def progress(self) -> EntryProgress:
        """Progress towards a quorum."""
        if not self._shares:
            return EntryProgress(0, None, None, ())
        first = self._shares[0][1]
        counts: dict[int, int] = {}
        for _, info in self._shares:
            counts[info.group_index] = counts.get(info.group_index, 0) + 1
        thresholds = {info.group_index: info.member_threshold for _, info in self._shares}
        groups = tuple(GroupProgress(index, counts[index], thresholds[index])
                       for index in sorted(counts))
        return EntryProgress(len(self._shares), first.group_threshold, first.group_count, groups)

    @property
    def is_complete(self) -> bool:
        """Whether a quorum of shares has been accepted."""
        return self.progress.is_complete

    def recover(self, passphrase: str, expected_check_value: str) -> bytes:
        """Rebuild the secret and verify it against its check value.

        Raises ShareError (too few shares, or a share that disagrees with the others, by its
        number here) or CheckValueMismatch (wrong passphrase or shares).
        """
        return recover_secret([mnemonic for mnemonic, _ in self._shares], passphrase,
                              expected_check_value=expected_check_value)


# --- proving a share was copied ----------------------------------------------------------------


@dataclass(frozen=True)
class CopyCheck:
    """Word positions a custodian re-enters from their copy to show they wrote the share down."""

    positions: tuple[int, ...]  # 1-based, ascending
    words: tuple[str, ...] = field(repr=False)  # the expected words: share content

    def wrong_positions(self, answers: Sequence[str]) -> tuple[int, ...]:
        """The positions whose answer (a word or a unique prefix of it) is not the share's."""
        if len(answers) != len(self.positions):
            raise ValueError(f"Expected {len(self.positions)} answers, got {len(answers)}.")
        return tuple(position
                     for position, expected, answer in zip(self.positions, self.words, answers,
                                                           strict=True)
                     if complete_word(answer) != expected)

    def verify(self, answers: Sequence[str]) -> None:
        """Raise ShareError naming the wrong positions unless every answer is right."""
        wrong = self.wrong_positions(answers)
        if wrong:
            listed = ", ".join(map(str, wrong[:-1])) + (" and " if len(wrong) > 1 else "")
            noun = "Words" if len(wrong) > 1 else "Word"
            raise ShareError(f"{noun} {listed}{wrong[-1]} as re-entered do not match the share; "
                             "compare the written copy with the screen and correct it.")


def copy_check(share: str, count: int = 3, *, rng: random.Random | None = None) -> CopyCheck:
    """Pick ``count`` distinct random word positions of ``share`` to be re-entered."""
    words = normalise_share(share).split()
    if not 1 <= count <= len(words):
        raise ValueError(f"A copy check asks for 1 to {len(words)} words, not {count}.")
    chooser = rng if rng is not None else secrets.SystemRandom()
    positions = tuple(sorted(chooser.sample(range(1, len(words) + 1), count)))
    return CopyCheck(positions, tuple(words[position - 1] for position in positions))
