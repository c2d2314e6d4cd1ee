"""crypto.lint: pkilint on BR root, TLS subordinate and CRL profiles, plus our own checks.

Certificates and CRLs are built in software with cryptography (software keys are fine here);
bad ones are crafted by re-encoding their DER with asn1crypto and signing it again. The pkilint
command-line tools are the independent oracle for the clean profiles.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
)

from crypto import lint

NOW = datetime.now(UTC).replace(microsecond=0)
PKILINT_BIN = Path(sys.executable).parent
SKI_INFO = "pkix.subject_key_identifier_method_1_identified"
ECDSA_SHA256_DER = bytes.fromhex("300a06082a8648ce3d040302")
ECDSA_SHA256_NULL_DER = bytes.fromhex("300c06082a8648ce3d0403020500")
RSA_SHA256_DER = bytes.fromhex("300d06092a864886f70d01010b0500")
RSA_SHA256_NO_NULL_DER = bytes.fromhex("300b06092a864886f70d01010b")


# --- building test certificates and CRLs ----------------------------------------------------


def ca_name(common_name: str, string_type: _ASN1Type = _ASN1Type.UTF8String) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Trust", _type=string_type),
        x509.NameAttribute(NameOID.COMMON_NAME, "Example " + common_name, _type=string_type),
    ])


def random_serial() -> int:
    # 16 bytes, positive, top bit of the magnitude set so the length is always the same
    return secrets.randbits(127) | (1 << 126)


CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False,
)


def build_root(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
               hash_: hashes.HashAlgorithm, *, serial: int | None = None,
               name: x509.Name | None = None, eku: bool = False) -> x509.Certificate:
    """A BR 7.1.2.1 root: 20 years, BC critical without pathLen, KU critical, SKI, AKI=SKI."""
    name = name or ca_name("Root CA R1")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(serial or random_serial())
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=7300))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False)
    )
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(key, hash_)


def tls_subordinate_builder(issuer: x509.Certificate, public_key: ec.EllipticCurvePublicKey, *,
                            serial: int | None = None,
                            issuer_name: x509.Name | None = None) -> x509.CertificateBuilder:
    """A BR 7.1.2.6.1 TLS subordinate CA, operated by the root's organisation."""
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(ca_name("TLS CA 1")).issuer_name(issuer_name or issuer.subject)
        .public_key(public_key).serial_number(serial or random_serial())
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.AuthorityKeyIdentifier(issuer_ski.digest, None, None),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.CertificatePolicies(
            [x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), None)]),
            critical=False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://pki.example.org/root-r1.crl")],
            None, None, None)]), critical=False)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier("http://pki.example.org/root-r1.der"))]),
            critical=False)
    )


def build_arl(issuer: x509.Certificate, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
              hash_: hashes.HashAlgorithm, *, days: int = 365,
              issuer_name: x509.Name | None = None) -> x509.CertificateRevocationList:
    """A BR 7.2 root CRL: v2, CRL number, AKI keyid, nextUpdate ``days`` on."""
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_name or issuer.subject)
        .last_update(NOW).next_update(NOW + timedelta(days=days))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier(issuer_ski.digest, None, None),
                       critical=False)
        .sign(key, hash_)
    )


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def recraft(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
            hash_: hashes.HashAlgorithm, *,
            tbs_change: Callable[[asn1_x509.TbsCertificate], None] | None = None,
            outer_algorithm: bytes | None = None) -> x509.Certificate:
    """``cert`` with its TBS changed and signed again, and/or another outer algorithm DER."""
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    if tbs_change is not None:
        tbs_change(tbs)
    tbs_der = tbs.dump()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(tbs_der, ec.ECDSA(hash_))
    else:
        signature = key.sign(tbs_der, padding.PKCS1v15(), hash_)
    algorithm = outer_algorithm or parsed["signature_algorithm"].dump()
    der = _tlv(0x30, tbs_der + algorithm + _tlv(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


def codes(report: lint.LintReport, source: str | None = None) -> set[str]:
    return {f.code for f in report.findings if source is None or f.source == source}


def run_pkilint(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PKILINT_BIN / tool), *args], capture_output=True, text=True,
                          timeout=60, check=False)


