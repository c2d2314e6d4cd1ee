"""Read a ceremony plan (a TOML file) strictly into a ``CeremonyPlan``.

Strict means: an unknown key, a value of the wrong type, a missing required key and a table
the ceremony type does not use are all errors, each naming its key path
(``participant[2].role``, numbered from 1). Every problem found is collected and raised at once
as one ``PlanError``. A file that cannot be read, is not UTF-8, is not TOML or is not a plan of
this format raises ``PlanUnreadableError`` (exit status 2).

Secrets are never part of a plan. Any key that would hold one (a PIN, a share, share words, a
passphrase, a secret) is refused with a message saying secrets are entered at run time, and
the value is never repeated in a message. ``token.pin`` is the one key called pin: it says where
the PIN comes from ("typed" or "shares"), never what it is.

What needs more than the file itself (profiles, quorum arithmetic, roles, the files a plan
names) is ``ceremony.plan_check``'s job. See docs/plan-format.md for every key.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from ceremony.errors import PlanError, PlanUnreadableError
from ceremony.plan import (
    PLAN_FORMAT,
    BackupMode,
    BackupSpec,
    CeremonyPlan,
    CeremonyType,
    IssuerSpec,
    KeySpec,
    Participant,
    PinSource,
    RevocationSpec,
    Role,
    ShareGroup,
    ShareSpec,
    TokenSpec,
)
from ceremony.plan_reader import MISSING, Table, remove_secrets, show
from crypto.algorithms import KeyAlgorithm
from crypto.checkvalue import CHECK_VALUE_HEX_LENGTH
from crypto.errors import ProfileError
from crypto.files import UnreadableInput, read_input_file
from crypto.profiles import (
    ALLOWED_REASONS,
    CRL_MAX_DAYS,
    POLICY_DOMAIN_VALIDATED,
    CrlProfile,
    DistinguishedName,
    RootProfile,
    SubordinateProfile,
)
from crypto.token import default_module

MAX_PLAN_BYTES = 1 << 20  # a plan is a few kilobytes; anything larger is not one
# The deepest plan value is a string in [[shares.group]]'s holders array: document, [shares],
# its group array, a group table, holders, so 5; the margin leaves room for later formats.
MAX_PLAN_DEPTH = 8
_TOO_DEEP = (f"nests tables or arrays more than {MAX_PLAN_DEPTH} levels deep, which no plan "
             "does; this is not a plan this tool reads")
PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CHECK_VALUE = re.compile(rf"[0-9a-f]{{{CHECK_VALUE_HEX_LENGTH}}}")
_MAX_SERIAL_BITS = 159  # RFC 5280 4.1.2.2: at most 20 octets, positive

_REQUIRED, _OPTIONAL, _DEPENDS = "required", "optional", "depends"
# Which tables each ceremony type uses. "depends": root and intermediate-key use [shares] and
# [backup] only when key.backup = "wrapped"; sign and crl use [shares] only when token.pin =
# "shares". A table not listed for a type is refused.
_USES: dict[CeremonyType, dict[str, str]] = {
    CeremonyType.ROOT: {"token": _REQUIRED, "key": _REQUIRED, "certificate": _REQUIRED,
                        "crl": _OPTIONAL, "shares": _DEPENDS, "backup": _DEPENDS},
    CeremonyType.INTERMEDIATE_KEY: {"token": _REQUIRED, "key": _REQUIRED,
                                    "certificate": _REQUIRED, "shares": _DEPENDS,
                                    "backup": _DEPENDS},
    CeremonyType.SIGN: {"token": _REQUIRED, "issuer": _REQUIRED, "csr": _REQUIRED,
                        "profile": _REQUIRED, "shares": _DEPENDS},
    CeremonyType.CRL: {"token": _REQUIRED, "issuer": _REQUIRED, "crl": _REQUIRED,
                       "shares": _DEPENDS},
    CeremonyType.RESTORE: {"new_token": _REQUIRED, "key": _REQUIRED, "shares": _REQUIRED,
                           "backup": _REQUIRED},
    CeremonyType.RESHARE: {"token": _REQUIRED, "shares": _REQUIRED, "new_shares": _REQUIRED,
                           "backup": _REQUIRED},
    # A drill's transcript is signed by the root when the plan names its token and issuer.
    CeremonyType.DRILL: {"shares": _REQUIRED, "token": _OPTIONAL, "issuer": _OPTIONAL},
}
_SECTIONS = ("token", "new_token", "key", "shares", "new_shares", "certificate", "crl", "csr",
             "profile", "issuer", "backup")
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "token": ("module", "label", "pin"),
    "new_token": ("module", "label", "pin"),
    "key": ("label", "algorithm", "backup"),
    "shares": ("threshold", "holders", "group_threshold", "group", "passphrase", "check_value"),
    "new_shares": ("threshold", "holders", "group_threshold", "group", "passphrase", "check_value"),
    "certificate": ("country", "organization", "common_name", "validity_days"),
    "crl": ("next_update_days", "previous", "revoke"),
    "csr": ("file",),
    "profile": ("validity_days", "path_length", "crl_url", "ca_issuers_url", "ocsp_url",
                "extended_key_usages", "policies"),
    "issuer": ("certificate", "key_label"),
    "backup": ("folder", "file"),
}
_TOP_KEYS = ("format", "type", "id", "title", "rehearsal", "location", "participant",
             *_SECTIONS)
# Share sets that already exist, so the plan names their check value.
_EXISTING_SET = (CeremonyType.RESTORE, CeremonyType.RESHARE, CeremonyType.DRILL,
                 CeremonyType.SIGN, CeremonyType.CRL)

def parse_plan(path: Path | str) -> CeremonyPlan:
    """Read and parse the plan in ``path``; PlanError listing every problem found."""
    path = Path(path)
    try:
        data = read_input_file(path, MAX_PLAN_BYTES, "a plan")
    except UnreadableInput as ex:
        raise PlanUnreadableError([ex.problem], path) from ex
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as ex:
        line = data[:ex.start].count(b"\n") + 1
        raise PlanUnreadableError([f"line {line}: is not UTF-8 text (byte {ex.start}); save "
                                   "the plan as UTF-8"], path) from ex
    return _parse(text, path, hashlib.sha256(data).hexdigest())


def parse_plan_text(text: str, path: Path | str) -> CeremonyPlan:
    """Parse plan ``text`` as if read from ``path`` (relative paths resolve against its folder);
    the SHA-256 is that of the text's UTF-8 bytes."""
    return _parse(text, Path(path), hashlib.sha256(text.encode("utf-8")).hexdigest())


