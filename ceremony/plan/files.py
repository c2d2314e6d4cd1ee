"""Plan checks of the files a plan names: issuer certificate, CSR, certificates to revoke,
previous CRL, backup and the token's PKCS#11 module. Part of ``ceremony.plan.check``; nothing
here touches a token.

Each file is read once, with a size cap, and every problem is recorded under the key path that
names the file (``issuer.certificate``, ``csr.file``, ``crl.revoke[2].certificate``, ...).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from ceremony.plan.values import (
    CeremonyPlan,
    CeremonyType,
    CrossSpec,
    IssuerSpec,
    ResponderSpec,
    SoftwareToken,
    TokenSpec,
)
from crypto.algorithms import algorithm_of, spki_der, spki_sha256
from crypto.certfile import load_crl, read_certificate_file
from crypto.errors import BackupError, CsrRejected, ProfileError, UnusableInput
from crypto.files import UnreadableInput, read_input_file
from crypto.module_path import MODULE_VARIABLE, software_module
from crypto.profiles import CRL_MAX_DAYS, ROOT_MAX_DAYS

_MAX_FILE_BYTES = 1 << 20  # certificates and CRLs of a root are far smaller


class Findings:
    """Problems, warnings and notes collected by the checks, each as "key.path: message"."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def warning(self, where: str, message: str) -> None:
        """Allowed, but weaker than it should be: said plainly, never refused."""
        self.warnings.append(f"{where}: {message}")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")


def _read(path: Path, where: str, what: str, found: Findings) -> bytes | None:
    """The bytes of a file the plan names, or None with a problem (missing, a pipe, too big)."""
    try:
        return read_input_file(path, _MAX_FILE_BYTES, what)
    except UnreadableInput as ex:
        found.problem(where, str(ex))
        return None


def _load_certificate(path: Path, where: str, found: Findings) -> x509.Certificate | None:
    try:
        return read_certificate_file(path)
    except UnusableInput as ex:  # unreadable too: UnreadableInput is a kind of it
        found.problem(where, str(ex))
        return None


def check_issuer_files(plan: CeremonyPlan, issuer_spec: IssuerSpec, found: Findings,
                       now: dt.datetime) -> None:
    """Sign and crl plans: the issuer certificate, then the CSR or the revocations and the
    previous CRL, measured against ``now``."""
    issuer = _load_certificate(issuer_spec.certificate, "issuer.certificate", found)
    if issuer is not None:
        _check_issuer(issuer, plan, found, now)
    if plan.type is CeremonyType.SIGN and plan.csr_file is not None:
        _check_csr(plan.csr_file, issuer, found)
    if plan.type is CeremonyType.CROSS_CERTIFICATE and plan.cross is not None:
        _check_cross(plan, plan.cross, issuer, found)
    if plan.type is CeremonyType.ROOT_RENEWAL and issuer is not None:
        _check_renewed_root(issuer, found)
    if plan.type is CeremonyType.OCSP_SIGNER and plan.responder is not None:
        _check_responder(plan, plan.responder, issuer, found, now)
    if plan.type is CeremonyType.RETIRE and issuer is not None and plan.backup is not None \
            and plan.backup.file is not None:
        _check_retired_backup(plan.backup.file, issuer, found)
    if plan.type is CeremonyType.CRL:
        _check_revocations(plan, issuer, found)
        _check_previous_crl(plan, issuer, found)


