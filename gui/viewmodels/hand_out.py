"""Handing one custodian their share on a privacy screen, then checking their copy (no Qt).

The stages follow the room: a privacy screen names the one person who should look; their click
reveals the share; their click hides it again; then they type the share back from their paper
copy: the whole share by default (four letters a word are enough), or the few words the
ceremony picked when the plan asks for a sampled check. The share's words are held here only
while the screen needs them and dropped as soon as it is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from ceremony.journal import Event
from ceremony.plan import CopyCheck
from ceremony.prompts import positions_named
from gui.viewmodels.journal_rows import JournalRow
from gui.viewmodels.share_card import ShareCard
from gui.viewmodels.share_form import FieldState, WordField, check_field

WRONG_MARK = "✗"  # beside a word that did not match the copy: a sign, not only a colour


class Stage(Enum):
    """Where a hand-out stands."""

    PRIVACY = "privacy"  # only the holder should look now; nothing secret on screen yet
    SHOWN = "shown"  # the words are on screen
    HIDDEN = "hidden"  # the words are gone from the screen and from this object


@dataclass(frozen=True)
class ShownWord:
    """One word of the share on screen, with its 1-based position."""

    position: int
    word: str = field(repr=False)
    wrong: bool = False  # the holder's copy of this word did not match: correct it

    @property
    def number(self) -> str:
        """The position as shown beside the word: '8.', or '✗ 8.' for a word to correct."""
        return f"{WRONG_MARK} {self.position}." if self.wrong else f"{self.position}."


class HandOut:
    """One share shown to ``holder``: share ``number`` of ``total``; ``wrong`` holds the
    positions their last copy got wrong, when it is shown again to correct the paper."""

    def __init__(self, holder: str, number: int, total: int, words: Sequence[str],
                 wrong: Sequence[int] = ()) -> None:
        if not words:
            raise ValueError("A share to hand out has words.")
        self.holder = holder
        self.wrong: tuple[int, ...] = tuple(sorted(set(wrong)))
        self.number = number
        self.total = total
        self._words: tuple[str, ...] = tuple(words)  # share content: dropped on hide()
        self.word_count = len(self._words)
        self.stage = Stage.PRIVACY

    def __repr__(self) -> str:  # never the words
        return f"HandOut({self.holder!r}, {self.number}/{self.total}, {self.stage.value})"

    @property
    def title(self) -> str:
        """E.g. 'Share 2 of 5, for Bob'."""
        return f"Share {self.number} of {self.total}, for {self.holder}"

    @property
    def message(self) -> str:
        """What the screen says at this stage."""
        if self.stage is Stage.PRIVACY:
            return (f"Only {self.holder} should look at the screen now. Everyone else, please "
                    f"look away. {self.holder}: show your share when you are alone at the screen.")
        if self.stage is Stage.SHOWN and self.wrong:
            verb = "does" if len(self.wrong) == 1 else "do"
            return (f"{self.holder}: {positions_named(self.wrong)} (marked {WRONG_MARK}) {verb} "
                    f"not match your copy. Correct your paper, check all {self.word_count} "
                    "words again, then hide the share.")
        if self.stage is Stage.SHOWN:
            return (f"{self.holder}: write down all {self.word_count} words in order, check "
                    "them, then hide the share.")
        return f"The share of {self.holder} is hidden. Next, {self.holder} proves the copy."

    @property
    def reveal_label(self) -> str:
        return f"I am {self.holder}: show my share"

    @property
    def hide_label(self) -> str:
        return "I have written it down: hide the share"

    def reveal(self) -> tuple[ShownWord, ...]:
        """The holder asked to see the share: the words to show, in order."""
        if self.stage is not Stage.PRIVACY:
            raise ValueError(f"The share can be shown only from the privacy screen, not when "
                             f"{self.stage.value}.")
        self.stage = Stage.SHOWN
        return tuple(ShownWord(position, word, position in self.wrong)
                     for position, word in enumerate(self._words, start=1))

    def card(self) -> ShareCard:
        """The share as a card to print, while it is on screen (the holder is at the screen)."""
        if self.stage is not Stage.SHOWN:
            raise ValueError("A card can be printed only while the share is on screen.")
        return ShareCard.of(self.holder, self.number, self.total, self._words)

    def hide(self) -> None:
        """The holder is done: the words leave the screen and this object."""
        if self.stage is not Stage.SHOWN:
            raise ValueError("Only a share on screen can be hidden.")
        self.stage = Stage.HIDDEN
        self._words = ()


class CopyCheckForm:
    """``holder`` re-enters the words at ``positions`` of their ``word_count``-word share.

    Only the form of each answer is checked here (a SLIP-39 word or a unique prefix of one);
    whether it matches the share is for the ceremony to judge, which holds the share. When
    ``whole``, the view takes the share in a share-entry form instead of these fields.
    """

    def __init__(self, holder: str, positions: Sequence[int], word_count: int) -> None:
        if not positions:
            raise ValueError("A copy check asks for at least one word.")
        self.holder = holder
        self.positions: tuple[int, ...] = tuple(positions)
        self.word_count = word_count
        self._answers = [""] * len(self.positions)  # share content: memory only

    def __repr__(self) -> str:
        return f"CopyCheckForm({self.holder!r}, positions={self.positions})"

    @property
    def whole(self) -> bool:
        """Whether the holder types the whole share back."""
        return len(self.positions) >= self.word_count

    @property
    def message(self) -> str:
        if self.whole:
            return (f"{self.holder}: from your written copy, type your whole share back, "
                    f"all {self.word_count} words (the first four letters of each are enough).")
        return (f"{self.holder}: from your written copy, type {positions_named(self.positions)} "
                "of your share.")

    def set_answer(self, index: int, text: str) -> WordField:
        """Put ``text`` as the answer for the ``index``-th position asked (0-based)."""
        self._answers[index] = text.strip()
        return check_field(self.positions[index], text)

    @property
    def fields(self) -> tuple[WordField, ...]:
        return tuple(check_field(position, answer)
                     for position, answer in zip(self.positions, self._answers, strict=True))

    @property
    def ready(self) -> bool:
        """Whether every answer stands for one word."""
        return all(f.ok for f in self.fields)

    @property
    def problem(self) -> str | None:
        """The first answer that is not a word yet, as a sentence."""
        for word in self.fields:
            if word.state is FieldState.EMPTY:
                return f"Type word {word.position}."
            if not word.ok:
                return word.hint()
        return None

    def answers(self) -> tuple[str, ...]:
        """The answers as whole words, for the ceremony to compare with the share."""
        if not self.ready:
            raise ValueError(self.problem or "The answers are not complete.")
        return tuple(f.completion or "" for f in self.fields)


def copy_mismatch(row: JournalRow) -> tuple[str, tuple[int, ...]] | None:
    """For a ``share-copy-mismatch`` record: whose copy, and the positions it got wrong (to
    mark when the share is shown again)."""
    if row.event != Event.SHARE_COPY_MISMATCH.value:
        return None
    wrong = row.data.get("wrong_positions")
    positions = tuple(p for p in wrong if isinstance(p, int)) if isinstance(wrong, list) else ()
    return str(row.data.get("holder", "")), positions


def copy_verified(row: JournalRow) -> str | None:
    """For a ``share-verified`` record, the sentence that confirms the copy passed:
    "Alice's copy matches: all 20 words checked."."""
    if row.event != Event.SHARE_VERIFIED.value:
        return None
    holder = str(row.data.get("holder", "the custodian"))
    checked = row.data.get("positions_checked")
    positions = [p for p in checked if isinstance(p, int)] if isinstance(checked, list) else []
    if not positions:
        return f"{holder}'s copy matches the share."
    if row.data.get("copy_check") == CopyCheck.WHOLE.value:
        return f"{holder}'s copy matches: all {len(positions)} words checked."
    return f"{holder}'s copy matches: {positions_named(positions)} checked."
