"""Share entry one at a time, word checks while typing, and the copy check at hand-out."""

from __future__ import annotations

import random
import secrets

import pytest
import shamir_mnemonic

from crypto.checkvalue import check_value
from crypto.errors import CheckValueMismatch, ShareError
from crypto.share_entry import ShareEntry, WordState, check_words, copy_check
from crypto.shares import GroupSpec, ShareScheme, SplitSecret, split_secret


@pytest.fixture(scope="module")
def three_of_five() -> tuple[bytes, SplitSecret]:
    secret = secrets.token_bytes(32)
    return secret, split_secret(secret, ShareScheme.single(3, 5), "pass phrase")


@pytest.fixture(scope="module")
def grouped() -> tuple[bytes, SplitSecret]:
    secret = secrets.token_bytes(16)
    return secret, split_secret(secret, ShareScheme(2, (GroupSpec(2, 3), GroupSpec(3, 5))))


def mistype(share: str, position: int) -> str:
    words = share.split()
    words[position - 1] = "zero" if words[position - 1] != "zero" else "zoom"
    return " ".join(words)


# --- entering shares -------------------------------------------------------------------------


def test_shares_entered_one_by_one_recover_the_secret(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    entry = ShareEntry(split.identifier)
    assert entry.progress.describe() == "No shares accepted yet."
    assert not entry.is_complete
    descriptions = []
    for number, share in enumerate(split.shares[0][2:], 1):
        accepted = entry.add_share(" ".join(word[:4].upper() for word in share.split()))
        assert accepted.share_number == number
        assert accepted.info.member_index == number + 1
        descriptions.append(accepted.progress.describe())
    assert descriptions == ["1 of 3 shares accepted.", "2 of 3 shares accepted.",
                            "3 of 3 shares accepted."]
    assert entry.is_complete
    assert entry.recover("pass phrase", split.check_value) == secret


def test_group_progress(grouped: tuple[bytes, SplitSecret]) -> None:
    secret, split = grouped
    first, second = split.shares
    entry = ShareEntry()
    entry.add_share(second[4])
    entry.add_share(first[0])
    progress = entry.add_share(first[2]).progress
    assert progress.describe() == ("1 of 2 groups complete; group 1: 2 of 2 shares accepted, "
                                   "group 2: 1 of 3 shares accepted.")
    assert not progress.is_complete
    with pytest.raises(ShareError, match=r"1 of 2 groups complete; 1 more needed \(group 2 has "
                                         r"1 of 3 shares\)"):
        entry.recover("", split.check_value)
    entry.add_share(second[0])
    progress = entry.add_share(second[1]).progress
    assert progress.is_complete and progress.groups_complete == 2
    assert entry.recover("", split.check_value) == secret


def test_too_few_shares_say_how_many_more(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    entry = ShareEntry()
    entry.add_share(split.shares[0][0])
    entry.add_share(split.shares[0][4])
    with pytest.raises(ShareError, match=r"^2 of 3 shares given; 1 more needed\.$"):
        entry.recover("pass phrase", split.check_value)


def test_typo_is_refused_with_its_number_and_takes_none(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    entry = ShareEntry()
    entry.add_share(split.shares[0][0])
    with pytest.raises(ShareError, match="Share 2 fails its checksum: word 12 is probably") as e:
        entry.add_share(mistype(split.shares[0][1], 12))
    assert e.value.share_number == 2
    assert entry.share_count == 1
    assert entry.add_share(split.shares[0][1]).share_number == 2


def test_duplicates_are_refused(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    entry = ShareEntry()
    entry.add_share(split.shares[0][3])
    entry.add_share(split.shares[0][1])
    with pytest.raises(ShareError, match="Share 3 is the same as share 2, already accepted"):
        entry.add_share(split.shares[0][1].upper())
    assert entry.share_count == 2


def test_share_of_another_set_is_refused(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    stranger = split_secret(secrets.token_bytes(32), ShareScheme.single(3, 5)).shares[0][0]
    entry = ShareEntry()
    entry.add_share(split.shares[0][0])
    with pytest.raises(ShareError, match="Share 2 does not belong with share 1: it is from "
                                         "another share set") as caught:
        entry.add_share(stranger)
    assert caught.value.share_number == 2
    with pytest.raises(ShareError, match="Share 1 is from another share set than the one "
                                         "expected"):
        ShareEntry(split.identifier).add_share(stranger)


def test_same_member_with_other_words_is_refused(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    ems = shamir_mnemonic.EncryptedMasterSecret.from_master_secret(
        secrets.token_bytes(32), b"", split.identifier, True, 1)
    twin = shamir_mnemonic.split_ems(1, [(3, 5)], ems)[0][0].mnemonic()
    entry = ShareEntry(split.identifier)
    entry.add_share(split.shares[0][0])
    with pytest.raises(ShareError, match="Share 2 has the same group and member number as "
                                         "share 1"):
        entry.add_share(twin)


def test_wrong_passphrase_is_caught(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    entry = ShareEntry()
    for share in split.shares[0][:3]:
        entry.add_share(share)
    with pytest.raises(CheckValueMismatch, match="passphrase"):
        entry.recover("pass  phrase", split.check_value)


def test_removed_share_is_forgotten(three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    entry = ShareEntry()
    for share in split.shares[0][:3]:
        entry.add_share(share)
    entry.remove_share(2)
    assert entry.progress.describe() == "2 of 3 shares accepted."
    entry.add_share(split.shares[0][1])
    assert entry.recover("pass phrase", split.check_value) == secret
    with pytest.raises(ValueError, match="no accepted share 4"):
        entry.remove_share(4)


def test_reference_shares_entered_in_any_order() -> None:
    secret = secrets.token_bytes(16)
    groups = shamir_mnemonic.generate_mnemonics(1, [(4, 6)], secret, b"", False, 0)
    shares = list(groups[0])
    random.shuffle(shares)
    entry = ShareEntry()
    for share in shares:  # more than the threshold: the extra ones are cross-checked
        entry.add_share(share)
    assert entry.progress.describe() == "6 shares accepted, 4 needed."
    assert entry.recover("", check_value(secret)) == secret


# --- word by word ----------------------------------------------------------------------------


def test_check_words_marks_each_typed_word() -> None:
    checks = check_words("academic ACAD ac qqq  Zer")
    assert [check.state for check in checks] == [
        WordState.WORD, WordState.PREFIX, WordState.AMBIGUOUS, WordState.UNKNOWN,
        WordState.PREFIX]
    assert [check.position for check in checks] == [1, 2, 3, 4, 5]
    assert [check.word for check in checks] == ["academic", "academic", None, None, "zero"]
    assert [check.ok for check in checks] == [True, True, False, False, True]
    assert "academic" not in repr(checks)
    assert check_words("   ") == ()


# --- copy check ------------------------------------------------------------------------------


def test_copy_check_asks_for_distinct_random_positions(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    share = three_of_five[1].shares[0][0]
    seen: set[int] = set()
    for _ in range(20):
        check = copy_check(share, 4)
        assert len(check.positions) == 4 == len(set(check.positions))
        assert list(check.positions) == sorted(check.positions)
        assert all(1 <= position <= 33 for position in check.positions)
        seen.update(check.positions)
        assert not any(word in repr(check) for word in share.split())
    assert len(seen) > 8  # positions vary
    with pytest.raises(ValueError, match="1 to 33 words"):
        copy_check(share, 34)


def test_copy_check_accepts_words_and_unique_prefixes(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    share = three_of_five[1].shares[0][0]
    words = share.split()
    check = copy_check(share, 3, rng=random.Random(7))
    answers = [words[position - 1] for position in check.positions]
    check.verify(answers)
    check.verify([f" {answer[:4].upper()} " for answer in answers])
    assert check.wrong_positions(answers) == ()


def test_copy_check_names_wrong_positions(three_of_five: tuple[bytes, SplitSecret]) -> None:
    share = three_of_five[1].shares[0][0]
    words = share.split()
    check = copy_check(share, 3, rng=random.Random(7))
    first, second, third = check.positions
    wrong = "zero" if words[second - 1] != "zero" else "zoom"
    answers = [words[first - 1], wrong, words[third - 1][0]]  # one letter: ambiguous
    assert check.wrong_positions(answers) == (second, third)
    with pytest.raises(ShareError, match=f"Words {second} and {third} as re-entered do not "
                                         "match the share") as caught:
        check.verify(answers)
    assert words[second - 1] not in str(caught.value)
    with pytest.raises(ValueError, match="Expected 3 answers"):
        check.verify(answers[:2])
