"""Linting of certificates and CRLs before they are signed (BR 4.3.1.2) and after.

pkilint is the independent linter (CA/B Forum serverauth profiles, the BR CRL profile, the PKIX
issuer/subject chain). Our own checks (``crypto.ownchecks``) cover what pkilint does not, or
does not for a single document; ``lint_for_issuance`` and ``lint_crl_for_issuance`` put both
in one report. Findings and reports are ``crypto.lintreport``; the public names of both
modules are importable from here too.

Anything at WARNING or worse blocks signing; NOTICE and INFO are reported only. pkilint is
imported inside the functions that use it: it takes about 0.3 s to import, and building one
profile's validators takes about 0.14 s more, so those are built once per profile and reused.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

# Re-exported so that callers need only this module for anything about linting.
from crypto.lintreport import BLOCKING_SEVERITIES as BLOCKING_SEVERITIES
from crypto.lintreport import SEVERITIES as SEVERITIES
from crypto.lintreport import LintFinding as LintFinding
from crypto.lintreport import LintReport as LintReport
from crypto.lintreport import Source as Source
from crypto.ownchecks import MAX_SERIAL_OCTETS as MAX_SERIAL_OCTETS
from crypto.ownchecks import MIN_SERIAL as MIN_SERIAL
from crypto.ownchecks import own_certificate_checks as own_certificate_checks
from crypto.ownchecks import own_crl_checks as own_crl_checks
from crypto.ownchecks import signature_algorithm_findings as signature_algorithm_findings

# pkilint CertificateType names. A subordinate operated by the same organisation as the root
# is "internal" in pkilint's terms; BR 7.1.2.6 TLS subordinates without name constraints are
# "unconstrained".
ROOT_CA_TYPE = "ROOT_CA"
TLS_SUBORDINATE_CA_TYPE = "INTERNAL_UNCONSTRAINED_TLS_CA"
TLS_CONSTRAINED_CA_TYPE = "INTERNAL_CONSTRAINED_TLS_CA"
NON_TLS_SUBORDINATE_CA_TYPE = "NON_TLS_CA"
CRL_KINDS = ("CRL", "ARL")
PKIX_ONLY = "PKIX"  # RFC 5280 alone, no CA/Browser Forum profile
# pkilint 0.13's serverauth CertificateType names, listed here so that checking a name does not
# import pkilint; a test compares them with pkilint's own enumeration.
CERTIFICATE_TYPES = (
    "ROOT_CA", "INTERNAL_CROSS_CA", "EXTERNAL_CROSS_CA", "INTERNAL_SUBSCRIBER_ISSUING_CROSS_CA",
    "EXTERNAL_SUBSCRIBER_ISSUING_CROSS_CA", "NON_TLS_CA", "PRECERT_SIGNING_CA",
    "INTERNAL_UNCONSTRAINED_TLS_CA", "INTERNAL_CONSTRAINED_TLS_CA",
    "EXTERNAL_UNCONSTRAINED_TLS_CA", "EXTERNAL_UNCONSTRAINED_EV_TLS_CA",
    "EXTERNAL_CONSTRAINED_TLS_CA", "EXTERNAL_CONSTRAINED_EV_TLS_CA", "DV_FINAL_CERTIFICATE",
    "IV_FINAL_CERTIFICATE", "OV_FINAL_CERTIFICATE", "EV_FINAL_CERTIFICATE", "OCSP_RESPONDER",
    "DV_PRE_CERTIFICATE", "IV_PRE_CERTIFICATE", "OV_PRE_CERTIFICATE", "EV_PRE_CERTIFICATE",
)

_pkilint_lock = threading.Lock()  # validators are reused; one document at a time


# --- pkilint --------------------------------------------------------------------------------


def lint_certificate(cert: x509.Certificate, cert_type: str) -> LintReport:
    """Lint ``cert`` against the BR profile for ``cert_type`` (ValueError when unknown)."""
    if cert_type not in CERTIFICATE_TYPES:
        raise ValueError(f"unknown certificate type {cert_type!r}; use one of "
                         f"{', '.join(CERTIFICATE_TYPES)}")
    from pkilint import loader

    validator, filters = _certificate_linter(cert_type)
    return _validated(validator, loader.load_der_certificate, _der(cert), "certificate",
                      _rfc4514(cert.subject), cert_type, filters)


def lint_pkix_certificate(cert: x509.Certificate) -> LintReport:
    """Lint ``cert`` against RFC 5280 alone, as ``lint_pkix_cert lint`` does (private CAs)."""
    from pkilint import loader

    return _validated(_pkix_linter(), loader.load_der_certificate, _der(cert), "certificate",
                      _rfc4514(cert.subject), PKIX_ONLY)


def lint_crl(crl: x509.CertificateRevocationList, kind: str = "ARL") -> LintReport:
    """Lint ``crl`` with pkilint's BR CRL profile, as ``lint_crl lint -t ARL -p BR`` does."""
    if kind not in CRL_KINDS:
        raise ValueError(f"unknown CRL kind {kind!r}; use one of {', '.join(CRL_KINDS)}")
    from pkilint import loader

    return _validated(_crl_linter(kind), loader.load_der_crl,
                      crl.public_bytes(serialization.Encoding.DER), "crl",
                      _rfc4514(crl.issuer), kind)


