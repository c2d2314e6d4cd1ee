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
names) is ``ceremony.plan.check``'s job. See docs/plan-format.md for every key.
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
from ceremony.plan import schema
from ceremony.plan.reader import Table, remove_secrets, show
from ceremony.plan.schema import Use
from ceremony.plan.sections import SectionReader
from ceremony.plan.values import (
    PLAN_FORMAT,
    BackupMode,
    BackupSpec,
    CeremonyPlan,
    CeremonyType,
    KeySpec,
    Participant,
    PinSource,
    Role,
    TokenSpec,
)
from crypto.files import UnreadableInput, read_input_file
from crypto.profiles import (
    CrlProfile,
)

MAX_PLAN_BYTES = 1 << 20  # a plan is a few kilobytes; anything larger is not one
# The deepest plan value is a string in [[shares.group]]'s holders array: document, [shares],
# its group array, a group table, holders, so 5; the margin leaves room for later formats.
MAX_PLAN_DEPTH = 8
_TOO_DEEP = (f"nests tables or arrays more than {MAX_PLAN_DEPTH} levels deep, which no plan "
             "does; this is not a plan this tool reads")
PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

# Which tables each type uses and which keys each table takes: the schema's. A table that
# depends on another key's value ([shares] on key.backup or token.pin) is read when present;
# ``_dependent_tables`` requires or refuses it.
_SECTIONS = tuple(spec.name for spec in schema.top_tables() if not spec.array)
_USES: dict[CeremonyType, dict[str, Use]] = {
    ceremony: {name: schema.table(name).use_in(ceremony) for name in _SECTIONS
               if schema.table(name).use_in(ceremony) is not Use.REFUSED}
    for ceremony in CeremonyType}
_SECTION_KEYS = {name: schema.table(name).key_names for name in _SECTIONS}
_TOP_KEYS = (*schema.table("").key_names, "participant", *_SECTIONS)
_SIGNING_WITH_TOKEN = schema.SIGNING_WITH_TOKEN
_PERSON = schema.table("participant")


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


class _PlanReader(SectionReader):
    """Reads one plan document, adding every problem to ``problems``."""

    def __init__(self, document: dict[str, Any], folder: Path, problems: list[str]) -> None:
        super().__init__(folder, problems)
        self.top = Table(document, "", problems, _TOP_KEYS,
                         schema.table("").required_keys(None) | {"participant"})

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
        location = top.text("location") or ""
        if _control_characters(location, allowed="\t\n"):
            top.problem("location", _CONTROL_PROBLEM)
        participants = self._participants()

        present = [name for name in _SECTIONS if top.has(name)]
        uses = _USES[ceremony] if ceremony else {name: Use.OPTIONAL for name in _SECTIONS}
        tables: dict[str, Table] = {}
        for name in present:
            if name not in uses and ceremony is not None:  # without a type every table is used
                top.used.add(name)
                top.problem(name, f"not used by {ceremony.with_article}; remove it")
                continue
            table = top.table(name, _SECTION_KEYS[name],
                              schema.table(name).required_keys(ceremony))
            if table is not None:
                tables[name] = table
        if ceremony is not None:
            for name, use in uses.items():
                if use is Use.REQUIRED and name not in present:
                    top.problem(name, f"missing; {ceremony.with_article} needs a [{name}] table")

        token = self._token(tables["token"]) if "token" in tables else None
        new_token = self._token(tables["new_token"]) if "new_token" in tables else None
        key, key_certificate = self._key(tables["key"]) if "key" in tables else (None, None)
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
        cross = self._cross(tables["cross"]) if "cross" in tables else None
        renewal = self._renewal(tables["renewal"]) if "renewal" in tables else None
        responder = self._responder(tables["responder"]) if "responder" in tables else None
        retire = self._retire(tables["retire"]) if "retire" in tables else None
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
            issuer=issuer, backup=backup, new_token=new_token, key_certificate=key_certificate,
            cross=cross, renewal=renewal, responder=responder, retire=retire,
        )

    # --- helpers ------------------------------------------------------------------------------

    def _dependent_tables(self, present: list[str], key: KeySpec | None,
                          token: TokenSpec | None) -> None:
        """Require or refuse [shares] and [backup] where they depend on another key."""
        ceremony, top = self.ceremony, self.top
        if ceremony in schema.NEW_KEY and key is not None:
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
        if ceremony is not None and ceremony in _SIGNING_WITH_TOKEN and token is not None:
            if token.pin is PinSource.SHARES and "shares" not in present:
                top.problem("shares", 'missing; token.pin = "shares" needs a [shares] table '
                                      "describing the share set the PIN is rebuilt from")
            if token.pin is not PinSource.SHARES and "shares" in present:
                top.problem("shares", f"{ceremony.with_article} uses a share set only when "
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
            table = Table(data, f"participant[{number}]", self.problems, _PERSON.key_names,
                          _PERSON.required_keys(None))
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
