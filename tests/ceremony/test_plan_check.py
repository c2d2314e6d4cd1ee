"""Plan checks: roles, quorum (SLIP-39's rules), profiles, the files a plan names, outputs, and
``keyceremony plan check`` exit statuses. Certificates, CSRs and CRLs are real ones made with
software keys (cryptography) and the project's own profile builders."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
from cryptography.x509.oid import NameOID

from ceremony import cli
from ceremony.commands import plan as plan_command
from ceremony.errors import PlanError, PlanUnreadableError
from ceremony.plan import CheckReport, check_plan, describe_plan, parse_plan, parse_plan_text
from crypto.backup import read_backup, restore_backup
from crypto.certificates import random_serial, root_builder, subordinate_builder
from crypto.checkvalue import check_value
from crypto.crl import crl_builder
from crypto.profiles import (
    CrlProfile,
    DistinguishedName,
    RevokedEntry,
    RootProfile,
)
from crypto.softhsm import SoftHsmStore
from crypto.subordinates import SubordinateProfile
from crypto.token import default_module, open_token
from tests.conftest import SO_PIN, USER_PIN

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
FILES = EXAMPLES / "files"
TYPES = ("root", "intermediate-key", "sign", "crl", "restore", "reshare", "drill",
         "cross-certificate", "root-renewal", "ocsp-signer", "retire")
RETIRED_SERIAL = "64fd78df17a2f64a89d942c27513160b"


def example(name: str) -> str:
    return (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")


def edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def check(text: str, out: Path | None = None, *, path: Path = EXAMPLES / "plan.toml",
          now: dt.datetime | None = None) -> CheckReport:
    return check_plan(parse_plan_text(text, path), out, now=now)


def load_pem(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


# --- software CAs, made fresh per test -------------------------------------------------------


@dataclass(frozen=True)
class SoftwareCa:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    path: Path


def make_root(folder: Path, name: str = "Test Root CA",
              usage: x509.KeyUsage | None = None) -> SoftwareCa:
    """A root from the project's root profile, or (with ``usage``) a CA certificate built by
    hand with that keyUsage instead of the profile's."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    if usage is None:
        profile = RootProfile(DistinguishedName("NL", "Test B.V.", name), 7300)
        builder = root_builder(profile, key.public_key(), random_serial(lambda n: b"\x5a" * n),
                               start)
    else:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(0x5A5A5A5A5A5A5A5A)
                   .not_valid_before(start).not_valid_after(start + dt.timedelta(days=7300))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                   .add_extension(usage, True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  False))
    certificate = builder.sign(key, hashes.SHA256())
    path = folder / f"{name.replace(' ', '-').lower()}.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return SoftwareCa(key, certificate, path)


def make_csr(path: Path, key: ec.EllipticCurvePrivateKey | None = None,
             unit: str | None = None) -> Path:
    key = key or ec.generate_private_key(ec.SECP256R1())
    names = [x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test B.V.")]
    if unit:
        names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    names.append(x509.NameAttribute(NameOID.COMMON_NAME, "Test Issuing CA"))
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names))
           .sign(key, hashes.SHA256()))
    path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    return path


def issue_subordinate(ca: SoftwareCa, path: Path, serial: int) -> Path:
    csr = x509.load_pem_x509_csr(make_csr(path.with_suffix(".csr")).read_bytes())
    profile = SubordinateProfile(365, "http://crl.example.com/r.crl",
                                 "http://crt.example.com/r.crt")
    certificate = subordinate_builder(profile, csr, ca.certificate, serial,
                                      dt.datetime.now(dt.UTC)).sign(ca.key, hashes.SHA256())
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def issue_crl(ca: SoftwareCa, path: Path, revoked: tuple[int, ...] = ()) -> Path:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    entries = [RevokedEntry(s, int(now.timestamp()) - 60, "superseded") for s in revoked]
    crl = crl_builder(ca.certificate, 1, now, CrlProfile(30), entries).sign(ca.key,
                                                                            hashes.SHA256())
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return path