def write_pem(path: Path, obj: x509.Certificate | x509.CertificateRevocationList) -> Path:
    path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
    return path


# --- keys and good artifacts, made once per module -------------------------------------------


@pytest.fixture(scope="module")
def root_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="module")
def sub_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_root_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 3072)


@pytest.fixture(scope="module")
def root(root_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return build_root(root_key, hashes.SHA384())


@pytest.fixture(scope="module")
def sub(root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey,
        sub_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return tls_subordinate_builder(root, sub_key.public_key()).sign(root_key, hashes.SHA384())


@pytest.fixture(scope="module")
def arl(root: x509.Certificate,
        root_key: ec.EllipticCurvePrivateKey) -> x509.CertificateRevocationList:
    return build_arl(root, root_key, hashes.SHA384())


def root_subject_der(root: x509.Certificate) -> bytes:
    return root.subject.public_bytes()


# --- pkilint: clean profiles ----------------------------------------------------------------


def test_br_root_lints_clean(root: x509.Certificate) -> None:
    report = lint.lint_certificate(root, lint.ROOT_CA_TYPE)
    assert report.ok
    assert report.blocking == ()
    # pkilint notes (INFO) that the SKI is the RFC 5280 method 1 hash; nothing else.
    assert [(f.severity, f.code, f.source) for f in report.findings] == [
        ("INFO", SKI_INFO, "pkilint")]
    assert report.kind == "ROOT_CA"
    assert report.subject == "CN=Example Root CA R1,O=Example Trust,C=DE"


def test_rsa_root_lints_clean(rsa_root_key: rsa.RSAPrivateKey) -> None:
    root = build_root(rsa_root_key, hashes.SHA256())
    report = lint.lint_for_issuance(root, lint.ROOT_CA_TYPE, root.subject.public_bytes(),
                                    rsa_root_key.public_key())
    assert report.ok, report.blocking
    assert codes(report) == {SKI_INFO}


def test_tls_subordinate_lints_clean(sub: x509.Certificate) -> None:
    """Extensions that lint clean for INTERNAL_UNCONSTRAINED_TLS_CA (BR 7.1.2.6.1), in order:
    authorityKeyIdentifier (keyIdentifier only), basicConstraints critical cA pathLen 0,
    certificatePolicies 2.23.140.1.2.1 without qualifiers, cRLDistributionPoints one http URI,
    keyUsage critical digitalSignature+keyCertSign+cRLSign, subjectKeyIdentifier,
    extKeyUsage serverAuth+clientAuth, authorityInfoAccess caIssuers http URI."""
    report = lint.lint_certificate(sub, lint.TLS_SUBORDINATE_CA_TYPE)
    assert report.ok
    assert codes(report) == {SKI_INFO}


def test_tls_subordinate_is_also_clean_for_pkilint_type_detection(sub: x509.Certificate) -> None:
    # pkilint's own detection (-d) picks the same type for this profile.
    from pkilint import loader
    from pkilint.cabf import serverauth

    doc = loader.load_der_certificate(sub.public_bytes(serialization.Encoding.DER), "sub")
    assert serverauth.determine_certificate_type(doc).name == lint.TLS_SUBORDINATE_CA_TYPE


def test_arl_lints_clean(arl: x509.CertificateRevocationList) -> None:
    report = lint.lint_crl(arl)
    assert report.ok
    assert report.findings == ()
    assert report.kind == "ARL"


def test_chain_lints_clean(root: x509.Certificate, sub: x509.Certificate) -> None:
    report = lint.lint_chain(root, sub)
    assert report.ok
    assert report.findings == ()
    assert report.kind == "chain"


@pytest.mark.parametrize("which", ["root", "sub", "arl", "chain"])
def test_pkilint_command_line_agrees(which: str, tmp_path: Path, root: x509.Certificate,
                                     sub: x509.Certificate,
                                     arl: x509.CertificateRevocationList) -> None:
    # Exit status is the number of findings at or above -s: 0 means nothing blocks.
    root_pem, sub_pem = write_pem(tmp_path / "root.pem", root), write_pem(tmp_path / "sub.pem", sub)
    commands = {
        "root": ("lint_cabf_serverauth_cert", "lint", "-s", "WARNING", "-t", "ROOT-CA",
                 str(root_pem)),
        "sub": ("lint_cabf_serverauth_cert", "lint", "-s", "WARNING", "-t",
                "INTERNAL-UNCONSTRAINED-TLS-CA", str(sub_pem)),
        "arl": ("lint_crl", "lint", "-s", "WARNING", "-t", "ARL", "-p", "BR",
                str(write_pem(tmp_path / "root.crl", arl))),
        "chain": ("lint_pkix_signer_signee_cert_chain", "lint", "-s", "WARNING", str(root_pem),
                  str(sub_pem)),
    }
    result = run_pkilint(*commands[which])
    assert result.returncode == 0, result.stdout + result.stderr


# --- pkilint: refusals ----------------------------------------------------------------------


def test_root_with_eku_is_blocked(root_key: ec.EllipticCurvePrivateKey) -> None:
    report = lint.lint_certificate(build_root(root_key, hashes.SHA384(), eku=True),
                                   lint.ROOT_CA_TYPE)
    assert not report.ok
    assert [(f.severity, f.code, f.source) for f in report.blocking] == [
        ("ERROR", "cabf.serverauth.root.extended_key_usage_extension_present", "pkilint")]


def test_subordinate_linted_as_root_is_blocked(sub: x509.Certificate) -> None:
    report = lint.lint_certificate(sub, lint.ROOT_CA_TYPE)
    assert not report.ok
    assert report.blocking and report.kind == "ROOT_CA"


def test_arl_valid_for_more_than_365_days_is_blocked(root: x509.Certificate,
                                                     root_key: ec.EllipticCurvePrivateKey) -> None:
    report = lint.lint_crl(build_arl(root, root_key, hashes.SHA384(), days=366))
    assert [(f.severity, f.code) for f in report.blocking] == [
        ("ERROR", "cabf.arl_invalid_validity_period")]
    assert "366 days" in report.blocking[0].message


def test_chain_with_another_issuer_is_blocked(sub: x509.Certificate) -> None:
    # same issuer name, other key: key identifiers differ and the signature fails
    other_root = build_root(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384())
    report = lint.lint_chain(other_root, sub)
    assert codes(report) == {"pkix.issuer_and_subject_key_identifier_not_equal",
                             "pkix.signature_verification_failed"}
    assert not report.ok


def test_unknown_types_are_value_errors(root: x509.Certificate,
                                        arl: x509.CertificateRevocationList) -> None:
    with pytest.raises(ValueError, match="ROOT_CA"):
        lint.lint_certificate(root, "ROOT-CA-PLEASE")
    with pytest.raises(ValueError, match="ARL"):
        lint.lint_crl(arl, kind="OCSP")


def test_certificate_types_are_pkilints_own() -> None:
    from pkilint.cabf.serverauth import serverauth_constants

    types = lint.CERTIFICATE_TYPES
    assert types == tuple(t.name for t in serverauth_constants.CertificateType)
    assert {lint.ROOT_CA_TYPE, lint.TLS_SUBORDINATE_CA_TYPE,
            lint.NON_TLS_SUBORDINATE_CA_TYPE} <= set(types)


def test_non_tls_subordinate_type_lints(root: x509.Certificate,
                                        root_key: ec.EllipticCurvePrivateKey,
                                        sub_key: ec.EllipticCurvePrivateKey) -> None:
    # A non-TLS CA (BR 7.1.2.3) must not carry serverAuth nor the reserved TLS policy OIDs.
    issuer_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name("Client CA 1")).issuer_name(root.subject)
        .public_key(sub_key.public_key()).serial_number(random_serial())
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.AuthorityKeyIdentifier(issuer_ski.digest, None, None), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.CertificatePolicies(
            [x509.PolicyInformation(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), None)]), False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://pki.example.org/root-r1.crl")],
            None, None, None)]), critical=False)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(sub_key.public_key()), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier("http://pki.example.org/root-r1.der"))]), False)
        .sign(root_key, hashes.SHA384())
    )
    report = lint.lint_certificate(cert, lint.NON_TLS_SUBORDINATE_CA_TYPE)
    assert report.ok, report.blocking
    assert not lint.lint_certificate(cert, lint.TLS_SUBORDINATE_CA_TYPE).ok


