"""The plan format, declared once: every table and key, in the order a plan writes them.

The parser takes its key lists and per-type use from here, ``plan check`` its ranges, the GUI
plan form its fields (label, kind, help, choices, range, which apply), the form's TOML writer its
order, and a test holds docs/plan-format.md's key tables to it. Add a key here first.
"""

from __future__ import annotations

from ceremony.plan.schema.model import Condition, Dependency, Key, Kind, TableSpec, Use
from ceremony.plan.values import (
    PLAN_FORMAT,
    BackupMode,
    CeremonyType,
    CopyCheck,
    PinSource,
    Role,
    SoftwareToken,
)
from crypto.algorithms import KeyAlgorithm
from crypto.profiles import (
    ALLOWED_REASONS,
    CRL_MAX_DAYS,
    MAX_PATH_LENGTH,
    OCSP_SIGNER_MAX_DAYS,
    POLICY_DOMAIN_VALIDATED,
    ROOT_MAX_DAYS,
    ROOT_MIN_DAYS,
)
from crypto.sharescheme import MAX_SHARES
from crypto.subordinates import EKU_NAMES, KIND_RULES, SubordinateKind

T = CeremonyType
REQ, OPT, DEP, REFUSED = Use.REQUIRED, Use.OPTIONAL, Use.DEPENDS, Use.REFUSED
ALL_TYPES = tuple(CeremonyType)
NEW_KEY = (T.ROOT, T.INTERMEDIATE_KEY)  # the ceremonies that make a CA key
# The ceremonies that sign with an existing CA key, whose PIN may be rebuilt from shares.
SIGNING_WITH_TOKEN = (T.SIGN, T.CRL, T.CROSS_CERTIFICATE, T.ROOT_RENEWAL, T.OCSP_SIGNER)
_ALGORITHMS = tuple(a.value for a in KeyAlgorithm)


