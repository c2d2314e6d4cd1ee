"""The share entry form without Qt: word by word checks, checksum, set, repeats, progress."""

from __future__ import annotations

import re

import pytest

from crypto.share_entry import ShareEntry
from gui.viewmodels.share_form import FieldState, ShareForm, Verdict, check_field
from tests.gui.helpers import mistype, split


def type_share(form: ShareForm, share: str, prefix: int | None = None) -> None:
    for position, word in enumerate(share.split(), start=1):
        form.set_word(position, word[:prefix] if prefix else word)


def test_each_field_says_what_its_letters_are() -> None:
    assert check_field(1, "").state is FieldState.EMPTY
    assert check_field(2, "ac").state is FieldState.TYPING  # academic, acid, acne, ...
    assert check_field(2, "ac").choices > 1
    unique = check_field(3, "acad")
    assert (unique.state, unique.completion) == (FieldState.WORD, "academic")
    assert check_field(4, "ACADEMIC").completion == "academic"
    unknown = check_field(5, "qqq")
    assert unknown.state is FieldState.UNKNOWN
    assert "Word 5" in unknown.hint() and "qqq" not in unknown.hint()


def test_a_share_typed_by_unique_prefixes_is_accepted_and_counted() -> None:
    shares = split(2, 3).shares[0]
    form = ShareForm(word_count=20)
    assert form.view.progress == "No shares accepted yet."
    type_share(form, shares[0], prefix=4)
    view = form.view
    assert view.verdict is Verdict.READY
    assert all(f.state is FieldState.WORD for f in view.fields)
    accepted = form.accept()
    assert accepted.share_number == 1
    assert form.view.progress == "1 of 2 shares accepted."
    assert form.typed() == ""  # the fields are cleared for the next custodian
    type_share(form, shares[2])
    form.accept()
    assert form.view.progress == "2 of 2 shares accepted."
    assert form.entry.is_complete


def test_an_unknown_word_is_named_by_position_before_the_share_is_complete() -> None:
    form = ShareForm(word_count=20)
    form.set_word(1, "acad")
    view = form.set_word(2, "xyzzy")
    assert view.verdict is Verdict.WRONG
    assert view.fields[1].state is FieldState.UNKNOWN
    assert view.first_problem == 2
    assert view.message.startswith("Word 2:")
    assert "xyzzy" not in view.message  # share letters never go into messages


def test_a_typo_fails_the_checksum_and_marks_the_word() -> None:
    share = split(2, 3).shares[0][1]
    form = ShareForm(word_count=20)
    type_share(form, mistype(share, 7))
    view = form.view
    assert view.verdict is Verdict.WRONG
    assert "fails its checksum" in view.message and "word 7" in view.message
    assert view.fields[6].state is FieldState.SUSPECT
    assert [f.position for f in view.fields if f.state is FieldState.SUSPECT] == [7]
    with pytest.raises(Exception, match="checksum"):
        form.accept()
    assert form.entry.share_count == 0


def test_a_share_of_another_set_is_refused_as_typed() -> None:
    first, other = split(2, 3), split(2, 3)
    form = ShareForm(word_count=20)
    type_share(form, first.shares[0][0])
    form.accept()
    type_share(form, other.shares[0][1])
    view = form.view
    assert view.verdict is Verdict.WRONG
    assert "another share set" in view.message
    assert view.share_number == 2
    assert form.entry.share_count == 1  # checking it did not keep it


def test_the_same_share_twice_is_refused() -> None:
    share = split(2, 3).shares[0][0]
    form = ShareForm(word_count=20)
    type_share(form, share)
    form.accept()
    type_share(form, share, prefix=4)
    view = form.view
    assert view.verdict is Verdict.WRONG
    assert "the same as share 1" in view.message


def test_the_form_checks_against_a_given_entry_and_can_take_a_share_back() -> None:
    secret_set = split(3, 5, size=32)
    entry = ShareEntry(secret_set.identifier)
    form = ShareForm(entry=entry)
    assert form.word_count == 33
    type_share(form, secret_set.shares[0][3])
    form.accept()
    assert entry.progress.describe() == "1 of 3 shares accepted."
    form.forget_last()
    assert entry.share_count == 0


def test_words_typed_on_in_one_field_fill_the_next_fields() -> None:
    share = split(2, 3).shares[0][0]
    words = share.split()
    form = ShareForm(word_count=20)
    form.set_word(1, " ".join(words[:3]))
    assert [form.word(p) for p in (1, 2, 3)] == words[:3]


def test_word_count_can_change_and_keeps_what_fits() -> None:
    form = ShareForm(word_count=33)
    form.set_word(1, "acad")
    form.word_count = 20
    assert form.word_count == 20 and form.word(1) == "acad"
    with pytest.raises(ValueError):
        form.word_count = 5
    with pytest.raises(ValueError):
        form.set_word(21, "acad")


def test_repr_never_shows_the_words() -> None:
    share = split(2, 3).shares[0][0]
    form = ShareForm(word_count=20)
    # Field names ("verdict", "submit", ...) are SLIP-39 words too: only words an empty form's
    # repr lacks can have come from the share.
    names = set(re.findall(r"[a-z]+", repr(form) + repr(form.view)))
    type_share(form, share)
    shown = set(re.findall(r"[a-z]+", repr(form) + repr(form.view)))
    assert not (set(share.split()) - names) & shown
