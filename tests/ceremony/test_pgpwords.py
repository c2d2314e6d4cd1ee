"""The PGP word list: the published table, known vectors, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.journal import (
    EVEN_WORDS,
    ODD_WORDS,
    head_words,
    short_head_words,
    to_words,
)
from tests.ceremony.pgpwords_reading import PgpWordsError, from_words

HEAD = "e58294f2" + "00" * 28


def test_the_table_has_512_distinct_words_in_two_halves() -> None:
    assert len(EVEN_WORDS) == len(ODD_WORDS) == 256
    assert len({word.lower() for word in EVEN_WORDS + ODD_WORDS}) == 512
    assert EVEN_WORDS[:4] == ("aardvark", "absurd", "accrue", "acme")
    assert ODD_WORDS[:4] == ("adroitness", "adviser", "aftermath", "aggregate")
    assert (EVEN_WORDS[-1], ODD_WORDS[-1]) == ("Zulu", "Yucatan")


def test_the_published_example() -> None:
    # Wikipedia, "PGP word list": E582 94F2 is read "topmost Istanbul Pluto vagabond".
    assert to_words(bytes.fromhex("E58294F2")) == ["topmost", "Istanbul", "Pluto", "vagabond"]
    assert from_words("topmost Istanbul Pluto vagabond") == bytes.fromhex("E58294F2")


def test_a_fingerprint_from_another_implementation() -> None:
    # The example of the Perl module Encode::Wordlist::PGP, an independent transcription.
    fingerprint = bytes.fromhex("41559711308F2A21B9D5072D621958AFCB50B5F9")
    spoken = ("cranky equipment preshrunk Babylon chairlift midsummer brickyard Camelot "
              "sentence specialist ahead clergyman flagpole bottomless endorse pharmacy "
              "spheroid embezzle scorecard Waterloo")
    assert " ".join(to_words(fingerprint)) == spoken
    assert from_words(spoken) == fingerprint


def test_reading_back_ignores_case_hyphens_and_line_breaks() -> None:
    assert from_words("TOPMOST-istanbul\n  pluto\tVagabond ") == bytes.fromhex("E58294F2")
    assert from_words(["Topmost", "ISTANBUL"]) == bytes.fromhex("E582")
    assert from_words("") == b""


def test_an_unknown_word_is_named() -> None:
    with pytest.raises(PgpWordsError, match=r"word 2 \('istanbull'\) is not in the PGP"):
        from_words("topmost istanbull pluto vagabond")


@pytest.mark.parametrize("spoken", [
    "topmost Pluto vagabond",            # a word left out
    "topmost Pluto Istanbul vagabond",   # two words swapped
    "topmost topmost Istanbul Pluto",    # a word said twice
])
def test_a_missing_swapped_or_doubled_word_is_caught(spoken: str) -> None:
    with pytest.raises(PgpWordsError, match=r"word 2 .* syllables"):
        from_words(spoken)


def test_the_head_reads_as_four_lines_of_eight_words() -> None:
    lines = head_words(HEAD).splitlines()
    assert [len(line.split()) for line in lines] == [8, 8, 8, 8]
    assert lines[0].startswith("topmost Istanbul Pluto vagabond aardvark adroitness")
    assert from_words(" ".join(lines)).hex() == HEAD
    assert head_words(HEAD.upper()) == head_words(HEAD)
    assert len(head_words(HEAD, per_line=16).splitlines()) == 2


def test_the_short_form_is_the_first_eight_bytes() -> None:
    assert short_head_words(HEAD) == ("topmost Istanbul Pluto vagabond "
                                      "aardvark adroitness aardvark adroitness")


@pytest.mark.parametrize("bad", ["", "e582", "zz" * 32, "00" * 33])
def test_a_head_must_be_64_hex_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="expected 64 hex digits"):
        head_words(bad)
    with pytest.raises(ValueError, match="expected 64 hex digits"):
        short_head_words(bad)


@given(st.binary(max_size=64))
def test_words_round_trip(data: bytes) -> None:
    words = to_words(data)
    assert len(words) == len(data)
    assert from_words(words) == data
    assert from_words(" ".join(words).upper()) == data
