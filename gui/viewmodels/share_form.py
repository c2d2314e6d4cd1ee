"""Entering one SLIP-39 share word by word, checked as it is typed (no Qt).

``ShareForm`` is what the share entry widget shows: one field per word, each marked as a word,
a prefix still being typed, or letters no word starts with; once every field holds a word, the
share's checksum is checked (and the word it points at marked), then whether it fits with the
shares accepted so far (same set, not a repeat). ``crypto.share_entry.ShareEntry`` does the
checking and keeps the accepted shares; this class only arranges it for a screen.

The words typed live in this object's memory only, as they must to be checked: nothing here
logs, stores or copies them, and ``repr`` leaves them out. Messages name words and shares by
number, never by their letters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from crypto.errors import ShareError
from crypto.share_entry import AcceptedShare, ShareEntry
from crypto.shares import candidates, check_share, suspect_word

WORD_COUNTS = (20, 33)  # a share of a 16-byte secret, of a 32-byte secret (a wrap key)
DEFAULT_WORD_COUNT = 33


class FieldState(Enum):
    """How one word field stands."""

    EMPTY = "empty"
    TYPING = "typing"  # several words start with the letters typed: type more
    WORD = "word"  # the letters stand for exactly one word
    UNKNOWN = "unknown"  # no SLIP-39 word starts like this: a mistake
    SUSPECT = "suspect"  # a word, but the checksum says this one is probably wrong


@dataclass(frozen=True)
class WordField:
    """One field of the form; ``completion`` is the word the letters stand for, if one."""

    position: int  # 1-based
    state: FieldState
    completion: str | None = field(default=None, repr=False)  # share content
    choices: int = 0  # how many words start with the letters typed

    @property
    def ok(self) -> bool:
        """Whether the field stands for one word (a suspect word still counts as typed)."""
        return self.state in (FieldState.WORD, FieldState.SUSPECT)

    def hint(self) -> str:
        """A short note for the field: what is wrong with it, or nothing."""
        if self.state is FieldState.UNKNOWN:
            return f"Word {self.position}: no SLIP-39 word starts like this."
        if self.state is FieldState.TYPING:
            return f"Word {self.position}: {self.choices} words start like this; type more."
        if self.state is FieldState.SUSPECT:
            return f"Word {self.position} is probably wrong; compare it with the paper."
        if self.state is FieldState.WORD:
            # Only that it is a word of the list: whether it is the right one is checked later.
            return f"Word {self.position}: a valid word."
        return ""


class Verdict(Enum):
    """Where the share as typed stands."""

    INCOMPLETE = "incomplete"  # fields still empty or not yet words
    WRONG = "wrong"  # a word, the checksum or the set is wrong: ``message`` says which
    READY = "ready"  # passes every check: it can be submitted


@dataclass(frozen=True)
class FormView:
    """Everything the widget shows for the share being typed."""

    share_number: int  # the number this share gets if accepted
    fields: tuple[WordField, ...]
    verdict: Verdict
    message: str
    progress: str  # e.g. "2 of 3 shares accepted."

    @property
    def first_problem(self) -> int | None:
        """The 1-based position of the first field to fix, if any."""
        for word in self.fields:
            if word.state in (FieldState.UNKNOWN, FieldState.SUSPECT, FieldState.TYPING):
                return word.position
        return None


def check_field(position: int, text: str) -> WordField:
    """Check the letters typed in one field against the SLIP-39 wordlist."""
    typed = text.strip().lower()
    if not typed:
        return WordField(position, FieldState.EMPTY)
    found = candidates(typed)
    if len(found) == 1 or typed in found:  # a whole word is complete even if longer ones exist
        return WordField(position, FieldState.WORD, typed if typed in found else found[0], 1)
    if found:
        return WordField(position, FieldState.TYPING, None, len(found))
    return WordField(position, FieldState.UNKNOWN)


class ShareForm:
    """One share being typed into ``word_count`` fields, checked against ``entry``.

    ``entry`` holds the shares accepted so far (a fresh one when not given). ``accept`` adds the
    share typed to it and clears the fields for the next custodian. With ``copy_of`` (a
    holder's name) the form takes that holder's copy back for a copy check: a share that
    passes its checks is only well formed, and the form says so, never that it matches.
    """

    def __init__(self, word_count: int = DEFAULT_WORD_COUNT,
                 entry: ShareEntry | None = None, *, copy_of: str | None = None) -> None:
        self.copy_of = copy_of
        self._entry = entry if entry is not None else ShareEntry()
        self._texts: list[str] = []  # share content: memory only
        self.word_count = word_count

    def __repr__(self) -> str:  # never the words
        return f"ShareForm(word_count={self.word_count}, accepted={self._entry.share_count})"

    @property
    def word_count(self) -> int:
        """How many word fields the form has."""
        return len(self._texts)

    @word_count.setter
    def word_count(self, count: int) -> None:
        if count < min(WORD_COUNTS):
            raise ValueError(f"A SLIP-39 share has at least {min(WORD_COUNTS)} words, not {count}.")
        self._texts = (self._texts + [""] * count)[:count]

    @property
    def entry(self) -> ShareEntry:
        """The shares accepted so far."""
        return self._entry

    def set_word(self, position: int, text: str) -> FormView:
        """Put ``text`` in field ``position`` (1-based) and return the new state.

        Several words separated by spaces fill the following fields, as when a person types on
        without moving between fields; words beyond the last field are dropped.
        """
        if not 1 <= position <= self.word_count:
            raise ValueError(f"There is no word field {position}.")
        parts = text.split()
        if len(parts) <= 1:
            self._texts[position - 1] = text.strip()
        else:
            for offset, part in enumerate(parts):
                if position + offset <= self.word_count:
                    self._texts[position - 1 + offset] = part
        return self.view

    def word(self, position: int) -> str:
        """The letters in field ``position`` (1-based), for the widget showing them."""
        return self._texts[position - 1]

    def clear(self) -> FormView:
        """Empty every field."""
        self._texts = [""] * self.word_count
        return self.view

    def typed(self) -> str:
        """The share as typed, fields joined by spaces (prefixes as typed)."""
        return " ".join(text for text in self._texts if text)

    @property
    def view(self) -> FormView:
        """Check every field, then the share as a whole once every field holds a word."""
        number = self._entry.share_count + 1
        fields = [check_field(position, text)
                  for position, text in enumerate(self._texts, start=1)]
        progress = self._entry.progress.describe()
        unknown = [f.position for f in fields if f.state is FieldState.UNKNOWN]
        if unknown:
            return FormView(number, tuple(fields), Verdict.WRONG,
                            f"Word {unknown[0]}: no SLIP-39 word starts like this; compare it "
                            "with the paper.", progress)
        waiting = [f.position for f in fields if not f.ok]
        if waiting:
            typed = sum(1 for f in fields if f.ok)
            return FormView(number, tuple(fields), Verdict.INCOMPLETE,
                            f"{typed} of {self.word_count} words typed.", progress)
        share = " ".join(f.completion or "" for f in fields)
        try:
            check_share(share, number)
        except ShareError as ex:
            suspect = suspect_word(share)
            if suspect is not None and suspect <= len(fields):
                fields[suspect - 1] = WordField(suspect, FieldState.SUSPECT,
                                                fields[suspect - 1].completion, 1)
            return FormView(number, tuple(fields), Verdict.WRONG, str(ex), progress)
        problem = self._set_problem(share)
        if problem is not None:
            return FormView(number, tuple(fields), Verdict.WRONG, problem, progress)
        if self.copy_of is not None:
            return FormView(number, tuple(fields), Verdict.READY,
                            f"The {self.word_count} words form a well-formed share. Only "
                            f"“Check my copy” compares them with {self.copy_of}'s share.",
                            progress)
        return FormView(number, tuple(fields), Verdict.READY,
                        f"Share {number} passes its checks; submit it.", progress)

    def _set_problem(self, share: str) -> str | None:
        """Why the share does not fit with those accepted (another set, a repeat), if it does not.

        The entry is the one judge: the share is added and at once taken out again.
        """
        try:
            accepted = self._entry.add_share(share)
        except ShareError as ex:
            return str(ex)
        self._entry.remove_share(accepted.share_number)
        return None

    def accept(self) -> AcceptedShare:
        """Accept the share typed into the entry and clear the fields for the next one.

        Raises ShareError (saying which word or share is wrong) and keeps the fields as typed
        when it cannot be accepted.
        """
        accepted = self._entry.add_share(self.typed())
        self.clear()
        return accepted

    def forget_last(self) -> None:
        """Take back the last accepted share (the ceremony refused it after all)."""
        if self._entry.share_count:
            self._entry.remove_share(self._entry.share_count)
