"""The token PIN alone never exports a CA key: after every ceremony no persistent CA private key
in any token it touched is extractable (issue 8, item 1).

Real SoftHSM tokens throughout. Three independent readings of each key: its CKA_EXTRACTABLE
through python-pkcs11, an attempt to wrap it under a fresh AES key of one's own while logged in
with the PIN (the attack that exported the root), and pkcs11-tool's listing of the token.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11

from ceremony.demo.rehearsal import (
    DEMO_PIN,
    DEMO_SO_PIN,
    INTERMEDIATE_KEY,
    INTERMEDIATE_TOKEN,
    ROOT_KEY,
    ROOT_TOKEN,
    DemoResult,
    intermediate_plan,
    run_demo,
)
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import Event, verify_journal
from crypto.algorithms import KeyAlgorithm
from crypto.backup import generate_wrap_key, import_wrap_key, wrap_key_pair, write_backup
from crypto.certificates import random_serial, root_builder
from crypto.keys import find_key_pair, generate_key_pair
from crypto.profiles import DistinguishedName, RootProfile
from crypto.shares import ShareScheme, split_secret
from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, default_module, open_token
from tests.ceremony.helpers import (
    crl_plan,
    header,
    prompter,
    run,
    share_table,
    shares_from,
    write_plan,
)

pytestmark = pytest.mark.softhsm


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoResult]:
    result = run_demo(tmp_path / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


def _notebooks(result: DemoResult) -> dict[str, tuple[str, ...]]:
    lines = (result.folder / "DEMO-SHARES.txt").read_text().splitlines()
    pairs = (line.split(": ", 1) for line in lines if not line.startswith("#"))
    return {name: tuple(words.split()) for name, words in pairs}


def _listed_access(store: SoftHsmStore, token: str) -> dict[str, set[str]]:
    """pkcs11-tool's "Access:" flags of each private key in ``token``, by label."""
    env = dict(os.environ, SOFTHSM2_CONF=str(store.config))
    listing = subprocess.run(
        ["pkcs11-tool", "--module", DEFAULT_MODULE, "--token-label", token, "--login", "--pin",
         DEMO_PIN, "--list-objects"], env=env, capture_output=True, text=True, check=True).stdout
    access: dict[str, set[str]] = {}
    label: str | None = None  # of the private key whose lines are being read
    for line in listing.splitlines():
        if not line.startswith(" "):  # an object's first line: "Private Key Object; EC", ...
            label = "" if line.startswith("Private Key Object") else None
        elif label is not None and line.strip().startswith("label:"):
            label = line.split(":", 1)[1].strip()
        elif label and line.strip().startswith("Access:"):
            access[label] = {a.strip() for a in line.split(":", 1)[1].split(",")}
    return access


def _private_keys(token: str) -> dict[str, bool]:
    """Every stored private key in ``token``: label -> CKA_EXTRACTABLE, read by python-pkcs11."""
    with open_token(default_module(), token, DEMO_PIN) as session:
        return {key[Attribute.LABEL]: bool(key[Attribute.EXTRACTABLE])
                for key in session.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                        Attribute.TOKEN: True})}