def _check_issuer(issuer: x509.Certificate, plan: CeremonyPlan, found: Findings,
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
    # Out-of-range values are the profile's own problems; adding them to a date would overflow.
    if plan.type in (CeremonyType.SIGN, CeremonyType.CROSS_CERTIFICATE) and \
            profile is not None and \
            1 <= profile.validity_days <= ROOT_MAX_DAYS:
        until = now + dt.timedelta(days=profile.validity_days)
        if until > end:
            longest = (end - now).days
            found.problem("profile.validity_days",
                          f"{profile.validity_days} days from today would end {until:%Y-%m-%d}, "
                          f"after the issuer certificate expires on {end:%Y-%m-%d}; shorten it "
                          f"to at most {longest} days")
    if plan.crl is not None and signing_crls and \
            1 <= plan.crl.next_update_days <= CRL_MAX_DAYS and \
            now + dt.timedelta(days=plan.crl.next_update_days) > end:
        found.note("crl.next_update_days", "the CRL's nextUpdate falls after the issuer "
                                           f"expires on {end:%Y-%m-%d}")


def _check_csr(path: Path, issuer: x509.Certificate | None, found: Findings) -> None:
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
    if issuer is not None and spki_der(csr.public_key()) == spki_der(issuer.public_key()):
        found.problem("csr.file", "requests a certificate for the issuer's own key; the "
                                  "subordinate CA needs a key of its own")


def _check_cross(plan: CeremonyPlan, cross: CrossSpec, issuer: x509.Certificate | None,
                 found: Findings) -> None:
    """The CA to cross-sign: its own self-signed certificate, or a CSR, whose subject can be
    repeated byte for byte; never the issuer's own key."""
    from crypto.cross import CrossSubject  # imported here: only cross-certificate plans use it
    from crypto.csr import check_csr, load_csr_file

    try:
        if cross.certificate is not None:
            where = "cross.certificate"
            certificate = _load_certificate(cross.certificate, where, found)
            if certificate is None:
                return
            source = CrossSubject.from_certificate(certificate)
        elif cross.csr is not None:
            where = "cross.csr"
            csr = load_csr_file(cross.csr)
            check_csr(csr)
            source = CrossSubject.from_csr(csr)
        else:
            return  # the parser refuses a [cross] naming neither
    except (UnusableInput, CsrRejected, ProfileError) as ex:
        found.problem(where, str(ex))
        return
    found.note(where, f"cross-signs {source.subject.rfc4514_string()}, key identifier "
                      f"{source.key_identifier.digest.hex()}")
    if issuer is not None and spki_der(source.public_key) == spki_der(issuer.public_key()):
        found.problem(where, "is the issuer's own key; a CA's new certificate for its own key "
                             "is a renewal, not a cross-certificate")
    profile = plan.subordinate_profile
    if profile is not None and profile.kind.value not in ("tls", "private"):
        found.problem("profile.kind", f"a cross-certificate is tls (BR 7.1.2.2) or private, "
                                      f"not {profile.kind.value}")


def _check_renewed_root(issuer: x509.Certificate, found: Findings) -> None:
    """A renewal repeats a root's subject and key: the issuer must be a self-signed root whose
    subject this tool can repeat byte for byte."""
    from crypto.cross import CrossSubject  # imported here: only root-renewal plans use it

    try:
        CrossSubject.from_certificate(issuer)
    except ProfileError as ex:
        found.problem("issuer.certificate", f"cannot be renewed: it {ex}")


def _check_responder(plan: CeremonyPlan, responder: ResponderSpec,
                     issuer: x509.Certificate | None, found: Findings, now: dt.datetime) -> None:
    """The responder's CSR (or the name and token of a key to make), and its validity."""
    from crypto.csr import check_csr, load_csr_file  # imported here: ocsp-signer plans only

    if responder.csr is not None:
        try:
            csr = load_csr_file(responder.csr)
            check_csr(csr)
        except (UnusableInput, CsrRejected) as ex:
            found.problem("responder.csr", str(ex))
        else:
            if issuer is not None and spki_der(csr.public_key()) == spki_der(issuer.public_key()):
                found.problem("responder.csr", "requests a certificate for the issuer's own key; "
                                               "the responder needs a key of its own")
    name = responder.common_name
    if name is not None and (not name.strip() or len(name) > 64 or not name.isprintable()):
        found.problem("responder.common_name", "must be 1 to 64 printable characters")
    if responder.token is not None and plan.token is not None and \
            responder.token == plan.token.label:
        found.problem("responder.token", "is the issuer's own token; an OCSP responder's key "
                                         "lives in a token of its own, online")
    days = responder.profile.validity_days
    if issuer is not None and 1 <= days <= ROOT_MAX_DAYS and \
            now + dt.timedelta(days=days) > issuer.not_valid_after_utc:
        found.problem("responder.validity_days", f"{days} days from today would end after the "
                                                 "issuer certificate expires; shorten it")


def _check_retired_backup(path: Path, issuer: x509.Certificate, found: Findings) -> None:
    from crypto.backupfile import read_backup  # imported here: retire plans only
    from crypto.keys import spki_sha256

    try:
        metadata = read_backup(path).metadata
    except BackupError:
        return  # check_backup_file reports it
    if metadata.spki_sha256 != spki_sha256(issuer.public_key()):
        found.problem("backup.file", "is the backup of another key than the issuer "
                                     "certificate's; name the backup of the key retired")


def _check_revocations(plan: CeremonyPlan, issuer: x509.Certificate | None,
                       found: Findings) -> None:
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
                        found: Findings) -> None:
    path = plan.previous_crl
    if path is None:
        found.note("crl.previous", "not given, so the new CRL lists only this plan's "
                                   "revocations and drops any earlier ones; name the current "
                                   "CRL unless the root has revoked nothing yet")
        return
    data = _read(path, "crl.previous", "a root's CRL", found)
    if data is None:
        return
    try:
        crl = load_crl(data, str(path))
    except UnusableInput as ex:
        found.problem("crl.previous", str(ex))
        return
    if issuer is not None and (crl.issuer != issuer.subject
                               or not crl.is_signature_valid(issuer.public_key())):  # type: ignore[arg-type]
        found.problem("crl.previous", f"{path} is not a CRL signed by the issuer certificate")
        return
    for number, entry in enumerate(plan.revocations, 1):
        if crl.get_revoked_certificate_by_serial_number(entry.serial) is not None:
            found.note(f"crl.revoke[{number}].serial", f"{entry.serial:x} is already revoked "
                                                       "on the previous CRL")


