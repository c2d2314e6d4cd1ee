"""SLIP-39 split and recovery, cross-checked against shamir-mnemonic's own functions."""

from __future__ import annotations

import itertools
import random
import secrets
import string

import pytest
import shamir_mnemonic
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.checkvalue import check_value
from crypto.errors import CheckValueMismatch, ShareError, UnusableInput
from crypto.shares import (
    WORDLIST,
    GroupSpec,
    ShareScheme,
    SplitSecret,
    candidates,
    check_share,
    complete_word,
    normalise_share,
    recover_secret,
    split_secret,
    suspect_word,
)

# English words of this module's messages that happen to be SLIP-39 words too.
MESSAGE_VOCABULARY = {"again", "agree", "already", "being", "belong", "both", "check", "empty",
                      "extra", "group", "hand", "have", "member", "order", "paper", "rebuild",
                      "secret", "space", "type", "that", "together", "unknown", "answer"}


def assert_no_share_content(message: str, *shares: str) -> None:
    """No word of a share outside the fixed message vocabulary, no two share words in a row."""
    text = message.lower().replace(",", " ").replace(".", " ").replace(":", " ").split()
    share_words = {word for share in shares for word in share.lower().split()}
    assert not (set(text) & share_words) - MESSAGE_VOCABULARY, message
    for share in shares:
        words = share.lower().split()
        for pair in itertools.pairwise(words):
            assert " ".join(pair) not in message.lower(), message


def other_split_same_identifier(identifier: int, threshold: int, count: int) -> list[str]:
    """Shares of a different secret that carry ``identifier``: only the digest can tell."""
    ems = shamir_mnemonic.EncryptedMasterSecret.from_master_secret(
        secrets.token_bytes(32), b"", identifier, True, 1)
    return [share.mnemonic() for share in shamir_mnemonic.split_ems(1, [(threshold, count)],
                                                                    ems)[0]]


def mistype(share: str, position: int) -> str:
    """``share`` with word ``position`` (1-based) replaced by another word."""
    words = share.split()
    words[position - 1] = next(w for w in WORDLIST[::-1] if w != words[position - 1])
    return " ".join(words)


@pytest.fixture(scope="module")
def three_of_five() -> tuple[bytes, SplitSecret]:
    secret = secrets.token_bytes(32)
    return secret, split_secret(secret, ShareScheme.single(3, 5), "correct horse")


@pytest.fixture(scope="module")
def grouped() -> tuple[bytes, SplitSecret]:
    secret = secrets.token_bytes(16)
    scheme = ShareScheme(2, (GroupSpec(2, 3), GroupSpec(3, 5), GroupSpec(1, 1)))
    return secret, split_secret(secret, scheme)


# --- splitting -------------------------------------------------------------------------------


