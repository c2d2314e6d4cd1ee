"""crypto.csr: reading CSRs and deciding whether one may be signed as a CA.

CSRs are made in software with cryptography (software keys are fine here); the openssl CLI is
the independent oracle for signatures and SPKI hashes. vectors/csr-rsa2048-sha1.pem was made
with ``openssl req -new -sha1 -key <fresh RSA 2048> -subj "/C=DE/O=Example Trust/CN=Example
SHA-1 Request"`` (the key was thrown away).
"""

from __future__ import annotations

import hashlib
import subprocess
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from crypto.csr import CsrSummary, check_csr, load_csr, load_csr_file
from crypto.errors import CsrRejected, UnusableInput

VECTORS = Path(__file__).parent / "vectors"
SigningKey = (ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
              | ed448.Ed448PrivateKey | dsa.DSAPrivateKey)


def attr(oid: x509.ObjectIdentifier, value: str, string_type: _ASN1Type | None = None,
         validate: bool = True) -> x509.NameAttribute:
    """A name attribute; ``validate=False`` lets through what cryptography would refuse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # cryptography warns when not validating
        if string_type is None:
            return x509.NameAttribute(oid, value, _validate=validate)
        return x509.NameAttribute(oid, value, _type=string_type, _validate=validate)


GOOD_SUBJECT = [
    attr(NameOID.COUNTRY_NAME, "DE"),
    attr(NameOID.ORGANIZATION_NAME, "Example Trust"),
    attr(NameOID.COMMON_NAME, "Example TLS CA 1"),
]


def make_csr(key: SigningKey, attributes: list[x509.NameAttribute] | x509.Name | None = None,
             hash_: hashes.HashAlgorithm | None = None,
             extensions: list[tuple[x509.ExtensionType, bool]] = (),  # type: ignore[assignment]
             **sign_options: object) -> x509.CertificateSigningRequest:
    name = attributes if isinstance(attributes, x509.Name) else x509.Name(
        GOOD_SUBJECT if attributes is None else attributes)
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    if hash_ is None and not isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        hash_ = hashes.SHA256()
    return builder.sign(key, hash_, **sign_options)  # type: ignore[arg-type]


def der(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.DER)


def pem(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.PEM)


def openssl_verifies(path: Path, inform: str = "PEM") -> bool:
    # OpenSSL 3.0 exits 0 even on "verify failure", so read what it says
    result = subprocess.run(["openssl", "req", "-verify", "-noout", "-inform", inform,
                             "-in", str(path)],
                            capture_output=True, text=True, timeout=30, check=False)
    said = result.stdout + result.stderr
    assert ("verify OK" in said) != ("verify failure" in said), said
    return "verify OK" in said


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {
        "RSA 2048": rsa.generate_private_key(65537, 2048),
        "RSA 3072": rsa.generate_private_key(65537, 3072),
        "EC P-256": ec.generate_private_key(ec.SECP256R1()),
        "EC P-384": ec.generate_private_key(ec.SECP384R1()),
        "EC P-521": ec.generate_private_key(ec.SECP521R1()),
    }


@pytest.fixture(scope="module")
def p256(keys: dict[str, SigningKey]) -> ec.EllipticCurvePrivateKey:
    key = keys["EC P-256"]
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["PEM", "DER"])
@pytest.mark.parametrize("key_name", ["RSA 2048", "RSA 3072", "EC P-256", "EC P-384", "EC P-521"])
def test_good_csrs_are_accepted(key_name: str, encoding: str, keys: dict[str, SigningKey],
                                tmp_path: Path) -> None:
    key = keys[key_name]
    hash_ = {"EC P-384": hashes.SHA384(), "EC P-521": hashes.SHA512()}.get(key_name,
                                                                          hashes.SHA256())
    csr = make_csr(key, hash_=hash_)
    path = tmp_path / f"request.{encoding.lower()}"
    path.write_bytes(pem(csr) if encoding == "PEM" else der(csr))
    assert openssl_verifies(path, encoding)
    summary = check_csr(load_csr_file(path))
    assert summary == CsrSummary(
        subject="CN=Example TLS CA 1,O=Example Trust,C=DE",
        key_description=key_name,
        spki_sha256=hashlib.sha256(key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ).hexdigest(),
        requested_extensions=(),
    )


def test_spki_hash_matches_openssl(p256: ec.EllipticCurvePrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "request.pem"
    path.write_bytes(pem(make_csr(p256)))
    public_pem = subprocess.run(["openssl", "req", "-in", str(path), "-noout", "-pubkey"],
                                capture_output=True, check=True, timeout=30).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=public_pem,
                          capture_output=True, check=True, timeout=30).stdout
    assert check_csr(load_csr_file(path)).spki_sha256 == hashlib.sha256(spki).hexdigest()


def test_rsa_pss_signed_csr_is_accepted(keys: dict[str, SigningKey]) -> None:
    csr = make_csr(keys["RSA 2048"],
                   rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), 32))
    assert check_csr(csr).key_description == "RSA 2048"


def test_full_ca_subject_in_br_order_is_accepted(p256: ec.EllipticCurvePrivateKey) -> None:
    subject = [
        attr(NameOID.COUNTRY_NAME, "DE"),
        attr(NameOID.STATE_OR_PROVINCE_NAME, "Bayern"),
        attr(NameOID.LOCALITY_NAME, "München"),
        attr(NameOID.POSTAL_CODE, "80331", _ASN1Type.PrintableString),
        attr(NameOID.STREET_ADDRESS, "Marienplatz 1"),
        attr(NameOID.STREET_ADDRESS, "Rathaus"),
        attr(NameOID.ORGANIZATION_NAME, "Example Trust GmbH"),
        attr(NameOID.COMMON_NAME, "Example TLS CA 1"),
    ]
    summary = check_csr(make_csr(p256, subject))
    assert "L=München" in summary.subject


def test_requested_extensions_are_reported_not_refused(p256: ec.EllipticCurvePrivateKey) -> None:
    csr = make_csr(p256, extensions=[
        (x509.BasicConstraints(ca=True, path_length=5), True),
        (x509.KeyUsage(True, True, True, True, True, True, True, False, False), True),
        (x509.SubjectAlternativeName([x509.DNSName("ca.example.org")]), False),
        (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.7"), b"\x05\x00"),
         False),
    ])
    summary = check_csr(csr)
    assert summary.requested_extensions == (
        "basicConstraints", "keyUsage", "subjectAltName", "1.3.6.1.4.1.55555.7")
    assert summary.as_dict()["ignored_extensions"] == list(summary.requested_extensions)


# --- refused: signature and algorithms -------------------------------------------------------


def test_tampered_signature_is_refused(p256: ec.EllipticCurvePrivateKey, tmp_path: Path) -> None:
    data = bytearray(der(make_csr(p256)))
    data[-1] ^= 0x01  # last byte of the signature's s value
    path = tmp_path / "tampered.der"
    path.write_bytes(bytes(data))
    assert not openssl_verifies(path, "DER")
    with pytest.raises(CsrRejected, match="does not verify") as caught:
        check_csr(load_csr_file(path))
    assert caught.value.exit_status == 1


def test_tampered_rsa_signature_is_refused(keys: dict[str, SigningKey]) -> None:
    data = bytearray(der(make_csr(keys["RSA 2048"])))
    data[-10] ^= 0x80
    with pytest.raises(CsrRejected, match="possession"):
        check_csr(load_csr(bytes(data)))


def test_sha1_signed_csr_is_refused() -> None:
    path = VECTORS / "csr-rsa2048-sha1.pem"
    assert openssl_verifies(path)  # a valid signature, an algorithm we do not accept
    with pytest.raises(CsrRejected, match="sha1WithRSAEncryption"):
        check_csr(load_csr_file(path))


@pytest.mark.parametrize(("make_key", "message"), [
    (lambda: rsa.generate_private_key(65537, 1024), "1024 bits"),
    # OpenSSL rounds odd sizes down (2049 gives 2048), so 2050 stands for "not a multiple of 8"
    (lambda: rsa.generate_private_key(65537, 2050), "2050 bits"),
    (lambda: rsa.generate_private_key(3, 2048), "exponent 3"),
    (lambda: ed25519.Ed25519PrivateKey.generate(), "Ed25519"),
    (lambda: ed448.Ed448PrivateKey.generate(), "Ed448"),
    (lambda: dsa.generate_private_key(2048), "DSA"),
    (lambda: ec.generate_private_key(ec.SECP256K1()), "secp256k1"),
    (lambda: ec.generate_private_key(ec.BrainpoolP256R1()), "brainpoolP256r1"),
])
def test_keys_outside_the_brs_are_refused(make_key: object, message: str) -> None:
    key = make_key()  # type: ignore[operator]
    with pytest.raises(CsrRejected, match=message):
        check_csr(make_csr(key))


# --- refused: subject -----------------------------------------------------------------------

C, ST, L, ORG, OU, CN = (NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME,
                         NameOID.LOCALITY_NAME, NameOID.ORGANIZATION_NAME,
                         NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME)


@pytest.mark.parametrize(("subject", "message"), [
    ([attr(C, "DE"), attr(ORG, "Example Trust")], "no commonName"),
    ([attr(C, "DE"), attr(CN, "Example CA")], "no organizationName"),
    ([attr(ORG, "Example Trust"), attr(CN, "Example CA")], "no countryName"),
    ([], "empty"),
    ([attr(C, "usa", validate=False), attr(ORG, "Example Trust"), attr(CN, "Example CA")],
     "'usa' is not a two-letter"),
    ([attr(C, "de"), attr(ORG, "Example Trust"), attr(CN, "Example CA")], "'de'"),
    ([attr(C, "DE", _ASN1Type.UTF8String), attr(ORG, "Example Trust"), attr(CN, "Example CA")],
     "countryName is not encoded as PrintableString"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(OU, "PKI"), attr(CN, "Example CA")],
     "organizationalUnitName"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(ORG, "Other"), attr(CN, "Example CA")],
     "organizationName more than once"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(CN, "A"), attr(CN, "B")],
     "commonName more than once"),
    ([attr(CN, "Example CA"), attr(ORG, "Example Trust"), attr(C, "DE")], "order"),
    ([attr(C, "DE"), attr(L, "Berlin"), attr(ST, "Berlin"), attr(ORG, "Example Trust"),
      attr(CN, "Example CA")], "order"),
    ([attr(C, "DE"), attr(ORG, "Example Trust", _ASN1Type.BMPString), attr(CN, "Example CA")],
     "organizationName is not encoded as PrintableString or UTF8String"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(CN, "C" * 65, validate=False)],
     "65 characters"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(CN, " Example CA")], "white space"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(CN, "", validate=False)], "empty"),
    ([attr(C, "DE"), attr(ORG, "..."), attr(CN, "Example CA")], "no letter"),
    ([attr(C, "DE"), attr(ORG, "Example &amp; Co"), attr(CN, "Example CA")], "HTML entity"),
    ([attr(C, "DE"), attr(ORG, "Example\x00Trust"), attr(CN, "Example CA")],
     "organizationName holds U\\+0000, a control"),
    ([attr(C, "DE"), attr(ORG, "Example Trust"), attr(CN, "Example CA"),
      attr(NameOID.EMAIL_ADDRESS, "pki@example.org")], "emailAddress"),
])
def test_subjects_not_fit_for_a_ca_are_refused(subject: list[x509.NameAttribute], message: str,
                                               p256: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(CsrRejected, match=message):
        check_csr(make_csr(p256, subject))


def test_multi_valued_rdn_is_refused(p256: ec.EllipticCurvePrivateKey) -> None:
    name = x509.Name([
        x509.RelativeDistinguishedName([attr(C, "DE")]),
        x509.RelativeDistinguishedName([attr(ORG, "Example Trust"), attr(CN, "Example CA")]),
    ])
    with pytest.raises(CsrRejected, match="multi-valued"):
        check_csr(make_csr(p256, name))


# One of each class of character that prints nothing or reorders the text around it.
HIDDEN = {
    "escape": "\x1b", "C1 control": "\x9b", "new line": "\n", "bidi override": "\u202e",
    "bidi embedding": "\u202a", "bidi isolate": "\u2066", "isolate end": "\u2069",
    "zero-width space": "\u200b", "soft hyphen": "\u00ad", "line separator": "\u2028",
    "paragraph separator": "\u2029", "no-break space": "\u00a0", "hangul filler": "\u3164",
    "variation selector": "\ufe0f", "private use": "\ue000", "tag": "\U000e0041",
}


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize(("oid", "label"), [(ORG, "organizationName"), (CN, "commonName"),
                                            (L, "localityName")])
def test_subject_values_with_invisible_characters_are_refused_naming_them(
        char: str, oid: x509.ObjectIdentifier, label: str,
        p256: ec.EllipticCurvePrivateKey) -> None:
    values = {ORG: "Example Trust", CN: "Example TLS CA", L: "Berlin"}
    values[oid] = f"Acme{char}Evil Org"
    subject = [attr(C, "DE"), attr(L, values[L]), attr(ORG, values[ORG]),
               attr(CN, values[CN])]
    with pytest.raises(CsrRejected) as refused:
        check_csr(make_csr(p256, subject))
    message = str(refused.value)
    assert f"the CSR's {label} holds U+{ord(char):04X}" in message
    assert message.count(". ") == 0 and "\n" not in message  # one sentence, on one line
    assert char not in message


def test_markup_characters_are_allowed_and_kept_literally(
        p256: ec.EllipticCurvePrivateKey) -> None:
    subject = [attr(C, "US"), attr(ORG, "AT&T <Ops>"), attr(CN, "AT&T <Ops> CA <b>1</b>")]
    summary = check_csr(make_csr(p256, subject))
    parsed = x509.Name(subject)
    assert summary.subject == parsed.rfc4514_string()
    assert "AT&T \\<Ops\\>" in summary.subject  # RFC 4514 escapes < and >, nothing else


# --- unusable input -------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b"\x00\x01garbage bytes", "not a PEM or DER certificate signing request"),
    (b"-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----\n",
     "not a PEM or DER"),
    (b"\x30\x03\x02\x01\x01", "not a PEM or DER"),
])
def test_unreadable_bytes_are_unusable_input(data: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "request.csr"
    path.write_bytes(data)
    with pytest.raises(UnusableInput, match=message) as caught:
        load_csr_file(path)
    assert str(path) in str(caught.value)
    assert caught.value.exit_status == 2


def test_a_certificate_is_not_a_csr(tmp_path: Path) -> None:
    pem_cert = (VECTORS / "csr-rsa2048-sha1.pem").read_bytes().replace(
        b"CERTIFICATE REQUEST", b"CERTIFICATE")
    with pytest.raises(UnusableInput, match="not a PEM or DER"):
        load_csr(pem_cert, "cert.pem")


def test_missing_and_unreadable_files_are_unusable_input(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="cannot be read"):
        load_csr_file(tmp_path / "absent.csr")
    with pytest.raises(UnusableInput, match="cannot be read"):
        load_csr_file(tmp_path)  # a folder


def test_oversized_file_is_unusable_input(tmp_path: Path) -> None:
    path = tmp_path / "huge.csr"
    path.write_bytes(b"0" * ((1 << 20) + 1))
    with pytest.raises(UnusableInput, match="too large"):
        load_csr_file(path)


def test_pem_with_old_label_and_surrounding_text_loads(p256: ec.EllipticCurvePrivateKey) -> None:
    body = pem(make_csr(p256)).replace(b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST")
    assert check_csr(load_csr(b"\n" + body)).key_description == "EC P-256"
