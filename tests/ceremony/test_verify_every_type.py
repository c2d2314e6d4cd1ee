"""The transcript of every ceremony type verifies from the command line, as the auditor guide
says: by the CA certificate (``--root``, ``--root-fingerprint``) whenever the CA key has one,
by the CA key's SPKI SHA-256 (``--anchor-spki``) always; a wrong anchor fails each.

One demo (root, intermediate-key, sign) and then a crl, two restores (naming the root
certificate in ``[key]`` and not), a drill signed with the root's key and a reshare, all on
real SoftHSM tokens, each verified by ``keyceremony verify`` in a fresh process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ceremony.demo.rehearsal import DEMO_PIN, DEMO_SO_PIN, ROOT_KEY, ROOT_TOKEN, run_demo
from ceremony.errors import PlanError
from ceremony.plan import check_plan, parse_plan
from crypto.algorithms import spki_sha256
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module
from tests.ceremony.helpers import (
    crl_plan,
    header,
    prompter,
    run,
    share_table,
    shares_from,
    write_plan,
)
from tests.ceremony.test_ceremonies import backup_check_value, notebooks
from tests.ceremony.test_verify import keyceremony

pytestmark = pytest.mark.softhsm


@dataclass(frozen=True)
class Made:
    """Every transcript, and what an auditor trusts."""

    transcripts: dict[str, Path]  # ceremony type (or variant) -> transcript.pdf
    root: Path  # the root certificate
    intermediate: Path  # the intermediate certificate the sign ceremony issued
    root_spki: str
    intermediate_spki: str
    tokenless_drill: Path  # the folder of a drill that names no token


def _restore_plan(ceremony_id: str, token: str, check: str, backup: Path,
                  certificate: Path | None) -> str:
    text = (header("restore", ceremony_id) + f'\n[new_token]\nlabel = "{token}"\n'
            + f'\n[key]\nlabel = "{ROOT_KEY}"\nalgorithm = "ec-p384"\n')
    if certificate is not None:
        text += f'certificate = "{certificate}"\n'
    return text + share_table("shares", check) + f'\n[backup]\nfile = "{backup}"\n'


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    base = tmp_path_factory.mktemp("every-type")
    demo = run_demo(base / "demo", say=lambda _text: None)
    store = SoftHsmStore(demo.folder / "softhsm")
    store.activate()
    inventory = demo.folder / "inventory.sqlite3"
    books = notebooks(demo)
    check = backup_check_value(demo)
    backup = demo.folder / "backup" / "demo-root-key.json"
    root = demo.folder / "root-ca.pem"
    root_ceremony, intermediate_ceremony, sign_ceremony = demo.ceremonies
    transcripts = {"root": root_ceremony, "intermediate-key": intermediate_ceremony,
                   "sign": sign_ceremony}

    plan = write_plan(base, "crl", crl_plan(root_ceremony))
    transcripts["crl"] = run(plan, base / "crl", prompter(), inventory).folder
    for variant, token, certificate in (("restore", "spare", root),
                                        ("restore-without-certificate", "spare2", None)):
        store.init_token(token, DEMO_PIN, DEMO_SO_PIN)
        plan = write_plan(base, variant, _restore_plan(f"test-{variant}", token, check, backup,
                                                       certificate))
        answers = prompter(shares_to_enter=shares_from(books, "Frank", "Dave", "Carol"))
        answers.pins[token] = DEMO_PIN
        transcripts[variant] = run(plan, base / variant, answers, inventory).folder
    plan = write_plan(base, "drill", header("drill", "test-drill") + share_table("shares", check)
                      + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
                      + f'\n[issuer]\ncertificate = "{root}"\nkey_label = "{ROOT_KEY}"\n')
    answers = prompter(shares_to_enter=shares_from(books, "Dave", "Grace", "Frank"))
    transcripts["drill"] = run(plan, base / "drill", answers, inventory).folder
    plan = write_plan(base, "drill-tokenless", header("drill", "test-drill-tokenless")
                      + share_table("shares", check))
    answers = prompter(shares_to_enter=shares_from(books, "Dave", "Grace", "Frank"))
    tokenless = run(plan, base / "drill-tokenless", answers, inventory).folder
    plan = write_plan(base, "reshare", (
        header("reshare", "test-reshare") + f'\n[token]\nlabel = "{ROOT_TOKEN}"\n'
        + f'\n[key]\ncertificate = "{root}"\n' + share_table("shares", check)
        + share_table("new_shares", None, ("Carol", "Dave", "Erin"), 2)
        + f'\n[backup]\nfile = "{backup}"\n'))
    answers = prompter(shares_to_enter=shares_from(books, "Grace", "Erin", "Dave"))
    transcripts["reshare"] = run(plan, base / "reshare", answers, inventory).folder

    intermediate = demo.folder / "intermediate-ca.pem"
    return Made({kind: folder / "transcript.pdf" for kind, folder in transcripts.items()},
                root, intermediate, _spki(root), _spki(intermediate), tokenless)


def _spki(path: Path) -> str:
    return spki_sha256(x509.load_pem_x509_certificate(path.read_bytes()).public_key())


def _fingerprint(path: Path) -> str:
    der = x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(
        serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def verify(transcripts: list[Path], *trust: str) -> dict[str, dict[str, object]]:
    """``keyceremony verify --json`` in a fresh process: transcript path -> its report."""
    done = keyceremony("verify", *map(str, transcripts), *trust, "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    reports = json.loads(done.stdout)["transcripts"]
    assert done.returncode == (0 if all(r["ok"] for r in reports) else 1)
    return {str(r["transcript"]): r for r in reports}


def _failed(report: dict[str, object]) -> dict[str, str]:
    return {str(c["name"]): str(c["detail"]) for c in report["checks"]  # type: ignore[attr-defined]
            if not c["ok"]}


SEVEN = ("root", "intermediate-key", "sign", "crl", "restore", "reshare", "drill")
UNDER_THE_ROOT = ("root", "sign", "crl", "restore", "restore-without-certificate", "reshare",
                  "drill")


def test_every_type_makes_a_transcript(made: Made) -> None:
    assert set(SEVEN) <= set(made.transcripts)
    assert all(path.is_file() for path in made.transcripts.values())


def test_every_transcript_under_the_root_verifies_by_the_root_certificate(made: Made) -> None:
    paths = [made.transcripts[kind] for kind in UNDER_THE_ROOT]
    reports = verify(paths, "--root", str(made.root))
    for kind, path in zip(UNDER_THE_ROOT, paths, strict=True):
        assert reports[str(path)]["ok"], (kind, _failed(reports[str(path)]))
        assert reports[str(path)]["ceremony_type"] == kind.split("-without")[0]


def test_the_intermediate_key_verifies_by_its_certificate_once_it_has_one(made: Made) -> None:
    # Its transcript signer was certified by the bare key; the certificate the sign ceremony
    # issued later is for the same key, and trust in a key is trust in a key.
    path = made.transcripts["intermediate-key"]
    assert verify([path], "--root", str(made.intermediate))[str(path)]["ok"]


def test_by_the_root_fingerprint_where_the_transcript_carries_the_certificate(
        made: Made) -> None:
    paths = [made.transcripts[kind] for kind in UNDER_THE_ROOT]
    reports = verify(paths, "--root-fingerprint", _fingerprint(made.root))
    for kind, path in zip(UNDER_THE_ROOT, paths, strict=True):
        failures = _failed(reports[str(path)])
        if kind == "restore-without-certificate":
            # The plan named no certificate, so the transcript carries none to look up and
            # nothing is trusted: give the certificate file (--root) or the key's SPKI.
            assert set(failures) == {"signatures-trusted", "certificate-chains", "lint"}
            assert "not found in the transcript: root certificate" in \
                failures["signatures-trusted"]
        else:
            assert not failures, (kind, failures)


def test_every_transcript_verifies_by_the_ca_key_spki(made: Made) -> None:
    paths = [made.transcripts[kind] for kind in UNDER_THE_ROOT]
    reports = verify(paths, "--anchor-spki", made.root_spki)
    for kind, path in zip(UNDER_THE_ROOT, paths, strict=True):
        assert reports[str(path)]["ok"], (kind, _failed(reports[str(path)]))
    intermediate = made.transcripts["intermediate-key"]
    assert verify([intermediate], "--anchor-spki", made.intermediate_spki)[
        str(intermediate)]["ok"]


def _stranger_root(folder: Path) -> Path:
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "demo root")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(3)
                   .not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=9))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                   .sign(key, hashes.SHA384()))
    path = folder / "stranger-root.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.mark.parametrize("anchor", ["root", "spki"])
def test_a_wrong_anchor_fails_every_type(made: Made, tmp_path: Path, anchor: str) -> None:
    paths = list(made.transcripts.values())
    trust = (["--root", str(_stranger_root(tmp_path))] if anchor == "root"
             else ["--anchor-spki", hashlib.sha256(b"another key").hexdigest()])
    reports = verify(paths, *trust)
    for kind, path in made.transcripts.items():
        failures = _failed(reports[str(path)])
        assert {"signatures-trusted", "certificate-chains"} <= set(failures), (kind, failures)


def test_a_drill_without_a_token_has_no_transcript_to_verify(made: Made) -> None:
    folder = made.tokenless_drill
    assert sorted(p.name for p in folder.iterdir()) == ["journal.jsonl"]
    missing = keyceremony("verify", str(folder / "transcript.pdf"), "--root", str(made.root))
    assert missing.returncode == 2
    assert missing.stdout.startswith(f"{folder / 'transcript.pdf'}: UNUSABLE: ")
    journal = keyceremony("verify", str(folder / "journal.jsonl"), "--root", str(made.root))
    assert journal.returncode == 2 and "is not a readable PDF transcript" in journal.stdout


def test_plan_check_holds_the_key_certificate_to_the_backup(made: Made, tmp_path: Path) -> None:
    backup = made.root.parent / "backup" / "demo-root-key.json"
    plan = write_plan(tmp_path, "restore", _restore_plan("r", "x", "0" * 16, backup,
                                                         made.intermediate))
    with pytest.raises(PlanError) as raised:
        check_plan(parse_plan(plan)).raise_for_problems(parse_plan(plan))
    assert any(p.startswith("key.certificate: ") and "certifies another key" in p
               for p in raised.value.problems)