# --- our own checks: clean ------------------------------------------------------------------


def root_ski(root: x509.Certificate) -> bytes:
    return root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_own_checks_pass_good_artifacts(root: x509.Certificate, sub: x509.Certificate,
                                        arl: x509.CertificateRevocationList,
                                        root_key: ec.EllipticCurvePrivateKey) -> None:
    issuer = root_subject_der(root), root_key.public_key()
    keyid = root_ski(root)
    assert lint.own_certificate_checks(root, *issuer, issuer_key_identifier=keyid).findings == ()
    assert lint.own_certificate_checks(sub, *issuer, issuer_key_identifier=keyid).findings == ()
    assert lint.own_crl_checks(arl, *issuer, issuer_key_identifier=keyid).findings == ()


def test_issuance_reports_merge_pkilint_and_own_checks(root: x509.Certificate,
                                                       sub: x509.Certificate,
                                                       arl: x509.CertificateRevocationList,
                                                       root_key: ec.EllipticCurvePrivateKey
                                                       ) -> None:
    issuer = root_subject_der(root), root_key.public_key()
    report = lint.lint_for_issuance(sub, lint.TLS_SUBORDINATE_CA_TYPE, *issuer)
    assert report.ok and codes(report) == {SKI_INFO}
    assert report.kind == lint.TLS_SUBORDINATE_CA_TYPE
    crl_report = lint.lint_crl_for_issuance(arl, *issuer)
    assert crl_report.ok and crl_report.findings == ()