def sign_plan(issuer: Path, csr: Path) -> str:
    return edited(example("sign"), ('"files/root.pem"', f'"{issuer}"'),
                  ('"files/issuing-ca.csr"', f'"{csr}"'))


def crl_plan(issuer: Path, revoked: Path | None = None, serial: str = RETIRED_SERIAL) -> str:
    return edited(example("crl"), ('"files/root.pem"', f'"{issuer}"'),
                  (RETIRED_SERIAL, serial),
                  ('"files/retired-issuing-ca.pem"', f'"{revoked or FILES / "x.pem"}"'))


# --- the examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TYPES)
def test_every_example_passes_its_check(name: str, tmp_path: Path) -> None:
    report = check_plan(parse_plan(EXAMPLES / f"{name}.toml"), tmp_path / "out")
    assert report.problems == ()
    assert report.ok


def test_example_files_are_what_the_examples_say() -> None:
    # Independent of the checker: the retired CA was issued by the example root, with the serial
    # crl.toml names.
    root, retired = load_pem(FILES / "root.pem"), load_pem(FILES / "retired-issuing-ca.pem")
    retired.verify_directly_issued_by(root)
    assert f"{retired.serial_number:x}" == RETIRED_SERIAL
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # The example backup is real: its published wrap key (scripts/make_plan_examples.py) has the
    # check value the plans name, and unwraps (RFC 5649) to the key the metadata describes.
    wrap_key = hashlib.sha256(b"keyceremony example wrap key: public, never use it").digest()
    assert check_value(wrap_key) == "680f3e20eecf0ee4"
    metadata = json.loads((FILES / "backup" / "root-key.json").read_text())
    pkcs8 = aes_key_unwrap_with_padding(wrap_key, (FILES / "backup" / "root-key.wrapped")
                                        .read_bytes())
    public = serialization.load_der_private_key(pkcs8, None).public_key()
    spki = public.public_bytes(serialization.Encoding.DER,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
    assert hashlib.sha256(spki).hexdigest() == metadata["spki_sha256"]


def test_descriptions() -> None:
    assert describe_plan(parse_plan(EXAMPLES / "root.toml")) == (
        "root ceremony 'example-root-r1', 8 participants, ec-p384 key 'root-key' in token "
        "pkcs11:token=root-r1, 3-of-5 shares, root certificate 'Example Root CA R1' for 9131 days")
    assert describe_plan(parse_plan(EXAMPLES / "reshare.toml")).endswith(
        "3-of-5 shares re-shared as 3-of-5 shares")
    assert "shares in 2 of 2 groups (2-of-3, 2-of-3)" in describe_plan(
        parse_plan(EXAMPLES / "intermediate-key.toml"))


# --- quorum ------------------------------------------------------------------------------------


def test_threshold_must_not_exceed_the_holders() -> None:
    report = check(edited(example("drill"), ("threshold = 3", "threshold = 6")))
    assert report.problems == ("shares.threshold: must not exceed the 5 holders (it is 6)",)


def test_one_of_n_is_refused_as_slip39_does() -> None:
    report = check(edited(example("drill"), ("threshold = 3", "threshold = 1")))
    assert report.problems == (
        "shares.threshold: 1-of-5 is not allowed: SLIP-39 forbids a threshold of 1 with more "
        "than one share (each share would be a copy of the secret); use 2 or more, or a single "
        "holder",)
    report = check(edited(example("drill"), ("threshold = 3", "threshold = 0")))
    assert report.problems == ("shares.threshold: must be at least 1, not 0",)


def test_one_of_one_and_n_of_n_are_noted() -> None:
    report = check(edited(example("drill"), ("threshold = 3", "threshold = 5")))
    assert report.ok
    assert ("shares.threshold: 5-of-5: every holder is needed, so one lost share loses the "
            "secret") in report.notes
    report = check(edited(example("drill"), ("threshold = 3", "threshold = 1"),
                          ('holders = ["Carla Smit", "Daan Visser", "Eva Mulder", "Floor de Boer"'
                           ', "Gijs Peters"]', 'holders = ["Carla Smit"]')))
    assert report.ok
    assert "shares.threshold: 1-of-1: a single custodian holds the whole secret" in report.notes


def test_holders_are_not_repeated_and_at_most_sixteen() -> None:
    report = check(edited(example("drill"), ('"Gijs Peters"]', '"Carla Smit"]')))
    assert report.problems == ('shares.holders: "Carla Smit" is listed 2 times; each custodian '
                               "holds one share",)
    people = "".join(f'\n[[participant]]\nname = "C{n}"\nrole = "custodian"\n'
                     for n in range(17))
    holders = ", ".join(f'"C{n}"' for n in range(17))
    text = edited(example("drill"), ('holders = ["Carla Smit", "Daan Visser", "Eva Mulder", '
                                     '"Floor de Boer", "Gijs Peters"]', f"holders = [{holders}]"),
                  ("\n[shares]", people + "\n[shares]"))
    assert "shares.holders: names 17 holders; SLIP-39 allows at most 16 shares in a group" in \
        check(text).problems


def test_group_rules() -> None:
    text = edited(example("intermediate-key"), ("group_threshold = 2", "group_threshold = 3"))
    assert check(text).problems == ("shares.group_threshold: must be from 1 to the 2 groups, "
                                    "not 3",)
    text = edited(example("intermediate-key"), ("threshold = 2\nholders = [\"Hanna",
                                                "threshold = 1\nholders = [\"Hanna"))
    assert check(text).problems[0].startswith("shares.group[2].threshold: 1-of-3 is not allowed")
    text = edited(example("intermediate-key"), ('"Jan de Graaf"]', '"Carla Smit"]'))
    assert check(text).problems == ('shares.group: "Carla Smit" is listed 2 times; each '
                                    "custodian holds one share",)


# --- people ------------------------------------------------------------------------------------


def test_every_holder_is_a_custodian() -> None:
    text = edited(example("drill"), ('"Gijs Peters"]', '"Anna de Vries"]'))
    assert check(text).problems == ('shares.holders: "Anna de Vries" is an administrator, not '
                                    "a custodian; only custodians hold shares",)
    text = edited(example("reshare"), ('"Hanna Koster"]', '"Zoe Zwart"]'))
    assert check(text).problems == ('new_shares.holders: "Zoe Zwart" is not a participant; add '
                                    'a [[participant]] named "Zoe Zwart" with role = '
                                    '"custodian"',)
    text = edited(example("intermediate-key"), ('"Jan de Graaf"]', '"Omar Haddad"]'))
    assert check(text).problems == ('shares.group[2].holders: "Omar Haddad" is an operator, not '
                                    "a custodian; only custodians hold shares",)


def test_required_roles() -> None:
    text = edited(example("drill"), ('role = "administrator"', 'role = "witness"'))
    assert check(text).problems == ('participant: a drill ceremony needs an administrator to '
                                    'drive it; add a [[participant]] with role = '
                                    '"administrator"',)
    text = edited(example("drill"), ('role = "auditor"', 'role = "operator"'))
    assert check(text).problems == ('participant: a drill ceremony needs at least one witness or '
                                    'auditor to watch and sign off each step; add a '
                                    '[[participant]] with role = "witness"',)
    text = edited(example("sign"), ('role = "operator"', 'role = "witness"'))
    problems = check(text).problems
    assert len(problems) == 1 and problems[0].startswith("participant: a sign ceremony needs an "
                                                         "operator")


def test_custodian_without_a_share_is_noted() -> None:
    report = check(edited(example("drill"), (', "Gijs Peters"]', "]")))
    assert report.ok
    assert 'participant: custodian "Gijs Peters" holds no share in this plan' in report.notes
    report = check(edited(example("drill"), (', "Floor de Boer", "Gijs Peters"]', "]")))
    assert ('participant: custodians "Floor de Boer", "Gijs Peters" hold no share in this plan'
            in report.notes)


# --- profiles and labels -----------------------------------------------------------------------


def test_root_profile_problems_use_plan_paths() -> None:
    report = check(edited(example("root"), ("validity_days = 9131", "validity_days = 100"),
                          ('country = "NL"', 'country = "nl"')))
    assert report.problems == (
        "certificate.country: must be a two-letter ISO 3166 code in capitals, not 'nl'",
        "certificate.validity_days: a root is valid between 2922 and 9132 days (8 to 25 years, "
        "BR 6.3.2), not 100",
    )
    report = check(edited(example("intermediate-key"), ('organization = "Example Trust B.V."',
                                                        'organization = " Example"')))
    assert report.problems == ("certificate.organization: must not start or end with white "
                               "space",)


def test_subordinate_and_crl_profiles() -> None:
    report = check(edited(example("sign"), ('"http://crl.example.com/root-r1.crl"',
                                            '"https://crl.example.com/root-r1.crl"')),
                   path=EXAMPLES / "sign.toml")
    assert report.problems[0].startswith("profile.crl_url: must be a plain http:// URL")
    report = check(edited(example("crl"), ("next_update_days = 365", "next_update_days = 400")),
                   path=EXAMPLES / "crl.toml")
    assert report.problems[0].startswith("crl.next_update_days: must be 1 to 365 days")


def test_labels() -> None:
    report = check(edited(example("root"), ('label = "root-r1"', f'label = "{"t" * 33}"'),
                          ('label = "root-key"', 'label = "keys/root"')))
    assert report.problems == (
        "token.label: is 33 bytes; a PKCS#11 token label holds at most 32",
        "key.label: names the backup files, so it must not hold slashes or control characters "
        "or start with a dot",
    )
    report = check(edited(example("root"), ('label = "root-r1"', 'label = "root "'),
                          ('label = "root-key"', 'label = " "')))
    assert report.problems == (
        "token.label: must not start or end with white space (a token pads its label with "
        "spaces)",
        "key.label: must not be empty",
    )
    report = check(edited(example("root"), ('label = "root-key"', 'label = "root-r1"')))
    assert report.ok  # a key label may equal its token's label
    report = check(edited(example("sign"), ('key_label = "root-key"', 'key_label = ""')),
                   path=EXAMPLES / "sign.toml")
    assert report.problems == ("issuer.key_label: must not be empty",)


def test_notes_for_reviewers() -> None:
    text = edited(example("root"), ("rehearsal = false", "rehearsal = true"),
                  ("/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so", "/nowhere/libpkcs11.so"))
    report = check(text)
    assert report.ok
    assert report.notes == (
        "token.module: /nowhere/libpkcs11.so is not on this machine; the ceremony machine must "
        "have it",
        "token.pin: once the backup is made, the token's PIN is replaced by one derived from the "
        "new share set; from then on at least 3 custodians are needed to unlock the token",
        "out: no output folder given, so whether it holds an earlier run was not checked",
        "rehearsal: this is a rehearsal; its transcript and artifacts are marked as such",
    )
    sign = check(edited(example("sign"), ('pin = "typed"', 'pin = "shares"'))
                 + '\n[shares]\nthreshold = 2\nholders = ["Carla Smit", "Daan Visser"]\n'
                   'check_value = "680f3e20eecf0ee4"\n'
                   '[[participant]]\nname = "Carla Smit"\nrole = "custodian"\n'
                   '[[participant]]\nname = "Daan Visser"\nrole = "custodian"\n',
                 path=EXAMPLES / "sign.toml")
    assert sign.ok
    assert ("token.pin: the PIN is rebuilt from [shares]: at least 2 of its holders must attend"
            in sign.notes)
    reshare = check(example("reshare"), path=EXAMPLES / "reshare.toml")
    assert any("the old shares still unlock the token" in n for n in reshare.notes)


# --- sign: issuer certificate and CSR -----------------------------------------------------------


def test_validity_must_not_outlive_the_issuer() -> None:
    root = load_pem(FILES / "root.pem")
    now = root.not_valid_after_utc - dt.timedelta(days=1000)
    report = check(example("sign"), path=EXAMPLES / "sign.toml", now=now)
    end = now + dt.timedelta(days=1826)
    assert report.problems == (
        f"profile.validity_days: 1826 days from today would end {end:%Y-%m-%d}, after the "
        f"issuer certificate expires on {root.not_valid_after_utc:%Y-%m-%d}; shorten it to at "
        "most 1000 days",)
    later = check(example("sign"), path=EXAMPLES / "sign.toml",
                  now=root.not_valid_after_utc + dt.timedelta(days=1))
    assert later.problems == (f"issuer.certificate: expired on "
                              f"{root.not_valid_after_utc:%Y-%m-%d}; a ceremony cannot sign "
                              "with it",)


def test_issuer_must_be_a_usable_ca(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")])
    now = dt.datetime.now(dt.UTC)
    end_entity = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                  .public_key(key.public_key()).serial_number(77)
                  .not_valid_before(now - dt.timedelta(days=1))
                  .not_valid_after(now + dt.timedelta(days=9000))
                  .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                  .sign(key, hashes.SHA256()))
    (tmp_path / "ee.pem").write_bytes(end_entity.public_bytes(serialization.Encoding.PEM))
    csr = make_csr(tmp_path / "req.csr")
    report = check(sign_plan(tmp_path / "ee.pem", csr))
    assert report.problems == ("issuer.certificate: is not a CA certificate (no "
                               "basicConstraints with cA true); name the certificate of the CA "
                               "whose key signs",)
    report = check(sign_plan(tmp_path / "missing.pem", csr))
    assert report.problems == (f"issuer.certificate: {tmp_path / 'missing.pem'} cannot be read "
                               "(No such file or directory); check the path",)
    report = check(sign_plan(csr, csr))
    assert report.problems == (f"issuer.certificate: {csr} is not a certificate (PEM or DER): "
                               "it holds no CERTIFICATE PEM block",)
    no_cert_sign = make_root(tmp_path, "No Cert Sign CA", x509.KeyUsage(
        True, False, False, False, False, False, True, False, False))
    report = check(sign_plan(no_cert_sign.path, csr))
    assert report.problems == ("issuer.certificate: its keyUsage lacks keyCertSign, so it cannot "
                               "sign certificates",)


def test_csr_is_checked_as_csr_check_does(tmp_path: Path) -> None:
    ca = make_root(tmp_path)
    assert check(sign_plan(ca.path, make_csr(tmp_path / "good.csr"))).ok
    report = check(sign_plan(ca.path, make_csr(tmp_path / "ou.csr", unit="Web")))
    assert report.problems == (f"csr.file: {tmp_path / 'ou.csr'} would not be signed: the CSR's "
                               "subject has an organizationalUnitName, which a root or TLS CA "
                               "subject must not have (BR 7.1.2.10.2)",)
    report = check(sign_plan(ca.path, tmp_path / "none.csr"))
    assert report.problems == (f"csr.file: {tmp_path / 'none.csr'} cannot be read (No such file "
                               "or directory); check the path",)
    report = check(sign_plan(ca.path, make_csr(tmp_path / "own.csr", key=ca.key)))
    assert report.problems == ("csr.file: requests a certificate for the issuer's own key; the "
                               "subordinate CA needs a key of its own",)


# --- crl: revocations and the previous CRL ------------------------------------------------------


def test_revocations_are_cross_checked(tmp_path: Path) -> None:
    report = check(edited(example("crl"), (RETIRED_SERIAL, "01")), path=EXAMPLES / "crl.toml")
    assert report.problems == (f"crl.revoke[1].serial: 1 is not the serial of "
                               f"retired-issuing-ca.pem ({RETIRED_SERIAL})",)
    other = make_root(tmp_path)
    report = check(crl_plan(other.path, FILES / "retired-issuing-ca.pem"))
    assert report.problems == ("crl.revoke[1].certificate: retired-issuing-ca.pem was not issued "
                               "by the issuer certificate, so its CRL cannot revoke it",)
    own = make_root(tmp_path, "Own CA")
    report = check(crl_plan(own.path, own.path, f"{own.certificate.serial_number:x}"))
    assert report.problems == ("crl.revoke[1].certificate: is the issuer itself; a CA does not "
                               "list its own certificate on its CRL",)
    twice = example("crl") + f'\n[[crl.revoke]]\nserial = "{RETIRED_SERIAL.upper()}"\n' \
                             'reason = "superseded"\n'
    report = check(twice, path=EXAMPLES / "crl.toml")
    assert report.problems == (f"crl.revoke[2].serial: {RETIRED_SERIAL} is already listed in "
                               "crl.revoke[1]",)


def test_previous_crl(tmp_path: Path) -> None:
    ca = make_root(tmp_path)
    sub = issue_subordinate(ca, tmp_path / "sub.pem", 0x4E3A0F1C2B3D4E5F)
    text = crl_plan(ca.path, sub, "4e3a0f1c2b3d4e5f")
    assert ("crl.previous: not given, so the new CRL lists only this plan's revocations and "
            "drops any earlier ones; name the current CRL unless the root has revoked nothing "
            "yet") in check(text).notes
    previous = issue_crl(ca, tmp_path / "previous.crl", (0x4E3A0F1C2B3D4E5F,))
    report = check(edited(text, ("next_update_days = 365",
                                 f'next_update_days = 365\nprevious = "{previous}"')))
    assert report.ok
    assert ("crl.revoke[1].serial: 4e3a0f1c2b3d4e5f is already revoked on the previous CRL"
            in report.notes)
    stranger = issue_crl(make_root(tmp_path, "Other CA"), tmp_path / "other.crl")
    report = check(edited(text, ("next_update_days = 365",
                                 f'next_update_days = 365\nprevious = "{stranger}"')))
    assert report.problems == (f"crl.previous: {stranger} is not a CRL signed by the issuer "
                               "certificate",)
    report = check(edited(text, ("next_update_days = 365",
                                 f'next_update_days = 365\nprevious = "{ca.path}"')))
    assert report.problems == (f"crl.previous: {ca.path} is not a CRL (PEM or DER): it holds "
                               "no X509 CRL PEM block",)


def test_crl_issuer_needs_crl_sign(tmp_path: Path) -> None:
    ca = make_root(tmp_path, "No CRL Sign CA", x509.KeyUsage(
        True, False, False, False, False, True, False, False, False))
    sub = issue_subordinate(ca, tmp_path / "sub.pem", 0x4E3A0F1C2B3D4E5F)
    report = check(crl_plan(ca.path, sub, "4e3a0f1c2b3d4e5f"))
    assert report.problems == ("issuer.certificate: its keyUsage lacks cRLSign, so it cannot "
                               "sign CRLs",)


# --- restore and reshare: the backup ------------------------------------------------------------


def test_backup_must_match_the_plan() -> None:
    report = check(edited(example("restore"), ('"680f3e20eecf0ee4"', '"0000000000000000"'),
                          ('label = "root-key"', 'label = "old-key"'),
                          ('algorithm = "ec-p384"', 'algorithm = "rsa-4096"')),
                   path=EXAMPLES / "restore.toml")
    assert report.problems == (
        "shares.check_value: 0000000000000000 is not the check value of the backup's wrap key "
        "(680f3e20eecf0ee4); the plan names another share set or another backup",
        'key.label: the backup holds key "root-key", not "old-key"; a restored key keeps its '
        "label",
        "key.algorithm: the backup holds an ec-p384 key, not rsa-4096",
    )


def test_backup_file_must_be_intact(tmp_path: Path) -> None:
    report = check(edited(example("restore"), ('"files/backup/root-key.json"',
                                               f'"{tmp_path / "root-key.json"}"')))
    assert len(report.problems) == 1
    assert report.problems[0].startswith("backup.file: cannot read backup metadata")
    for name in ("root-key.json", "root-key.wrapped"):
        shutil.copy(FILES / "backup" / name, tmp_path / name)
    wrapped = bytearray((tmp_path / "root-key.wrapped").read_bytes())
    wrapped[5] ^= 1
    (tmp_path / "root-key.wrapped").write_bytes(bytes(wrapped))
    report = check(edited(example("restore"), ('"files/backup/root-key.json"',
                                               f'"{tmp_path / "root-key.json"}"')))
    assert len(report.problems) == 1 and "does not match field 'wrapped_sha256'" in \
        report.problems[0]


def test_reshare_never_writes_beside_the_old_backup(tmp_path: Path) -> None:
    text = edited(example("reshare"), ('# folder = "..."', 'folder = "files/backup"\n#'))
    report = check(text, path=EXAMPLES / "reshare.toml")
    assert report.problems == (f"backup.folder: the re-wrapped backup would be written beside "
                               f"the old one in {FILES / 'backup'}, under the same names; "
                               "choose another folder",)
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "root-key.json").write_text("{}")
    report = check(example("reshare"), tmp_path, path=EXAMPLES / "reshare.toml")
    assert report.problems == (f"out: {tmp_path / 'backup' / 'root-key.json'} already exists; "
                               "backups are never overwritten, so move it away or choose "
                               "another folder",)


