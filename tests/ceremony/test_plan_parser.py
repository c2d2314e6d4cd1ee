"""Plan parsing: strict keys, types, sections per ceremony type, secrets refused, every problem
named by its key path and all of them reported at once."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import shamir_mnemonic

from ceremony.errors import PlanError, PlanUnreadableError
from ceremony.plan import (
    BackupMode,
    CeremonyType,
    PinSource,
    Role,
    SoftwareToken,
)
from ceremony.plan.parser import _SECTION_KEYS, _TOP_KEYS, parse_plan, parse_plan_text
from crypto.algorithms import KeyAlgorithm

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"
TYPES = ("root", "intermediate-key", "sign", "crl", "restore", "reshare", "drill",
         "cross-certificate", "root-renewal", "ocsp-signer", "retire")


def example(name: str) -> str:
    return (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")


def problems(text: str, path: Path = EXAMPLES / "plan.toml") -> tuple[str, ...]:
    """The problems parsing ``text`` reports (as if it lay among the examples)."""
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text, path)
    assert caught.value.exit_status == 1
    return caught.value.problems


def edited(name: str, old: str, new: str) -> str:
    text = example(name)
    assert old in text, old
    return text.replace(old, new, 1)


# --- the examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TYPES)
def test_every_example_parses_as_its_type(name: str) -> None:
    plan = parse_plan(EXAMPLES / f"{name}.toml")
    assert plan.type is CeremonyType(name)
    assert plan.path == EXAMPLES / f"{name}.toml"
    assert plan.sha256 == hashlib.sha256((EXAMPLES / f"{name}.toml").read_bytes()).hexdigest()
    assert plan.people(Role.ADMINISTRATOR)


def test_root_example_values() -> None:
    plan = parse_plan(EXAMPLES / "root.toml")
    assert plan.id == "example-root-r1" and plan.rehearsal is False
    assert plan.location.startswith("Vault room 2")
    assert len(plan.participants) == 8
    assert plan.token is not None and plan.token.label == "root-r1"
    # A backed-up root's token opens only for a quorum; a real ceremony names its HSM module.
    assert plan.token.pin is PinSource.SHARES
    assert plan.token.module == "/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so"
    assert plan.token.module_named and plan.token.software_token is SoftwareToken.REFUSED
    assert plan.key is not None and plan.key.algorithm is KeyAlgorithm.EC_P384
    assert plan.key.backup is BackupMode.WRAPPED
    assert plan.shares is not None and plan.shares.threshold == 3
    assert len(plan.shares.holders) == 5 and plan.shares.check_value is None
    assert plan.root_profile is not None and plan.root_profile.validity_days == 9131
    assert plan.subject == plan.root_profile.subject
    assert plan.subject.common_name == "Example Root CA R1"
    assert plan.crl is not None and plan.crl.next_update_days == 365
    assert plan.backup is not None and plan.backup.folder is None  # default: in the ceremony


def test_relative_paths_resolve_against_the_plan_folder(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not the plan's folder
    sign = parse_plan(EXAMPLES / "sign.toml")
    assert sign.csr_file == EXAMPLES / "files" / "issuing-ca.csr"
    assert sign.issuer is not None and sign.issuer.certificate == EXAMPLES / "files" / "root.pem"
    crl = parse_plan(EXAMPLES / "crl.toml")
    assert crl.revocations[0].serial == 0x64FD78DF17A2F64A89D942C27513160B
    assert crl.revocations[0].certificate == EXAMPLES / "files" / "retired-issuing-ca.pem"
    restore = parse_plan(EXAMPLES / "restore.toml")
    assert restore.backup is not None
    assert restore.backup.file == EXAMPLES / "files" / "backup" / "root-key.json"


def test_groups_are_read_with_their_quorum() -> None:
    plan = parse_plan(EXAMPLES / "intermediate-key.toml")
    shares = plan.shares
    assert shares is not None and shares.group_threshold == 2
    assert [(g.threshold, len(g.holders)) for g in shares.groups] == [(2, 3), (2, 3)]
    assert len(shares.holders) == 6  # every holder of every group
    assert shares.threshold == 4  # the fewest people that can form a quorum


def test_restore_and_reshare_read_their_sets() -> None:
    restore = parse_plan(EXAMPLES / "restore.toml")
    assert restore.new_token is not None and restore.token is None
    assert restore.key is not None and restore.key.backup is BackupMode.NONE
    assert restore.shares is not None and restore.shares.check_value == "680f3e20eecf0ee4"
    reshare = parse_plan(EXAMPLES / "reshare.toml")
    assert reshare.new_shares is not None and "Hanna Koster" in reshare.new_shares.holders
    assert reshare.shares is not None and "Floor de Boer" in reshare.shares.holders


def test_path_length_unlimited_and_profile_defaults() -> None:
    text = edited("sign", "path_length = 0", 'path_length = "unlimited"')
    text = text.replace('extended_key_usages = ["serverAuth", "clientAuth"]\n', "")
    plan = parse_plan_text(text, EXAMPLES / "sign.toml")
    profile = plan.subordinate_profile
    assert profile is not None and profile.path_length is None
    assert profile.extended_key_usages == ("serverAuth", "clientAuth")


# --- unknown keys, types, missing keys, enums -------------------------------------------------


def test_unknown_key_at_top_level() -> None:
    found = problems(edited("root", 'rehearsal = false', 'rehearsal = false\ncolour = "red"'))
    assert len(found) == 1
    assert found[0].startswith("colour: unknown key; a plan's top level takes format, type, id")


def test_unknown_keys_nested_with_a_likely_spelling() -> None:
    text = edited("root", 'label = "root-r1"', 'lable = "root-r1"')
    text = text.replace('name = "Gijs Peters"', 'name = "Gijs Peters"\nemail = "g@example.com"')
    found = problems(text)
    assert ('token.lable: unknown key; did you mean "label"? [token] takes uri, module, label, '
            "serial, pin, software_token") in found
    assert "token.label: missing; add label = \"root-ca\"" in found
    assert any(p.startswith("participant[8].email: unknown key") for p in found)


def test_unknown_key_in_a_group() -> None:
    found = problems(edited("intermediate-key", "threshold = 2\nholders = [\"Hanna",
                            "threshold = 2\nweight = 1\nholders = [\"Hanna"))
    assert any(p.startswith("shares.group[2].weight: unknown key") for p in found)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("rehearsal = false", 'rehearsal = "yes"', 'rehearsal: must be true or false, not "yes"'),
    ("threshold = 3", "threshold = true", "shares.threshold: must be a whole number, not true"),
    ("threshold = 3", 'threshold = "3"', 'shares.threshold: must be a whole number, not "3"'),
    ("validity_days = 9131", "validity_days = 25.5",
     "certificate.validity_days: must be a whole number, not 25.5"),
    ('label = "root-r1"', "label = 7", "token.label: must be a string, not 7"),
    ('holders = ["Carla Smit",', 'holders = "Carla Smit"\nx = [',
     'shares.holders: must be an array of strings, not "Carla Smit"'),
    ('passphrase = false', 'passphrase = false\n[key.extra]',
     "key.extra: unknown key; [key] takes label, algorithm, backup, certificate"),
])
def test_wrong_types_are_named(old: str, new: str, expected: str) -> None:
    assert expected in problems(edited("root", old, new))


def test_holder_of_the_wrong_type_is_named_by_position() -> None:
    found = problems(edited("root", '"Gijs Peters"]', '3]'))
    assert "shares.holders[5]: must be a string, not 3" in found


def test_participant_must_be_an_array_of_tables() -> None:
    text = re.sub(r"\[\[participant\]\]\nname = \"(?!Anna).*?\nrole = \".*?\"\n\n", "",
                  example("drill"), flags=re.S)
    text = text.replace("[[participant]]", "[participant]", 1)
    found = problems(text)
    assert any(p.startswith("participant: must be an array of tables ([[participant]])")
               for p in found)


@pytest.mark.parametrize(("section", "message"), [
    ("[certificate]", "certificate: missing; a root ceremony needs a [certificate] table"),
    ("[token]", "token: missing; a root ceremony needs a [token] table"),
    ("[key]", "key: missing; a root ceremony needs a [key] table"),
])
def test_missing_required_tables(section: str, message: str) -> None:
    text = example("root")
    start = text.index(section)
    end = text.index("\n\n", start)
    found = problems(text[:start] + text[end:])
    assert message in found


def test_missing_required_keys() -> None:
    text = edited("root", 'algorithm = "ec-p384"\n', "")
    text = text.replace('title = "Example Root CA R1: root key generation ceremony"\n', "")
    found = problems(text)
    assert 'key.algorithm: missing; add algorithm = "ec-p384"' in found
    assert 'title: missing; add title = "Example Root CA key ceremony"' in found


def test_missing_tables_for_each_type() -> None:
    found = problems('format = "keyceremony-plan/1"\ntype = "restore"\nid = "x"\ntitle = "t"\n'
                     'rehearsal = true\n')
    assert "participant: missing; add [[participant]] tables with name and role" in found
    for name in ("new_token", "key", "shares", "backup"):
        assert f"{name}: missing; a restore ceremony needs a [{name}] table" in found


def test_bad_enums() -> None:
    found = problems(edited("root", 'role = "witness"', 'role = "boss"'))
    assert found == ('participant[2].role: must be one of administrator, witness, auditor, '
                     'custodian, operator, not "boss"',)
    found = problems(edited("root", '"ec-p384"', '"ec-p192"'))
    assert found == ("key.algorithm: unknown key algorithm 'ec-p192'; use one of ec-p256, "
                     "ec-p384, ec-p521, rsa-3072, rsa-4096",)
    found = problems(edited("root", 'backup = "wrapped"', 'backup = "copy"'))
    assert found == ('key.backup: must be one of wrapped, none, not "copy"',)
    found = problems(edited("root", 'type = "root"', 'type = "party"'))
    assert 'type: must be one of root, intermediate-key, sign, crl, restore, reshare, drill, ' \
           'cross-certificate, root-renewal, ocsp-signer, retire, ' \
           'not "party"' in found


def test_revocation_values() -> None:
    text = edited("crl", 'serial = "64fd78df17a2f64a89d942c27513160b"', 'serial = "0x4E:3A:0F"')
    text = text.replace("certificate = \"files/retired-issuing-ca.pem\"", "")
    plan = parse_plan_text(text, EXAMPLES / "crl.toml")
    assert plan.revocations[0].serial == 0x4E3A0F and plan.revocations[0].certificate is None
    for bad in ('"xyz"', '"0"', '"' + "ff" * 21 + '"'):
        found = problems(edited("crl", '"64fd78df17a2f64a89d942c27513160b"', bad))
        assert any(p.startswith("crl.revoke[1].serial: must be a positive hexadecimal serial")
                   for p in found), bad
    found = problems(edited("crl", '"64fd78df17a2f64a89d942c27513160b"', "1234"))
    assert "crl.revoke[1].serial: must be a string, not 1234" in found
    found = problems(edited("crl", '"cessationOfOperation"', '"removeFromCRL"'))
    assert any(p.startswith("crl.revoke[1].reason: must be one of unspecified, keyCompromise")
               for p in found)


def test_plan_id_must_name_a_folder() -> None:
    for bad in ('"../etc"', '""', '"a b"', '".hidden"', '"' + "x" * 65 + '"'):
        found = problems(edited("drill", 'id = "example-drill-2026"', f"id = {bad}"))
        assert len(found) == 1 and found[0].startswith("id: ") and "cannot name a folder" in \
            found[0], bad


def test_check_values() -> None:
    found = problems(edited("drill", 'check_value = "680f3e20eecf0ee4"\n', ""))
    assert any(p.startswith("shares.check_value: missing") for p in found)
    found = problems(edited("drill", '"680f3e20eecf0ee4"', '"680f3e20"'))
    assert found == ('shares.check_value: must be the 16 hex digits recorded when the set was '
                     'split, not "680f3e20"',)
    upper = parse_plan_text(edited("drill", '"680f3e20eecf0ee4"', '"680F3E20EECF0EE4"'),
                            EXAMPLES / "drill.toml")
    assert upper.shares is not None and upper.shares.check_value == "680f3e20eecf0ee4"
    found = problems(edited("root", "passphrase = false", 'check_value = "680f3e20eecf0ee4"'))
    assert any(p.startswith("shares.check_value: not used here: a new share set's check value")
               for p in found)


def test_groups_and_plain_set_do_not_mix() -> None:
    found = problems(edited("intermediate-key", "group_threshold = 2",
                            'group_threshold = 2\nthreshold = 2'))
    assert "shares: give either threshold and holders, or group_threshold and " \
           "[[shares.group]] tables, not both" in found
    found = problems(edited("intermediate-key", "group_threshold = 2        # both groups are "
                                                "needed\n", ""))
    assert any(p.startswith("shares.group_threshold: missing") for p in found)
    found = problems(edited("drill", "threshold = 3", "threshold = 3\ngroup_threshold = 1"))
    assert any(p.startswith("shares.group_threshold: only used with") for p in found)


def test_duplicate_participant_names() -> None:
    found = problems(edited("drill", 'name = "Gijs Peters"', 'name = "Carla Smit"'))
    assert found == ('participant[7].name: "Carla Smit" is already the name of participant[3]; '
                     "names must be unique",)


# --- sections a type does not use, and tables that depend on other keys ------------------------


def test_section_not_used_by_the_type() -> None:
    found = problems(example("root") + '\n[csr]\nfile = "x.csr"\n')
    assert found == ("csr: not used by a root ceremony; remove it",)
    found = problems(example("drill") + '\n[csr]\nfile = "x.csr"\n')
    assert found == ("csr: not used by a drill ceremony; remove it",)
    # A drill may name the root's token and issuer to sign its transcript, but both or neither.
    found = problems(example("drill") + '\n[token]\nlabel = "x"\n')
    assert found == ("issuer: missing; a drill names both [token] and [issuer] (to sign its "
                     "transcript with the root) or neither",)
    found = problems(example("restore") + '\n[issuer]\nkey_label = "x"\n')
    assert found == ("issuer: not used by a restore ceremony; remove it",)


def test_keys_a_type_does_not_use() -> None:
    found = problems(edited("intermediate-key", 'common_name = "Example TLS Issuing CA 2"',
                            'common_name = "Example TLS Issuing CA 2"\nvalidity_days = 1826'))
    assert len(found) == 1
    assert found[0].startswith("certificate.validity_days: not used here: the [profile] of the "
                               "sign ceremony")
    found = problems(example("root").replace("[crl]\n", "[crl]\nprevious = \"old.crl\"\n"))
    assert found[0].startswith("crl.previous: not used here: a new root has no earlier CRL")
    found = problems(example("root") .replace(
        "[crl]\n", '[[crl.revoke]]\nserial = "01"\nreason = "superseded"\n[crl]\n'))
    assert any(p.startswith("crl.revoke: not used here: a new root has issued nothing")
               for p in found)
    found = problems(edited("restore", 'algorithm = "ec-p384"',
                            'algorithm = "ec-p384"\nbackup = "wrapped"'))
    assert found[0].startswith("key.backup: not used here: a restored key is not backed up")
    found = problems(edited("restore", 'file = "files/backup/root-key.json"',
                            'file = "files/backup/root-key.json"\nfolder = "out"'))
    assert found[0].startswith("backup.folder: not used here: a restore reads a backup")
    found = problems(example("root") + '\n[backup]\nfile = "x.json"\n')
    assert found[0].startswith("backup.file: not used here: this ceremony writes a new backup")


def test_backup_none_refuses_shares_and_backup() -> None:
    text = edited("root", 'backup = "wrapped"', 'backup = "none"') + '\n[backup]\nfolder = "b"\n'
    found = problems(text)
    assert 'shares: not used when key.backup = "none"; remove it, or set key.backup = ' \
           '"wrapped"' in found
    assert any(p.startswith("backup: not used when") for p in found)
    text = re.sub(r"\[shares\]\n.*?\n\n", "", example("root"), flags=re.S)
    found = problems(text)
    assert found[0].startswith('shares: missing; key.backup = "wrapped" needs a [shares] table')


def test_pin_from_shares() -> None:
    # root: derived from the new set, so it needs one
    plan = parse_plan(EXAMPLES / "root.toml")
    assert plan.token is not None and plan.token.pin is PinSource.SHARES
    text = example("root")
    text = re.sub(r"\[shares\]\n.*?\n\n", "", text.replace('backup = "wrapped"',
                                                            'backup = "none"'), flags=re.S)
    assert any(p.startswith('token.pin: "shares" derives the PIN from the share set')
               for p in problems(text))
    # sign: [shares] only, and always, with pin = "shares"
    shares = ('\n[shares]\nthreshold = 3\nholders = ["Carla Smit", "Daan Visser", "Eva Mulder"]'
              '\ncheck_value = "680f3e20eecf0ee4"\n')
    found = problems(edited("sign", 'pin = "typed"', 'pin = "shares"'))
    assert found[0].startswith('shares: missing; token.pin = "shares" needs a [shares] table')
    found = problems(example("sign") + shares)
    assert found == ('shares: a sign ceremony uses a share set only when token.pin = "shares"; '
                     "remove it",)
    plan = parse_plan_text(edited("sign", 'pin = "typed"', 'pin = "shares"') + shares,
                           EXAMPLES / "sign.toml")
    assert plan.shares is not None and plan.shares.check_value == "680f3e20eecf0ee4"


# --- secrets -----------------------------------------------------------------------------------


SECRET_MESSAGE = "secrets are never written in a plan"


def assert_no_leak(text: str, secret: str) -> tuple[str, ...]:
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text, EXAMPLES / "plan.toml")
    assert secret not in str(caught.value)
    assert not any(secret in p for p in caught.value.problems)
    return caught.value.problems


def test_a_pin_in_the_plan_is_refused_without_repeating_it() -> None:
    found = assert_no_leak(edited("root", 'pin = "shares"', 'pin = "493817"'), "493817")
    assert found == ('token.pin: must be "typed" or "shares"; a PIN itself is never written in '
                     "a plan: it is typed at run time or rebuilt from the plan's share set",)
    found = assert_no_leak(edited("root", 'pin = "shares"', "pin = 493817"), "493817")
    assert found[0].startswith("token.pin: must be")


@pytest.mark.parametrize(("where", "line"), [
    ('label = "root-r1"', 'so_pin = "87654321"'),
    ('label = "root-r1"', 'user_pin = "87654321"'),
    ('label = "root-key"', 'secret = "87654321"'),
    ('rehearsal = false', 'password = "87654321"'),
    ('name = "Carla Smit"', 'share = "87654321"'),
    ('name = "Carla Smit"', 'mnemonic = "87654321"'),
    ('name = "Carla Smit"', 'words = ["87654321"]'),
    ('name = "Carla Smit"', 'shares = ["87654321"]'),
])
def test_secret_keys_are_refused_anywhere(where: str, line: str) -> None:
    found = assert_no_leak(edited("root", where, f"{where}\n{line}"), "87654321")
    assert len(found) == 1 and SECRET_MESSAGE in found[0]


def test_a_passphrase_string_is_refused() -> None:
    found = assert_no_leak(edited("root", "passphrase = false", 'passphrase = "correct horse"'),
                           "correct horse")
    assert found == ("shares.passphrase: must be true or false; a passphrase itself is never "
                     "written in a plan: the custodians type it at run time",)


def test_top_level_shares_holding_words_is_refused() -> None:
    text = re.sub(r"\[shares\]\n.*?\n\n", "", example("root"), flags=re.S)
    found = assert_no_leak('shares = ["87654321"]\n' + text, "87654321")
    assert found[0].startswith(f"shares: {SECRET_MESSAGE}")


def test_share_words_are_refused_under_any_key() -> None:
    # A real SLIP-39 share from the reference implementation.
    words = shamir_mnemonic.generate_mnemonics(1, [(1, 1)], b"0123456789abcdef")[0][0]
    found = assert_no_leak(edited("drill", 'title = "Example Root CA R1: yearly share drill"',
                                  f'title = "{words}"'), words.split()[3])
    assert found[0].startswith("title: looks like SLIP-39 share words")
    found = assert_no_leak(edited("drill", "rehearsal = false",
                                  f'rehearsal = false\nnote = ["{words}"]'), words.split()[3])
    assert found[0].startswith("note: looks like SLIP-39 share words")


# --- unreadable files (exit 2) and the error itself ---------------------------------------------


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('format = "keyceremony-plan/1"\ntype = "root"\nid = \n')
    with pytest.raises(PlanUnreadableError) as caught:
        parse_plan(path)
    assert caught.value.exit_status == 2
    assert str(caught.value) == (f"{path}: line 3, column 6: not valid TOML (invalid value); "
                                 "fix the syntax and check again")


def test_duplicate_key_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(edited("drill", "rehearsal = false", "rehearsal = false\nrehearsal = true"))
    with pytest.raises(PlanUnreadableError) as caught:
        parse_plan(path)
    assert "not valid TOML (cannot overwrite a value)" in str(caught.value)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    text = example("drill").replace("Floor de Boer", "Flo\u00eber")
    path.write_bytes(text.encode("latin-1"))
    line = text[:text.index("\u00eb")].count("\n") + 1
    with pytest.raises(PlanUnreadableError) as caught:
        parse_plan(path)
    assert caught.value.exit_status == 2
    assert re.fullmatch(rf"{re.escape(str(path))}: line {line}: is not UTF-8 text \(byte \d+\)"
                        "; save the plan as UTF-8", str(caught.value))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanUnreadableError) as caught:
        parse_plan(tmp_path / "nowhere.toml")
    assert caught.value.exit_status == 2
    assert str(caught.value) == (f"{tmp_path / 'nowhere.toml'}: cannot be read (No such file "
                                 "or directory); check the path")
    with pytest.raises(PlanUnreadableError, match="Is a directory"):
        parse_plan(tmp_path)


def test_another_format_is_unreadable() -> None:
    with pytest.raises(PlanUnreadableError) as caught:
        parse_plan_text(edited("drill", "keyceremony-plan/1", "keyceremony-plan/2"),
                        EXAMPLES / "x.toml")
    assert caught.value.problems == ('format: must be "keyceremony-plan/1", not '
                                     '"keyceremony-plan/2"; this is not a plan this tool reads',)
    with pytest.raises(PlanUnreadableError, match="format: missing"):
        parse_plan_text('type = "drill"\n', EXAMPLES / "x.toml")


def test_all_problems_are_collected_and_counted() -> None:
    text = (edited("root", 'rehearsal = false', 'rehearsal = "no"\ncolour = 1')
            .replace('role = "auditor"', 'role = "observer"')
            .replace('"ec-p384"', '"ec-p192"')
            .replace("validity_days = 9131", 'validity_days = "long"'))
    with pytest.raises(PlanError) as caught:
        parse_plan_text(text, EXAMPLES / "root.toml")
    found = caught.value.problems
    assert len(found) == 5
    assert str(caught.value) == f"{EXAMPLES / 'root.toml'}: {found[0]} (and 4 more)"


def test_every_key_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for key in _TOP_KEYS:
        if key in _SECTION_KEYS:
            continue
        assert f"`{key}`" in doc or f"[[{key}]]" in doc, key
    for section, keys in _SECTION_KEYS.items():
        assert f"`[{section}]`" in doc, section
        for key in keys:
            assert f"`{key}`" in doc or f"[[{section}.{key}]]" in doc, f"{section}.{key}"


def test_restore_and_reshare_may_name_the_keys_certificate() -> None:
    restore = parse_plan_text(edited("restore", 'algorithm = "ec-p384"',
                                     'algorithm = "ec-p384"\ncertificate = "files/root.pem"'),
                              EXAMPLES / "restore.toml")
    assert restore.key_certificate == EXAMPLES / "files" / "root.pem"
    assert restore.key is not None and restore.key.label == "root-key"
    reshare = parse_plan_text(edited("reshare", "[backup]",
                                     '[key]\ncertificate = "files/root.pem"\n\n[backup]'),
                              EXAMPLES / "reshare.toml")
    assert reshare.key_certificate == EXAMPLES / "files" / "root.pem" and reshare.key is None
    assert parse_plan(EXAMPLES / "reshare.toml").key_certificate is None


def test_the_keys_certificate_is_refused_where_the_ceremony_makes_the_key() -> None:
    found = problems(edited("root", 'backup = "wrapped"',
                            'backup = "wrapped"\ncertificate = "files/root.pem"'))
    assert found == ("key.certificate: not used here: this ceremony makes the key; its "
                     "certificate is issued in the ceremony, not named; remove it",)
    found = problems(edited("reshare", "[backup]", '[key]\nlabel = "root-key"\n\n[backup]'))
    assert found == ("key.label: not used here: a reshare takes the key from its backup; [key] "
                     "names only the key's certificate; remove it",)