# --- our own checks: each fails on a crafted bad certificate ---------------------------------


def test_short_serial_is_an_error(root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey,
                                  sub_key: ec.EllipticCurvePrivateKey) -> None:
    cert = tls_subordinate_builder(root, sub_key.public_key(), serial=1).sign(
        root_key, hashes.SHA384())
    # pkilint alone lets it through
    assert lint.lint_certificate(cert, lint.TLS_SUBORDINATE_CA_TYPE).ok
    report = lint.lint_for_issuance(cert, lint.TLS_SUBORDINATE_CA_TYPE, root_subject_der(root),
                                    root_key.public_key())
    assert not report.ok
    [finding] = report.blocking
    assert (finding.severity, finding.code, finding.source) == (
        "ERROR", "keyceremony.serial_too_short", "keyceremony")


@pytest.mark.parametrize("serial", [(1 << 63) - 1, 0x4000_0000_0000_0000])
def test_serial_just_below_64_bits_is_short(serial: int, root: x509.Certificate,
                                            root_key: ec.EllipticCurvePrivateKey,
                                            sub_key: ec.EllipticCurvePrivateKey) -> None:
    cert = tls_subordinate_builder(root, sub_key.public_key(), serial=serial).sign(
        root_key, hashes.SHA384())
    report = lint.own_certificate_checks(cert, root_subject_der(root), root_key.public_key())
    assert codes(report) == {"keyceremony.serial_too_short"}


@pytest.mark.parametrize("serial", [
    int("80" * 16, 16),  # all bytes equal
    int("8000000000000000000000000000ab", 16),  # mostly zero
    int("78797a7b7c7d7e7f8081828384858687", 16),  # counting up
    int("fffefdfcfbfaf9f8f7f6", 16),  # counting down
])
def test_patterned_serial_is_a_warning(serial: int, root: x509.Certificate,
                                       root_key: ec.EllipticCurvePrivateKey,
                                       sub_key: ec.EllipticCurvePrivateKey) -> None:
    cert = tls_subordinate_builder(root, sub_key.public_key(), serial=serial).sign(
        root_key, hashes.SHA384())
    report = lint.own_certificate_checks(cert, root_subject_der(root), root_key.public_key())
    assert [(f.severity, f.code) for f in report.findings] == [
        ("WARNING", "keyceremony.serial_low_entropy")]
    assert not report.ok  # WARNING blocks


