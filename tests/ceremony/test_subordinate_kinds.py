"""`[profile] kind` of a sign ceremony: every kind signed by a real SoftHSM root, then checked
by tools that are not ours (``openssl verify``, pkilint's own command-line linters at the
validator that fits the kind) and by ``keyceremony verify --root`` on the transcript."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ceremony.demo.rehearsal import ROOT_KEY, ROOT_TOKEN, DemoResult, run_demo
from ceremony.plan import check_plan, parse_plan, parse_plan_text
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module
from tests.ceremony.helpers import header, prompter, run, write_plan
from tests.ceremony.test_plan_check import EXAMPLES, edited, example, make_csr

BIN = Path(sys.executable).parent
URLS = ('crl_url = "http://crl.example.com/demo-root.crl"\n'
        'ca_issuers_url = "http://pki.example.com/demo-root.crt"\n')
# kind -> (extra [profile] lines, pkilint command line before the file)
KINDS: dict[str, tuple[str, list[str]]] = {
    "tls": ("", ["lint_cabf_serverauth_cert", "lint", "-t", "INTERNAL-UNCONSTRAINED-TLS-CA"]),
    "tls-constrained": ('permitted_dns = ["example.com"]\n',
                        ["lint_cabf_serverauth_cert", "lint", "-t",
                         "INTERNAL-CONSTRAINED-TLS-CA"]),
    "smime": ("", ["lint_cabf_serverauth_cert", "lint", "-t", "NON-TLS-CA"]),
    "code-signing": ("", ["lint_cabf_serverauth_cert", "lint", "-t", "NON-TLS-CA"]),
    "private": ('path_length = "unlimited"\nextended_key_usages = ["clientAuth", '
                '"1.3.6.1.4.1.99999.7"]\npolicies = ["1.3.6.1.4.1.99999.1.1"]\n'
                'permitted_dns = ["corp.example"]\npermitted_email = ["corp.example"]\n',
                ["lint_pkix_cert", "lint"]),
}


def sign_kind_plan(root: Path, csr: Path, kind: str, extra: str = "") -> str:
    return (header("sign", f"test-sign-{kind}")
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{root}"\nkey_label = "{ROOT_KEY}"\n'
            + f'\n[csr]\nfile = "{csr}"\n'
            + f'\n[profile]\nkind = "{kind}"\nvalidity_days = 1000\n' + URLS + extra)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    result = run_demo(tmp_path_factory.mktemp("kinds") / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


@pytest.mark.softhsm
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_signed_verified_and_lints_clean(demo: DemoResult, tmp_path: Path,
                                                       kind: str) -> None:
    from gui.launcher import main

    SoftHsmStore(demo.folder / "softhsm").activate()
    extra, linter = KINDS[kind]
    root = demo.folder / "root-ca.pem"
    plan = write_plan(tmp_path, kind, sign_kind_plan(root, make_csr(tmp_path / "sub.csr"),
                                                     kind, extra))
    context = run(plan, tmp_path / "out", prompter(), demo.folder / "inventory.sqlite3")
    issued = context.folder / "intermediate-ca.pem"
    done = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(root),
                           str(issued)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for command in ([str(BIN / linter[0]), *linter[1:], "-s", "WARNING", str(issued)],
                    [str(BIN / "lint_pkix_signer_signee_cert_chain"), "lint", "-s", "WARNING",
                     str(root), str(issued)]):
        lint = subprocess.run(command, capture_output=True, text=True)
        assert lint.returncode == 0, (command, lint.stdout, lint.stderr)
    record = next(r for r in context.journal.records if r.event == "certificate-issued")
    assert record.data["lint_kind"] == f"{kind}-subordinate"
    assert main(["verify", str(context.folder / "transcript.pdf"), "--root", str(root)]) == 0
    certificate = x509.load_pem_x509_certificate(issued.read_bytes())
    extensions = certificate.extensions
    if kind in ("tls-constrained", "private"):
        constraints = extensions.get_extension_for_class(x509.NameConstraints)
        assert constraints.critical
        name = extra.partition('permitted_dns = ["')[2].partition('"')[0]
        assert x509.DNSName(name) in constraints.value.permitted_subtrees
    if kind == "smime":
        usage = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(usage) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    if kind == "private":
        assert certificate.extensions.get_extension_for_class(
            x509.BasicConstraints).value.path_length is None


def test_a_private_ca_may_have_no_extended_key_usage(tmp_path: Path) -> None:
    plan = parse_plan_text(sign_kind_plan(tmp_path / "r.pem", tmp_path / "c.csr", "private"),
                           tmp_path / "plan.toml")
    assert plan.subordinate_profile is not None
    assert plan.subordinate_profile.extended_key_usages == ()
    assert plan.subordinate_profile.policies == ()


@pytest.mark.parametrize(("kind", "extra", "problem"), [
    ("tls", 'permitted_dns = ["example.com"]\n',
     'profile.permitted_dns: a tls subordinate CA has no name constraints (use kind = '
     '"tls-constrained"); remove them'),
    ("tls-constrained", "", "profile.permitted_dns: a tls-constrained subordinate CA needs name "
                            "constraints (BR 7.1.2.5)"),
    ("tls-constrained", 'excluded_dns = ["bad.example"]\n',
     "profile.permitted_dns: a tls-constrained CA names at least one permitted DNS name "
     "(BR 7.1.2.5.2)"),
    ("smime", 'extended_key_usages = ["emailProtection", "serverAuth"]\n',
     "profile.extended_key_usages: 'serverAuth' is not allowed for a smime subordinate CA "
     "(S/MIME BR 7.1.2.2); use emailProtection"),
    ("code-signing", 'policies = ["1.3.6.1.4.1.99999.1"]\n',
     "profile.policies: a code-signing subordinate CA must include a CA/Browser Forum reserved "
     "policy OID (2.23.140.1.4.1; Code Signing BR 7.1.2.2)"),
    ("code-signing", 'extended_key_usages = []\n',
     "profile.extended_key_usages: a code-signing subordinate CA must include codeSigning "
     "(Code Signing BR 7.1.2.2)"),
    ("private", 'policies = ["2.23.140.1.2.1"]\n',
     "profile.policies: 2.23.140.1.2.1 is a CA/Browser Forum policy; a private CA asserts only "
     "its own policy OIDs"),
    ("private", 'extended_key_usages = ["serverAuth", "1.2.x"]\n',
     "profile.extended_key_usages: '1.2.x' is neither one of serverAuth, clientAuth, "
     "emailProtection, codeSigning, timeStamping, OCSPSigning, anyExtendedKeyUsage nor a "
     "dotted OID"),
    ("private", 'permitted_dns = ["Not A Name"]\n',
     "profile.permitted_dns: 'Not A Name' is not a DNS name in lower-case A-label form, like "
     '"example.com"'),
])
def test_kind_rules_are_checked_before_any_token(tmp_path: Path, kind: str, extra: str,
                                                 problem: str) -> None:
    root = EXAMPLES / "files" / "root.pem"
    csr = EXAMPLES / "files" / "issuing-ca.csr"
    text = sign_kind_plan(root, csr, kind, extra)
    report = check_plan(parse_plan_text(text, tmp_path / "plan.toml"), tmp_path / "out")
    assert report.problems == (problem,)


def test_an_unknown_kind_names_the_kinds(tmp_path: Path) -> None:
    from ceremony.errors import PlanError

    text = edited(example("sign"), ('kind = "tls"', 'kind = "email"'))
    with pytest.raises(PlanError) as raised:
        parse_plan_text(text, EXAMPLES / "sign.toml")
    assert list(raised.value.problems) == [
        "profile.kind: must be one of tls, tls-constrained, smime, code-signing, private, "
        'not "email"']


def test_the_private_example_passes_its_check(tmp_path: Path) -> None:
    plan = parse_plan(EXAMPLES / "sign-private.toml")
    assert check_plan(plan, tmp_path / "out").problems == ()
    assert plan.subordinate_profile is not None
    assert plan.subordinate_profile.kind.value == "private"
    assert plan.subordinate_profile.name_constraints is not None