# --- outputs ---------------------------------------------------------------------------------


def test_output_folder_must_not_hold_an_earlier_run(tmp_path: Path) -> None:
    (tmp_path / "journal.jsonl").write_text("")
    report = check(example("drill"), tmp_path)
    assert report.problems == (f"out: {tmp_path} holds journal.jsonl from an earlier run; "
                               "resume it with `keyceremony run` or choose another --out",)
    (tmp_path / "file").write_text("")
    assert check(example("drill"), tmp_path / "file").problems == (
        f"out: {tmp_path / 'file'} is not a folder; choose another --out",)
    assert check(example("drill"), tmp_path / "new").ok


def test_backup_outputs_must_not_exist(tmp_path: Path) -> None:
    (tmp_path / "out" / "backup").mkdir(parents=True)
    (tmp_path / "out" / "backup" / "root-key.wrapped").write_bytes(b"")
    report = check(example("root"), tmp_path / "out")
    assert report.problems == (f"out: {tmp_path / 'out' / 'backup' / 'root-key.wrapped'} "
                               "already exists; backups are never overwritten, so move it away "
                               "or choose another folder",)
    text = example("root").replace('# [backup]\n# folder = "..."',
                                   f'[backup]\nfolder = "{tmp_path / "out" / "backup"}"')
    report = check(text)
    assert report.problems[0].startswith("backup.folder: ")


