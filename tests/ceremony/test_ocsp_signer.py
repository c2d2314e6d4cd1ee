"""The ocsp-signer ceremony against SoftHSM: the responder's key made in its own token (or taken
from a CSR), certified by the demo root; checked by ``openssl verify`` and ``openssl x509``,
pkilint's OCSP responder profile and chain lint, the token's own view of the key, and
``keyceremony verify --root``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ceremony.demo.rehearsal import (
    DEMO_PIN,
    INTERMEDIATE_TOKEN,
    ROOT_KEY,
    ROOT_TOKEN,
    DemoResult,
    run_demo,
)
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.plan import check_plan, parse_plan_text
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module
from tests.ceremony.helpers import header, run, write_plan
from tests.ceremony.test_plan_check import make_csr, make_root

BIN = Path(sys.executable).parent
GENERATED = (f'token = "{INTERMEDIATE_TOKEN}"\nkey_label = "ocsp-key"\nalgorithm = "ec-p256"\n'
             'common_name = "Keyceremony Demo OCSP Responder"\n')


def ocsp_plan(issuer: Path, responder: str, days: int = 90,
              ceremony_id: str = "test-ocsp") -> str:
    return (header("ocsp-signer", ceremony_id)
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{issuer}"\nkey_label = "{ROOT_KEY}"\n'
            + f"\n[responder]\nvalidity_days = {days}\n{responder}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    result = run_demo(tmp_path_factory.mktemp("ocsp") / "demo", say=lambda _text: None)
    yield result
    SoftHsmStore(result.folder / "softhsm").activate()


def people() -> ScriptedPrompter:
    return ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN, INTERMEDIATE_TOKEN: DEMO_PIN})


@pytest.mark.softhsm
@pytest.mark.parametrize("source", ["token", "csr"])
def test_the_root_certifies_an_ocsp_responder(demo: DemoResult, tmp_path: Path,
                                              source: str) -> None:
    from gui.launcher import main

    SoftHsmStore(demo.folder / "softhsm").activate()
    root = demo.folder / "root-ca.pem"
    responder = (GENERATED
                 if source == "token" else f'csr = "{make_csr(tmp_path / "ocsp.csr")}"\n')
    plan = write_plan(tmp_path, "ocsp", ocsp_plan(root, responder, 90, f"test-ocsp-{source}"))
    context = run(plan, tmp_path / "out", people(), demo.folder / "inventory.sqlite3")
    signer = context.folder / "ocsp-signer.pem"
    done = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(root),
                           str(signer)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(signer)],
                          capture_output=True, text=True, check=True).stdout
    assert "OCSP No Check" in text and "OCSP Signing" in text
    for command in ([str(BIN / "lint_cabf_serverauth_cert"), "lint", "-t", "OCSP-RESPONDER",
                     "-s", "WARNING", str(signer)],
                    [str(BIN / "lint_pkix_signer_signee_cert_chain"), "lint", "-s", "WARNING",
                     str(root), str(signer)]):
        lint = subprocess.run(command, capture_output=True, text=True)
        assert lint.returncode == 0, (command, lint.stdout)
    certificate = x509.load_pem_x509_certificate(signer.read_bytes())
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    days = (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days
    assert days == 90
    if source == "token":
        generated = next(r for r in context.journal.records if r.event == "key-generated")
        assert generated.data["token"] == INTERMEDIATE_TOKEN
        assert generated.data["extractable"] is False
        assert certificate.subject.rfc4514_string() == (
            "CN=Keyceremony Demo OCSP Responder,O=Keyceremony Demo,C=XX")
        # The key the token holds is the key certified, and the token will not let it out.
        import pkcs11

        from crypto.keys import find_key_pair, spki_sha256
        from crypto.token import open_token

        with open_token(default_module(), INTERMEDIATE_TOKEN, DEMO_PIN) as token:
            pair = find_key_pair(token, "ocsp-key")
            assert pair.record.spki_sha256 == spki_sha256(certificate.public_key())
            private = token.session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY,
                                            label="ocsp-key")
            assert private[pkcs11.Attribute.EXTRACTABLE] is False
            assert private[pkcs11.Attribute.SENSITIVE] is True
    assert main(["verify", str(context.folder / "transcript.pdf"), "--root", str(root)]) == 0


def test_plan_check_of_a_responder(tmp_path: Path) -> None:
    issuer = make_root(tmp_path, "Issuer Root")

    def problems(responder: str, days: int = 90) -> tuple[str, ...]:
        plan = parse_plan_text(ocsp_plan(issuer.path, responder, days), tmp_path / "p.toml")
        return check_plan(plan, tmp_path / "out").problems

    assert problems(GENERATED) == ()
    assert problems(GENERATED, 400) == (
        "responder.validity_days: must be 1 to 365 days; a responder certificate carries "
        "id-pkix-ocsp-nocheck, so it must expire soon, not after 400",)
    assert problems(GENERATED.replace(INTERMEDIATE_TOKEN, ROOT_TOKEN)) == (
        "responder.token: is the issuer's own token; an OCSP responder's key lives in a token "
        "of its own, online",)
    from ceremony.errors import PlanError

    with pytest.raises(PlanError) as raised:
        parse_plan_text(ocsp_plan(issuer.path, 'csr = "x.csr"\n' + GENERATED),
                        tmp_path / "p.toml")
    assert raised.value.problems[0] == ("responder.token: not used with csr (the CSR's key and "
                                        "subject are used); remove it")