def _syntax_message(ex: tomllib.TOMLDecodeError) -> str:
    text = str(ex)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", text)
    if found is None:
        return f"not valid TOML ({text}); fix the syntax and check again"
    what = text[:found.start()]
    what = what[:1].lower() + what[1:]
    return (f"line {found.group(1)}, column {found.group(2)}: not valid TOML ({what}); fix the "
            "syntax and check again")


def _parse(text: str, path: Path, sha256: str) -> CeremonyPlan:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as ex:
        raise PlanUnreadableError([_syntax_message(ex)], path) from ex
    except RecursionError as ex:  # tomllib recurses once per nested array or inline table
        raise PlanUnreadableError([_TOO_DEEP], path) from ex
    if _depth(document) > MAX_PLAN_DEPTH:
        raise PlanUnreadableError([_TOO_DEEP], path)
    if document.get("format") != PLAN_FORMAT:
        if "format" not in document:
            problem = f'format: missing; a plan starts with format = "{PLAN_FORMAT}"'
        else:
            problem = (f'format: must be "{PLAN_FORMAT}", not {show(document["format"])}; '
                       "this is not a plan this tool reads")
        raise PlanUnreadableError([problem], path)
    problems: list[str] = []
    remove_secrets(document, problems)
    reader = _PlanReader(document, Path(os.path.abspath(path)).parent, problems)
    plan = reader.read(path, sha256)
    if problems or plan is None:
        raise PlanError(problems or ["is not a complete plan"], path)
    return plan


# Shown on terminals, in prompts and in the transcript, where an escape sequence would mislead.
_CONTROL_PROBLEM = ("must not hold control characters (escape sequences, say), which would "
                    "show differently on a terminal or in the transcript; remove them")


