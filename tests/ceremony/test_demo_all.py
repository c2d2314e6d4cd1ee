"""``keyceremony demo --all``: every ceremony type in one rehearsal on SoftHSM, each artifact
checked by ``openssl verify`` in its chain and by pkilint's own command-line linter at the
matching validator, the cross-certificate against the second root read with asn1crypto, every
transcript by ``keyceremony verify``, and the inventory and ``due`` for the lifecycle."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from ceremony.inventory import CertificateRole, Inventory
from ceremony.inventory.due import DueKind, due_items
from ceremony.journal import verify_journal
from crypto.softhsm import SoftHsmStore

pytestmark = pytest.mark.softhsm
BIN = Path(sys.executable).parent
CEREMONIES = ("demo-root", "demo-intermediate-key", "demo-sign", "demo-root2",
              "demo-cross-root2", "demo-ocsp-signer", "demo-smime-key", "demo-sign-smime",
              "demo-private-key", "demo-sign-private", "demo-crl-next", "demo-renew-root",
              "demo-reshare", "demo-restore", "demo-drill", "demo-retire-root2")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from gui.launcher import main

    folder = tmp_path_factory.mktemp("demo-all") / "demo"
    assert main(["demo", "--all", "--out", str(folder)]) == 0
    yield folder
    SoftHsmStore(folder / "softhsm").activate()


def tbs(path: Path) -> asn1_x509.TbsCertificate:
    _, _, der = asn1_pem.unarmor(path.read_bytes())
    return asn1_x509.Certificate.load(der)["tbs_certificate"]


def openssl_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "verify", "-x509_strict", *args], capture_output=True,
                          text=True)


def test_every_artifact_verifies_in_its_chain(demo: Path) -> None:
    root, root2 = str(demo / "root-ca.pem"), str(demo / "root2-ca.pem")
    for trusted, untrusted, leaf in (
            (root2, None, "root2-ca.pem"),
            (root, None, "root2-cross.pem"),
            (root, None, "ocsp-signer.pem"),
            (root, None, "smime-ca.pem"),
            (root, None, "private-ca.pem"),
            (str(demo / "root-ca-renewed.pem"), None, "root-ca-renewed.pem"),
            (str(demo / "root-ca-renewed.pem"), None, "intermediate-ca.pem"),
            # The cross-certificate carries trust in the first root over to what the second
            # root issued (its own transcript signer's certificate).
            (root, str(demo / "root2-cross.pem"),
             "ceremonies/demo-root2/transcript-signer.pem")):
        args = ["-CAfile", trusted] + (["-untrusted", untrusted] if untrusted else [])
        done = openssl_verify(*args, str(demo / leaf))
        assert done.returncode == 0, (leaf, done.stderr)
    signer = str(demo / "ceremonies" / "demo-root2" / "transcript-signer.pem")
    alone = openssl_verify("-CAfile", root, signer)
    assert alone.returncode != 0  # without the cross-certificate the first root is no help
    # The next CRL revokes the private CA and still verifies the S/MIME one.
    crl = str(demo / "root-ca-next.crl")
    revoked = openssl_verify("-crl_check", "-CAfile", root, "-CRLfile", crl,
                             str(demo / "private-ca.pem"))
    assert revoked.returncode != 0 and "revoked" in revoked.stdout + revoked.stderr
    kept = openssl_verify("-crl_check", "-CAfile", root, "-CRLfile", crl,
                          str(demo / "smime-ca.pem"))
    assert kept.returncode == 0, kept.stderr


def test_every_artifact_lints_clean_at_its_validator(demo: Path) -> None:
    serverauth = [str(BIN / "lint_cabf_serverauth_cert"), "lint", "-s", "WARNING", "-t"]
    commands = [
        [*serverauth, "ROOT-CA", "root2-ca.pem"],
        [*serverauth, "ROOT-CA", "root-ca-renewed.pem"],
        [*serverauth, "INTERNAL-CROSS-CA", "root2-cross.pem"],
        [*serverauth, "OCSP-RESPONDER", "ocsp-signer.pem"],
        [*serverauth, "NON-TLS-CA", "smime-ca.pem"],
        [str(BIN / "lint_pkix_cert"), "lint", "-s", "WARNING", "private-ca.pem"],
        [str(BIN / "lint_crl"), "lint", "-t", "ARL", "-p", "BR", "-s", "WARNING",
         "root-ca-next.crl"],
    ]
    for issuer, subject in (("root-ca.pem", "root2-cross.pem"), ("root-ca.pem", "ocsp-signer.pem"),
                            ("root-ca.pem", "smime-ca.pem"), ("root-ca.pem", "private-ca.pem")):
        commands.append([str(BIN / "lint_pkix_signer_signee_cert_chain"), "lint", "-s",
                         "WARNING", issuer, subject])
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, cwd=demo)
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_the_cross_certificate_names_the_second_root_exactly(demo: Path) -> None:
    cross, root2, root = (tbs(demo / name) for name in ("root2-cross.pem", "root2-ca.pem",
                                                        "root-ca.pem"))
    assert cross["subject"].dump() == root2["subject"].dump()
    assert cross["subject_public_key_info"].dump() == root2["subject_public_key_info"].dump()
    assert cross["issuer"].dump() == root["subject"].dump()

    def ski(cert: asn1_x509.TbsCertificate) -> bytes:
        return next(bytes(e["extn_value"].parsed.native) for e in cert["extensions"]
                    if e["extn_id"].native == "key_identifier")

    assert ski(cross) == ski(root2)


def anchors(demo: Path, ceremony: str) -> list[str]:
    if ceremony.endswith("-key"):
        first = verify_journal(demo / "ceremonies" / ceremony / "journal.jsonl").records
        spki = next(r for r in first if r.event == "key-generated").data["spki_sha256"]
        return ["--anchor-spki", str(spki)]
    if "root2" in ceremony and "cross" not in ceremony:
        return ["--root", str(demo / "root2-ca.pem")]
    return ["--root", str(demo / "root-ca.pem")]


def test_every_transcript_verifies(demo: Path) -> None:
    from gui.launcher import main

    assert sorted(p.name for p in (demo / "ceremonies").iterdir()) == sorted(CEREMONIES)
    for ceremony in CEREMONIES:
        folder = demo / "ceremonies" / ceremony
        assert verify_journal(folder / "journal.jsonl").ok, ceremony
        assert main(["verify", str(folder / "transcript.pdf"), *anchors(demo, ceremony)]) == 0, \
            ceremony


def test_inventory_and_due_show_the_lifecycle(demo: Path) -> None:
    with Inventory.open(demo / "inventory.sqlite3") as inventory:
        keys = {(k.token_label, k.key_label): k for k in inventory.keys()}
        certificates = inventory.certificates()
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        items = due_items(inventory, later, within_days=9000)
    assert keys[("demo-root2", "demo-root2-key")].retired is not None
    assert keys[("demo-root", "demo-root-key")].retired is None
    assert keys[("demo-spare", "demo-root-key")].retired is None  # the restored copy
    roles = [c.role for c in certificates]
    assert roles.count(CertificateRole.CROSS) == 1
    assert roles.count(CertificateRole.OCSP_SIGNER) == 1
    roots = [c for c in certificates if c.role is CertificateRole.ROOT
             and "Root CA," in c.subject]
    assert len(roots) == 2 and len({c.spki_sha256 for c in roots}) == 1  # renewed
    kinds = {item.kind for item in items}
    assert {DueKind.ROOT_RENEWAL, DueKind.CERTIFICATE_EXPIRY, DueKind.CRL_NEXT_UPDATE,
            DueKind.SHARE_DRILL} <= kinds
    assert any(i.what.startswith("ocsp-signer certificate") for i in items)
    assert not [i for i in items if "Root CA 2" in i.what]  # retired: never due
    assert not [i for i in items if "Private CA" in i.what]  # revoked
    shares = json.loads((demo / "ceremonies" / "demo-reshare" / "backup" /
                         "demo-root-key.json").read_text())["wrap_key_check_value"]
    drills = [i for i in items if i.kind is DueKind.SHARE_DRILL]
    assert [shares in i.what for i in drills] == [True]  # the old set was retired