def _validated(validator: Any, load: Any, der: bytes, name: str, subject: str, kind: str,
               filters: Any = None) -> LintReport:
    """One document through one pkilint validator (and its finding filters), as a report."""
    with _pkilint_lock:
        try:
            doc = load(der, name)
            results = validator.validate(doc.root)
        except Exception as exc:  # pkilint raises pyasn1 and its own errors; all mean "refuse"
            return LintReport(subject, kind, (_decode_failure(exc),))
        if filters is not None:
            from pkilint import finding_filter

            results, _ = finding_filter.filter_results(filters, results)
    return LintReport(subject, kind, _pkilint_findings(results))


def lint_chain(issuer: x509.Certificate, subject: x509.Certificate) -> LintReport:
    """pkilint's PKIX issuer/subject lint: names, key identifiers, policies, signature."""
    from pkilint import loader

    decoders, issuer_checks, subject_checks = _chain_linter()
    name = _rfc4514(subject.subject)
    with _pkilint_lock:
        try:
            documents: dict[str, Any] = {}
            issuer_doc = loader.load_der_certificate(_der(issuer), "issuer", "issuer", documents)
            subject_doc = loader.load_der_certificate(_der(subject), "subject", "subject",
                                                      documents)
            documents.update(issuer=issuer_doc, subject=subject_doc)
            results = decoders.validate(issuer_doc.root)
            results += decoders.validate(subject_doc.root)
            results += issuer_checks.validate(issuer_doc.root)
            results += subject_checks.validate(subject_doc.root)
        except Exception as exc:  # as in _validated
            return LintReport(name, "chain", (_decode_failure(exc),))
    return LintReport(name, "chain", _pkilint_findings(results))


def _defer_language_tables() -> None:
    """Load ``iso639`` only when a validator first uses it.

    pkilint's serverauth profile imports its ETSI validators, which import ``iso639`` (0.17 s
    of language tables) at module level but use it only to check a QcPDS language code, an
    ETSI qualified-certificate field no CA certificate of ours carries. A stand-in module
    (PEP 562 ``__getattr__``) imports the real one on first attribute use, so ``verify`` and
    issuance do not pay for it. (``importlib.util.LazyLoader`` does not help here: the import
    statement itself reads ``__spec__``, which loads a lazy module at once.)
    """
    import importlib
    import sys
    import types

    if "iso639" in sys.modules:
        return
    stand_in = types.ModuleType("iso639", "stand-in until iso639 is first used")

    def load(name: str) -> Any:
        if sys.modules.get("iso639") is stand_in:
            del sys.modules["iso639"]
        real = importlib.import_module("iso639")
        stand_in.__dict__.update({k: v for k, v in vars(real).items() if not k.startswith("__")})
        return getattr(real, name)

    stand_in.__getattr__ = load  # type: ignore[method-assign]
    sys.modules["iso639"] = stand_in


def warm_up() -> None:
    """Import pkilint and build the profiles issuance and verify use, ahead of first use."""
    for cert_type in (ROOT_CA_TYPE, TLS_SUBORDINATE_CA_TYPE):
        _certificate_linter(cert_type)
    _crl_linter("ARL")


def _share_suffix_list() -> None:
    """Parse the public suffix list once, not once per validator that holds it.

    pkilint's name validators each build their own ``PublicSuffixList`` (about 30 ms of
    parsing each, five per profile). The list is only read after parsing, so one instance can
    serve them all; the stand-in namespace affects pkilint's module alone.
    """
    import types

    import publicsuffixlist
    from pkilint.common import alternative_name

    if isinstance(alternative_name.publicsuffixlist, types.SimpleNamespace):
        return
    shared = functools.cache(publicsuffixlist.PublicSuffixList)
    alternative_name.publicsuffixlist = types.SimpleNamespace(
        PublicSuffixList=lambda **options: shared(**options))


