"""Tokens in plans: RFC 7512 URIs and serial numbers, what each example plan asks of its
tokens, and the serial a token must have."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.engine.token_checks import TRANSCRIPT_SIGNER, plan_token_needs, plan_tokens
from ceremony.plan import parse_plan, parse_plan_text
from ceremony.transcript.sign import SIGNER_ALGORITHM
from crypto.algorithms import KeyAlgorithm
from crypto.errors import TokenNotFound
from crypto.pkcs11_uri import UriError, parse_token_uri, token_uri
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, open_token, probe_token
from crypto.tokencheck import TokenNeeds
from tests.ceremony.test_plan_parser import EXAMPLES, example, problems
from tests.conftest import SO_PIN, USER_PIN


def token_table(lines: str) -> str:
    """The root example with its [token] label and module lines replaced by ``lines``."""
    text = example("root")
    kept = [line for line in text.splitlines()
            if not line.startswith(('label = "root-r1"', 'module = "/usr/lib/x86_64'))]
    at = kept.index("[token]") + 1
    return "\n".join([*kept[:at], lines, *kept[at:]]) + "\n"


def test_uri_round_trips_with_percent_encoding() -> None:
    text = "pkcs11:token=Root%20CA%20R1;serial=4a1c?module-path=/opt/hsm/lib%20x.so"
    uri = parse_token_uri(text)
    assert (uri.label, uri.serial, uri.module_path) == ("Root CA R1", "4a1c", "/opt/hsm/lib x.so")
    assert parse_token_uri(str(uri)) == uri
    assert token_uri("root-r1") == "pkcs11:token=root-r1"


@pytest.mark.parametrize(("text", "why"), [
    ("http://example.com", "starts with 'pkcs11:'"),
    ("pkcs11:serial=1", "add token=LABEL"),
    ("pkcs11:token=a;pin-value=1234", "puts the PIN in the plan"),
    ("pkcs11:token=a?pin-source=file:/p", "puts the PIN in the plan"),
    ("pkcs11:token=a;object=root-key", "names an object"),
    ("pkcs11:token=a?module-name=yubihsm", "give module-path"),
    ("pkcs11:token=a;colour=red", "'colour' is not a PKCS#11 URI attribute"),
    ("pkcs11:token=a;token=b", "token appears twice"),
])
def test_uris_that_name_no_token_are_refused(text: str, why: str) -> None:
    with pytest.raises(UriError, match=why.replace("(", r"\(")):
        parse_token_uri(text)


def test_a_plan_names_its_token_by_uri() -> None:
    plan = parse_plan_text(token_table('uri = "pkcs11:token=root-r1;serial=0a1b2c?module-path='
                                       '/opt/hsm/lib.so"'), EXAMPLES / "p.toml")
    assert plan.token is not None
    assert (plan.token.label, plan.token.serial, plan.token.module) == (
        "root-r1", "0a1b2c", "/opt/hsm/lib.so")
    assert plan.token.module_named
    assert plan.token.full_uri == "pkcs11:serial=0a1b2c;token=root-r1?module-path=/opt/hsm/lib.so"


def test_uri_conflicts_and_secrets_are_plan_problems() -> None:
    both = problems(token_table('label = "root-r1"\nuri = "pkcs11:token=x"'))
    assert any(p.startswith("token.label: the uri names the token already") for p in both)
    modules = problems(token_table('module = "/a.so"\nuri = "pkcs11:token=x?module-path=/b.so"'))
    assert any(p.startswith("token.module: names another module") for p in modules)
    pin = problems(token_table('module = "/a.so"\nuri = "pkcs11:token=x;pin-value=123456"'))
    assert any(p.startswith("token.uri: pin-value puts the PIN in the plan") for p in pin)
    assert not any("123456" in p for p in pin)
    scheme = problems(token_table('module = "/a.so"\nuri = "y"'))
    assert any(p.startswith("token.uri: a PKCS#11 URI starts with") for p in scheme)
    serial = problems(token_table('uri = "pkcs11:token=x;serial=1?module-path=/a.so"\n'
                                  'serial = "2"'))
    assert any(p.startswith("token.serial: differs from the uri's serial") for p in serial)


def test_the_transcript_signers_algorithm_is_the_one_checked() -> None:
    assert TRANSCRIPT_SIGNER is SIGNER_ALGORITHM


EC384 = KeyAlgorithm.EC_P384
SIGNER = ((TRANSCRIPT_SIGNER, False),)


@pytest.mark.parametrize(("example", "needs"), [
    ("root", [TokenNeeds(generate=((EC384, True), *SIGNER), sign=(EC384,), wrap=(EC384,),
                         random=True)]),
    ("intermediate-key", [TokenNeeds(generate=((EC384, True), *SIGNER), sign=(EC384,),
                                     wrap=(EC384,), random=True)]),
    ("sign", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    ("crl", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    ("restore", [TokenNeeds(generate=SIGNER, sign=(EC384,), unwrap=(EC384,), random=True)]),
    ("reshare", [TokenNeeds(generate=SIGNER, sign=(EC384,), unwrap=(EC384,), wrap=(EC384,),
                            random=True)]),
    ("drill", []),
    ("cross-certificate", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    ("root-renewal", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    ("retire", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    ("sign-private", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True)]),
    # The responder's key is made in a token of its own.
    ("ocsp-signer", [TokenNeeds(generate=SIGNER, sign=(EC384,), random=True),
                     TokenNeeds(generate=((KeyAlgorithm.EC_P256, False),))]),
])
def test_what_each_example_plan_asks_of_its_tokens(example: str,
                                                   needs: list[TokenNeeds]) -> None:
    plan = parse_plan(EXAMPLES / f"{example}.toml")
    found = [plan_token_needs(plan, spec) for spec in plan_tokens(plan)]
    assert [(set(n.generate), set(n.sign), set(n.wrap), set(n.unwrap), n.random)
            for n in found] == [(set(n.generate), set(n.sign), set(n.wrap), set(n.unwrap),
                                 n.random) for n in needs]


@pytest.mark.softhsm
def test_the_serial_must_match(softhsm: SoftHsmStore) -> None:
    softhsm.init_token("root-r1", USER_PIN, SO_PIN)
    serial = probe_token(DEFAULT_MODULE, "root-r1").serial
    assert probe_token(DEFAULT_MODULE, "root-r1", serial).serial == serial
    with pytest.raises(TokenNotFound) as wrong:
        open_token(DEFAULT_MODULE, "root-r1", USER_PIN, "0000000000000000").__enter__()
    assert str(wrong.value) == (
        f"the token labelled 'root-r1' has serial number {serial!r}, not '0000000000000000' as "
        "the plan says; it is not the planned token: connect the right one")


def test_uri_in_the_docs_example_parses(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "plan-format.md").read_text()
    start = doc.index('"pkcs11:token=root-r1;serial=')
    example = doc[start + 1:doc.index('"', start + 1)]
    assert parse_token_uri(example).label == "root-r1"
