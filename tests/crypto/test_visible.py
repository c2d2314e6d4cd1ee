"""crypto.visible: which characters print nothing (or reorder a line), and showing them."""

from __future__ import annotations

import pytest

from crypto.visible import describe, first_invisible, invisible, visible

INVISIBLE = {
    "control (escape)": "\x1b",
    "control (NUL)": "\x00",
    "control (DEL)": "\x7f",
    "control (C1 CSI)": "\x9b",
    "bidi override LRE": "\u202a",
    "bidi override RLO": "\u202e",
    "bidi isolate LRI": "\u2066",
    "bidi isolate PDI": "\u2069",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "soft hyphen": "\u00ad",
    "byte order mark": "\ufeff",
    "tag letter": "\U000E0041",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "no-break space": "\u00a0",
    "ideographic space": "\u3000",
    "hangul filler": "\u3164",
    "variation selector": "\ufe0f",
    "combining grapheme joiner": "\u034f",
    "braille blank": "\u2800",
    "private use": "\ue000",
    "unassigned": "\U000e0fff",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_characters_that_print_nothing_or_reorder_are_invisible(char: str) -> None:
    assert invisible(char)
    assert first_invisible(f"Acme{char}CA") == char
    assert visible(f"Acme{char}CA") == f"Acme<U+{ord(char):04X}>CA"


@pytest.mark.parametrize("text", ["AT&T <Ops>", "Zo\u00eb \u0141ukasz", "M\u00fcller & S\u00f6hne",
                                  "\u6771\u4eac CA", "a b", "Caf\u00e9 (\u00e9\u0301)", "&amp;"])
def test_printing_text_is_shown_as_it_is(text: str) -> None:
    assert first_invisible(text) is None
    assert visible(text) is text


def test_kept_characters_stay_and_the_rest_are_named() -> None:
    assert visible("line 1\nline 2\u202e\t", keep="\n") == "line 1\nline 2<U+202E><U+0009>"
    assert first_invisible("a\nb", allowed="\n") is None


def test_a_character_is_described_by_code_point_and_name() -> None:
    assert describe("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert describe("\x1b") == "U+001B"  # controls have no name in the Unicode database
    assert describe("\U000E0041") == "U+E0041 (TAG LATIN CAPITAL LETTER A)"
