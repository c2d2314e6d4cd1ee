"""Our checks of what a CA certificate is for, where pkilint 0.13 has no profile that says it.

pkilint's S/MIME linter knows subscriber certificates only, and it has no code-signing linter;
S/MIME and code-signing subordinates are linted by its CA/B Forum serverauth profile for a CA
outside TLS (BR 7.1.2.3, which refuses serverAuth) and by these checks of their own
requirements (S/MIME BR 7.1.2.2, Code Signing BR 7.1.2.2). A private subordinate gets pkilint's
RFC 5280 lint and the check that it claims no CA/Browser Forum policy. Findings have the source
"keyceremony", as ``crypto.ownchecks``' do.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID as Eku

from crypto.lintreport import LintFinding
from crypto.oids import oid_text

_CABF_ARC = "2.23.140."
# (must hold, may also hold, reference) for each purpose-checked lint kind.
_USAGES: dict[str, tuple[x509.ObjectIdentifier, frozenset[x509.ObjectIdentifier], str]] = {
    "smime-subordinate": (Eku.EMAIL_PROTECTION, frozenset(), "S/MIME BR 7.1.2.2"),
    "code-signing-subordinate": (Eku.CODE_SIGNING, frozenset(), "Code Signing BR 7.1.2.2"),
    "ocsp-signer": (Eku.OCSP_SIGNING, frozenset(), "BR 7.1.2.8.2"),
}
_POLICY_ARCS = {
    "smime-subordinate": ("2.23.140.1.5.", "S/MIME BR 7.1.6.1"),
    "code-signing-subordinate": ("2.23.140.1.4.1", "Code Signing BR 7.1.6.1"),
}


def purpose_findings(cert: x509.Certificate, lint_kind: str) -> tuple[LintFinding, ...]:
    """What is wrong with ``cert`` for the purpose its ``lint_kind`` names."""
    findings: list[LintFinding] = []
    if lint_kind in _USAGES:
        findings += _usage_findings(cert, *_USAGES[lint_kind])
    if lint_kind in _POLICY_ARCS:
        findings += _policy_findings(cert, *_POLICY_ARCS[lint_kind])
    if lint_kind == "ocsp-signer" and not _has(cert, x509.OCSPNoCheck):
        findings.append(_finding("ERROR", "keyceremony.ocsp_nocheck_missing",
                                 "a delegated OCSP responder carries id-pkix-ocsp-nocheck "
                                 "(BR 7.1.2.8)"))
    if lint_kind == "private-subordinate":
        findings += [_finding("WARNING", "keyceremony.private_ca_claims_cabf_policy",
                              f"a private CA asserts the CA/Browser Forum policy {oid}")
                     for oid in _policies(cert) if oid.startswith(_CABF_ARC)]
    return tuple(findings)


def _usage_findings(cert: x509.Certificate, required: x509.ObjectIdentifier,
                    allowed: frozenset[x509.ObjectIdentifier],
                    reference: str) -> list[LintFinding]:
    try:
        usages = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return [_finding("ERROR", "keyceremony.extended_key_usage_missing",
                         f"there is no extendedKeyUsage; {reference} requires "
                         f"{oid_text(required)}")]
    findings = []
    if required not in usages:
        findings.append(_finding("ERROR", "keyceremony.extended_key_usage_missing",
                                 f"the extendedKeyUsage lacks {oid_text(required)} ({reference})"))
    for other in sorted(usages - {required} - allowed, key=lambda oid: oid.dotted_string):
        findings.append(_finding("WARNING", "keyceremony.extended_key_usage_not_allowed",
                                 f"the extendedKeyUsage holds {oid_text(other)}, which {reference} "
                                 "does not allow here"))
    return findings


def _has(cert: x509.Certificate, extension: type[x509.ExtensionType]) -> bool:
    try:
        cert.extensions.get_extension_for_class(extension)
    except x509.ExtensionNotFound:
        return False
    return True


def _policies(cert: x509.Certificate) -> list[str]:
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return []
    return [p.policy_identifier.dotted_string for p in policies]


def _policy_findings(cert: x509.Certificate, arc: str, reference: str) -> list[LintFinding]:
    if any(oid.startswith(arc) for oid in _policies(cert)):
        return []
    return [_finding("ERROR", "keyceremony.reserved_policy_missing",
                     f"no certificate policy under {arc} ({reference})")]


def _finding(severity: str, code: str, message: str) -> LintFinding:
    return LintFinding(severity, code, message, "keyceremony")
