"""Which fields the plan form shows for each ceremony type (no Qt).

Each field is named by the key path it writes in the plan (``shares.threshold``,
``crl.revoke``), the same path ``plan check`` puts in front of a problem, so a problem finds
its field. Which tables a type uses follows docs/plan-format.md; values are checked by the
plan parser and ``plan check``, not here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from ceremony.plan import BackupMode, CeremonyType, CopyCheck, PinSource, Role, SoftwareToken
from crypto.algorithms import KeyAlgorithm
from crypto.profiles import (
    ALLOWED_REASONS,
    CRL_MAX_DAYS,
    OCSP_SIGNER_MAX_DAYS,
    ROOT_MAX_DAYS,
    ROOT_MIN_DAYS,
)
from crypto.sharescheme import MAX_SHARES
from crypto.subordinates import EKU_NAMES, SubordinateKind

MAX_PATH_LENGTH = 8
EXTENDED_KEY_USAGES = tuple(EKU_NAMES)
SUBORDINATE_KINDS = tuple(kind.value for kind in SubordinateKind)
UNLIMITED = "unlimited"


class FieldKind(Enum):
    """What kind of value a field holds, and so which editor shows it."""

    TEXT = "text"
    INTEGER = "integer"
    CHOICE = "choice"  # one of ``choices``
    FLAG = "flag"
    FILE = "file"  # a path to an existing file
    FOLDER = "folder"  # a path to a folder
    HOLDERS = "holders"  # custodians, ticked from the participants
    OPTIONS = "options"  # any of ``choices``
    TEXTS = "texts"  # a list of short strings, typed separated by commas
    PARTICIPANTS = "participants"  # rows of name and role
    REVOCATIONS = "revocations"  # rows of serial, reason and certificate


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form: the plan key it writes and how it is edited."""

    path: str  # the key path in the plan, e.g. "shares.threshold"
    label: str
    kind: FieldKind
    hint: str = ""
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0
    optional: bool = False  # left out of the plan while empty
    unlimited: str = ""  # INTEGER: the word the plan uses for "no limit", shown below minimum
    written: bool = True  # False: a choice of the form's own that is not a plan key
    default: str = ""  # CHOICE: the value the plan means by leaving the key out (not written)

    @property
    def table(self) -> str:
        """The table the field's key is in ("" for the top level)."""
        return self.path.rpartition(".")[0]

    @property
    def key(self) -> str:
        return self.path.rpartition(".")[2]


@dataclass(frozen=True)
class Section:
    """A group of fields, one plan table (or the plan's top level when ``table`` is "")."""

    table: str
    title: str
    fields: tuple[FieldSpec, ...]
    note: str = ""


_TEXT, _INTEGER, _CHOICE, _FLAG = (FieldKind.TEXT, FieldKind.INTEGER, FieldKind.CHOICE,
                                   FieldKind.FLAG)
_ROLES = tuple(role.value for role in Role)
_PINS = tuple(pin.value for pin in PinSource)
_ALGORITHMS = tuple(algorithm.value for algorithm in KeyAlgorithm)
_BACKUPS = tuple(mode.value for mode in BackupMode)
_SOFTWARE = tuple(use.value for use in SoftwareToken)
_COPY_CHECKS = tuple(mode.value for mode in CopyCheck)
# Ceremonies that sign with an existing CA key in [token], named by [issuer].
SIGNING_WITH_TOKEN = (CeremonyType.SIGN, CeremonyType.CRL, CeremonyType.CROSS_CERTIFICATE,
                      CeremonyType.ROOT_RENEWAL, CeremonyType.OCSP_SIGNER)


def _top(ceremony: CeremonyType) -> Section:
    fields = [
        FieldSpec("id", "Ceremony id", _TEXT, "names the ceremony and its folder: letters, "
                                              "digits, '.', '_' or '-'"),
        FieldSpec("title", "Title", _TEXT, "what the ceremony is for, in words"),
        FieldSpec("rehearsal", "This is a rehearsal (its transcript and artifacts say so)",
                  _FLAG),
        FieldSpec("location", "Location", _TEXT, "where the ceremony takes place (optional)",
                  optional=True),
    ]
    if ceremony is CeremonyType.DRILL:
        fields.append(FieldSpec("signed_by_root", "Sign the transcript with the root's key "
                                                  "(names its token and certificate)", _FLAG,
                                written=False))
    return Section("", "The ceremony", tuple(fields))


_PEOPLE = Section("participant", "People", (
    FieldSpec("participant", "Participants", FieldKind.PARTICIPANTS, choices=_ROLES),),
    note="Every ceremony needs an administrator and a witness or auditor; a sign ceremony "
         "an operator; every share holder is a custodian.")


