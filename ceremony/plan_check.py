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

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ceremony.errors import PlanError
from ceremony.plan import (
    BackupMode,
    CeremonyPlan,
    CeremonyType,
    PinSource,
    Role,
    ShareSpec,
    TokenSpec,
)
from crypto.algorithms import algorithm_of
from crypto.errors import BackupError, CsrRejected, ProfileError, UnusableInput
from crypto.profiles import DistinguishedName

JOURNAL_FILE = "journal.jsonl"
DEFAULT_BACKUP_FOLDER = "backup"  # inside the ceremony folder
MAX_TOKEN_LABEL_BYTES = 32  # PKCS#11 CK_TOKEN_INFO.label is 32 bytes, blank padded
MAX_SHARES = 16  # SLIP-39 encodes group and member counts in 4 bits
_MAX_FILE_BYTES = 1 << 20
# Stands in for a subject already reported, so a root's validity is still checked on its own.
_VALID_SUBJECT = DistinguishedName("NL", "Placeholder", "Placeholder")


@dataclass(frozen=True)
class CheckReport:
    """What ``check_plan`` found: problems (each naming its key path) and notes."""

    problems: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self, plan: CeremonyPlan) -> None:
        """Raise PlanError holding every problem, if there is any."""
        if self.problems:
            raise PlanError(self.problems, plan.path)


class _Findings:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")


def check_plan(plan: CeremonyPlan, out_dir: Path | None = None, *,
               now: dt.datetime | None = None) -> CheckReport:
    """Everything wrong with ``plan`` that can be found without a token.

    ``out_dir`` is the ceremony folder a run would write to (None: not checked). ``now`` is
    the moment validity periods are measured from (default: the current time).
    """
    now = now or dt.datetime.now(dt.UTC)
    found = _Findings()
    _check_people(plan, found)
    for spec, where in ((plan.shares, "shares"), (plan.new_shares, "new_shares")):
        if spec is not None:
            _check_quorum(spec, where, found)
    _check_profiles(plan, found)
    _check_labels(plan, found)
    if plan.issuer is not None:
        _check_issuer_files(plan, found, now)
    if plan.backup is not None and plan.backup.file is not None:
        _check_backup_file(plan, found)
    _check_outputs(plan, out_dir, found)
    _check_tokens(plan, found)
    if plan.rehearsal:
        found.note("rehearsal", "this is a rehearsal; its transcript and artifacts are marked "
                                "as such")
    return CheckReport(tuple(found.problems), tuple(found.notes))


def describe_plan(plan: CeremonyPlan) -> str:
    """One line saying what the plan does, for ``plan check`` and the runner's first screen."""
    parts = [f"{plan.type.value} ceremony '{plan.id}'" + (" (rehearsal)" if plan.rehearsal
                                                           else ""),
             f"{len(plan.participants)} participants"]
    if plan.key is not None:
        token = plan.new_token or plan.token
        parts.append(f"{plan.key.algorithm.value} key '{plan.key.label}'"
                     + (f" in token '{token.label}'" if token else ""))
    if plan.issuer is not None and plan.token is not None:
        parts.append(f"issuer key '{plan.issuer.key_label}' in token '{plan.token.label}'")
    if plan.shares is not None:
        shares = _describe_shares(plan.shares)
        if plan.new_shares is not None:
            shares += f" re-shared as {_describe_shares(plan.new_shares)}"
        parts.append(shares)
    if plan.root_profile is not None:
        parts.append(f"root certificate '{plan.root_profile.subject.common_name}' for "
                     f"{plan.root_profile.validity_days} days")
    elif plan.subject is not None:
        parts.append(f"CSR for '{plan.subject.common_name}'")
    if plan.csr_file is not None and plan.subordinate_profile is not None:
        parts.append(f"signs {plan.csr_file.name} for "
                     f"{plan.subordinate_profile.validity_days} days")
    if plan.type is CeremonyType.CRL and plan.crl is not None:
        parts.append(f"CRL for {plan.crl.next_update_days} days revoking "
                     f"{len(plan.revocations)} certificate(s)")
    return ", ".join(parts)