def _values(enum: type[CeremonyType | Role | PinSource | SoftwareToken | BackupMode | CopyCheck
                       | SubordinateKind]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


TOP = TableSpec("", "The ceremony", (
    Key("format", Kind.CHOICE, "Plan format", "names this format", choices=(PLAN_FORMAT,)),
    Key("type", Kind.CHOICE, "Ceremony type", "which ceremony the plan is for",
        choices=_values(CeremonyType)),
    Key("id", Kind.TEXT, "Ceremony id", "names the ceremony and its folder: letters, digits, "
        "'.', '_' or '-'", example="root-r1"),
    Key("title", Kind.TEXT, "Title", "what the ceremony is for, in words",
        example="Example Root CA R1: root key generation"),
    Key("rehearsal", Kind.FLAG, "This is a rehearsal (its transcript and artifacts say so)",
        "marks the run, its transcript and artifacts as a rehearsal", start=False),
    Key("location", Kind.TEXT, "Location", "where the ceremony takes place (optional)",
        use=OPT, default="", example="Vault room 2, Example Trust B.V."),
), {t: REQ for t in ALL_TYPES})

PARTICIPANT = TableSpec("participant", "People", (
    Key("name", Kind.TEXT, "Name", "the person's name, unique in the plan", example="Alice"),
    Key("role", Kind.CHOICE, "Role", "what the person does", choices=_values(Role),
        start=Role.CUSTODIAN.value),
), {t: REQ for t in ALL_TYPES}, array=True)


def _token(name: str, uses: dict[CeremonyType, Use]) -> TableSpec:
    return TableSpec(name, "The token", (
        Key("uri", Kind.TEXT, "PKCS#11 URI", "instead of label and module: pkcs11:token=LABEL;"
            "serial=...?module-path=... (RFC 7512)", use=OPT),
        Key("module", Kind.PATH, "PKCS#11 module", "the HSM's module; a real ceremony must name "
            "it (empty: $KEYCEREMONY_PKCS11_MODULE or SoftHSM)", use=OPT,
            example="/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so"),
        Key("label", Kind.TEXT, "Token label", "the label of an initialised token (at most 32 "
            "bytes); empty with a URI", unless="uri", example="root-r1"),
        Key("serial", Kind.TEXT, "Serial number", "optional: the token must report this serial "
            "number", use=OPT),
        Key("pin", Kind.CHOICE, "PIN comes from", "typed: the administrator types it; shares: "
            "a quorum of custodians rebuilds it", use=OPT, choices=_values(PinSource),
            default=PinSource.TYPED.value),
        Key("software_token", Kind.CHOICE, "Software token (SoftHSM)", "accepted: a real "
            "ceremony may run on a software token or the default module, journaled as a "
            "deviation", use=OPT, choices=_values(SoftwareToken),
            default=SoftwareToken.REFUSED.value),
    ), uses)


KEY = TableSpec("key", "The key", (
    Key("label", Kind.TEXT, "Key label", "the key's label in the token",
        per_type={T.RESHARE: REFUSED}, example="root-key"),
    Key("algorithm", Kind.CHOICE, "Algorithm", "the key's algorithm", choices=_ALGORITHMS,
        per_type={T.RESHARE: REFUSED}, start=KeyAlgorithm.EC_P384.value),
    Key("backup", Kind.CHOICE, "Backup", "wrapped: back the key up under a wrap key split "
        "among custodians; none: it never leaves the token", choices=_values(BackupMode),
        per_type={T.RESTORE: REFUSED, T.RESHARE: REFUSED}, start=BackupMode.WRAPPED.value),
    Key("certificate", Kind.PATH, "The key's CA certificate", "optional: the transcript signer "
        "is then issued under its name, and auditors can verify by its fingerprint",
        use=REFUSED, per_type={T.RESTORE: OPT, T.RESHARE: OPT}),
), {T.ROOT: REQ, T.INTERMEDIATE_KEY: REQ, T.RESTORE: REQ, T.RESHARE: OPT})


def _shares(name: str, uses: dict[CeremonyType, Use], *, new_only: bool) -> TableSpec:
    # A new set's check value is recorded at its split; an existing set's copies are not
    # checked again. Without a type, a check value is read but not required.
    existing: dict[CeremonyType, Use] = (
        {} if new_only else {**dict.fromkeys(ALL_TYPES, REQ), **dict.fromkeys(NEW_KEY, REFUSED)})
    copy_check: dict[CeremonyType, Use] = {} if new_only else dict.fromkeys(NEW_KEY, OPT)
    return TableSpec(name, "The share set", (
        Key("threshold", Kind.INTEGER, "Shares needed (threshold)", "how many shares rebuild "
            "the secret", unless="group", minimum=1, maximum=MAX_SHARES, start=1),
        Key("holders", Kind.NAMES, "Holders (custodians)", "tick the custodians who hold a "
            "share", unless="group", minimum=1, maximum=MAX_SHARES),
        Key("group_threshold", Kind.INTEGER, "Groups needed", "with groups: how many groups "
            "must each reach their threshold", unless="threshold", minimum=1,
            maximum=MAX_SHARES),
        Key("group", Kind.TABLES, "Groups", "share groups, instead of threshold and holders",
            use=OPT),
        Key("passphrase", Kind.FLAG, "The custodians agree a passphrase, typed at run time",
            "a SLIP-39 passphrase the custodians type at run time", use=OPT, default=False),
        Key("check_value", Kind.TEXT, "Check value", "the 16 hex digits recorded when the set "
            "was split", use=REFUSED if new_only else OPT, per_type=existing,
            example="0123456789abcdef"),
        Key("copy_check", Kind.CHOICE, "Copy check at hand-out", "whole: each custodian types "
            "their whole share back (four letters a word); sampled: three words at random",
            use=OPT if new_only else REFUSED, per_type=copy_check, choices=_values(CopyCheck),
            default=CopyCheck.WHOLE.value),
        Key("print_cards", Kind.FLAG, "The hand-out may print each share as a card on the "
            "room's printer", "off by default: the printer and its spool may keep a copy of "
            "the share", use=OPT if new_only else REFUSED, per_type=copy_check, default=False),
    ), uses)


def _group(name: str) -> TableSpec:
    return TableSpec(f"{name}.group", "A share group", (
        Key("threshold", Kind.INTEGER, "Shares needed", "shares of this group needed",
            minimum=1, maximum=MAX_SHARES),
        Key("holders", Kind.NAMES, "Holders", "this group's custodians", minimum=1,
            maximum=MAX_SHARES),
    ), array=True)


ISSUER = TableSpec("issuer", "The issuing CA", (
    Key("certificate", Kind.PATH, "Issuer certificate", "the issuer's CA certificate (PEM or "
        "DER)", example="root.pem"),
    Key("key_label", Kind.TEXT, "Issuer key label", "the label of its key in the token",
        example="root-key"),
), {**dict.fromkeys(SIGNING_WITH_TOKEN, REQ), T.RETIRE: REQ, T.DRILL: OPT})

CERTIFICATE = TableSpec("certificate", "The certificate's subject", (
    Key("country", Kind.TEXT, "Country", "two capital letters, like NL", example="NL"),
    Key("organization", Kind.TEXT, "Organization", "the organisation's name",
        example="Example Trust B.V."),
    Key("common_name", Kind.TEXT, "Common name", "the CA's name", example="Example Root CA R1"),
    Key("validity_days", Kind.INTEGER, "Validity (days)", "8 to 25 years",
        use=OPT, per_type={T.ROOT: REQ, T.INTERMEDIATE_KEY: REFUSED}, minimum=ROOT_MIN_DAYS,
        maximum=ROOT_MAX_DAYS,
        start=9131),
), {T.ROOT: REQ, T.INTERMEDIATE_KEY: REQ})

CRL = TableSpec("crl", "The CRL", (
    Key("next_update_days", Kind.INTEGER, "Next update after (days)", "days from thisUpdate "
        "to nextUpdate", use=OPT, minimum=1, maximum=CRL_MAX_DAYS, default=CRL_MAX_DAYS),
    Key("previous", Kind.PATH, "Previous CRL", "the CRL this one replaces; its entries are "
        "carried over (optional)", use=OPT, per_type={T.ROOT: REFUSED}),
    Key("revoke", Kind.TABLES, "Certificates to revoke", "the certificates this CRL revokes",
        use=OPT, per_type={T.ROOT: REFUSED}),
), {T.ROOT: OPT, T.CRL: REQ})

REVOKE = TableSpec("crl.revoke", "A revocation", (
    Key("serial", Kind.TEXT, "Serial number", "the certificate's serial number in hex",
        example="4e3a0f1c"),
    Key("reason", Kind.CHOICE, "Reason", "the revocation reason (BR 7.2.2)",
        choices=tuple(ALLOWED_REASONS), start="cessationOfOperation"),
    Key("certificate", Kind.PATH, "Certificate", "the certificate revoked (optional)", use=OPT),
), array=True)

CSR = TableSpec("csr", "The CSR", (
    Key("file", Kind.PATH, "CSR file", "the CSR the operator brought (PEM or DER)",
        example="requests/issuing-ca.csr"),
), {T.SIGN: REQ})

CROSS = TableSpec("cross", "The CA to cross-sign", (
    Key("certificate", Kind.PATH, "Its own certificate", "the CA's self-signed certificate; "
        "its subject and key identifier are repeated exactly", use=OPT),
    Key("csr", Kind.PATH, "Or its CSR", "instead of the certificate", use=OPT),
), {T.CROSS_CERTIFICATE: REQ})

PROFILE = TableSpec("profile", "The subordinate CA certificate", (
    Key("kind", Kind.CHOICE, "Kind", "tls, tls-constrained (name-constrained), smime, "
        "code-signing, or private (RFC 5280 only)", use=OPT, choices=_values(SubordinateKind),
        default=SubordinateKind.TLS.value),
    Key("validity_days", Kind.INTEGER, "Validity (days)", "must end before the issuer expires",
        minimum=1, maximum=ROOT_MAX_DAYS, start=1826),
    Key("path_length", Kind.INTEGER, "Path length", "CAs allowed below it", use=OPT, minimum=0,
        maximum=MAX_PATH_LENGTH, unlimited="unlimited", default=0),
    Key("crl_url", Kind.TEXT, "CRL URL", "cRLDistributionPoints: plain http://",
        example="http://crl.example.com/root-r1.crl"),
    Key("ca_issuers_url", Kind.TEXT, "CA issuers URL", "authorityInformationAccess caIssuers: "
        "plain http://", example="http://crt.example.com/root-r1.crt"),
    Key("ocsp_url", Kind.TEXT, "OCSP URL", "http://… (optional)", use=OPT),
    Key("extended_key_usages", Kind.TEXTS, "Extended key usages", "as the kind allows", use=OPT,
        choices=tuple(EKU_NAMES), default="the kind's",
        start=tuple(KIND_RULES[SubordinateKind.TLS].default_ekus)),
    Key("policies", Kind.TEXTS, "Policies", "dotted OIDs, separated by commas", use=OPT,
        default="the kind's", start=(POLICY_DOMAIN_VALIDATED,)),
    Key("permitted_dns", Kind.TEXTS, "Permitted DNS names", "name constraints (tls-constrained "
        "needs them), separated by commas", use=OPT),
    Key("excluded_dns", Kind.TEXTS, "Excluded DNS names", "name constraints, separated by "
        "commas (optional)", use=OPT),
    Key("permitted_email", Kind.TEXTS, "Permitted e-mail domains", "name constraints, "
        "separated by commas (optional)", use=OPT),
), {T.SIGN: REQ, T.CROSS_CERTIFICATE: REQ})

RENEWAL = TableSpec("renewal", "The renewed root certificate", (
    Key("validity_days", Kind.INTEGER, "Validity (days)", "8 to 25 years, from the ceremony "
        "day", minimum=ROOT_MIN_DAYS, maximum=ROOT_MAX_DAYS, start=9131),
), {T.ROOT_RENEWAL: REQ})

RESPONDER = TableSpec("responder", "The OCSP responder certificate", (
    Key("validity_days", Kind.INTEGER, "Validity (days)", "short: it carries "
        "id-pkix-ocsp-nocheck", use=OPT, minimum=1, maximum=OCSP_SIGNER_MAX_DAYS,
        default=OCSP_SIGNER_MAX_DAYS),
    Key("csr", Kind.PATH, "Responder's CSR", "either a CSR, or the four fields below to make "
        "the key here", use=OPT),
    Key("token", Kind.TEXT, "Responder's token", "the label of the responder's own token, "
        "where its key is made", use=OPT, example="ocsp-r1"),
    Key("key_label", Kind.TEXT, "Responder key label", "the label of the key made there",
        use=OPT, example="ocsp-key"),
    Key("algorithm", Kind.CHOICE, "Responder key algorithm", "empty with a CSR", use=OPT,
        choices=_ALGORITHMS, example=KeyAlgorithm.EC_P256.value),
    Key("common_name", Kind.TEXT, "Responder common name", "after the issuer's country and "
        "organisation", use=OPT, example="Example Root CA R1 OCSP Responder 1"),
), {T.OCSP_SIGNER: REQ})

RETIRE = TableSpec("retire", "The retirement", (
    Key("reason", Kind.TEXT, "Reason", "why the key is destroyed",
        example="superseded by Example Root CA R2"),
    Key("shares_destroyed", Kind.FLAG, "The custodians destroy their share copies too (each "
        "confirms)", "the custodians destroy their share copies", use=OPT, default=False),
), {T.RETIRE: REQ})

BACKUP = TableSpec("backup", "The backup", (
    Key("folder", Kind.FOLDER, "Copy the backup to", "a folder on removable media (optional)",
        use=OPT, per_type={T.RESTORE: REFUSED, T.RETIRE: REFUSED}),
    Key("file", Kind.PATH, "Backup file", "the backup's .json file; its .wrapped file lies "
        "beside it", use=OPT, per_type={**dict.fromkeys(NEW_KEY, REFUSED), T.RESTORE: REQ,
                                      T.RESHARE: REQ, T.RETIRE: REQ},
        example="backup/root-key.json"),
), {T.ROOT: DEP, T.INTERMEDIATE_KEY: DEP, T.RESTORE: REQ, T.RESHARE: REQ, T.RETIRE: OPT})

SHARES = _shares("shares", {**dict.fromkeys(ALL_TYPES, DEP), T.RESTORE: REQ, T.RESHARE: REQ,
                            T.DRILL: REQ}, new_only=False)
NEW_SHARES = _shares("new_shares", {T.RESHARE: REQ}, new_only=True)

# Every table in the order a plan writes them; arrays of tables follow their parent.
SCHEMA: tuple[TableSpec, ...] = (
    TOP, PARTICIPANT,
    _token("token", {**dict.fromkeys(ALL_TYPES, REQ), T.RESTORE: REFUSED, T.DRILL: OPT}),
    _token("new_token", {T.RESTORE: REQ}),
    KEY, SHARES, _group("shares"), NEW_SHARES, _group("new_shares"), CERTIFICATE, CRL, REVOKE,
    CSR, PROFILE, ISSUER, BACKUP, CROSS, RENEWAL, RESPONDER, RETIRE,
)

# Tables whose use depends on another key's value, in the types named.
DEPENDENCIES: tuple[Dependency, ...] = (
    Dependency("shares", NEW_KEY, (Condition("key.backup", BackupMode.WRAPPED.value),)),
    Dependency("backup", NEW_KEY, (Condition("key.backup", BackupMode.WRAPPED.value),), use=OPT),
    Dependency("shares", SIGNING_WITH_TOKEN, (Condition("token.pin", PinSource.SHARES.value),)),
    Dependency("shares", (T.RETIRE,), (Condition("token.pin", PinSource.SHARES.value),
                                       Condition("retire.shares_destroyed", True))),
)
# Optional tables a type takes together or not at all: a drill's transcript is signed by the
# root when the plan names its token and issuer.
TOGETHER: dict[CeremonyType, tuple[str, ...]] = {T.DRILL: ("token", "issuer")}