@pytest.mark.filterwarnings("ignore:Parsed a serial number")
@pytest.mark.parametrize(("serial", "code"), [
    (0, "keyceremony.serial_not_positive"),
    (-(1 << 100), "keyceremony.serial_not_positive"),
    (int("8f3a91c2d47be6015a9c3e7d20f8b4a6c51e9d07b2f3", 16), "keyceremony.serial_too_long"),
])
def test_serial_out_of_rfc5280_range_is_an_error(serial: int, code: str, root: x509.Certificate,
                                                 root_key: ec.EllipticCurvePrivateKey,
                                                 sub: x509.Certificate) -> None:
    def change(tbs: asn1_x509.TbsCertificate) -> None:
        tbs["serial_number"] = serial

    cert = recraft(sub, root_key, hashes.SHA384(), tbs_change=change)
    assert cert.serial_number == serial
    report = lint.own_certificate_checks(cert, root_subject_der(root), root_key.public_key())
    assert codes(report) == {code}


def test_p256_issuer_signing_with_sha384_is_an_error(sub_key: ec.EllipticCurvePrivateKey
                                                     ) -> None:
    p256_key = ec.generate_private_key(ec.SECP256R1())
    root = build_root(p256_key, hashes.SHA384())
    # pkilint does not flag the pairing (FIELD-NOTES); our check does.
    assert lint.lint_certificate(root, lint.ROOT_CA_TYPE).ok
    report = lint.lint_for_issuance(root, lint.ROOT_CA_TYPE, root.subject.public_bytes(),
                                    p256_key.public_key())
    [finding] = report.blocking
    assert finding.code == "keyceremony.signature_hash_mismatch"
    assert "ecdsa-with-SHA384" in finding.message and "ecdsa-with-SHA256" in finding.message


@pytest.mark.parametrize(("curve", "hash_"), [
    (ec.SECP256R1(), hashes.SHA256()),
    (ec.SECP384R1(), hashes.SHA384()),
    (ec.SECP521R1(), hashes.SHA512()),
])
def test_each_curve_pairs_with_its_hash(curve: ec.EllipticCurve,
                                        hash_: hashes.HashAlgorithm) -> None:
    key = ec.generate_private_key(curve)
    root = build_root(key, hash_)
    assert lint.own_certificate_checks(root, root.subject.public_bytes(),
                                       key.public_key()).findings == ()
    wrong = hashes.SHA512() if isinstance(hash_, hashes.SHA256) else hashes.SHA256()
    bad = build_root(key, wrong)
    assert codes(lint.own_certificate_checks(bad, bad.subject.public_bytes(),
                                             key.public_key())) == {
        "keyceremony.signature_hash_mismatch"}


@pytest.mark.parametrize("hash_", [hashes.SHA256(), hashes.SHA384(), hashes.SHA512()])
def test_rsa_issuer_signs_with_any_sha2(hash_: hashes.HashAlgorithm,
                                        rsa_root_key: rsa.RSAPrivateKey) -> None:
    root = build_root(rsa_root_key, hash_)
    assert lint.own_certificate_checks(root, root.subject.public_bytes(),
                                       rsa_root_key.public_key()).findings == ()


def test_rsa_pss_signature_is_an_error(rsa_root_key: rsa.RSAPrivateKey) -> None:
    name = ca_name("Root CA R1")
    ski = x509.SubjectKeyIdentifier.from_public_key(rsa_root_key.public_key())
    root = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(rsa_root_key.public_key()).serial_number(random_serial())
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=7300))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True).add_extension(ski, critical=False)
        .sign(rsa_root_key, hashes.SHA256(),
              rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), 32))
    )
    report = lint.own_certificate_checks(root, name.public_bytes(), rsa_root_key.public_key())
    assert codes(report) == {"keyceremony.signature_hash_mismatch"}


def test_issuer_key_outside_the_brs_is_an_error(root: x509.Certificate) -> None:
    report = lint.own_certificate_checks(root, root_subject_der(root),
                                         ed25519.Ed25519PrivateKey.generate().public_key())
    assert "keyceremony.issuer_key_not_allowed" in codes(report)


def test_issuer_name_in_another_string_type_is_an_error(
        root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey,
        sub_key: ec.EllipticCurvePrivateKey) -> None:
    # Same name to a person, other bytes: PrintableString where the root has UTF8String.
    printable = ca_name("Root CA R1", _ASN1Type.PrintableString)
    assert printable.rfc4514_string() == root.subject.rfc4514_string()
    assert printable.public_bytes() != root_subject_der(root)
    cert = tls_subordinate_builder(root, sub_key.public_key(), issuer_name=printable).sign(
        root_key, hashes.SHA384())
    report = lint.lint_for_issuance(cert, lint.TLS_SUBORDINATE_CA_TYPE, root_subject_der(root),
                                    root_key.public_key())
    assert codes(report, "keyceremony") == {"keyceremony.issuer_name_mismatch"}
    assert not report.ok
    # pkilint sees it only when given both certificates, and then only as a NOTICE
    chain = lint.lint_chain(root, cert)
    assert chain.ok and {f.severity for f in chain.findings} == {"NOTICE"}