@functools.cache
def _certificate_linter(cert_type: str) -> tuple[Any, Any]:
    _defer_language_tables()
    _share_suffix_list()
    from pkilint.cabf import serverauth
    from pkilint.cabf.serverauth import serverauth_constants
    from pkilint.pkix import certificate

    certificate_type = serverauth_constants.CertificateType[cert_type]
    validator = certificate.create_pkix_certificate_validator_container(
        serverauth.create_decoding_validators(),
        serverauth.create_validators(certificate_type),
    )
    return validator, serverauth.create_serverauth_finding_filters(certificate_type)


@functools.cache
def _pkix_linter() -> Any:
    # The validators of pkilint's lint_pkix_cert command: RFC 5280 and nothing more.
    from pkilint.pkix import certificate, extension, name

    return certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(name.ATTRIBUTE_TYPE_MAPPINGS,
                                               extension.EXTENSION_MAPPINGS),
        [
            certificate.create_issuer_validator_container([]),
            certificate.create_validity_validator_container(),
            certificate.create_subject_validator_container([]),
            certificate.create_extensions_validator_container([]),
            certificate.create_spki_validator_container([]),
        ],
    )


@functools.cache
def _crl_linter(kind: str) -> Any:
    from pkilint import pkix
    from pkilint.cabf import cabf_crl
    from pkilint.pkix import crl, extension, name

    crl_type = crl.CertificateRevocationListType[kind]
    return crl.create_pkix_crl_validator_container(
        [
            pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
            pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS),
        ],
        [
            crl.create_issuer_validator_container([]),
            crl.create_validity_validator_container(
                [cabf_crl.create_validity_period_validator(crl_type)]
            ),
            crl.create_extensions_validator_container([]),
            cabf_crl.CabfCrlReasonCodeAllowlistValidator(crl_type),
        ],
    )


@functools.cache
def _chain_linter() -> tuple[Any, Any, Any]:
    # pkilint keeps these builders in its CLI module; they are its chain-lint API.
    from pkilint.bin import lint_pkix_signer_signee_cert_chain as chain

    return (chain.create_decoder_validation_container(),
            chain.create_issuer_validation_container(),
            chain.create_subject_validation_container())


def _pkilint_findings(results: Iterable[Any]) -> tuple[LintFinding, ...]:
    findings = []
    for result in results:
        for description in result.finding_descriptions:
            severity = description.finding.severity.name
            if severity not in SEVERITIES:  # DEBUG
                continue
            findings.append(LintFinding(
                severity, description.finding.code,
                description.message or f"reported by {result.validator}",
                "pkilint", result.node.path,
            ))
    return tuple(findings)


def _decode_failure(exc: Exception) -> LintFinding:
    return LintFinding("FATAL", "keyceremony.pkilint_cannot_decode",
                       f"pkilint could not decode the document: {exc}", "pkilint")


# --- pkilint and our own checks together ----------------------------------------------------


def lint_for_issuance(cert: x509.Certificate, cert_type: str, issuer_subject_der: bytes,
                      issuer_public_key: PublicKeyTypes, *,
                      issuer_key_identifier: bytes | None = None,
                      check_signature: bool = True) -> LintReport:
    """pkilint's profile lint (``PKIX_ONLY``: RFC 5280 alone) and our own checks of
    ``cert``, in one report."""
    own = own_certificate_checks(cert, issuer_subject_der, issuer_public_key,
                                 issuer_key_identifier=issuer_key_identifier,
                                 check_signature=check_signature)
    report = (lint_pkix_certificate(cert) if cert_type == PKIX_ONLY
              else lint_certificate(cert, cert_type))
    return report.with_findings(own.findings)


def lint_crl_for_issuance(crl: x509.CertificateRevocationList, issuer_subject_der: bytes,
                          issuer_public_key: PublicKeyTypes, kind: str = "ARL", *,
                          issuer_key_identifier: bytes | None = None,
                          check_signature: bool = True) -> LintReport:
    """pkilint's BR CRL lint and our own checks of ``crl``, in one report."""
    own = own_crl_checks(crl, issuer_subject_der, issuer_public_key,
                         issuer_key_identifier=issuer_key_identifier,
                         check_signature=check_signature)
    return lint_crl(crl, kind).with_findings(own.findings)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _rfc4514(name: x509.Name) -> str:
    return name.rfc4514_string()