def _control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def _depth(document: dict[str, Any]) -> int:
    """How deeply tables and arrays nest in ``document``, counted without recursion."""
    deepest = 0
    pending: list[tuple[dict[str, Any] | list[Any], int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_PLAN_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value
        pending += [(child, depth + 1) for child in children if isinstance(child, dict | list)]
    return deepest


def _article(ceremony: CeremonyType) -> str:
    return f"{'an' if ceremony.value[0] in 'aeiou' else 'a'} {ceremony.value} ceremony"


class _PlanReader:
    """Reads one plan document, adding every problem to ``problems``."""

    def __init__(self, document: dict[str, Any], folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        self.top = Table(document, "", problems, _TOP_KEYS)
        self.ceremony: CeremonyType | None = None

    def read(self, path: Path, sha256: str) -> CeremonyPlan | None:
        top = self.top
        top.used.add("format")
        ceremony = self.ceremony = top.choice("type", CeremonyType, example='type = "root"')
        plan_id = top.text("id", example='id = "root-2025"')
        if plan_id is not None and not PLAN_ID.fullmatch(plan_id):
            top.problem("id", f"{show(plan_id)} cannot name a folder; use 1 to 64 letters, "
                              'digits, ".", "_" or "-", starting with a letter or digit')
        title = top.text("title", example='title = "Example Root CA key ceremony"')
        if title is not None and not title.strip():
            top.problem("title", "must not be empty; say what the ceremony is for")
        elif title is not None and _control_characters(title, allowed="\t"):
            top.problem("title", _CONTROL_PROBLEM)
        rehearsal = top.flag("rehearsal", example="rehearsal = false")
        location = top.text("location", required=False) or ""
        if _control_characters(location, allowed="\t\n"):
            top.problem("location", _CONTROL_PROBLEM)
        participants = self._participants()

        present = [name for name in _SECTIONS if top.has(name)]
        uses = _USES.get(ceremony, {}) if ceremony else {name: _OPTIONAL for name in _SECTIONS}
        tables: dict[str, Table] = {}
        for name in present:
            if name not in uses:
                top.used.add(name)
                assert ceremony is not None
                top.problem(name, f"not used by {_article(ceremony)}; remove it")
                continue
            table = top.table(name, _SECTION_KEYS[name])
            if table is not None:
                tables[name] = table
        if ceremony is not None:
            for name, use in uses.items():
                if use == _REQUIRED and name not in present:
                    top.problem(name, f"missing; {_article(ceremony)} needs a [{name}] table")

        token = self._token(tables["token"]) if "token" in tables else None
        new_token = self._token(tables["new_token"]) if "new_token" in tables else None
        key = self._key(tables["key"]) if "key" in tables else None
        self._dependent_tables(present, key, token)
        shares = self._shares(tables["shares"], new=False) if "shares" in tables else None
        new_shares = (self._shares(tables["new_shares"], new=True) if "new_shares" in tables
                      else None)
        subject, root_profile = (self._certificate(tables["certificate"])
                                 if "certificate" in tables else (None, None))
        crl, revocations, previous_crl = (self._crl(tables["crl"]) if "crl" in tables
                                          else (None, (), None))
        if crl is None and ceremony is CeremonyType.ROOT:
            crl = CrlProfile()  # a root's first CRL, with the default nextUpdate
        csr_file = self._csr(tables["csr"]) if "csr" in tables else None
        profile = self._profile(tables["profile"]) if "profile" in tables else None
        issuer = self._issuer(tables["issuer"]) if "issuer" in tables else None
        backup = self._backup(tables["backup"]) if "backup" in tables else None
        if backup is None and ceremony in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY) \
                and key is not None and key.backup is BackupMode.WRAPPED:
            backup = BackupSpec()  # the default folder inside the ceremony folder
        top.finish("a plan's top level")

        if (ceremony is None or plan_id is None or title is None or rehearsal is None
                or self.problems):
            return None
        return CeremonyPlan(
            path=path, sha256=sha256, type=ceremony, id=plan_id, title=title,
            rehearsal=rehearsal, participants=participants, location=location, token=token,
            key=key, shares=shares, new_shares=new_shares, subject=subject,
            root_profile=root_profile, subordinate_profile=profile, crl=crl,
            revocations=revocations, previous_crl=previous_crl, csr_file=csr_file,
            issuer=issuer, backup=backup, new_token=new_token,
        )

    # --- helpers ------------------------------------------------------------------------------

    def _resolve(self, text: str) -> Path:
        """A plan path: relative ones are relative to the plan file's folder."""
        return Path(os.path.normpath(self.folder / Path(text).expanduser()))

    def _file(self, table: Table, key: str, *, required: bool = True,
              example: str = "") -> Path | None:
        text = table.text(key, required=required, example=example)
        if text is None:
            return None
        if not text.strip():
            table.problem(key, "must not be empty; give a path (relative to the plan's folder)")
            return None
        try:
            return self._resolve(text)
        except RuntimeError:  # expanduser: "~name" of a user this machine does not know
            table.problem(key, f"{show(text)} starts with the home folder of a user this "
                               "machine does not know; give the full path")
            return None

    def _dependent_tables(self, present: list[str], key: KeySpec | None,
                          token: TokenSpec | None) -> None:
        """Require or refuse [shares] and [backup] where they depend on another key."""
        ceremony, top = self.ceremony, self.top
        if ceremony in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY) and key is not None:
            if key.backup is BackupMode.WRAPPED and "shares" not in present:
                top.problem("shares", 'missing; key.backup = "wrapped" needs a [shares] table '
                                      "saying who holds the wrap key's shares")
            if key.backup is BackupMode.NONE:
                if token is not None and token.pin is PinSource.SHARES:
                    top.problem("token.pin", '"shares" derives the PIN from the share set of '
                                             'the key\'s backup, and key.backup = "none" makes '
                                             'none; use pin = "typed" or back the key up')
                for name in ("shares", "backup"):
                    if name in present:
                        top.problem(name, 'not used when key.backup = "none"; remove it, or '
                                          'set key.backup = "wrapped"')
        if ceremony is CeremonyType.DRILL and ("token" in present) != ("issuer" in present):
            missing = "issuer" if "token" in present else "token"
            top.problem(missing, "missing; a drill names both [token] and [issuer] (to sign its "
                                 "transcript with the root) or neither")
        if ceremony in (CeremonyType.SIGN, CeremonyType.CRL) and token is not None:
            if token.pin is PinSource.SHARES and "shares" not in present:
                top.problem("shares", 'missing; token.pin = "shares" needs a [shares] table '
                                      "describing the share set the PIN is rebuilt from")
            if token.pin is not PinSource.SHARES and "shares" in present:
                assert ceremony is not None
                top.problem("shares", f"{_article(ceremony)} uses a share set only when "
                                      'token.pin = "shares"; remove it')

    # --- tables -------------------------------------------------------------------------------

    def _participants(self) -> tuple[Participant, ...]:
        items = self.top.tables("participant", example='[[participant]] tables with name and '
                                                       'role')
        if items is None:
            return ()
        if not items:
            self.top.problem("participant", "missing; list the people as [[participant]] "
                                            "tables with name and role")
        people: list[Participant] = []
        first_seen: dict[str, int] = {}
        for number, data in enumerate(items, 1):
            table = Table(data, f"participant[{number}]", self.problems, ("name", "role"))
            name = table.text("name", example='name = "Alice Example"')
            role = table.choice("role", Role, example='role = "custodian"')
            table.finish("a [[participant]] table")
            if name is None:
                continue
            if not name.strip():
                table.problem("name", "must not be empty")
            elif _control_characters(name):
                table.problem("name", _CONTROL_PROBLEM)
            elif name in first_seen:
                table.problem("name", f"{show(name)} is already the name of "
                                      f"participant[{first_seen[name]}]; names must be unique")
            else:
                first_seen[name] = number
            if role is not None:
                people.append(Participant(name, role))
        return tuple(people)

    def _token(self, table: Table) -> TokenSpec | None:
        label = table.text("label", example='label = "root-ca"')
        module = table.text("module", required=False)
        if module is not None and not module.strip():
            table.problem("module", "must not be empty; leave it out to use the default "
                                    f"{default_module()}")
        pin = table.choice("pin", PinSource, required=False) or PinSource.TYPED
        table.finish(f"[{table.where}]")
        if label is None:
            return None
        return TokenSpec(label=label, module=module or default_module(), pin=pin)

    def _key(self, table: Table) -> KeySpec | None:
        label = table.text("label", example='label = "root-key"')
        algorithm: KeyAlgorithm | None = None
        name = table.text("algorithm", example='algorithm = "ec-p384"')
        if name is not None:
            try:
                algorithm = KeyAlgorithm.parse(name)
            except ProfileError as ex:
                table.problem("algorithm", str(ex))
        if self.ceremony is CeremonyType.RESTORE:
            table.not_used("backup", "a restored key is not backed up again (its backup "
                                     "exists); remove it")
            backup: BackupMode | None = BackupMode.NONE
        else:
            backup = table.choice("backup", BackupMode, example='backup = "wrapped"')
        table.finish("[key]")
        if label is None or algorithm is None or backup is None:
            return None
        return KeySpec(label=label, algorithm=algorithm, backup=backup)

    def _shares(self, table: Table, *, new: bool) -> ShareSpec | None:
        where = table.where
        threshold = table.integer("threshold", required=False)
        holders = table.texts("holders", required=False)
        group_threshold = table.integer("group_threshold", required=False)
        groups_data = table.tables("group", required=False)
        passphrase = table.flag("passphrase", required=False) or False
        check_value: str | None = None
        if new or self.ceremony in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY):
            table.not_used("check_value", "a new share set's check value is recorded when it "
                                          "is split, not planned; remove it")
        else:
            text = table.text("check_value", required=self.ceremony in _EXISTING_SET,
                              example='check_value = "0123456789abcdef" (recorded at the '
                                      "split)")
            if text is not None:
                check_value = text.strip().lower()
                if not _CHECK_VALUE.fullmatch(check_value):
                    table.problem("check_value", f"must be the {CHECK_VALUE_HEX_LENGTH} hex "
                                                 "digits recorded when the set was split, not "
                                                 f"{show(text)}")
        groups: list[ShareGroup] = []
        if groups_data is not None:
            if table.has("threshold") or table.has("holders"):
                table.problem(None, f"give either threshold and holders, or group_threshold "
                                    f"and [[{where}.group]] tables, not both")
            if group_threshold is None and not table.has("group_threshold"):
                table.problem("group_threshold", "missing; with groups, say how many groups "
                                                 "must reach their threshold")
            for number, data in enumerate(groups_data, 1):
                group = Table(data, f"{where}.group[{number}]", self.problems,
                              ("threshold", "holders"))
                group_m = group.integer("threshold", example="threshold = 2")
                group_holders = group.texts("holders", example='holders = ["Ann", "Bo"]')
                group.finish(f"a [[{where}.group]] table")
                if group_m is not None and group_holders is not None:
                    groups.append(ShareGroup(group_m, group_holders))
            if not groups_data:
                table.problem("group", "must hold at least one group")
            needed = sorted(g.threshold for g in groups)[:max(group_threshold or 0, 0)]
            threshold = sum(needed)
            holders = tuple(name for g in groups for name in g.holders)
        else:
            if table.has("group_threshold"):
                table.problem("group_threshold", f"only used with [[{where}.group]] tables; "
                                                 "remove it")
            if threshold is None and not table.has("threshold"):
                table.problem("threshold", "missing; say how many shares rebuild the secret, "
                                           "like threshold = 3")
            if holders is None and not table.has("holders"):
                table.problem("holders", "missing; name the custodians who hold a share, like "
                                         'holders = ["Ann", "Bo", "Cy"]')
        table.finish(f"[{where}]")
        if threshold is None or holders is None:
            return None
        return ShareSpec(threshold=threshold, holders=holders, groups=tuple(groups),
                         group_threshold=group_threshold or 1, passphrase=passphrase,
                         check_value=check_value)

    def _certificate(self, table: Table) -> tuple[DistinguishedName | None,
                                                   RootProfile | None]:
        country = table.text("country", example='country = "NL"')
        organization = table.text("organization", example='organization = "Example B.V."')
        common_name = table.text("common_name", example='common_name = "Example Root CA R1"')
        validity: int | None = None
        if self.ceremony is CeremonyType.INTERMEDIATE_KEY:
            table.not_used("validity_days", "the [profile] of the sign ceremony decides an "
                                            "intermediate's validity; remove it")
        else:
            validity = table.integer("validity_days", required=self.ceremony is not None,
                                     example="validity_days = 9131")
        table.finish("[certificate]")
        if country is None or organization is None or common_name is None:
            return None, None
        subject = DistinguishedName(country, organization, common_name)
        if self.ceremony is CeremonyType.ROOT and validity is not None:
            return subject, RootProfile(subject, validity)
        return subject, None

    def _crl(self, table: Table) -> tuple[CrlProfile | None, tuple[RevocationSpec, ...],
                                          Path | None]:
        days = table.integer("next_update_days", required=False)
        revocations: list[RevocationSpec] = []
        previous: Path | None = None
        if self.ceremony is CeremonyType.ROOT:
            table.not_used("previous", "a new root has no earlier CRL; remove it")
            table.not_used("revoke", "a new root has issued nothing to revoke; remove it")
        else:
            previous = self._file(table, "previous", required=False)
            for number, data in enumerate(table.tables("revoke", required=False) or [], 1):
                entry = self._revocation(Table(data, f"crl.revoke[{number}]", self.problems,
                                               ("serial", "reason", "certificate")))
                if entry is not None:
                    revocations.append(entry)
        table.finish("[crl]")
        return CrlProfile(CRL_MAX_DAYS if days is None else days), tuple(revocations), previous

    def _revocation(self, table: Table) -> RevocationSpec | None:
        text = table.text("serial", example='serial = "4e3a0f1c"')
        serial = _parse_serial(text) if text is not None else None
        if text is not None and serial is None:
            table.problem("serial", "must be a positive hexadecimal serial number of at most "
                                    f'20 octets, like "4e3a0f1c" (colons allowed), not '
                                    f"{show(text)}")
        reason = table.text("reason", example='reason = "cessationOfOperation"')
        if reason is not None and reason not in ALLOWED_REASONS:
            table.problem("reason", f"must be one of {', '.join(ALLOWED_REASONS)}, not "
                                    f"{show(reason)}")
        certificate = self._file(table, "certificate", required=False)
        table.finish("a [[crl.revoke]] table")
        if serial is None or reason is None or reason not in ALLOWED_REASONS:
            return None
        return RevocationSpec(serial=serial, reason=reason, certificate=certificate)

    def _csr(self, table: Table) -> Path | None:
        path = self._file(table, "file", example='file = "requests/issuing-ca.csr"')
        table.finish("[csr]")
        return path

    def _profile(self, table: Table) -> SubordinateProfile | None:
        validity = table.integer("validity_days", example="validity_days = 1826")
        path_length: int | None = 0
        raw = table.raw("path_length")
        if raw == "unlimited":
            path_length = None
        elif raw is not MISSING:
            path_length = table.integer("path_length", kind='a whole number or "unlimited"')
        crl_url = table.text("crl_url", example='crl_url = "http://crl.example.com/root.crl"')
        ca_issuers_url = table.text("ca_issuers_url",
                                    example='ca_issuers_url = "http://crt.example.com/root.crt"')
        ocsp_url = table.text("ocsp_url", required=False)
        usages = table.texts("extended_key_usages", required=False)
        policies = table.texts("policies", required=False)
        table.finish("[profile]")
        if validity is None or crl_url is None or ca_issuers_url is None:
            return None
        return SubordinateProfile(
            validity_days=validity, crl_url=crl_url, ca_issuers_url=ca_issuers_url,
            path_length=path_length,
            extended_key_usages=("serverAuth", "clientAuth") if usages is None else usages,
            policies=(POLICY_DOMAIN_VALIDATED,) if policies is None else policies,
            ocsp_url=ocsp_url,
        )

    def _issuer(self, table: Table) -> IssuerSpec | None:
        certificate = self._file(table, "certificate", example='certificate = "root.pem"')
        key_label = table.text("key_label", example='key_label = "root-key"')
        table.finish("[issuer]")
        if certificate is None or key_label is None:
            return None
        return IssuerSpec(certificate=certificate, key_label=key_label)

    def _backup(self, table: Table) -> BackupSpec:
        ceremony = self.ceremony
        folder: Path | None = None
        file: Path | None = None
        if ceremony is CeremonyType.RESTORE:
            table.not_used("folder", "a restore reads a backup and writes none; remove it")
        else:
            folder = self._file(table, "folder", required=False)
        if ceremony in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY):
            table.not_used("file", "this ceremony writes a new backup; give folder (where to "
                                   "write it) instead")
        else:
            file = self._file(table, "file", required=ceremony is not None,
                              example='file = "backup/root-key.json"')
        table.finish("[backup]")
        return BackupSpec(folder=folder, file=file)


def _parse_serial(text: str) -> int | None:
    digits = text.strip().lower().removeprefix("0x").replace(":", "")
    if not re.fullmatch(r"[0-9a-f]+", digits):
        return None
    serial = int(digits, 16)
    return serial if 0 < serial and serial.bit_length() <= _MAX_SERIAL_BITS else None