def _describe_shares(spec: ShareSpec) -> str:
    if spec.groups:
        groups = ", ".join(f"{g.threshold}-of-{len(g.holders)}" for g in spec.groups)
        return f"shares in {spec.group_threshold} of {len(spec.groups)} groups ({groups})"
    return f"{spec.threshold}-of-{len(spec.holders)} shares"


def _check_tokens(plan: CeremonyPlan, found: _Findings) -> None:
    for token, where in ((plan.token, "token"), (plan.new_token, "new_token")):
        if token is None:
            continue
        _check_token_label(token, where, found)
        if not os.path.exists(token.module):
            found.note(f"{where}.module", f"{token.module} is not on this machine; the "
                                          "ceremony machine must have it")
        if token.pin is PinSource.SHARES and plan.shares is not None:
            found.note(f"{where}.pin", f"the PIN is rebuilt from [shares]: at least "
                                       f"{plan.shares.threshold} of its holders must attend")
        if token.pin is PinSource.SHARES and plan.type is CeremonyType.RESHARE:
            found.note(f"{where}.pin", "the token's PIN is derived from the old share set; "
                                       "unless it is changed, the old shares still unlock the "
                                       "token after the reshare")


def _article(ceremony: CeremonyType) -> str:
    return f"{'an' if ceremony.value[0] in 'aeiou' else 'a'} {ceremony.value} ceremony"


# --- people -----------------------------------------------------------------------------------


def _check_people(plan: CeremonyPlan, found: _Findings) -> None:
    ceremony = _article(plan.type)
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
    for person in plan.people(Role.CUSTODIAN):
        if person.name not in holding:
            found.note("participant", f'custodian "{person.name}" holds no share in this plan')


def _role(role: Role) -> str:
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"


# --- quorum -----------------------------------------------------------------------------------


def _check_quorum(spec: ShareSpec, where: str, found: _Findings) -> None:
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
                 found: _Findings) -> None:
    count = len(holders)
    if count == 0:
        found.problem(f"{where}.holders", "must name at least one custodian")
        return
    if count > MAX_SHARES:
        found.problem(f"{where}.holders", f"names {count} holders; SLIP-39 allows at most "
                                          f"{MAX_SHARES} shares in a group")
    if threshold < 1:
        found.problem(f"{where}.threshold", f"must be at least 1, not {threshold}")
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


def _check_repeats(holders: tuple[str, ...], where: str, found: _Findings) -> None:
    for name, times in Counter(holders).items():
        if times > 1:
            found.problem(where, f'"{name}" is listed {times} times; each custodian holds one '
                                 "share")


# --- profiles and labels ----------------------------------------------------------------------


def _validated(validate: Callable[[], None], found: _Findings) -> None:
    """Run a profile's ``validate`` and record its ProfileError (messages start with a path)."""
    try:
        validate()
    except ProfileError as ex:
        found.problems.append(str(ex))


def _check_profiles(plan: CeremonyPlan, found: _Findings) -> None:
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


def _check_labels(plan: CeremonyPlan, found: _Findings) -> None:
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


def _check_token_label(spec: TokenSpec, where: str, found: _Findings) -> None:
    size = len(spec.label.encode("utf-8"))
    if not spec.label.strip():
        found.problem(f"{where}.label", "must not be empty")
    elif size > MAX_TOKEN_LABEL_BYTES:
        found.problem(f"{where}.label", f"is {size} bytes; a PKCS#11 token label holds at most "
                                        f"{MAX_TOKEN_LABEL_BYTES}")
    elif spec.label != spec.label.strip():
        found.problem(f"{where}.label", "must not start or end with white space (a token pads "
                                        "its label with spaces)")


# --- files the plan names ---------------------------------------------------------------------


def _load_certificate(path: Path, where: str, found: _Findings) -> x509.Certificate | None:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_FILE_BYTES)
    except OSError as ex:
        found.problem(where, f"{path} cannot be read ({ex.strerror or type(ex).__name__}); "
                             "check the path")
        return None
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (ValueError, UnsupportedAlgorithm):
        found.problem(where, f"{path} is not a PEM or DER certificate")
        return None


