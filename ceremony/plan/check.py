"""Check a parsed plan for everything that can be known before any token is touched.

Profiles (through their own ``validate``), validity limits, participants and roles, quorum
arithmetic (SLIP-39's rules), the files a plan names (the CSR, the issuer certificate, the
certificates to revoke, the backup to restore), outputs that must not exist yet and an output
folder that must not hold an earlier run. Every problem is collected, each naming its key path;
notes are things a reviewer should know that are not wrong.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import PlanError
from ceremony.folder import BACKUP_FOLDER, JOURNAL_NAME
from ceremony.plan import schema
from ceremony.plan.files import (
    Findings,
    check_backup_file,
    check_issuer_files,
    check_token_module,
)
from ceremony.plan.values import (
    BackupMode,
    CeremonyPlan,
    CeremonyType,
    PinSource,
    RetireSpec,
    Role,
    ShareSpec,
    TokenSpec,
)
from crypto.errors import ProfileError
from crypto.profiles import DistinguishedName

MAX_TOKEN_LABEL_BYTES = 32  # PKCS#11 CK_TOKEN_INFO.label is 32 bytes, blank padded
# Stands in for a subject already reported, so a root's validity is still checked on its own.
_VALID_SUBJECT = DistinguishedName("NL", "Placeholder", "Placeholder")


@dataclass(frozen=True)
class CheckReport:
    """What ``check_plan`` found: problems (each naming its key path), warnings (allowed but
    weaker than they should be) and notes."""

    problems: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self, plan: CeremonyPlan) -> None:
        """Raise PlanError holding every problem, if there is any."""
        if self.problems:
            raise PlanError(self.problems, plan.path)


def check_plan(plan: CeremonyPlan, out_dir: Path | None = None, *,
               now: dt.datetime | None = None) -> CheckReport:
    """Everything wrong with ``plan`` that can be found without a token.

    ``out_dir`` is the ceremony folder a run would write to (None: not checked). ``now`` is
    the moment validity periods are measured from (default: the current time).
    """
    now = now or dt.datetime.now(dt.UTC)
    found = Findings()
    _check_people(plan, found)
    for spec, where in ((plan.shares, "shares"), (plan.new_shares, "new_shares")):
        if spec is not None:
            _check_quorum(spec, where, found)
    _check_profiles(plan, found)
    _check_tokens(plan, found)
    _check_pin_guard(plan, found)
    _check_labels(plan, found)
    if plan.issuer is not None:
        check_issuer_files(plan, plan.issuer, found, now)
    if plan.backup is not None and plan.backup.file is not None:
        check_backup_file(plan, plan.backup.file, found)
    if plan.retire is not None and plan.token is not None:  # a retire plan has both
        _check_retire(plan, plan.token, plan.retire, found)
    _check_outputs(plan, out_dir, found)
    if plan.rehearsal:
        found.note("rehearsal", "this is a rehearsal; its transcript and artifacts are marked "
                                "as such")
    return CheckReport(tuple(found.problems), tuple(found.notes), tuple(found.warnings))


def _check_retire(plan: CeremonyPlan, token: TokenSpec, retire: RetireSpec,
                  found: Findings) -> None:
    by_pin = token.pin is PinSource.SHARES
    if plan.shares is None and (by_pin or retire.shares_destroyed):
        why = 'token.pin = "shares"' if by_pin else "retire.shares_destroyed = true"
        found.problem("shares", f"missing; {why} needs a [shares] table naming the share set")
    if plan.shares is not None and not (by_pin or retire.shares_destroyed):
        found.problem("shares", 'a retire ceremony uses a share set only when token.pin = '
                                '"shares" or retire.shares_destroyed = true; remove it')
    if plan.backup is None:
        found.note("backup", "no backup named, so its destruction is not recorded; name the "
                             "key's backup under [backup] file if it had one")
    found.note("retire", "the key is destroyed in the token for good; a backup or share set "
                         "that is not destroyed can still bring it back")


def _check_tokens(plan: CeremonyPlan, found: Findings) -> None:
    for token, where in ((plan.token, "token"), (plan.new_token, "new_token")):
        if token is None:
            continue
        _check_token_label(token, where, found)
        check_token_module(plan, token, where, found)
        if token.pin is PinSource.SHARES and plan.shares is not None:
            quorum = plan.shares.threshold
            if plan.type in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY):
                found.note(f"{where}.pin", "once the backup is made, the token's PIN is "
                                           "replaced by one derived from the new share set; "
                                           f"from then on at least {quorum} custodians are "
                                           "needed to unlock the token")
            else:
                found.note(f"{where}.pin", f"the PIN is rebuilt from [shares]: at least {quorum} "
                                           "of its holders must attend")
        if token.pin is PinSource.SHARES and plan.type is CeremonyType.RESHARE:
            found.note(f"{where}.pin", "the token's PIN is derived from the old share set; "
                                       "unless it is changed, the old shares still unlock the "
                                       "token after the reshare")


def _check_pin_guard(plan: CeremonyPlan, found: Findings) -> None:
    """A backed-up CA key whose token opens with a typed PIN alone: said, not refused."""
    if plan.key is None or plan.key.backup is not BackupMode.WRAPPED or plan.token is None:
        return
    if plan.token.pin is PinSource.TYPED:
        what = "root" if plan.type is CeremonyType.ROOT else "CA"
        found.warning("token.pin", f'the {what} key is backed up, but a typed PIN alone '
                                   "unlocks its token: whoever knows the PIN can sign with the "
                                   'key; prefer pin = "shares", so that only a quorum of '
                                   "custodians can unlock it")


# --- people -----------------------------------------------------------------------------------


def _check_people(plan: CeremonyPlan, found: Findings) -> None:
    ceremony = plan.type.with_article
    if not plan.people(Role.ADMINISTRATOR):
        found.problem("participant", f"{ceremony} needs an administrator to drive it; add a "
                                     '[[participant]] with role = "administrator"')
    if not plan.people(Role.WITNESS) and not plan.people(Role.AUDITOR):
        found.problem("participant", f"{ceremony} needs at least one witness or auditor to "
                                     'watch and sign off each step; add a [[participant]] with '
                                     'role = "witness"')
    if plan.type is CeremonyType.SIGN and not plan.people(Role.OPERATOR):
        found.problem("participant", "a sign ceremony needs an operator, who brings the CSR "
                                     "and takes the signed certificate away; add a "
                                     '[[participant]] with role = "operator"')
    holding: set[str] = set()
    for spec, where in ((plan.shares, "shares"), (plan.new_shares, "new_shares")):
        if spec is None:
            continue
        lists = ([(f"{where}.group[{n}].holders", g.holders)
                  for n, g in enumerate(spec.groups, 1)] if spec.groups
                 else [(f"{where}.holders", spec.holders)])
        for path, holders in lists:
            for name in dict.fromkeys(holders):
                holding.add(name)
                person = plan.person(name)
                if person is None:
                    found.problem(path, f'"{name}" is not a participant; add a '
                                        f'[[participant]] named "{name}" with role = '
                                        '"custodian"')
                elif person.role is not Role.CUSTODIAN:
                    found.problem(path, f'"{name}" is {_role(person.role)}, not a custodian; '
                                        "only custodians hold shares")
    idle = [f'"{p.name}"' for p in plan.people(Role.CUSTODIAN) if p.name not in holding]
    if idle:
        found.note("participant", f"custodian{'s' if len(idle) > 1 else ''} {', '.join(idle)} "
                                  f"hold{'' if len(idle) > 1 else 's'} no share in this plan")


def _role(role: Role) -> str:
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"


# --- quorum -----------------------------------------------------------------------------------


# The schema's ranges: how many holders (or groups) a set may have, the least threshold.
MAX_SHARES = schema.key("shares.holders").maximum or 0
MIN_THRESHOLD = schema.key("shares.threshold").minimum or 0


def _check_quorum(spec: ShareSpec, where: str, found: Findings) -> None:
    """SLIP-39's rules: 1 to 16 shares per group, 1 <= threshold <= shares, no 1-of-N with
    N > 1 (every share would be a copy of the secret), 1 <= group threshold <= groups."""
    if not spec.groups:
        _check_group(spec.threshold, spec.holders, where, found)
        _check_repeats(spec.holders, f"{where}.holders", found)
        return
    count = len(spec.groups)
    if count > MAX_SHARES:
        found.problem(f"{where}.group", f"{count} groups; SLIP-39 allows at most {MAX_SHARES}")
    if not 1 <= spec.group_threshold <= count:
        found.problem(f"{where}.group_threshold",
                      f"must be from 1 to the {count} groups, not {spec.group_threshold}")
    for number, group in enumerate(spec.groups, 1):
        _check_group(group.threshold, group.holders, f"{where}.group[{number}]", found)
    _check_repeats(spec.holders, f"{where}.group", found)


def _check_group(threshold: int, holders: tuple[str, ...], where: str,
                 found: Findings) -> None:
    count = len(holders)
    if count == 0:
        found.problem(f"{where}.holders", "must name at least one custodian")
        return
    if count > MAX_SHARES:
        found.problem(f"{where}.holders", f"names {count} holders; SLIP-39 allows at most "
                                          f"{MAX_SHARES} shares in a group")
    if threshold < MIN_THRESHOLD:
        found.problem(f"{where}.threshold", f"must be at least {MIN_THRESHOLD}, not {threshold}")
    elif threshold > count:
        found.problem(f"{where}.threshold", f"must not exceed the {count} holders "
                                            f"(it is {threshold})")
    elif threshold == 1 and count > 1:
        found.problem(f"{where}.threshold", f"1-of-{count} is not allowed: SLIP-39 forbids a "
                                            "threshold of 1 with more than one share (each "
                                            "share would be a copy of the secret); use 2 or "
                                            "more, or a single holder")
    elif threshold == count and count > 1:
        found.note(f"{where}.threshold", f"{count}-of-{count}: every holder is needed, so one "
                                         "lost share loses the secret")
    elif count == 1:
        found.note(f"{where}.threshold", "1-of-1: a single custodian holds the whole secret")


def _check_repeats(holders: tuple[str, ...], where: str, found: Findings) -> None:
    for name, times in Counter(holders).items():
        if times > 1:
            found.problem(where, f'"{name}" is listed {times} times; each custodian holds one '
                                 "share")


# --- profiles and labels ----------------------------------------------------------------------


def _validated(validate: Callable[[], None], found: Findings) -> None:
    """Run a profile's ``validate`` and record its ProfileError (messages start with a path)."""
    try:
        validate()
    except ProfileError as ex:
        found.problems.append(str(ex))


