"""A ceremony plan written through a form, one form per ceremony type (no Qt).

``PlanForm`` holds what the form shows; its attributes are named after the plan's keys, so the
field ``shares.threshold`` is ``form.shares.threshold`` and a problem that ``plan check`` reports
under a key path finds its field (``plan_fields.field_for_problem``). ``PlanForm.new`` starts a
form with the values of the type's example plan (docs/examples), so it is sound except for what
only the user can know: the files a plan names and the check value of an existing share set.

``to_toml`` writes the plan; every typed string goes through ``toml_string``. ``review`` is the
live check: the text parsed strictly and checked by ``plan check``, each problem with its key
path. The form holds no secret: a plan never does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceremony.plan import PLAN_FORMAT, CeremonyType, CopyCheck, PinSource, SoftwareToken
from crypto.profiles import CRL_MAX_DAYS, OCSP_SIGNER_MAX_DAYS, POLICY_DOMAIN_VALIDATED
from crypto.subordinates import KIND_RULES, SubordinateKind
from gui.viewmodels.plan_fields import (
    SIGNING_WITH_TOKEN,
    FieldKind,
    FieldSpec,
    Section,
    fields_for,
)
from gui.viewmodels.plan_review import PlanReview, review_plan_text
from gui.viewmodels.toml_text import toml_bool, toml_string, toml_strings

__all__ = ["Person", "PlanForm", "Revocation", "fields_for"]

TLS_RULES = KIND_RULES[SubordinateKind.TLS]
_SHARE_WORDS = 20  # the shortest SLIP-39 share
HEADER = ("# A ceremony plan written with the keyceremony app's plan form.\n"
          "# Check it with: keyceremony plan check <this file>\n")


@dataclass(frozen=True)
class Person:
    """One row of the participants: a name and a role (a ``Role`` value)."""

    name: str
    role: str


@dataclass(frozen=True)
class Revocation:
    """One certificate a CRL ceremony revokes, as typed: serial in hex, reason, certificate."""

    serial: str = ""
    reason: str = "cessationOfOperation"
    certificate: str = ""  # optional path


@dataclass
class TokenFields:
    """[token] or [new_token]: which token (a PKCS#11 URI, or label and module, and its serial
    number), where its PIN comes from."""

    uri: str = ""  # empty: label (and module) name the token
    label: str = ""
    serial: str = ""  # empty: any serial number
    pin: str = PinSource.TYPED.value
    module: str = ""  # empty: the default module
    software_token: str = SoftwareToken.REFUSED.value


@dataclass
class KeyFields:
    """[key]: the key a ceremony makes (or, in a restore, the key in the backup; in a restore
    or reshare, optionally the key's CA certificate)."""

    label: str = ""
    algorithm: str = "ec-p384"
    backup: str = "wrapped"
    certificate: str = ""  # optional path


@dataclass
class ShareFields:
    """[shares] or [new_shares]: M of the named custodians."""

    threshold: int = 1
    holders: list[str] = field(default_factory=list)
    passphrase: bool = False
    check_value: str = ""
    copy_check: str = CopyCheck.WHOLE.value
    print_cards: bool = False


@dataclass
class CertificateFields:
    """[certificate]: the subject, and a root's validity."""

    country: str = ""
    organization: str = ""
    common_name: str = ""
    validity_days: int = 9131


@dataclass
class CrlFields:
    """[crl]: next update, and in a crl ceremony the CRL replaced and the revocations."""

    next_update_days: int = CRL_MAX_DAYS
    previous: str = ""
    revoke: list[Revocation] = field(default_factory=list)


@dataclass
class CsrFields:
    """[csr]: the CSR the operator brought."""

    file: str = ""


@dataclass
class IssuerFields:
    """[issuer]: the signing CA's certificate and key label."""

    certificate: str = ""
    key_label: str = ""


@dataclass
class ProfileFields:
    """[profile]: the subordinate CA certificate a sign ceremony issues."""

    kind: str = SubordinateKind.TLS.value
    validity_days: int = 1826
    path_length: int | None = 0  # None: "unlimited"
    crl_url: str = ""
    ca_issuers_url: str = ""
    ocsp_url: str = ""
    extended_key_usages: list[str] = field(default_factory=lambda: list(TLS_RULES.default_ekus))
    policies: list[str] = field(default_factory=lambda: [POLICY_DOMAIN_VALIDATED])
    permitted_dns: list[str] = field(default_factory=list)
    excluded_dns: list[str] = field(default_factory=list)
    permitted_email: list[str] = field(default_factory=list)


@dataclass
class CrossFields:
    """[cross]: the CA a cross-certificate names, by its own certificate or its CSR."""

    certificate: str = ""
    csr: str = ""


@dataclass
class RenewalFields:
    """[renewal]: the renewed root certificate's validity."""

    validity_days: int = 9131


@dataclass
class ResponderFields:
    """[responder]: the OCSP responder's key (a CSR, or made in its token) and validity."""

    validity_days: int = OCSP_SIGNER_MAX_DAYS
    csr: str = ""
    token: str = ""
    key_label: str = ""
    algorithm: str = ""
    common_name: str = ""


@dataclass
class RetireFields:
    """[retire]: why the key is destroyed; whether the share copies are destroyed too."""

    reason: str = ""
    shares_destroyed: bool = False


@dataclass
class BackupFields:
    """[backup]: where a backup is copied to, or the backup read."""

    folder: str = ""
    file: str = ""


@dataclass
class PlanForm:
    """What the plan form holds for one ceremony type; blank unless made with ``new``.

    Mutable, as a form is; what it hands out (rows, sections, reviews) are frozen values.
    """

    type: CeremonyType
    id: str = ""
    title: str = ""
    rehearsal: bool = False
    location: str = ""
    participant: list[Person] = field(default_factory=list)
    token: TokenFields = field(default_factory=TokenFields)
    new_token: TokenFields = field(default_factory=TokenFields)
    key: KeyFields = field(default_factory=KeyFields)
    shares: ShareFields = field(default_factory=ShareFields)
    new_shares: ShareFields = field(default_factory=ShareFields)
    certificate: CertificateFields = field(default_factory=CertificateFields)
    crl: CrlFields = field(default_factory=CrlFields)
    csr: CsrFields = field(default_factory=CsrFields)
    issuer: IssuerFields = field(default_factory=IssuerFields)
    profile: ProfileFields = field(default_factory=ProfileFields)
    backup: BackupFields = field(default_factory=BackupFields)
    cross: CrossFields = field(default_factory=CrossFields)
    renewal: RenewalFields = field(default_factory=RenewalFields)
    responder: ResponderFields = field(default_factory=ResponderFields)
    retire: RetireFields = field(default_factory=RetireFields)
    signed_by_root: bool = False  # drill: name the root's token and issuer to sign with

    @classmethod
    def new(cls, ceremony: CeremonyType | str) -> PlanForm:
        """A form for ``ceremony`` with its example plan's values."""
        from gui.viewmodels.plan_defaults import example_form

        return example_form(CeremonyType(ceremony))

    # --- fields ------------------------------------------------------------------------------

    def all_sections(self) -> tuple[Section, ...]:
        """Every section the form can show for its type."""
        return fields_for(self.type)

    def sections(self) -> tuple[Section, ...]:
        """The sections that apply with the values as they are now (and so are written)."""
        return tuple(s for s in fields_for(self.type) if self.applies(s.table))

    def applies(self, table: str) -> bool:
        """Whether ``table`` is part of the plan with the values as they are now."""
        kind = self.type
        if kind in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY) and \
                table in ("shares", "backup"):
            return self.key.backup == "wrapped"
        if kind is CeremonyType.RETIRE and table == "shares":
            return self.token.pin == PinSource.SHARES.value or self.retire.shares_destroyed
        if kind in SIGNING_WITH_TOKEN and table == "shares":
            return self.token.pin == PinSource.SHARES.value
        if kind is CeremonyType.DRILL and table in ("token", "issuer"):
            return self.signed_by_root
        return True

    def get(self, path: str) -> Any:
        """The value of the field at key path ``path`` (lists are copied as tuples)."""
        owner, name = self._owner(path)
        value = getattr(owner, name)
        return tuple(value) if isinstance(value, list) else value

    def set(self, path: str, value: Any) -> None:
        """Set the field at key path ``path``."""
        owner, name = self._owner(path)
        setattr(owner, name, list(value) if isinstance(value, tuple | list) else value)

    def _owner(self, path: str) -> tuple[Any, str]:
        table, _, name = path.rpartition(".")
        owner: Any = getattr(self, table) if table else self
        if not hasattr(owner, name):
            raise KeyError(f"the form has no field {path}")
        return owner, name

    # --- people and holders ------------------------------------------------------------------

    def custodians(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.participant if p.role == "custodian")

    def add_participant(self, name: str = "", role: str = "custodian") -> int:
        """Add a person; return their row."""
        self.participant.append(Person(name, role))
        return len(self.participant) - 1

    def remove_participant(self, row: int) -> None:
        del self.participant[row]

    def rename_participant(self, row: int, name: str) -> None:
        """Rename the person in ``row``; the share sets they hold a share of follow."""
        old = self.participant[row].name
        self.participant[row] = dataclasses.replace(self.participant[row], name=name)
        if old and old not in (p.name for p in self.participant):
            for shares in (self.shares, self.new_shares):
                shares.holders = [name if h == old else h for h in shares.holders]

    def set_role(self, row: int, role: str) -> None:
        self.participant[row] = dataclasses.replace(self.participant[row], role=role)

    def holder_choices(self, path: str) -> tuple[str, ...]:
        """Who can be ticked as a holder in ``path``: the custodians, then anyone still listed
        who is not (so unticking them is possible)."""
        custodians = self.custodians()
        return custodians + tuple(h for h in self.get(path) if h not in custodians)

    def set_holder(self, path: str, name: str, holds: bool) -> None:
        """Tick or untick ``name`` as a holder of the set ``path`` (``shares.holders``)."""
        holders = [h for h in self.get(path) if h != name]
        if holds:
            holders.append(name)
        self.set(path, holders)

    # --- revocations -------------------------------------------------------------------------

    def add_revocation(self) -> int:
        self.crl.revoke.append(Revocation())
        return len(self.crl.revoke) - 1

    def remove_revocation(self, row: int) -> None:
        del self.crl.revoke[row]

    def update_revocation(self, row: int, **values: str) -> None:
        self.crl.revoke[row] = dataclasses.replace(self.crl.revoke[row], **values)

    # --- the plan ----------------------------------------------------------------------------

    def to_toml(self) -> str:
        """The plan as TOML that ``parse_plan_text`` reads back into these values."""
        lines = [HEADER, f"format = {toml_string(PLAN_FORMAT)}",
                 f"type = {toml_string(self.type.value)}"]
        for section in self.sections():
            if section.table == "":
                lines += self._assignments(section.fields)
            elif section.table == "participant":
                for person in self.participant:
                    lines += ["", "[[participant]]", f"name = {toml_string(person.name)}",
                              f"role = {toml_string(person.role)}"]
            else:
                lines += self._table(section)
        return "\n".join(lines) + "\n"

    def _table(self, section: Section) -> list[str]:
        plain = [s for s in section.fields if s.kind is not FieldKind.REVOCATIONS]
        body = self._assignments(plain)
        lines = ["", f"[{section.table}]", *body] if body else []
        if any(s.kind is FieldKind.REVOCATIONS for s in section.fields):
            for entry in self.crl.revoke:
                lines += ["", "[[crl.revoke]]", f"serial = {toml_string(entry.serial)}",
                          f"reason = {toml_string(entry.reason)}"]
                if entry.certificate.strip():
                    lines.append(f"certificate = {toml_string(entry.certificate)}")
        return lines

    def _assignments(self, specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> list[str]:
        lines = []
        for spec in specs:
            if not spec.written:
                continue
            value = _toml_value(spec, self.get(spec.path))
            if value is not None:
                lines.append(f"{spec.key} = {value}")
        return lines

    def review(self, path_hint: Path, folder: Path | None = None) -> PlanReview:
        """The live check: the plan this form writes, read and checked as if saved at
        ``path_hint`` (relative paths resolve there); every problem names its key path."""
        return review_plan_text(self.to_toml(), path_hint, folder)

    @classmethod
    def from_plan_text(cls, text: str) -> PlanForm:
        """A form holding the plan ``text``; GuiError when it is no plan, or holds something
        the form cannot show (share groups, keys it does not know, values it cannot hold)."""
        from gui.viewmodels.plan_loading import load_form

        return load_form(cls, text)


def _toml_value(spec: FieldSpec, value: Any) -> str | None:
    """``value`` of field ``spec`` as TOML; None leaves the key out of the plan."""
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.FILE, FieldKind.FOLDER, FieldKind.CHOICE):
        if spec.optional and not str(value).strip():
            return None
        if spec.default and value == spec.default:
            return None
        return toml_string(str(value))
    if kind is FieldKind.INTEGER:
        return toml_string(spec.unlimited) if value is None else str(int(value))
    if kind is FieldKind.FLAG:
        return toml_bool(bool(value))
    if kind in (FieldKind.HOLDERS, FieldKind.OPTIONS, FieldKind.TEXTS):
        if spec.optional and not value:
            return None
        return toml_strings(value)
    raise ValueError(f"{spec.path} is not written as one value")


