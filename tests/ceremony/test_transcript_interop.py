"""Transcripts against independent verifiers: poppler's pdfsig (with an NSS database trusting
the root) and pdfdetach, the pyHanko command line, and the auditor guide's own Python; and
countersigning with a PKCS#12 file or a token, keeping the ceremony's signature valid."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ceremony.journal import JOURNAL_NAME
from ceremony.verify.audit import TrustAnchors, verify_transcript
from crypto.algorithms import KeyAlgorithm
from crypto.keys import generate_key_pair
from crypto.softhsm import SoftHsmStore
from crypto.token import open_token
from tests.ceremony.test_transcript import (
    SO_PIN,
    USER_PIN,
    BuiltCeremony,
    build_root_ceremony,
    detach_all,
)
from tests.ceremony.test_verify import flip, keyceremony

PYHANKO = Path(sys.executable).parent / "pyhanko"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "auditor-guide.md"

pytestmark = pytest.mark.softhsm


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltCeremony:
    base = tmp_path_factory.mktemp("interop")
    store = SoftHsmStore.create(base / "softhsm")
    store.activate()
    return build_root_ceremony(base, store)


@pytest.fixture(scope="module")
def nss(built: BuiltCeremony, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An NSS database that trusts the ceremony's root, as the auditor guide makes one."""
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "ceremony root", "-t",
                    "CT,C,C", "-i", str(built.trusted)], check=True)
    return f"sql:{folder}"


def pdfsig(path: Path, nss: str) -> list[dict[str, str]]:
    """pdfsig's report per signature (it always exits 0, so its output is what counts)."""
    out = subprocess.run(["pdfsig", "-nssdir", nss, str(path)], capture_output=True,
                         text=True, check=False).stdout
    signatures = []
    for block in re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]:
        fields = dict(re.findall(r"^[ \t]+- ([^:\n]+): (.*)$", block, flags=re.M))
        fields["whole"] = str("Total document signed" in block)
        signatures.append(fields)
    return signatures


def pyhanko_validate(path: Path, *roots: Path) -> subprocess.CompletedProcess[str]:
    trust = [arg for root in roots for arg in ("--trust", str(root))]
    return subprocess.run([str(PYHANKO), "sign", "validate", *trust, "--trust-replace",
                           "--no-revocation-check", str(path)], capture_output=True, text=True,
                          check=False)


def test_pdfsig_finds_the_signature_valid_and_trusted(built: BuiltCeremony, nss: str) -> None:
    [signature] = pdfsig(built.transcript, nss)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."
    assert signature["whole"] == "True"
    assert signature["Signer Certificate Common Name"] == (
        f"Ceremony Transcript Signer {built.ceremony_id}")


def test_pdfsig_sees_a_flipped_byte(built: BuiltCeremony, nss: str, tmp_path: Path) -> None:
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(flip(built.transcript.read_bytes(), 300))
    [signature] = pdfsig(tampered, nss)
    assert signature["Signature Validation"] == "Digest Mismatch."


def test_pyhanko_finds_it_intact_and_trusted(built: BuiltCeremony) -> None:
    result = pyhanko_validate(built.transcript, built.trusted)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"CeremonySignature:[0-9a-f]{64}:INTACT:TRUSTED,UNTOUCHED\n",
                        result.stdout)


def test_pdfdetach_lists_every_attachment(built: BuiltCeremony) -> None:
    listing = subprocess.run(["pdfdetach", "-list", str(built.transcript)], capture_output=True,
                             text=True, check=True).stdout
    names = {line.partition(": ")[2] for line in listing.splitlines()[1:]}
    assert names == {JOURNAL_NAME, built.plan.name, "root-ca.pem", "root-ca.crl",
                     "transcript-signer.pem", "backup/root-key.wrapped", "backup/root-key.json"}