def assert_locked(store: SoftHsmStore, token: str, label: str) -> None:
    """The key is not extractable, by three readings."""
    # (a) the attribute, through python-pkcs11
    assert _private_keys(token)[label] is False
    # (b) the attack: logged in with the PIN, wrap it under a fresh AES key of one's own
    with open_token(default_module(), token, DEMO_PIN) as session:
        private = session.session.get_key(ObjectClass.PRIVATE_KEY, label=label)
        own = session.session.generate_key(KeyType.AES, 256, capabilities=MechanismFlag.WRAP,
                                           template={Attribute.SENSITIVE: True,
                                                     Attribute.EXTRACTABLE: False})
        with pytest.raises(p11.KeyUnextractable):
            own.wrap_key(private, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    # (c) pkcs11-tool, as an auditor would look
    access = _listed_access(store, token)[label]
    assert "sensitive" in access and "extractable" not in access, access


def test_the_root_key_is_locked_once_its_backup_is_written(demo: DemoResult) -> None:
    store = SoftHsmStore(demo.folder / "softhsm")
    assert_locked(store, ROOT_TOKEN, ROOT_KEY)
    records = verify_journal(demo.folder / "ceremonies" / "demo-root" / "journal.jsonl").records
    events = [r.event for r in records]
    locked = next(r for r in records if r.event == Event.KEY_LOCKED)
    # After the backup is written and proven, before the ceremony ends; attributes read back.
    assert events.index(Event.KEY_BACKED_UP) < events.index(Event.KEY_LOCKED)
    assert locked.data["label"] == ROOT_KEY and locked.data["extractable"] is False
    assert locked.data["sensitive"] is True
    assert locked.data["protections"] == ["CKA_SENSITIVE", "CKA_EXTRACTABLE=false"]
    assert "CKA_WRAP_WITH_TRUSTED is not set" in locked.data["note"]
    generated = next(r for r in records if r.event == Event.KEY_GENERATED)
    assert generated.data["extractable"] is True  # only until the backup: that is the point
    # A key that is never backed up is never extractable and is also wrap-with-trusted only.
    intermediate = _private_keys(INTERMEDIATE_TOKEN)
    assert intermediate[INTERMEDIATE_KEY] is False
    ica = verify_journal(demo.folder / "ceremonies" / "demo-intermediate-key"
                         / "journal.jsonl").records
    assert next(r for r in ica if r.event == Event.KEY_GENERATED).data["wrap_with_trusted"]


def test_an_intermediate_key_with_a_wrapped_backup_is_locked(demo: DemoResult,
                                                            tmp_path: Path) -> None:
    store = SoftHsmStore(demo.folder / "softhsm")
    store.init_token("ica-wrapped", DEMO_PIN, DEMO_SO_PIN)
    text = (intermediate_plan(KeyAlgorithm.EC_P256, default_module())
            .replace('id = "demo-intermediate-key"', 'id = "ica-wrapped"')
            .replace(f'label = "{INTERMEDIATE_TOKEN}"', 'label = "ica-wrapped"')
            .replace('backup = "none"', 'backup = "wrapped"')
            + share_table("shares", None))
    plan = write_plan(tmp_path, "ica", text)
    done = run(plan, tmp_path / "ica-out", ScriptedPrompter(pins={"ica-wrapped": DEMO_PIN}),
               tmp_path / "inv.sqlite3")
    steps = [r.data["step"] for r in done.journal.records if r.event == Event.STEP_COMPLETED]
    assert steps.index("backup") + 1 == steps.index("lock-key")
    assert_locked(store, "ica-wrapped", INTERMEDIATE_KEY)


def test_restore_and_reshare_leave_no_extractable_key_and_the_restored_key_signs(
        demo: DemoResult, tmp_path: Path) -> None:
    store = SoftHsmStore(demo.folder / "softhsm")
    store.init_token("spare", DEMO_PIN, DEMO_SO_PIN)
    books = _notebooks(demo)
    backup_json = demo.folder / "backup" / f"{ROOT_KEY}.json"
    check = json.loads(backup_json.read_text())["wrap_key_check_value"]
    restore = write_plan(tmp_path, "restore", (
        header("restore", "test-restore") + '\n[new_token]\nlabel = "spare"\n'
        + f'\n[key]\nlabel = "{ROOT_KEY}"\nalgorithm = "ec-p384"\n'
        + share_table("shares", check) + f'\n[backup]\nfile = "{backup_json}"\n'))
    run(restore, tmp_path / "restore-out",
        prompter(shares_to_enter=shares_from(books, "Frank", "Dave", "Carol")),
        tmp_path / "inv.sqlite3")
    reshare = write_plan(tmp_path, "reshare", (
        header("reshare", "test-reshare") + f'\n[token]\nlabel = "{ROOT_TOKEN}"\n'
        + share_table("shares", check) + share_table("new_shares", None, ("Carol", "Dave"), 2)
        + f'\n[backup]\nfile = "{backup_json}"\n'))
    run(reshare, tmp_path / "reshare-out",
        prompter(shares_to_enter=shares_from(books, "Grace", "Erin", "Dave")),
        tmp_path / "inv.sqlite3")
    for token in (ROOT_TOKEN, "spare"):
        keys = _private_keys(token)
        assert ROOT_KEY in keys and not any(keys.values()), (token, keys)
        assert not any("extractable" in flags for flags in _listed_access(store, token).values())
    assert_locked(store, "spare", ROOT_KEY)
    # The restored key still signs, verifiably under the root's public key.
    with open_token(default_module(), "spare", DEMO_PIN) as session:
        pair = find_key_pair(session, ROOT_KEY)
        signature = pair.signing_key().sign(b"still signs", ec.ECDSA(pair.algorithm.hash))
        public = pair.public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"still signs", ec.ECDSA(pair.algorithm.hash))