def _check_profiles(plan: CeremonyPlan, found: Findings) -> None:
    if plan.subject is not None:
        _validated(functools.partial(plan.subject.validate, "certificate"), found)
    if plan.root_profile is not None:
        # Validity on its own: the subject was checked above under its plan path.
        profile = dataclasses.replace(plan.root_profile, subject=_VALID_SUBJECT)
        _validated(profile.validate, found)
    if plan.subordinate_profile is not None:
        _validated(plan.subordinate_profile.validate, found)
    if plan.crl is not None:
        _validated(plan.crl.validate, found)
    if plan.responder is not None:
        _validated(plan.responder.profile.validate, found)
    days = schema.key("renewal.validity_days")
    if plan.renewal is not None and days.minimum is not None and days.maximum is not None and \
            not days.minimum <= plan.renewal.validity_days <= days.maximum:
        found.problem("renewal.validity_days", f"a root is valid between {days.minimum} and "
                                               f"{days.maximum} days (8 to 25 years, BR 6.3.2), "
                                               f"not {plan.renewal.validity_days}")


def _check_labels(plan: CeremonyPlan, found: Findings) -> None:
    if plan.key is not None:
        label = plan.key.label
        if not label.strip():
            found.problem("key.label", "must not be empty")
        elif plan.key.backup is BackupMode.WRAPPED and (
                label.startswith(".") or any(c in label for c in "/\\")
                or any(ord(c) < 32 for c in label)):
            found.problem("key.label", "names the backup files, so it must not hold slashes or "
                                       "control characters or start with a dot")
    if plan.issuer is not None and not plan.issuer.key_label.strip():
        found.problem("issuer.key_label", "must not be empty")


