"""Subordinate CA profiles: what ``[profile] kind`` of a sign ceremony allows for each purpose.

``tls`` is the BR 7.1.2.6.1 TLS subordinate (no name constraints), ``tls-constrained`` the
technically constrained TLS subordinate of BR 7.1.2.5 (nameConstraints with permitted
dNSNames), ``smime`` an S/MIME subordinate (S/MIME BR 7.1.2.2: emailProtection only),
``code-signing`` a code-signing subordinate (Code Signing BR 7.1.2.2: codeSigning only) and
``private`` a CA of a private PKI judged by RFC 5280 alone (any or no EKU, optional name
constraints, its own policy OIDs, never the CA/Browser Forum's). ``KIND_RULES`` is the table the
checks, the plan parser's defaults and the GUI form all read.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import Enum

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crypto.errors import ProfileError
from crypto.profiles import (
    CABF_POLICIES,
    MAX_PATH_LENGTH,
    OID_PATTERN,
    POLICY_DOMAIN_VALIDATED,
    ROOT_MAX_DAYS,
    check_http_url,
)

CABF_ARC = "2.23.140."
SMIME_POLICY_ARC = "2.23.140.1.5."  # S/MIME BR 7.1.6.1: 2.23.140.1.5.<type>.<generation>
SMIME_MAILBOX_MULTIPURPOSE = "2.23.140.1.5.1.2"
CODE_SIGNING_POLICY = "2.23.140.1.4.1"  # Code Signing BR 7.1.6.1, non-EV

EKU_NAMES: dict[str, x509.ObjectIdentifier] = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "codeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "timeStamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "OCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "anyExtendedKeyUsage": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}
_DNS_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*"
                       r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_ALL_IPV4 = ipaddress.ip_network("0.0.0.0/0")
_ALL_IPV6 = ipaddress.ip_network("::/0")


class SubordinateKind(Enum):
    TLS = "tls"
    TLS_CONSTRAINED = "tls-constrained"
    SMIME = "smime"
    CODE_SIGNING = "code-signing"
    PRIVATE = "private"

    @property
    def lint_kind(self) -> str:
        """The ``crypto.issuance`` kind a certificate of this profile is linted as."""
        return f"{self.value}-subordinate"


class Constraints(Enum):
    """Whether a kind of subordinate has name constraints."""

    REFUSED = "refused"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class KindRules:
    """What one kind of subordinate allows: extended key usages, policies, name constraints."""

    reference: str  # the requirement the kind follows, named in messages
    required_ekus: tuple[str, ...]  # each must be listed
    allowed_ekus: tuple[str, ...] | None  # None: any usage, by name or dotted OID
    default_ekus: tuple[str, ...]
    default_policies: tuple[str, ...]
    policy_arcs: tuple[str, ...]  # a policy under one of these is required; () no such rule
    constraints: Constraints


KIND_RULES: dict[SubordinateKind, KindRules] = {
    SubordinateKind.TLS: KindRules(
        "BR 7.1.2.6.1", ("serverAuth",), ("serverAuth", "clientAuth"),
        ("serverAuth", "clientAuth"), (POLICY_DOMAIN_VALIDATED,), CABF_POLICIES,
        Constraints.REFUSED),
    SubordinateKind.TLS_CONSTRAINED: KindRules(
        "BR 7.1.2.5", ("serverAuth",), ("serverAuth", "clientAuth"),
        ("serverAuth", "clientAuth"), (POLICY_DOMAIN_VALIDATED,), CABF_POLICIES,
        Constraints.REQUIRED),
    SubordinateKind.SMIME: KindRules(
        "S/MIME BR 7.1.2.2", ("emailProtection",), ("emailProtection",), ("emailProtection",),
        (SMIME_MAILBOX_MULTIPURPOSE,), (SMIME_POLICY_ARC,), Constraints.OPTIONAL),
    SubordinateKind.CODE_SIGNING: KindRules(
        "Code Signing BR 7.1.2.2", ("codeSigning",), ("codeSigning",), ("codeSigning",),
        (CODE_SIGNING_POLICY,), (CODE_SIGNING_POLICY,), Constraints.REFUSED),
    SubordinateKind.PRIVATE: KindRules(
        "RFC 5280", (), None, (), (), (), Constraints.OPTIONAL),
}


@dataclass(frozen=True)
class NameConstraintsProfile:
    """Permitted and excluded names of a constrained CA (RFC 5280 4.2.1.10).

    DNS names are lower-case A-labels (``example.com`` allows it and every name below it);
    e-mail entries are domains (``example.com``) or mailboxes (``pki@example.com``). A
    ``tls-constrained`` CA permits no IP address (BR 7.1.2.5.2), so all are excluded.
    """

    permitted_dns: tuple[str, ...] = ()
    excluded_dns: tuple[str, ...] = ()
    permitted_email: tuple[str, ...] = ()

    def validate(self, kind: SubordinateKind) -> None:
        where = "profile"
        for key, names in (("permitted_dns", self.permitted_dns),
                           ("excluded_dns", self.excluded_dns)):
            for name in names:
                if not _DNS_NAME.fullmatch(name):
                    raise ProfileError(f"{where}.{key}: {name!r} is not a DNS name in lower-case "
                                       "A-label form, like \"example.com\"")
            if len(set(names)) != len(names):
                raise ProfileError(f"{where}.{key}: lists a name twice")
        for entry in self.permitted_email:
            _, at, domain = entry.rpartition("@")
            if not _DNS_NAME.fullmatch(domain) or (at and not entry.partition("@")[0]):
                raise ProfileError(f"{where}.permitted_email: {entry!r} is neither a domain "
                                   "nor a mailbox")
        if kind is SubordinateKind.TLS_CONSTRAINED and not self.permitted_dns:
            raise ProfileError(f"{where}.permitted_dns: a tls-constrained CA names at least one "
                               "permitted DNS name (BR 7.1.2.5.2)")
        if not (self.permitted_dns or self.excluded_dns or self.permitted_email):
            raise ProfileError(f"{where}.permitted_dns: name constraints name no name at all")

    def extension(self, kind: SubordinateKind, subject: x509.Name) -> x509.NameConstraints:
        """The extension for a CA named ``subject``. A tls-constrained CA also permits the
        directory names under its own subject's organisation (its RDNs before the common
        name, as encoded), as BR 7.1.2.5.2 asks."""
        permitted: list[x509.GeneralName] = [x509.DNSName(n) for n in self.permitted_dns]
        permitted += [x509.RFC822Name(e) for e in self.permitted_email]
        excluded: list[x509.GeneralName] = [x509.DNSName(n) for n in self.excluded_dns]
        if kind is SubordinateKind.TLS_CONSTRAINED:
            organisation = [rdn for rdn in subject.rdns
                            if not rdn.get_attributes_for_oid(NameOID.COMMON_NAME)]
            if organisation:
                permitted.append(x509.DirectoryName(x509.Name(organisation)))
            excluded += [x509.IPAddress(_ALL_IPV4), x509.IPAddress(_ALL_IPV6)]
        return x509.NameConstraints(permitted_subtrees=permitted or None,
                                    excluded_subtrees=excluded or None)


@dataclass(frozen=True)
class SubordinateProfile:
    """A subordinate CA certificate signed from a CSR; ``kind`` decides what is allowed."""

    validity_days: int
    crl_url: str
    ca_issuers_url: str
    path_length: int | None = 0
    extended_key_usages: tuple[str, ...] = ("serverAuth", "clientAuth")
    policies: tuple[str, ...] = (POLICY_DOMAIN_VALIDATED,)
    ocsp_url: str | None = None
    kind: SubordinateKind = SubordinateKind.TLS
    name_constraints: NameConstraintsProfile | None = None

    @property
    def rules(self) -> KindRules:
        return KIND_RULES[self.kind]

    def validate(self) -> None:
        if self.validity_days < 1:
            raise ProfileError("profile.validity_days: must be at least 1")
        if self.validity_days > ROOT_MAX_DAYS:
            raise ProfileError(f"profile.validity_days: at most {ROOT_MAX_DAYS} days")
        if self.path_length is not None and not 0 <= self.path_length <= MAX_PATH_LENGTH:
            raise ProfileError(f"profile.path_length: must be 0 to {MAX_PATH_LENGTH}, or "
                               "\"unlimited\"")
        check_http_url(self.crl_url, "profile.crl_url")
        check_http_url(self.ca_issuers_url, "profile.ca_issuers_url")
        if self.ocsp_url is not None:
            check_http_url(self.ocsp_url, "profile.ocsp_url")
        self._validate_usages()
        self._validate_policies()
        self._validate_constraints()

    def _validate_usages(self) -> None:
        rules, kind, usages = self.rules, self.kind.value, self.extended_key_usages
        if len(set(usages)) != len(usages):
            raise ProfileError("profile.extended_key_usages: lists a usage twice")
        for name in usages:
            if rules.allowed_ekus is None:
                if name not in EKU_NAMES and not OID_PATTERN.match(name):
                    raise ProfileError(f"profile.extended_key_usages: {name!r} is neither one "
                                       f"of {', '.join(EKU_NAMES)} nor a dotted OID")
            elif name not in rules.allowed_ekus:
                raise ProfileError(f"profile.extended_key_usages: {name!r} is not allowed for "
                                   f"a {kind} subordinate CA ({rules.reference}); use "
                                   f"{' and '.join(rules.allowed_ekus)}")
        for name in rules.required_ekus:
            if name not in usages:
                raise ProfileError(f"profile.extended_key_usages: a {kind} subordinate CA must "
                                   f"include {name} ({rules.reference})")

    def _validate_policies(self) -> None:
        rules, kind = self.rules, self.kind.value
        for oid in self.policies:
            if not OID_PATTERN.match(oid):
                raise ProfileError(f"profile.policies: {oid!r} is not a dotted OID")
        if len(set(self.policies)) != len(self.policies):
            raise ProfileError("profile.policies: lists a policy twice")
        if rules.policy_arcs and not any(oid.startswith(arc) or oid == arc
                                         for oid in self.policies for arc in rules.policy_arcs):
            raise ProfileError(f"profile.policies: a {kind} subordinate CA must include a "
                               f"CA/Browser Forum reserved policy OID "
                               f"({', '.join(rules.policy_arcs)}; {rules.reference})")
        if self.kind is SubordinateKind.PRIVATE:
            for oid in self.policies:
                if oid.startswith(CABF_ARC):
                    raise ProfileError(f"profile.policies: {oid} is a CA/Browser Forum policy; "
                                       "a private CA asserts only its own policy OIDs")

    def _validate_constraints(self) -> None:
        rules, kind = self.rules, self.kind.value
        if self.name_constraints is None:
            if rules.constraints is Constraints.REQUIRED:
                raise ProfileError(f"profile.permitted_dns: a {kind} subordinate CA needs name "
                                   f"constraints ({rules.reference})")
            return
        if rules.constraints is Constraints.REFUSED:
            hint = (" (use kind = \"tls-constrained\")" if self.kind is SubordinateKind.TLS
                    else "")
            raise ProfileError(f"profile.permitted_dns: a {kind} subordinate CA has no name "
                               f"constraints{hint}; remove them")
        self.name_constraints.validate(self.kind)

    @property
    def eku_oids(self) -> tuple[x509.ObjectIdentifier, ...]:
        return tuple(EKU_NAMES[name] if name in EKU_NAMES else x509.ObjectIdentifier(name)
                     for name in self.extended_key_usages)