def test_every_quorum_of_a_3_of_5_split_rebuilds_the_secret_in_the_reference(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    (shares,) = split.shares
    assert len(shares) == 5
    assert all(len(share.split()) == 33 for share in shares)
    for quorum in itertools.combinations(shares, 3):
        assert shamir_mnemonic.combine_mnemonics(list(quorum), b"correct horse") == secret
    assert split.check_value == check_value(secret)
    assert split.identifier == shamir_mnemonic.Share.from_mnemonic(shares[0]).identifier
    assert split.iteration_exponent == 1 and split.extendable


def test_passphrase_protects_the_split(three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    quorum = list(split.shares[0][:3])
    # SLIP-39 has no way to notice a wrong passphrase: the reference yields another secret.
    assert shamir_mnemonic.combine_mnemonics(quorum, b"") != secret
    assert recover_secret(quorum, "correct horse", expected_check_value=split.check_value) == secret


def test_wrong_passphrase_is_caught_by_the_check_value(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    with pytest.raises(CheckValueMismatch, match="passphrase"):
        recover_secret(split.shares[0][:3], "correct hose", expected_check_value=split.check_value)


def test_group_split_rebuilds_in_the_reference(grouped: tuple[bytes, SplitSecret]) -> None:
    secret, split = grouped
    first, second, third = split.shares
    assert (len(first), len(second), len(third)) == (3, 5, 1)
    assert all(len(share.split()) == 20 for group in split.shares for share in group)
    assert shamir_mnemonic.combine_mnemonics([*first[1:], *second[2:]]) == secret
    assert shamir_mnemonic.combine_mnemonics([third[0], first[0], first[2]]) == secret
    assert split.scheme.describe() == "2 of 3 groups: 2-of-3, 3-of-5, 1-of-1"


@pytest.mark.parametrize(("length", "words"), [(16, 20), (18, 22), (24, 27), (32, 33)])
def test_secret_lengths_16_to_32_bytes(length: int, words: int) -> None:
    secret = secrets.token_bytes(length)
    split = split_secret(secret, ShareScheme.single(2, 3), iteration_exponent=0)
    assert all(len(share.split()) == words for share in split.shares[0])
    assert check_share(split.shares[0][0]).secret_bytes == length
    assert recover_secret(split.shares[0][1:], expected_check_value=split.check_value) == secret


@pytest.mark.parametrize("length", [0, 15, 17, 31, 33, 34])
def test_secret_of_unusable_length_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match=f"not {length} bytes"):
        split_secret(bytes(length), ShareScheme.single(2, 3))


def test_iteration_exponent_is_configurable() -> None:
    secret = secrets.token_bytes(16)
    split = split_secret(secret, ShareScheme.single(2, 2), "pw", iteration_exponent=3,
                         extendable=False)
    assert check_share(split.shares[0][0]).iteration_exponent == 3
    assert not check_share(split.shares[0][0]).extendable
    assert shamir_mnemonic.combine_mnemonics(list(split.shares[0]), b"pw") == secret
    with pytest.raises(ValueError, match="iteration exponent"):
        split_secret(secret, ShareScheme.single(2, 2), iteration_exponent=16)


def test_non_ascii_passphrase_is_refused_without_echoing_it() -> None:
    with pytest.raises(UnusableInput, match="printable ASCII") as caught:
        split_secret(secrets.token_bytes(16), ShareScheme.single(2, 2), "pässword")
    assert "pässword" not in str(caught.value)


def test_split_keeps_shares_out_of_its_repr(three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    text = repr(split) + split.describe()
    assert all(share.split()[3] not in text.split() for share in split.shares[0])
    assert secret.hex() not in text
    assert split.check_value in split.describe()
    assert split.describe().startswith("3-of-5, share set ")


# --- schemes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "count", "message"), [
    (1, 3, "1-of-3"), (0, 3, "threshold"), (4, 3, "threshold"), (2, 17, "1 to 16 shares")])
def test_impossible_groups_are_refused(threshold: int, count: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GroupSpec(threshold, count)


def test_scheme_checks_its_group_threshold() -> None:
    assert ShareScheme.single(1, 1).describe() == "1-of-1"
    assert ShareScheme(1, (GroupSpec(1, 1), GroupSpec(2, 2))).share_count == 3
    with pytest.raises(ValueError, match="group threshold"):
        ShareScheme(3, (GroupSpec(2, 3), GroupSpec(2, 3)))
    with pytest.raises(ValueError, match="1 to 16 groups"):
        ShareScheme(1, ())


def test_one_of_one_groups_split_and_recover() -> None:
    secret = secrets.token_bytes(16)
    split = split_secret(secret, ShareScheme(1, (GroupSpec(1, 1), GroupSpec(2, 3))))
    assert recover_secret([split.shares[0][0]], expected_check_value=split.check_value) == secret
    assert recover_secret(split.shares[1][:2], expected_check_value=split.check_value) == secret


# --- shares from the reference implementation ------------------------------------------------


@pytest.mark.parametrize("extendable", [True, False])
def test_reference_shares_are_recovered(extendable: bool) -> None:
    secret = secrets.token_bytes(32)
    groups = shamir_mnemonic.generate_mnemonics(2, [(3, 5), (2, 2), (2, 4)], secret, b"TREZOR",
                                                extendable, 0)
    mixed = [*groups[2][1:], *groups[0][:4]]
    random.shuffle(mixed)
    assert recover_secret(mixed, "TREZOR", expected_check_value=check_value(secret)) == secret


def test_check_share_reads_a_single_reference_share() -> None:
    groups = shamir_mnemonic.generate_mnemonics(2, [(2, 3), (3, 5)], bytes(range(16)))
    reference = shamir_mnemonic.Share.from_mnemonic(groups[1][4])
    info = check_share(groups[1][4])
    assert (info.identifier, info.group_index, info.member_index) == (
        reference.identifier, 1, 4)
    assert (info.group_threshold, info.group_count, info.member_threshold) == (2, 2, 3)
    assert (info.word_count, info.secret_bytes, info.iteration_exponent) == (20, 16, 1)
    assert info.describe() == "member 5 of group 2 (3 shares needed), 2 of 2 groups needed"
    assert check_share(groups[0][0], identifier=reference.identifier).member_index == 0
    with pytest.raises(ShareError, match="The share is from another share set") as caught:
        check_share(groups[0][0], identifier=reference.identifier ^ 1)
    assert caught.value.share_number is None


# --- entering words --------------------------------------------------------------------------


def test_words_are_accepted_by_unique_prefix_in_any_case(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    shares = split.shares[0]
    typed = ["\n  ".join(word[:4].upper() for word in share.split()) + "  " for share in shares]
    assert normalise_share(typed[0]) == shares[0]
    assert recover_secret(typed[2:], "correct horse",
                          expected_check_value=split.check_value) == secret


def test_word_completion() -> None:
    assert len(WORDLIST) == 1024
    assert complete_word("ACAD") == "academic"
    assert complete_word("academic") == "academic"
    assert complete_word("ac") is None  # several words
    assert complete_word("qqq") is None
    assert candidates("ac")[:2] == ("academic", "acid")
    assert all(word.startswith("ac") for word in candidates(" Ac "))
    assert candidates("") == ()
    assert all(len(candidates(word[:4])) == 1 for word in WORDLIST)


def test_unknown_and_ambiguous_words_are_named_by_position(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    shares = list(split.shares[0][:3])
    words = shares[1].split()
    with pytest.raises(ShareError, match="Share 2, word 5: no SLIP-39 word") as caught:
        recover_secret([shares[0], " ".join([*words[:4], "qzx", *words[5:]]), shares[2]],
                       expected_check_value=split.check_value)
    assert caught.value.share_number == 2
    with pytest.raises(ShareError, match=r"Share 3, word 1: .* type more") as caught:
        recover_secret([shares[0], shares[1], " ".join(["a", *words[1:]])],
                       expected_check_value=split.check_value)
    assert caught.value.share_number == 3
    with pytest.raises(ShareError, match="Share 1 is empty"):
        recover_secret([" \n"], expected_check_value=split.check_value)


# --- bad shares ------------------------------------------------------------------------------


def test_typo_fails_the_checksum_and_names_share_and_word(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    shares = list(split.shares[0][:3])
    shares[1] = mistype(shares[1], 7)
    with pytest.raises(ShareError, match="Share 2 fails its checksum: word 7 is probably") as e:
        recover_secret(shares, "correct horse", expected_check_value=split.check_value)
    assert e.value.share_number == 2
    assert_no_share_content(str(e.value), *shares)


@pytest.mark.parametrize("position", [1, 2, 4, 15, 31, 33])
def test_suspect_word_finds_a_single_wrong_word(
        three_of_five: tuple[bytes, SplitSecret], position: int) -> None:
    share = three_of_five[1].shares[0][0]
    assert suspect_word(mistype(share, position)) == position
    assert suspect_word(share) is None


def test_swapped_words_fail_the_checksum_without_a_suspect(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    share = three_of_five[1].shares[0][0].split()
    share[9], share[10] = share[10], share[9]
    assert suspect_word(" ".join(share)) is None
    with pytest.raises(ShareError, match="a word is wrong, missing or out of order"):
        check_share(" ".join(share), 4)


def test_missing_word_is_reported_as_a_length_error(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    share = three_of_five[1].shares[0][0].split()
    with pytest.raises(ShareError, match="Share 1 has 32 words"):
        recover_secret([" ".join(share[:-1])], expected_check_value="00")


def test_share_from_another_set_is_named(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    stranger = split_secret(secrets.token_bytes(32), ShareScheme.single(3, 5)).shares[0][1]
    shares = [split.shares[0][0], stranger, *split.shares[0][2:4]]
    with pytest.raises(ShareError, match="Share 2 does not belong with shares 1, 3 and 4: it is "
                                         "from another share set") as caught:
        recover_secret(shares, "correct horse", expected_check_value=split.check_value)
    assert caught.value.share_number == 2
    assert_no_share_content(str(caught.value), *shares)


def test_the_minority_is_blamed_even_when_first(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    stranger = split_secret(secrets.token_bytes(32), ShareScheme.single(3, 5)).shares[0][1]
    with pytest.raises(ShareError, match="Share 1 does not belong") as caught:
        recover_secret([stranger, *split.shares[0][:3]], "correct horse",
                       expected_check_value=split.check_value)
    assert caught.value.share_number == 1


def test_share_of_a_split_with_other_parameters_is_named() -> None:
    secret = secrets.token_bytes(16)
    groups = shamir_mnemonic.generate_mnemonics(1, [(2, 3)], secret)
    identifier = shamir_mnemonic.Share.from_mnemonic(groups[0][0]).identifier
    ems = shamir_mnemonic.EncryptedMasterSecret.from_master_secret(secret, b"", identifier,
                                                                   True, 1)
    odd = shamir_mnemonic.split_ems(1, [(3, 3)], ems)[0][2].mnemonic()
    with pytest.raises(ShareError, match=r"Share 3 .* says group 1 needs 3 shares, not 2"):
        recover_secret([*groups[0][:2], odd], expected_check_value=check_value(secret))


def test_duplicate_shares_are_refused(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    shares = split.shares[0]
    again = " ".join(word[:5].upper() for word in shares[0].split())
    with pytest.raises(ShareError, match="Share 3 is the same as share 1") as caught:
        recover_secret([shares[0], shares[1], again, shares[2]], "correct horse",
                       expected_check_value=split.check_value)
    assert caught.value.share_number == 3


def test_same_member_number_with_other_words_is_refused(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    twin = other_split_same_identifier(split.identifier, 3, 5)[1]
    with pytest.raises(ShareError, match="Share 4 has the same group and member number as "
                                         "share 2") as caught:
        recover_secret([*split.shares[0][:3], twin], "correct horse",
                       expected_check_value=split.check_value)
    assert caught.value.share_number == 4


@pytest.mark.parametrize("position", [1, 2, 3, 4])
def test_extra_share_that_disagrees_is_named(three_of_five: tuple[bytes, SplitSecret],
                                             position: int) -> None:
    """A share of another split with the same identifier passes every per-share check; only
    comparing it with a verified quorum shows it is wrong, wherever it stands."""
    secret, split = three_of_five
    impostor = other_split_same_identifier(split.identifier, 3, 5)[4]  # member 5: not given
    shares = list(split.shares[0][:3])
    shares.insert(position - 1, impostor)
    with pytest.raises(ShareError, match=f"Share {position} passes its checksum but does not "
                                         "rebuild the same secret") as caught:
        recover_secret(shares, "correct horse", expected_check_value=split.check_value)
    assert caught.value.share_number == position
    shares.remove(impostor)
    assert recover_secret(shares, "correct horse",
                          expected_check_value=split.check_value) == secret


def test_disagreeing_share_in_a_group_is_named_when_other_groups_suffice(
        grouped: tuple[bytes, SplitSecret]) -> None:
    secret, split = grouped
    ems = shamir_mnemonic.EncryptedMasterSecret.from_master_secret(
        secrets.token_bytes(16), b"", split.identifier, True, 1)
    impostor = shamir_mnemonic.split_ems(2, [(2, 3), (3, 5), (1, 1)], ems)[1][3].mnemonic()
    first, second, third = split.shares
    # Groups 1 and 2 are tried first; group 2 holds the impostor, share 4.
    shares = [first[0], first[1], second[0], impostor, second[1], third[0]]
    # Three shares of a 3-of-5 group: which one is wrong cannot be known, so name the group.
    with pytest.raises(ShareError, match=r"The shares of group 2 \(shares 3, 4 and 5\) pass"):
        recover_secret(shares, expected_check_value=split.check_value)
    # A fourth share of the group shows which one it is.
    shares.append(second[2])
    with pytest.raises(ShareError, match="Share 4 passes its checksum but does not") as caught:
        recover_secret(shares, expected_check_value=split.check_value)
    assert caught.value.share_number == 4
    shares.remove(impostor)
    assert recover_secret(shares, expected_check_value=split.check_value) == secret


def test_shares_that_do_not_fit_together_at_threshold(
        three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    impostor = other_split_same_identifier(split.identifier, 3, 5)[4]
    with pytest.raises(ShareError, match="do not fit together"):
        recover_secret([*split.shares[0][:2], impostor], "correct horse",
                       expected_check_value=split.check_value)


def test_too_few_shares_says_how_many_more(three_of_five: tuple[bytes, SplitSecret]) -> None:
    _, split = three_of_five
    with pytest.raises(ShareError, match=r"^2 of 3 shares given; 1 more needed\.$") as caught:
        recover_secret(split.shares[0][3:], "correct horse",
                       expected_check_value=split.check_value)
    assert caught.value.share_number is None
    with pytest.raises(ShareError, match="No shares"):
        recover_secret([], expected_check_value=split.check_value)


def test_too_few_groups_says_what_is_missing(grouped: tuple[bytes, SplitSecret]) -> None:
    _, split = grouped
    first, second, _ = split.shares
    with pytest.raises(ShareError, match=r"^1 of 2 groups complete; 1 more needed "
                                         r"\(group 2 has 2 of 3 shares\)\.$"):
        recover_secret([second[0], first[1], second[3], first[0]],
                       expected_check_value=split.check_value)


def test_more_than_a_quorum_in_any_order(grouped: tuple[bytes, SplitSecret]) -> None:
    secret, split = grouped
    everything = [share for group in split.shares for share in group]
    for seed in range(3):
        random.Random(seed).shuffle(everything)
        assert recover_secret(everything, expected_check_value=split.check_value) == secret


def test_more_than_threshold_in_a_single_group(three_of_five: tuple[bytes, SplitSecret]) -> None:
    secret, split = three_of_five
    shares = list(split.shares[0])
    random.shuffle(shares)
    for count in (3, 4, 5):
        assert recover_secret(shares[:count], "correct horse",
                              expected_check_value=split.check_value) == secret


# --- property --------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(
    secret=st.integers(8, 16).flatmap(lambda half: st.binary(min_size=2 * half,
                                                              max_size=2 * half)),
    count=st.integers(1, 6),
    data=st.data(),
    passphrase=st.text(alphabet=string.ascii_letters + " ", max_size=8),
)
def test_split_recover_round_trip(secret: bytes, count: int, data: st.DataObject,
                                  passphrase: str) -> None:
    threshold = 1 if count == 1 else data.draw(st.integers(2, count), label="threshold")
    split = split_secret(secret, ShareScheme.single(threshold, count), passphrase,
                         iteration_exponent=0)
    given_shares = data.draw(st.permutations(split.shares[0]), label="order")
    given_shares = given_shares[:data.draw(st.integers(threshold, count), label="given")]
    assert recover_secret(given_shares, passphrase,
                          expected_check_value=split.check_value) == secret
    assert shamir_mnemonic.combine_mnemonics(list(given_shares[:threshold]),
                                             passphrase.encode()) == secret