def default_plan_name(form: PlanForm, today: dt.date | None = None) -> str:
    """A file name for the form's plan: its id, or the type and date while the id cannot
    name a file."""
    from ceremony.plan import PLAN_ID

    if PLAN_ID.fullmatch(form.id):
        return f"{form.id}.toml"
    return f"{form.type.value}-{(today or dt.date.today()):%Y%m%d}.toml"


def secret_problems(text: str) -> tuple[str, ...]:
    """Why plan ``text`` must not be saved: the keys that would hold a secret (as the plan
    parser refuses them) and any run of SLIP-39 share words, even in a comment. Secrets never
    go to disk; the messages name where, never what."""
    from ceremony.plan import remove_secrets
    from crypto.shares import WORDLIST

    problems: list[str] = []
    try:
        remove_secrets(tomllib.loads(text), problems)
    except tomllib.TOMLDecodeError:
        pass  # not TOML: only the words below can be looked for
    words, run = set(WORDLIST), 0
    for number, line in enumerate(text.splitlines(), 1):
        for token in re.split(r"[^a-z]+", line.lower()):
            if token:  # a share's words may be numbered, quoted or wrapped over lines
                run = run + 1 if token in words else 0
            if run >= _SHARE_WORDS:
                problems.append(f"line {number}: looks like SLIP-39 share words; shares are "
                                "never written down in a plan: remove them and treat that "
                                "share as exposed")
                return tuple(problems)
    return tuple(problems)