def _check_issuer_files(plan: CeremonyPlan, found: _Findings, now: dt.datetime) -> None:
    assert plan.issuer is not None
    issuer = _load_certificate(plan.issuer.certificate, "issuer.certificate", found)
    if issuer is not None:
        _check_issuer(issuer, plan, found, now)
    if plan.type is CeremonyType.SIGN and plan.csr_file is not None:
        _check_csr(plan.csr_file, issuer, found)
    if plan.type is CeremonyType.CRL:
        _check_revocations(plan, issuer, found)
        _check_previous_crl(plan, issuer, found)


def _check_issuer(issuer: x509.Certificate, plan: CeremonyPlan, found: _Findings,
                  now: dt.datetime) -> None:
    where = "issuer.certificate"
    try:
        ca = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        ca = False
    if not ca:
        found.problem(where, "is not a CA certificate (no basicConstraints with cA true); name "
                             "the certificate of the CA whose key signs")
        return
    try:
        usage: x509.KeyUsage | None = issuer.extensions.get_extension_for_class(
            x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    signing_crls = plan.type is CeremonyType.CRL
    if usage is not None and not (usage.crl_sign if signing_crls else usage.key_cert_sign):
        found.problem(where, f"its keyUsage lacks {'cRLSign' if signing_crls else 'keyCertSign'}"
                             f", so it cannot sign {'CRLs' if signing_crls else 'certificates'}")
    try:
        issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        found.problem(where, "has no subjectKeyIdentifier, so what it signs could not name it; "
                             "reissue the issuer")
    if algorithm_of(issuer.public_key()) is None:
        found.problem(where, "holds a key that is not RSA 3072 or 4096 or EC P-256, P-384 or "
                             "P-521, so this tool cannot sign with it")
    end = issuer.not_valid_after_utc
    if now > end:
        found.problem(where, f"expired on {end:%Y-%m-%d}; a ceremony cannot sign with it")
        return
    if now < issuer.not_valid_before_utc:
        found.problem(where, f"is not valid before {issuer.not_valid_before_utc:%Y-%m-%d}; "
                             "check this machine's clock")
    profile = plan.subordinate_profile
    if plan.type is CeremonyType.SIGN and profile is not None and profile.validity_days >= 1:
        until = now + dt.timedelta(days=profile.validity_days)
        if until > end:
            longest = (end - now).days
            found.problem("profile.validity_days",
                          f"{profile.validity_days} days from today would end {until:%Y-%m-%d}, "
                          f"after the issuer certificate expires on {end:%Y-%m-%d}; shorten it "
                          f"to at most {longest} days")
    if plan.crl is not None and signing_crls and \
            now + dt.timedelta(days=plan.crl.next_update_days) > end:
        found.note("crl.next_update_days", "the CRL's nextUpdate falls after the issuer "
                                           f"expires on {end:%Y-%m-%d}")


def _check_csr(path: Path, issuer: x509.Certificate | None, found: _Findings) -> None:
    # Imported here: crypto.csr is only needed by sign plans.
    from crypto.csr import check_csr, load_csr_file

    try:
        csr = load_csr_file(path)
        summary = check_csr(csr)
    except UnusableInput as ex:
        found.problem("csr.file", str(ex))
        return
    except CsrRejected as ex:
        found.problem("csr.file", f"{path} would not be signed: {ex}")
        return
    found.notes.append(f"csr.file: {summary.subject}, {summary.key_description}, SPKI SHA-256 "
                       f"{summary.spki_sha256}")
    if issuer is not None and _spki(csr.public_key()) == _spki(issuer.public_key()):
        found.problem("csr.file", "requests a certificate for the issuer's own key; the "
                                  "subordinate CA needs a key of its own")


def _spki(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _check_revocations(plan: CeremonyPlan, issuer: x509.Certificate | None,
                       found: _Findings) -> None:
    seen: dict[int, int] = {}
    for number, entry in enumerate(plan.revocations, 1):
        where = f"crl.revoke[{number}]"
        if entry.serial in seen:
            found.problem(f"{where}.serial", f"{entry.serial:x} is already listed in "
                                             f"crl.revoke[{seen[entry.serial]}]")
        seen.setdefault(entry.serial, number)
        if entry.certificate is None:
            continue
        revoked = _load_certificate(entry.certificate, f"{where}.certificate", found)
        if revoked is None:
            continue
        if revoked.serial_number != entry.serial:
            found.problem(f"{where}.serial", f"{entry.serial:x} is not the serial of "
                                             f"{entry.certificate.name} "
                                             f"({revoked.serial_number:x})")
        if issuer is None:
            continue
        if revoked == issuer:
            found.problem(f"{where}.certificate", "is the issuer itself; a CA does not list "
                                                  "its own certificate on its CRL")
            continue
        try:
            revoked.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            found.problem(f"{where}.certificate", f"{entry.certificate.name} was not issued by "
                                                  "the issuer certificate, so its CRL cannot "
                                                  "revoke it")


def _check_previous_crl(plan: CeremonyPlan, issuer: x509.Certificate | None,
                        found: _Findings) -> None:
    path = plan.previous_crl
    if path is None:
        found.note("crl.previous", "not given, so the new CRL lists only this plan's "
                                   "revocations and drops any earlier ones; name the current "
                                   "CRL unless the root has revoked nothing yet")
        return
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_FILE_BYTES)
    except OSError as ex:
        found.problem("crl.previous", f"{path} cannot be read ({ex.strerror or type(ex).__name__}"
                                      "); check the path")
        return
    try:
        crl = (x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----BEGIN")
               else x509.load_der_x509_crl(data))
    except (ValueError, UnsupportedAlgorithm):
        found.problem("crl.previous", f"{path} is not a PEM or DER CRL")
        return
    if issuer is not None and (crl.issuer != issuer.subject
                               or not crl.is_signature_valid(issuer.public_key())):  # type: ignore[arg-type]
        found.problem("crl.previous", f"{path} is not a CRL signed by the issuer certificate")
        return
    for number, entry in enumerate(plan.revocations, 1):
        if crl.get_revoked_certificate_by_serial_number(entry.serial) is not None:
            found.note(f"crl.revoke[{number}].serial", f"{entry.serial:x} is already revoked "
                                                       "on the previous CRL")


def _check_backup_file(plan: CeremonyPlan, found: _Findings) -> None:
    from crypto.backup import read_backup  # imported here: it loads python-pkcs11

    assert plan.backup is not None and plan.backup.file is not None
    try:
        metadata = read_backup(plan.backup.file).metadata
    except BackupError as ex:
        found.problem("backup.file", str(ex))
        return
    expected = metadata.wrap_key_check_value
    if plan.shares is not None and plan.shares.check_value not in (None, expected):
        found.problem("shares.check_value", f"{plan.shares.check_value} is not the check value "
                                            f"of the backup's wrap key ({expected}); the plan "
                                            "names another share set or another backup")
    if plan.type is CeremonyType.RESTORE and plan.key is not None:
        if plan.key.label != metadata.key_label:
            found.problem("key.label", f'the backup holds key "{metadata.key_label}", not '
                                       f'"{plan.key.label}"; a restored key keeps its label')
        if plan.key.algorithm is not metadata.key_algorithm:
            found.problem("key.algorithm", f"the backup holds an {metadata.key_algorithm.value} "
                                           f"key, not {plan.key.algorithm.value}")


# --- outputs ----------------------------------------------------------------------------------


def _check_outputs(plan: CeremonyPlan, out_dir: Path | None, found: _Findings) -> None:
    if out_dir is None:
        found.note("out", "no output folder given, so whether it holds an earlier run was not "
                          "checked")
    else:
        out_dir = Path(out_dir)
        if out_dir.exists() and not out_dir.is_dir():
            found.problem("out", f"{out_dir} is not a folder; choose another --out")
        elif (out_dir / JOURNAL_FILE).exists():
            found.problem("out", f"{out_dir} holds {JOURNAL_FILE} from an earlier run; resume "
                                 "it with `keyceremony run` or choose another --out")
    backup = plan.backup
    writes_backup = (plan.type is CeremonyType.RESHARE or (
        plan.key is not None and plan.key.backup is BackupMode.WRAPPED))
    if backup is None or not writes_backup:
        return
    folder = backup.folder or (out_dir / DEFAULT_BACKUP_FOLDER if out_dir else None)
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


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False