def test_a_reshare_locks_a_key_an_older_version_left_extractable(tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    # What the old code left behind: a backed-up root key that stayed extractable.
    with open_token(default_module(), ROOT_TOKEN, DEMO_PIN) as session:
        pair = generate_key_pair(session, ROOT_KEY, KeyAlgorithm.EC_P256, extractable=True)
        wrap_key = generate_wrap_key(session)
        backup = wrap_key_pair(pair, import_wrap_key(session, wrap_key))
    files = write_backup(tmp_path / "old-backup", backup)
    split = split_secret(wrap_key, ShareScheme.single(3, 5))
    del wrap_key
    assert _private_keys(ROOT_TOKEN)[ROOT_KEY] is True
    plan = write_plan(tmp_path, "reshare", (
        header("reshare", "legacy-reshare") + f'\n[token]\nlabel = "{ROOT_TOKEN}"\n'
        + share_table("shares", split.check_value)
        + share_table("new_shares", None, ("Carol", "Dave"), 2)
        + f'\n[backup]\nfile = "{files.metadata}"\n'))
    done = run(plan, tmp_path / "out", prompter(shares_to_enter=list(split.shares[0][:3])),
               tmp_path / "inv.sqlite3")
    assert_locked(store, ROOT_TOKEN, ROOT_KEY)
    locked = [r for r in done.journal.records if r.event == Event.KEY_LOCKED]
    assert [r.data["label"] for r in locked] == [ROOT_KEY]
    assert locked[0].data["extractable"] is False


def test_a_crl_ceremony_locks_an_issuer_key_an_older_version_left_extractable(
        tmp_path: Path) -> None:
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    store.init_token(ROOT_TOKEN, DEMO_PIN, DEMO_SO_PIN)
    with open_token(default_module(), ROOT_TOKEN, DEMO_PIN) as session:
        pair = generate_key_pair(session, ROOT_KEY, KeyAlgorithm.EC_P384, extractable=True)
        profile = RootProfile(DistinguishedName("XX", "Legacy", "Legacy Root"), 7305)
        builder = root_builder(profile, pair.public_key,  # type: ignore[arg-type]
                               random_serial(session.random_bytes), dt.datetime.now(dt.UTC))
        root = builder.sign(pair.signing_key(), pair.algorithm.hash)
    (tmp_path / "root-ca.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    plan = write_plan(tmp_path, "crl", crl_plan(tmp_path))
    done = run(plan, tmp_path / "out", prompter(), tmp_path / "inv.sqlite3")
    assert_locked(store, ROOT_TOKEN, ROOT_KEY)
    events = [r.event for r in done.journal.records]
    assert events.index(Event.ISSUER_KEY_FOUND) < events.index(Event.KEY_LOCKED)