def test_the_guides_python_checks_the_detached_journal(built: BuiltCeremony,
                                                       tmp_path: Path) -> None:
    files = detach_all(built.transcript, tmp_path)
    journal = tmp_path / JOURNAL_NAME
    journal.write_bytes(files[JOURNAL_NAME])
    guide = GUIDE.read_text()
    snippet = re.search(r"```python\n(.*?)```", guide, flags=re.S)
    assert snippet is not None
    script = tmp_path / "check_journal.py"
    script.write_text(snippet.group(1))
    result = subprocess.run([sys.executable, str(script), str(journal)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert built.head in result.stdout
    assert "keyceremony verify" in guide


# --- countersigning ---------------------------------------------------------------------------


def auditor(tmp_path: Path, key: Any = None) -> tuple[Path, Any, x509.Certificate]:
    """The auditor's own CA (PEM file) and a certificate for ``key`` (made if None)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    key = key or ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Audit Firm CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(11)
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    mine = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ann Auditor")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(12)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file = tmp_path / "audit-ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ca_file, key, mine


def _both_signatures_hold(built: BuiltCeremony, signed: Path, ca_file: Path) -> None:
    result = pyhanko_validate(signed, built.trusted, ca_file)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("CeremonySignature:") and ":INTACT:TRUSTED," in first
    assert second.startswith("Countersignature1:") and second.endswith("INTACT:TRUSTED,UNTOUCHED")
    both = verify_transcript(signed, TrustAnchors.load([built.trusted],
                                                       countersigner_roots=[ca_file]))
    assert both.ok, both.failures
    only_ceremony = verify_transcript(signed, TrustAnchors.load([built.trusted]))
    assert {c.name for c in only_ceremony.failures} == {"signatures-trusted"}
    assert "Countersignature1" in only_ceremony.failures[0].detail
    assert "--countersigner-root" in only_ceremony.failures[0].detail


@pytest.fixture
def p12(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An auditor's PKCS#12 file, its passphrase file and the auditor's CA."""
    ca_file, key, mine = auditor(tmp_path)
    p12 = tmp_path / "me.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"me", key, mine, None, serialization.BestAvailableEncryption(b"correct horse")))
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse\n")
    return p12, passphrase, ca_file


def test_countersigning_with_pkcs12_keeps_the_ceremony_signature(
        built: BuiltCeremony, tmp_path: Path, p12: tuple[Path, Path, Path]) -> None:
    signer, passphrase, ca_file = p12
    out = tmp_path / "countersigned.pdf"
    result = keyceremony("countersign", str(built.transcript), "--signer", str(signer),
                         "--passphrase-file", str(passphrase), "--chain", str(ca_file),
                         "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(built.transcript.read_bytes())  # an incremental update
    _both_signatures_hold(built, out, ca_file)


def test_countersigning_refuses_an_existing_output_and_a_wrong_passphrase(
        built: BuiltCeremony, tmp_path: Path, p12: tuple[Path, Path, Path]) -> None:
    signer, passphrase, _ = p12
    existing = tmp_path / "existing.pdf"
    existing.write_bytes(b"keep me")
    again = keyceremony("countersign", str(built.transcript), "--signer", str(signer),
                        "--passphrase-file", str(passphrase), "--out", str(existing))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert existing.read_bytes() == b"keep me"
    passphrase.write_text("wrong\n")
    wrong = keyceremony("countersign", str(built.transcript), "--signer", str(signer),
                        "--passphrase-file", str(passphrase), "--out", str(tmp_path / "x.pdf"))
    assert wrong.returncode == 2 and "passphrase is wrong" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_countersigning_with_a_token_asks_for_the_pin(built: BuiltCeremony, tmp_path: Path,
                                                      softhsm: SoftHsmStore) -> None:
    softhsm.init_token("auditor", USER_PIN, SO_PIN)
    with open_token(softhsm.module, "auditor", USER_PIN) as session:
        pair = generate_key_pair(session, "ann", KeyAlgorithm.EC_P256, extractable=False)
        public_key = pair.public_key
    ca_file, _, mine = auditor(tmp_path, _PublicOnly(public_key))
    certificate = tmp_path / "ann.pem"
    certificate.write_bytes(mine.public_bytes(serialization.Encoding.PEM))
    out = tmp_path / "countersigned.pdf"
    result = keyceremony("countersign", str(built.transcript), "--token-label", "auditor",
                         "--key-label", "ann", "--certificate", str(certificate),
                         "--chain", str(ca_file), "--out", str(out), stdin=USER_PIN + "\n")
    assert result.returncode == 0, result.stderr
    assert USER_PIN not in result.stdout + result.stderr
    _both_signatures_hold(built, out, ca_file)


class _PublicOnly:
    """Stands in for a key whose private half stays in the token: only its public key is
    needed to certify it."""

    def __init__(self, public_key: Any) -> None:
        self._public_key = public_key

    def public_key(self) -> Any:
        return self._public_key