def test_crl_issuer_name_and_hash_are_checked(root: x509.Certificate,
                                              root_key: ec.EllipticCurvePrivateKey) -> None:
    printable = ca_name("Root CA R1", _ASN1Type.PrintableString)
    crl = build_arl(root, root_key, hashes.SHA256(), issuer_name=printable)
    report = lint.lint_crl_for_issuance(crl, root_subject_der(root), root_key.public_key())
    assert codes(report, "keyceremony") == {"keyceremony.issuer_name_mismatch",
                                            "keyceremony.signature_hash_mismatch"}
    assert not report.ok


def test_authority_key_identifier_must_be_the_issuers(root: x509.Certificate,
                                                     sub: x509.Certificate,
                                                     arl: x509.CertificateRevocationList,
                                                     root_key: ec.EllipticCurvePrivateKey) -> None:
    issuer = root_subject_der(root), root_key.public_key()
    other = bytes(20)
    report = lint.lint_for_issuance(sub, lint.TLS_SUBORDINATE_CA_TYPE, *issuer,
                                    issuer_key_identifier=other)
    assert codes(report, "keyceremony") == {"keyceremony.authority_key_identifier_mismatch"}
    crl_report = lint.lint_crl_for_issuance(arl, *issuer, issuer_key_identifier=other)
    assert codes(crl_report, "keyceremony") == {"keyceremony.authority_key_identifier_mismatch"}
    bare_root = (
        x509.CertificateBuilder().subject_name(root.subject).issuer_name(root.subject)
        .public_key(root_key.public_key()).serial_number(random_serial())
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=7300))
        .sign(root_key, hashes.SHA384())
    )
    assert codes(lint.own_certificate_checks(bare_root, *issuer,
                                             issuer_key_identifier=root_ski(root))) == {
        "keyceremony.authority_key_identifier_missing"}


def test_signature_by_another_key_is_an_error(root: x509.Certificate,
                                              sub_key: ec.EllipticCurvePrivateKey) -> None:
    impostor = ec.generate_private_key(ec.SECP384R1())
    cert = tls_subordinate_builder(root, sub_key.public_key()).sign(impostor, hashes.SHA384())
    report = lint.own_certificate_checks(cert, root_subject_der(root),
                                         root.public_key())
    assert codes(report) == {"keyceremony.signature_invalid"}
    # a to-be-signed certificate made with a throwaway key skips only the signature check
    assert lint.own_certificate_checks(cert, root_subject_der(root), root.public_key(),
                                       check_signature=False).findings == ()


def test_crl_signature_by_another_key_is_an_error(root: x509.Certificate) -> None:
    impostor = ec.generate_private_key(ec.SECP384R1())
    crl = build_arl(root, impostor, hashes.SHA384())
    report = lint.own_crl_checks(crl, root_subject_der(root), root.public_key())
    assert codes(report) == {"keyceremony.signature_invalid"}


def test_rsa_algorithm_without_null_parameter_is_an_error(rsa_root_key: rsa.RSAPrivateKey
                                                          ) -> None:
    root = build_root(rsa_root_key, hashes.SHA256())
    bad = recraft(root, rsa_root_key, hashes.SHA256(), outer_algorithm=RSA_SHA256_NO_NULL_DER)
    report = lint.own_certificate_checks(bad, bad.subject.public_bytes(),
                                         rsa_root_key.public_key())
    assert codes(report) == {"keyceremony.signature_algorithm_mismatch",
                             "keyceremony.signature_algorithm_encoding"}
    [encoding] = [f for f in report.findings if f.code.endswith("_encoding")]
    assert "NULL" in encoding.message and "signatureAlgorithm" in encoding.message