def check_backup_file(plan: CeremonyPlan, file: Path, found: Findings) -> None:
    """Restore and reshare plans: the backup is intact and matches [shares] and [key]."""
    from crypto.backupfile import read_backup

    certificate = (_load_certificate(plan.key_certificate, "key.certificate", found)
                   if plan.key_certificate is not None else None)
    try:
        metadata = read_backup(file).metadata
    except BackupError as ex:
        found.problem("backup.file", str(ex))
        return
    certified = spki_sha256(certificate.public_key()) if certificate is not None else None
    if certified not in (None, metadata.spki_sha256):
        found.problem("key.certificate", f"{plan.key_certificate} certifies another key (SPKI "
                                         f"SHA-256 {certified}) than the backup holds "
                                         f"({metadata.spki_sha256}); name the certificate of "
                                         "the key in the backup")
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


def check_token_module(plan: CeremonyPlan, token: TokenSpec, where: str,
                          found: Findings) -> None:
    """The token's module: on this machine (noted when not), and in a real ceremony a named
    HSM module unless the plan accepts a software token."""
    if not os.path.exists(token.module):
        found.note(f"{where}.module", f"{token.module} is not on this machine; the ceremony "
                                      "machine must have it")
    accept = f'{where}.software_token = "accepted"'
    if token.software_token is SoftwareToken.ACCEPTED:
        if not plan.rehearsal:
            found.note(f"{where}.software_token", "a software token is accepted for this real "
                                                  "ceremony; it is journaled as a deviation")
        return
    if plan.rehearsal:
        return
    product = software_module(token.module)
    if not token.module_named:
        found.problem(f"{where}.module", f"a real ceremony names its HSM's PKCS#11 module, but "
                                         f"this plan leaves it to ${MODULE_VARIABLE} or SoftHSM "
                                         f"(now {token.module}); name the module, or add "
                                         f"{accept} to run on a software token as a recorded "
                                         "deviation")
    elif product is not None:
        found.problem(f"{where}.module", f"{token.module} is {product}, a software token whose "
                                         "keys are files on this machine's disk; name the "
                                         f"HSM's module, or add {accept} to run on it as a "
                                         "recorded deviation")