def _token(table: str, title: str) -> Section:
    return Section(table, title, (
        FieldSpec(f"{table}.label", "Token label", _TEXT, "the label of an initialised token "
                                                          "(at most 32 bytes); empty with a "
                                                          "URI", optional=True),
        FieldSpec(f"{table}.uri", "PKCS#11 URI", _TEXT, "instead of label and module: "
                  "pkcs11:token=LABEL;serial=...?module-path=... (RFC 7512)", optional=True),
        FieldSpec(f"{table}.serial", "Serial number", _TEXT, "optional: the token must report "
                  "this serial number", optional=True),
        FieldSpec(f"{table}.pin", "PIN comes from", _CHOICE, "typed: the administrator types "
                  "it; shares: a quorum of custodians rebuilds it", choices=_PINS),
        FieldSpec(f"{table}.module", "PKCS#11 module", FieldKind.FILE,
                  "the HSM's module; a real ceremony must name it (empty: "
                  "$KEYCEREMONY_PKCS11_MODULE or SoftHSM)", optional=True),
        FieldSpec(f"{table}.software_token", "Software token (SoftHSM)", _CHOICE,
                  "accepted: a real ceremony may run on a software token or the default "
                  "module, journaled as a deviation", choices=_SOFTWARE,
                  default=SoftwareToken.REFUSED.value),
    ))


_KEY_CERTIFICATE = FieldSpec(
    "key.certificate", "The key's CA certificate", FieldKind.FILE, "optional: the transcript "
    "signer is then issued under its name, and auditors can verify by its fingerprint",
    optional=True)


def _key(ceremony: CeremonyType) -> Section:
    if ceremony is CeremonyType.RESHARE:
        return Section("key", "The key's certificate", (_KEY_CERTIFICATE,),
                       note="The backup names the key; its certificate must certify that key.")
    fields = [FieldSpec("key.label", "Key label", _TEXT, "the key's label in the token"),
              FieldSpec("key.algorithm", "Algorithm", _CHOICE, choices=_ALGORITHMS)]
    if ceremony is CeremonyType.RESTORE:
        return Section("key", "The key in the backup", (*fields, _KEY_CERTIFICATE),
                       note="Label and algorithm must match the backup's metadata, and the "
                            "certificate must certify its key.")
    fields.append(FieldSpec("key.backup", "Backup", _CHOICE, "wrapped: back the key up under a "
                            "wrap key split among custodians; none: it never leaves the token",
                            choices=_BACKUPS))
    return Section("key", "The new key", tuple(fields))


def _shares(table: str, title: str, *, existing: bool) -> Section:
    fields = [
        FieldSpec(f"{table}.threshold", "Shares needed (threshold)", _INTEGER,
                  minimum=1, maximum=MAX_SHARES),
        FieldSpec(f"{table}.holders", "Holders (custodians)", FieldKind.HOLDERS,
                  "tick the custodians who hold a share"),
        FieldSpec(f"{table}.passphrase", "The custodians agree a passphrase, typed at run time",
                  _FLAG),
    ]
    if existing:
        fields.append(FieldSpec(f"{table}.check_value", "Check value", _TEXT,
                                "the 16 hex digits recorded when the set was split"))
    else:
        fields.append(FieldSpec(f"{table}.copy_check", "Copy check at hand-out", _CHOICE,
                                "whole: each custodian types their whole share back (four "
                                "letters a word); sampled: three words at random",
                                choices=_COPY_CHECKS))
        fields.append(FieldSpec(f"{table}.print_cards", "The hand-out may print each share as a "
                                "card on the room's printer", _FLAG,
                                "off by default: the printer and its spool may keep a copy"))
    return Section(table, title, tuple(fields))


def _certificate(ceremony: CeremonyType) -> Section:
    fields = [
        FieldSpec("certificate.country", "Country", _TEXT, "two capital letters, like NL"),
        FieldSpec("certificate.organization", "Organization", _TEXT),
        FieldSpec("certificate.common_name", "Common name", _TEXT),
    ]
    if ceremony is CeremonyType.ROOT:
        fields.append(FieldSpec("certificate.validity_days", "Validity (days)", _INTEGER,
                                "8 to 25 years", minimum=ROOT_MIN_DAYS, maximum=ROOT_MAX_DAYS))
        return Section("certificate", "The root certificate", tuple(fields))
    return Section("certificate", "The CSR's subject", tuple(fields),
                   note="The sign ceremony's profile decides the certificate's validity.")