def _check_token_label(spec: TokenSpec, where: str, found: Findings) -> None:
    size = len(spec.label.encode("utf-8"))
    if not spec.label.strip():
        found.problem(f"{where}.label", "must not be empty")
    elif size > MAX_TOKEN_LABEL_BYTES:
        found.problem(f"{where}.label", f"is {size} bytes; a PKCS#11 token label holds at most "
                                        f"{MAX_TOKEN_LABEL_BYTES}")
    elif spec.label != spec.label.strip():
        found.problem(f"{where}.label", "must not start or end with white space (a token pads "
                                        "its label with spaces)")


# --- outputs ----------------------------------------------------------------------------------


def _check_outputs(plan: CeremonyPlan, out_dir: Path | None, found: Findings) -> None:
    if out_dir is None:
        found.note("out", "no output folder given, so whether it holds an earlier run was not "
                          "checked")
    else:
        out_dir = Path(out_dir)
        if out_dir.exists() and not out_dir.is_dir():
            found.problem("out", f"{out_dir} is not a folder; choose another --out")
        elif (out_dir / JOURNAL_NAME).exists():
            found.problem("out", f"{out_dir} holds {JOURNAL_NAME} from an earlier run; resume "
                                 "it with `keyceremony run` or choose another --out")
        else:
            _check_writable(out_dir, found)
    backup = plan.backup
    writes_backup = (plan.type is CeremonyType.RESHARE or (
        plan.key is not None and plan.key.backup is BackupMode.WRAPPED))
    if backup is None or not writes_backup:
        return
    folder = backup.folder or (out_dir / BACKUP_FOLDER if out_dir else None)
    label = plan.key.label if plan.key is not None else None
    if backup.file is not None:  # reshare: the re-wrapped backup keeps the old file names
        if folder is not None and _same_folder(folder, backup.file.parent):
            found.problem("backup.folder", f"the re-wrapped backup would be written beside the "
                                           f"old one in {folder}, under the same names; choose "
                                           "another folder")
            return
        label = backup.file.stem
    if folder is None or label is None:
        return
    where = "backup.folder" if backup.folder else "out"
    for name in (f"{label}.wrapped", f"{label}.json"):
        if os.path.lexists(folder / name):
            found.problem(where, f"{folder / name} already exists; backups are never "
                                 "overwritten, so move it away or choose another folder")


def _check_writable(out_dir: Path, found: Findings) -> None:
    """The ceremony folder exists and is writable, or its nearest existing folder is."""
    existing = Path(os.path.abspath(out_dir))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        found.problem("out", f"{out_dir} cannot be created: {existing} is a file, not a folder; "
                             "choose another --out")
    elif not os.access(existing, os.W_OK | os.X_OK):
        found.problem("out", f"{out_dir} cannot be written: this user may not write in "
                             f"{existing}; choose another --out")


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False

