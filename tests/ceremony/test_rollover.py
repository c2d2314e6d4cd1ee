"""Rolling a root over: the demo's SoftHSM root cross-signs a second root, and renews its own
certificate. Checked by ``openssl verify`` (a certificate of the second root chains to the
first; what the old root certificate issued verifies under the renewed one), pkilint's
command-line linters, the DER of subject, key and key identifier read with asn1crypto, and
``keyceremony verify --root``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from ceremony.demo.rehearsal import ROOT_KEY, ROOT_TOKEN, DemoResult, run_demo
from ceremony.errors import PlanError
from ceremony.plan import check_plan, parse_plan_text
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module
from tests.ceremony.helpers import header, prompter, run, write_plan
from tests.ceremony.test_plan_check import issue_subordinate, make_csr, make_root

BIN = Path(sys.executable).parent
PROFILE = ('\n[profile]\nvalidity_days = 1500\npath_length = "unlimited"\n'
           'crl_url = "http://crl.example.com/demo-root.crl"\n'
           'ca_issuers_url = "http://pki.example.com/demo-root.crt"\n')


def cross_plan(issuer: Path, source: str, extra: str = "") -> str:
    return (header("cross-certificate", "test-cross")
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{issuer}"\nkey_label = "{ROOT_KEY}"\n'
            + f"\n[cross]\n{source}\n" + PROFILE + extra)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    result = run_demo(tmp_path_factory.mktemp("cross") / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


def tbs(path: Path) -> asn1_x509.TbsCertificate:
    _, _, der = asn1_pem.unarmor(path.read_bytes())
    return asn1_x509.Certificate.load(der)["tbs_certificate"]


def ski(path: Path) -> bytes:
    for extension in tbs(path)["extensions"]:
        if extension["extn_id"].native == "key_identifier":
            return bytes(extension["extn_value"].parsed.native)
    raise AssertionError("no subjectKeyIdentifier")


@pytest.mark.softhsm
def test_a_second_root_is_cross_signed_and_its_certificates_chain_to_the_first(
        demo: DemoResult, tmp_path: Path) -> None:
    from gui.launcher import main

    SoftHsmStore(demo.folder / "softhsm").activate()
    root = demo.folder / "root-ca.pem"
    second = make_root(tmp_path, "Second Root CA")
    plan = write_plan(tmp_path, "cross", cross_plan(root, f'certificate = "{second.path}"',
                                                    'extended_key_usages = ["serverAuth", '
                                                    '"clientAuth"]\n'))
    context = run(plan, tmp_path / "out", prompter(), demo.folder / "inventory.sqlite3")
    cross = context.folder / "cross-certificate.pem"
    # Subject byte for byte and key identifier as the second root's own certificate has them.
    assert tbs(cross)["subject"].dump() == tbs(second.path)["subject"].dump()
    assert ski(cross) == ski(second.path)
    assert tbs(cross)["issuer"].dump() == tbs(root)["subject"].dump()
    assert tbs(cross)["subject_public_key_info"].dump() == \
        tbs(second.path)["subject_public_key_info"].dump()
    # A CA the second root issues reaches the first root through the cross-certificate.
    below = issue_subordinate(second, tmp_path / "below.pem", 0x6A5F3C9E1B7D2F40)
    for leaf, untrusted in ((cross, None), (below, cross)):
        command = ["openssl", "verify", "-x509_strict", "-CAfile", str(root)]
        if untrusted is not None:
            command += ["-untrusted", str(untrusted)]
        done = subprocess.run([*command, str(leaf)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    for command in ([str(BIN / "lint_cabf_serverauth_cert"), "lint", "-t", "INTERNAL-CROSS-CA",
                     "-s", "WARNING", str(cross)],
                    [str(BIN / "lint_pkix_signer_signee_cert_chain"), "lint", "-s", "WARNING",
                     str(root), str(cross)]):
        lint = subprocess.run(command, capture_output=True, text=True)
        assert lint.returncode == 0, (command, lint.stdout)
    assert main(["verify", str(context.folder / "transcript.pdf"), "--root", str(root)]) == 0
    events = [r.event for r in context.journal.records]
    assert "cross-subject-checked" in events


def test_plan_check_refuses_what_is_not_a_cross_certificate(tmp_path: Path) -> None:
    issuer = make_root(tmp_path, "Issuer Root")
    other = make_root(tmp_path, "Other Root")
    subordinate = issue_subordinate(other, tmp_path / "sub.pem", 0x6A5F3C9E1B7D2F41)

    def problems(source: str, extra: str = "") -> tuple[str, ...]:
        plan = parse_plan_text(cross_plan(issuer.path, source, extra), tmp_path / "p.toml")
        return check_plan(plan, tmp_path / "out").problems

    assert problems(f'certificate = "{other.path}"') == ()
    assert problems(f'csr = "{make_csr(tmp_path / "other.csr")}"') == ()
    assert problems(f'certificate = "{issuer.path}"') == (
        "cross.certificate: is the issuer's own key; a CA's new certificate for its own key is "
        "a renewal, not a cross-certificate",)
    assert problems(f'certificate = "{subordinate}"') == (
        "cross.certificate: is not self-signed; name the cross-signed CA's own self-signed "
        "certificate, or give its CSR",)
    assert problems(f'certificate = "{other.path}"', 'kind = "smime"\n') == (
        "profile.kind: a cross-certificate is tls (BR 7.1.2.2) or private, not smime",)
    with pytest.raises(PlanError) as raised:
        parse_plan_text(cross_plan(issuer.path, f'certificate = "{other.path}"\ncsr = "x.csr"'),
                        tmp_path / "p.toml")
    assert list(raised.value.problems) == [
        'cross: give the cross-signed CA\'s own certificate (certificate = "root-r2.pem") or its '
        'CSR (csr = "root-r2.csr"), one of them']


def renewal_plan(issuer: Path, days: int = 8000) -> str:
    return (header("root-renewal", "test-renewal")
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{issuer}"\nkey_label = "{ROOT_KEY}"\n'
            + f"\n[renewal]\nvalidity_days = {days}\n")


@pytest.mark.softhsm
def test_the_root_renews_its_certificate_with_the_same_key_subject_and_identifier(
        demo: DemoResult, tmp_path: Path) -> None:
    from gui.launcher import main

    SoftHsmStore(demo.folder / "softhsm").activate()
    root = demo.folder / "root-ca.pem"
    plan = write_plan(tmp_path, "renewal", renewal_plan(root))
    context = run(plan, tmp_path / "out", prompter(), demo.folder / "inventory.sqlite3")
    renewed = context.folder / "root-ca-renewed.pem"
    old, new = tbs(root), tbs(renewed)
    for field in ("subject", "issuer", "subject_public_key_info"):
        assert new[field].dump() == old[field].dump(), field
    assert ski(renewed) == ski(root)
    assert new["serial_number"].native != old["serial_number"].native
    assert new["validity"]["not_after"].native > old["validity"]["not_after"].native
    # The renewed root is self-signed, and what the old certificate's key issued chains to it.
    for leaf in (renewed, demo.folder / "intermediate-ca.pem"):
        done = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(renewed),
                               str(leaf)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    lint = subprocess.run([str(BIN / "lint_cabf_serverauth_cert"), "lint", "-t", "ROOT-CA",
                           "-s", "WARNING", str(renewed)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    record = next(r for r in context.journal.records if r.event == "certificate-issued")
    assert record.data["lint_kind"] == "renewed-root"
    assert main(["verify", str(context.folder / "transcript.pdf"), "--root", str(root)]) == 0


def test_plan_check_refuses_renewing_what_is_not_a_root(tmp_path: Path) -> None:
    issuer = make_root(tmp_path, "Issuer Root")
    subordinate = issue_subordinate(issuer, tmp_path / "sub.pem", 0x6A5F3C9E1B7D2F42)

    def problems(path: Path, days: int = 8000) -> tuple[str, ...]:
        plan = parse_plan_text(renewal_plan(path, days), tmp_path / "p.toml")
        return check_plan(plan, tmp_path / "out").problems

    assert problems(issuer.path) == ()
    assert problems(subordinate) == (
        "issuer.certificate: cannot be renewed: it is not self-signed; name the cross-signed "
        "CA's own self-signed certificate, or give its CSR",)
    assert problems(issuer.path, 20000) == (
        "renewal.validity_days: a root is valid between 2922 and 9132 days (8 to 25 years, BR "
        "6.3.2), not 20000",)


@pytest.mark.softhsm
def test_a_cross_certificate_from_a_csr(demo: DemoResult, tmp_path: Path) -> None:
    from cryptography import x509

    SoftHsmStore(demo.folder / "softhsm").activate()
    root = demo.folder / "root-ca.pem"
    csr_path = make_csr(tmp_path / "bridge.csr")
    plan = write_plan(tmp_path, "cross", cross_plan(root, f'csr = "{csr_path}"',
                                                    'extended_key_usages = ["serverAuth"]\n')
                      .replace('"test-cross"', '"test-cross-csr"'))
    context = run(plan, tmp_path / "out", prompter(), demo.folder / "inventory.sqlite3")
    cross = context.folder / "cross-certificate.pem"
    csr = x509.load_pem_x509_csr(csr_path.read_bytes())
    from asn1crypto import csr as asn1_csr

    _, _, request = asn1_pem.unarmor(csr_path.read_bytes())
    requested = asn1_csr.CertificationRequest.load(request)["certification_request_info"]
    assert tbs(cross)["subject"].dump() == requested["subject"].dump()
    assert ski(cross) == x509.SubjectKeyIdentifier.from_public_key(csr.public_key()).digest
    assert (context.folder / "cross-signed-ca.csr").read_bytes() == csr_path.read_bytes()
    done = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(root),
                           str(cross)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