def _crl(ceremony: CeremonyType) -> Section:
    fields = [FieldSpec("crl.next_update_days", "Next update after (days)", _INTEGER,
                        minimum=1, maximum=CRL_MAX_DAYS)]
    if ceremony is CeremonyType.ROOT:
        return Section("crl", "The first CRL", tuple(fields))
    fields += [
        FieldSpec("crl.previous", "Previous CRL", FieldKind.FILE, "the CRL this one replaces; "
                  "its entries are carried over (optional)", optional=True),
        FieldSpec("crl.revoke", "Certificates to revoke", FieldKind.REVOCATIONS,
                  choices=tuple(ALLOWED_REASONS)),
    ]
    return Section("crl", "The CRL", tuple(fields))


_CSR = Section("csr", "The CSR", (
    FieldSpec("csr.file", "CSR file", FieldKind.FILE, "the CSR the operator brought (PEM or "
                                                      "DER)"),))
_ISSUER = Section("issuer", "The issuing CA", (
    FieldSpec("issuer.certificate", "Issuer certificate", FieldKind.FILE),
    FieldSpec("issuer.key_label", "Issuer key label", _TEXT, "the label of its key in the "
                                                             "token"),
))
_PROFILE = Section("profile", "The subordinate CA certificate", (
    FieldSpec("profile.kind", "Kind", _CHOICE, "tls, tls-constrained (name-constrained), "
              "smime, code-signing, or private (RFC 5280 only)", choices=SUBORDINATE_KINDS),
    FieldSpec("profile.validity_days", "Validity (days)", _INTEGER,
              "must end before the issuer expires", minimum=1, maximum=ROOT_MAX_DAYS),
    FieldSpec("profile.path_length", "Path length", _INTEGER, "CAs allowed below it",
              minimum=0, maximum=MAX_PATH_LENGTH, unlimited=UNLIMITED),
    FieldSpec("profile.crl_url", "CRL URL", _TEXT, "http://…"),
    FieldSpec("profile.ca_issuers_url", "CA issuers URL", _TEXT, "http://…"),
    FieldSpec("profile.ocsp_url", "OCSP URL", _TEXT, "http://… (optional)", optional=True),
    FieldSpec("profile.extended_key_usages", "Extended key usages", FieldKind.OPTIONS,
              choices=EXTENDED_KEY_USAGES),
    FieldSpec("profile.policies", "Policies", FieldKind.TEXTS, "dotted OIDs, separated by "
                                                              "commas"),
    FieldSpec("profile.permitted_dns", "Permitted DNS names", FieldKind.TEXTS,
              "name constraints (tls-constrained needs them), separated by commas",
              optional=True),
    FieldSpec("profile.excluded_dns", "Excluded DNS names", FieldKind.TEXTS,
              "name constraints, separated by commas (optional)", optional=True),
    FieldSpec("profile.permitted_email", "Permitted e-mail domains", FieldKind.TEXTS,
              "name constraints, separated by commas (optional)", optional=True),
),
    note="The kind decides which usages and policies are allowed; see the plan format.")


_CROSS = Section("cross", "The CA to cross-sign", (
    FieldSpec("cross.certificate", "Its own certificate", FieldKind.FILE,
              "the CA's self-signed certificate; its subject and key identifier are repeated "
              "exactly", optional=True),
    FieldSpec("cross.csr", "Or its CSR", FieldKind.FILE, "instead of the certificate",
              optional=True),
), note="Give the certificate or the CSR, not both.")


_RENEWAL = Section("renewal", "The renewed root certificate", (
    FieldSpec("renewal.validity_days", "Validity (days)", _INTEGER, "8 to 25 years, from the "
              "ceremony day", minimum=ROOT_MIN_DAYS, maximum=ROOT_MAX_DAYS),),
    note="Key, subject and key identifier stay those of the issuer certificate.")


_RESPONDER = Section("responder", "The OCSP responder certificate", (
    FieldSpec("responder.validity_days", "Validity (days)", _INTEGER, "short: it carries "
              "id-pkix-ocsp-nocheck", minimum=1, maximum=OCSP_SIGNER_MAX_DAYS),
    FieldSpec("responder.csr", "Responder's CSR", FieldKind.FILE, "either a CSR, or the four "
              "fields below to make the key here", optional=True),
    FieldSpec("responder.token", "Responder's token", _TEXT, "the label of the responder's own "
              "token, where its key is made", optional=True),
    FieldSpec("responder.key_label", "Responder key label", _TEXT, optional=True),
    FieldSpec("responder.algorithm", "Responder key algorithm", _CHOICE,
              "empty with a CSR", choices=("", *_ALGORITHMS), optional=True),
    FieldSpec("responder.common_name", "Responder common name", _TEXT, "after the issuer's "
              "country and organisation", optional=True),
), note="Give the CSR, or the token, key label, algorithm and common name; not both.")