def test_raise_for_problems() -> None:
    plan = parse_plan_text(edited(example("drill"), ("threshold = 3", "threshold = 9"),
                                  ('"Gijs Peters"]', '"Carla Smit"]')), EXAMPLES / "drill.toml")
    with pytest.raises(PlanError) as caught:
        check_plan(plan).raise_for_problems(plan)
    assert caught.value.exit_status == 1
    assert str(caught.value) == (f"{EXAMPLES / 'drill.toml'}: shares.threshold: must not exceed "
                                 "the 5 holders (it is 9) (and 1 more)")


# --- keyceremony plan check ----------------------------------------------------------------------


def run_check(plan: Path, out: Path | None = None) -> int:
    return plan_command.run(argparse.Namespace(command="plan", plan_command="check",
                                               plan=str(plan), out=str(out) if out else None))


def test_cli_clean_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_check(EXAMPLES / "root.toml", tmp_path / "out") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        "plan OK: root ceremony 'example-root-r1', 8 participants, ec-p384 key 'root-key' in "
        "token pkcs11:token=root-r1, 3-of-5 shares, root certificate 'Example Root CA R1' for "
        "9131 days")
    assert captured.err == ""


def test_cli_problems_one_per_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "bad.toml"
    plan.write_text(edited(example("drill"), ("rehearsal = false", 'rehearsal = "no"'),
                           ('role = "auditor"', 'role = "boss"')))
    assert run_check(plan) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f'{plan}: rehearsal: must be true or false, not "no"',
                     f"{plan}: participant[2].role: must be one of administrator, witness, "
                     'auditor, custodian, operator, not "boss"',
                     f"keyceremony: 2 problems in {plan}; fix them and check again"]
    plan.write_text(edited(example("drill"), ("threshold = 3", "threshold = 6")))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "journal.jsonl").write_text("")
    assert run_check(plan, tmp_path / "out") == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{plan}: shares.threshold: must not exceed the 5 holders (it is 6)"
    assert lines[1].startswith(f"{plan}: out: {tmp_path / 'out'} holds journal.jsonl")


