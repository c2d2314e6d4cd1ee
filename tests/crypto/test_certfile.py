"""One reader for a certificate or CRL given as a file: PEM (with text before it) or DER."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crypto.certfile import load_certificate, load_certificates, load_crl, read_certificate_file
from crypto.errors import UnusableInput
from crypto.files import UnreadableInput

NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Root")])
KEY = ec.generate_private_key(ec.SECP256R1())
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CERTIFICATE = (x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME)
               .public_key(KEY.public_key()).serial_number(7).not_valid_before(WHEN)
               .not_valid_after(WHEN + dt.timedelta(days=30)).sign(KEY, hashes.SHA256()))
CRL = (x509.CertificateRevocationListBuilder().issuer_name(NAME).last_update(WHEN)
       .next_update(WHEN + dt.timedelta(days=7)).sign(KEY, hashes.SHA256()))
PEM = CERTIFICATE.public_bytes(serialization.Encoding.PEM)
DER = CERTIFICATE.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("data", [
    PEM, DER, b"  \n" + PEM,
    # What `openssl pkcs12 -nokeys` and `openssl x509 -text` put before the block.
    b"Bag Attributes\n    friendlyName: root\nsubject=CN = Example Root\n\n" + PEM,
    b"Certificate:\n    Data:\n        Version: 3 (0x2)\n" + PEM + b"trailing words\n",
], ids=["pem", "der", "pem-leading-space", "pem-bag-attributes", "pem-text-dump"])
def test_pem_der_and_pem_with_leading_text_read_the_same(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "root.crt"
    path.write_bytes(data)
    assert load_certificate(data, "root.crt") == CERTIFICATE
    assert read_certificate_file(path) == CERTIFICATE


@pytest.mark.parametrize(("data", "why"), [
    (b"", "the file is empty"),
    (b"\n  \n", "the file is empty"),
    (b"\x00\x01garbage\xff" * 20, "it is neither PEM text nor a DER structure"),
    (DER[:len(DER) // 2], "it is neither PEM text nor a DER structure"),
    (PEM.replace(b"M", b"!", 3), "its PEM block is damaged"),
    (KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                       serialization.NoEncryption()), "it holds no CERTIFICATE PEM block"),
], ids=["empty", "blank", "garbage", "truncated-der", "damaged-pem", "a-private-key"])
def test_anything_else_is_refused_in_one_sentence(tmp_path: Path, data: bytes,
                                                  why: str) -> None:
    path = tmp_path / "root.crt"
    path.write_bytes(data)
    with pytest.raises(UnusableInput) as raised:
        read_certificate_file(path)
    assert str(raised.value) == f"{path} is not a certificate (PEM or DER): {why}"
    assert raised.value.exit_status == 2 and "-----" not in str(raised.value)


def test_one_certificate_means_one(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="holds 2 certificates; give one certificate per"):
        load_certificate(PEM + PEM, "chain.pem")
    assert load_certificates(PEM + b"\n" + PEM, "chain.pem") == [CERTIFICATE, CERTIFICATE]
    assert load_certificates(DER, "root.der") == [CERTIFICATE]


def test_a_file_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match=r"cannot be read \(No such file"):
        read_certificate_file(tmp_path / "missing.pem")
    with pytest.raises(UnreadableInput, match="Is a directory"):
        read_certificate_file(tmp_path)


def test_a_crl_in_pem_or_der() -> None:
    assert load_crl(CRL.public_bytes(serialization.Encoding.PEM), "r.crl") == CRL
    assert load_crl(CRL.public_bytes(serialization.Encoding.DER), "r.crl") == CRL
    with pytest.raises(UnusableInput, match=r"^r.crl is not a CRL \(PEM or DER\): it holds "
                                            "no X509 CRL PEM block$"):
        load_crl(PEM, "r.crl")