def test_rsa_algorithm_without_null_inside_and_out_is_an_error(rsa_root_key: rsa.RSAPrivateKey
                                                               ) -> None:
    root = build_root(rsa_root_key, hashes.SHA256())

    def drop_null(tbs: asn1_x509.TbsCertificate) -> None:
        tbs["signature"] = asn1_x509.SignedDigestAlgorithm.load(RSA_SHA256_NO_NULL_DER)

    bad = recraft(root, rsa_root_key, hashes.SHA256(), tbs_change=drop_null,
                  outer_algorithm=RSA_SHA256_NO_NULL_DER)
    report = lint.own_certificate_checks(bad, bad.subject.public_bytes(),
                                         rsa_root_key.public_key())
    assert codes(report) == {"keyceremony.signature_algorithm_encoding"}


def test_inner_and_outer_algorithms_must_match(root: x509.Certificate,
                                               root_key: ec.EllipticCurvePrivateKey) -> None:
    # cryptography loads a certificate whose outer algorithm differs from the inner one
    outer = bytes.fromhex("300a06082a8648ce3d040304")  # ecdsa-with-SHA512
    bad = recraft(root, root_key, hashes.SHA384(), outer_algorithm=outer)
    report = lint.own_certificate_checks(bad, root_subject_der(root), root_key.public_key())
    assert "keyceremony.signature_algorithm_mismatch" in codes(report)


def test_ecdsa_with_parameters_is_an_error() -> None:
    # cryptography refuses to load such a certificate, so the DER-level check is used directly
    findings = lint.signature_algorithm_findings(ECDSA_SHA256_NULL_DER, ECDSA_SHA256_NULL_DER)
    assert [(f.severity, f.code) for f in findings] == [
        ("ERROR", "keyceremony.signature_algorithm_encoding")]
    assert "no parameters" in findings[0].message
    assert lint.signature_algorithm_findings(ECDSA_SHA256_DER, ECDSA_SHA256_DER) == ()
    assert lint.signature_algorithm_findings(RSA_SHA256_DER, RSA_SHA256_DER) == ()
    mixed = lint.signature_algorithm_findings(ECDSA_SHA256_DER, ECDSA_SHA256_NULL_DER)
    assert {f.code for f in mixed} == {"keyceremony.signature_algorithm_mismatch",
                                       "keyceremony.signature_algorithm_encoding"}
    assert "inner" in next(f.message for f in mixed if f.code.endswith("_encoding"))


def test_crl_parsed_by_asn1crypto_matches_cryptography(arl: x509.CertificateRevocationList
                                                       ) -> None:
    # The own CRL checks read the DER with asn1crypto; both parsers see the same issuer.
    parsed = asn1_crl.CertificateList.load(arl.public_bytes(serialization.Encoding.DER))
    assert parsed["tbs_cert_list"]["issuer"].dump() == arl.issuer.public_bytes()


# --- the report values ----------------------------------------------------------------------


def test_report_severities_and_dict() -> None:
    findings = tuple(lint.LintFinding(s, f"x.{s.lower()}", "m", "keyceremony", None)
                     for s in lint.SEVERITIES)
    report = lint.LintReport("CN=x", "ROOT_CA", findings)
    assert [f.severity for f in report.blocking] == ["FATAL", "ERROR", "WARNING"]
    assert not report.ok
    quiet = lint.LintReport("CN=x", "ROOT_CA", findings[3:])
    assert quiet.ok and quiet.blocking == ()
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is False and len(data["findings"]) == 5
    assert data["findings"][0] == {"severity": "FATAL", "code": "x.fatal", "message": "m",
                                   "source": "keyceremony", "node_path": None}
    assert str(findings[1]) == "ERROR x.error: m"


def test_pkilint_findings_carry_node_paths(root: x509.Certificate) -> None:
    [finding] = lint.lint_certificate(root, lint.ROOT_CA_TYPE).findings
    assert finding.node_path is not None
    assert finding.node_path.startswith("certificate.tbsCertificate.extensions")


def test_importing_lint_does_not_import_pkilint() -> None:
    # pkilint costs about 0.4 s to import and build; CLI short paths must not pay for it
    code = "import sys, crypto.lint, crypto.csr; print('pkilint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True, cwd=Path(__file__).parents[2])
    assert result.stdout.strip() == "False"