_RETIRE = Section("retire", "The retirement", (
    FieldSpec("retire.reason", "Reason", _TEXT, "why the key is destroyed"),
    FieldSpec("retire.shares_destroyed", "The custodians destroy their share copies too (each "
              "confirms)", _FLAG),
), note="The key named under 'The issuing CA' is destroyed in the token after the witnesses "
        "confirm.")


def _backup(ceremony: CeremonyType) -> Section:
    folder = FieldSpec("backup.folder", "Copy the backup to", FieldKind.FOLDER,
                       "a folder on removable media (optional)", optional=True)
    file = FieldSpec("backup.file", "Backup file", FieldKind.FILE, "the backup's .json file; "
                     "its .wrapped file lies beside it")
    if ceremony is CeremonyType.RESTORE:
        return Section("backup", "The backup to restore", (file,))
    if ceremony is CeremonyType.RETIRE:
        return Section("backup", "The backup destroyed", (dataclasses.replace(
            file, hint="the key's backup .json, whose destruction is recorded (optional)",
            optional=True),))
    if ceremony is CeremonyType.RESHARE:
        return Section("backup", "The backup to re-wrap", (file, folder))
    return Section("backup", "The backup", (folder,),
                   note="The backup is always written in the ceremony folder's backup/.")


def fields_for(ceremony: CeremonyType | str) -> tuple[Section, ...]:
    """Every section the form can show for ``ceremony``, in the order the plan writes them.

    Some depend on other values (``PlanForm.sections`` says which apply now): [shares] and
    [backup] on key.backup, a sign or crl plan's [shares] on token.pin, a drill's [token] and
    [issuer] on whether the root signs its transcript.
    """
    ceremony = CeremonyType(ceremony)
    token = _token("token", "The token")
    head = (_top(ceremony), _PEOPLE)
    if ceremony in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY):
        middle: tuple[Section, ...] = (
            token, _key(ceremony), _shares("shares", "Shares of the backup's wrap key",
                                           existing=False), _certificate(ceremony))
        tail = (_crl(ceremony),) if ceremony is CeremonyType.ROOT else ()
        return head + middle + tail + (_backup(ceremony),)
    if ceremony in SIGNING_WITH_TOKEN:
        shares = _shares("shares", "The share set the PIN is rebuilt from", existing=True)
        work = {CeremonyType.SIGN: (_CSR, _PROFILE), CeremonyType.CRL: (_crl(ceremony),),
                CeremonyType.CROSS_CERTIFICATE: (_CROSS, _PROFILE),
                CeremonyType.ROOT_RENEWAL: (_RENEWAL,),
                CeremonyType.OCSP_SIGNER: (_RESPONDER,)}[ceremony]
        return (*head, token, shares, _ISSUER, *work)
    if ceremony is CeremonyType.RESTORE:
        return (*head, _token("new_token", "The new token (the key is restored into it)"),
                _key(ceremony), _shares("shares", "The share set", existing=True),
                _backup(ceremony))
    if ceremony is CeremonyType.RESHARE:
        return (*head, _token("token", "The token (the new wrap key is made in it)"),
                _key(ceremony), _shares("shares", "The old share set", existing=True),
                _shares("new_shares", "The new share set", existing=False), _backup(ceremony))
    if ceremony is CeremonyType.RETIRE:
        return (*head, _token("token", "The token"), _shares(
            "shares", "The share set (PIN, or copies destroyed)", existing=True), _ISSUER,
            _RETIRE, _backup(ceremony))
    if ceremony is not CeremonyType.DRILL:
        raise ValueError(f"the plan form has no fields for a {ceremony.value} ceremony")
    return (*head, _shares("shares", "The share set", existing=True),
            _token("token", "The root's token"), _ISSUER)


_INDEX = re.compile(r"\[\d+\]")


def problem_path(problem: str) -> str:
    """The key path a problem names (``participant[3].role`` of ``participant[3].role: …``)."""
    return problem.partition(": ")[0]


def field_for_problem(problem: str, sections: Iterable[Section]) -> FieldSpec | None:
    """The field a problem is about: the one whose key path is the longest prefix of the
    problem's (``crl.revoke[2].serial`` belongs to ``crl.revoke``); None when no field is."""
    key = _INDEX.sub("", problem_path(problem))
    best: FieldSpec | None = None
    for section in sections:
        for spec in section.fields:
            if (key == spec.path or key.startswith(spec.path + ".")) and \
                    (best is None or len(spec.path) > len(best.path)):
                best = spec
    return best