def test_cli_unreadable_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "broken.toml"
    plan.write_text("format = \n")
    with pytest.raises(PlanUnreadableError):
        run_check(plan)
    assert cli.main(["plan", "check", str(plan)]) == 2
    assert capsys.readouterr().err == (f"keyceremony: {plan}: line 1, column 10: not valid TOML "
                                       "(invalid value); fix the syntax and check again\n")


def test_cli_exit_statuses_through_the_dispatcher(tmp_path: Path) -> None:
    assert cli.main(["plan", "check", str(EXAMPLES / "drill.toml")]) == 0
    assert cli.main(["plan", "check", str(EXAMPLES / "sign.toml"), "--out",
                     str(tmp_path / "new")]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(edited(example("drill"), ("threshold = 3", "threshold = 1")))
    assert cli.main(["plan", "check", str(bad)]) == 1
    assert cli.main(["plan", "check", str(tmp_path / "missing.toml")]) == 2


@pytest.mark.parametrize("name", TYPES)
def test_any_one_line_removed_is_reported_never_a_crash(name: str) -> None:
    """Robustness: every plan left by deleting one line of an example either parses and checks,
    or raises PlanError; no other exception escapes."""
    lines = example(name).splitlines(keepends=True)
    for index in range(len(lines)):
        text = "".join(lines[:index] + lines[index + 1:])
        try:
            plan = parse_plan_text(text, EXAMPLES / f"{name}.toml")
        except PlanError as ex:
            assert ex.problems and all(": " in p for p in ex.problems)
            continue
        check_plan(plan)


@pytest.mark.softhsm
def test_example_backup_restores_into_a_token(softhsm: SoftHsmStore) -> None:
    """The example restore plan names a backup a real token accepts (with the public example
    wrap key; the runner would rebuild it from shares)."""
    softhsm.init_token("root-r1-b", USER_PIN, SO_PIN)
    wrap_key = hashlib.sha256(b"keyceremony example wrap key: public, never use it").digest()
    plan = parse_plan(EXAMPLES / "restore.toml")
    assert plan.backup is not None and plan.backup.file is not None
    assert plan.new_token is not None and plan.key is not None
    with open_token(default_module(), plan.new_token.label, USER_PIN) as session:
        pair = restore_backup(session, read_backup(plan.backup.file), wrap_key)
        assert pair.label == plan.key.label and pair.algorithm is plan.key.algorithm


def test_a_backed_up_key_behind_a_typed_pin_alone_is_a_warning_not_a_refusal() -> None:
    assert check(example("root")).warnings == ()
    for name in ("root", "intermediate-key"):
        report = check(edited(example(name), ('pin = "shares"', 'pin = "typed"')),
                       path=EXAMPLES / f"{name}.toml")
        assert report.ok and len(report.warnings) == 1
        assert report.warnings[0].startswith("token.pin: the ")
        assert 'prefer pin = "shares"' in report.warnings[0]


def test_a_real_ceremony_names_its_hsm_module() -> None:
    module = "/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so"
    left_out = check(edited(example("sign"), (f'module = "{module}"\n', "")),
                     path=EXAMPLES / "sign.toml")
    assert [p.split(":")[0] for p in left_out.problems] == ["token.module"]
    softhsm = check(edited(example("restore"), (module, "/usr/lib/softhsm/libsofthsm2.so")),
                    path=EXAMPLES / "restore.toml")
    assert softhsm.problems[0].startswith(
        "new_token.module: /usr/lib/softhsm/libsofthsm2.so is SoftHSM, a software token")
    accepted = check(edited(example("restore"), (module, "/usr/lib/softhsm/libsofthsm2.so"),
                            ('pin = "typed"\n', 'pin = "typed"\nsoftware_token = "accepted"\n')),
                     path=EXAMPLES / "restore.toml")
    assert accepted.ok and any(n.startswith("new_token.software_token: a software token is "
                                            "accepted") for n in accepted.notes)
