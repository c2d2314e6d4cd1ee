"""A plan as its ceremony type reads it: one frozen value per type, holding exactly the parts
that type uses, non-optional where the schema requires them.

``typed_plan`` builds it once from a parsed ``CeremonyPlan`` (``ceremony.execution.prepare``
calls it after the check, before any token is touched), so a ceremony's steps never meet a
missing part. Each value keeps the parsed plan as ``plan``: its header (path, digest, type, id,
title, rehearsal, participants, location) and the untyped parts the engine reads for every
type alike (where a token's PIN comes from, what each token is checked for at log-in) stay
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias, TypeVar

from ceremony.errors import PlanError
from ceremony.plan.values import (
    BackupMode,
    CeremonyPlan,
    CeremonyType,
    CrossSpec,
    IssuerSpec,
    KeySpec,
    PinSource,
    RenewalSpec,
    ResponderSpec,
    RetireSpec,
    RevocationSpec,
    ShareSpec,
    TokenSpec,
)
from crypto.profiles import CrlProfile, DistinguishedName, RootProfile
from crypto.subordinates import SubordinateProfile

_T = TypeVar("_T")


@dataclass(frozen=True)
class KeyBackup:
    """A new key's wrapped backup (``key.backup = "wrapped"``): the share set its wrap key is
    split into, and the folder its files are also copied to (None: no copy)."""

    shares: ShareSpec
    folder: Path | None


@dataclass(frozen=True)
class RootPlan:
    plan: CeremonyPlan
    token: TokenSpec
    key: KeySpec
    profile: RootProfile  # [certificate]: the subject and validity of the self-signed root
    crl: CrlProfile  # the first CRL's
    backup: KeyBackup | None  # None exactly when key.backup = "none"


@dataclass(frozen=True)
class IntermediateKeyPlan:
    plan: CeremonyPlan
    token: TokenSpec
    key: KeySpec
    subject: DistinguishedName  # [certificate]: the CSR's subject
    backup: KeyBackup | None  # None exactly when key.backup = "none"


@dataclass(frozen=True)
class SignPlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    csr_file: Path
    profile: SubordinateProfile


@dataclass(frozen=True)
class CrlPlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    crl: CrlProfile
    revocations: tuple[RevocationSpec, ...]
    previous: Path | None  # [crl] previous: the CRL this one replaces


@dataclass(frozen=True)
class RestorePlan:
    plan: CeremonyPlan
    new_token: TokenSpec  # the fresh token the key is restored into
    key: KeySpec  # the key in the backup
    shares: ShareSpec
    backup_file: Path
    key_certificate: Path | None  # [key] certificate


@dataclass(frozen=True)
class ResharePlan:
    plan: CeremonyPlan
    token: TokenSpec
    shares: ShareSpec  # the old set, which rebuilds the old wrap key
    new_shares: ShareSpec
    backup_file: Path
    backup_folder: Path | None  # [backup] folder: the re-wrapped backup is copied there too
    key_certificate: Path | None  # [key] certificate


@dataclass(frozen=True)
class DrillPlan:
    """``token`` and ``issuer`` are both given (the root signs the transcript) or both None
    (the parser refuses one alone)."""

    plan: CeremonyPlan
    shares: ShareSpec
    token: TokenSpec | None
    issuer: IssuerSpec | None


@dataclass(frozen=True)
class CrossFromCertificate:
    """The cross-signed CA, taken from its own self-signed certificate."""

    path: Path


@dataclass(frozen=True)
class CrossFromCsr:
    """The cross-signed CA, taken from its CSR."""

    path: Path


@dataclass(frozen=True)
class CrossCertificatePlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    source: CrossFromCertificate | CrossFromCsr
    profile: SubordinateProfile


@dataclass(frozen=True)
class RootRenewalPlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    renewal: RenewalSpec


@dataclass(frozen=True)
class ResponderFromCsr:
    """The responder's key and subject come from its CSR."""

    csr: Path


@dataclass(frozen=True)
class ResponderMadeHere:
    """The responder's key is made in its own token (module of [token], PIN typed); its
    subject is the issuer's names before its common name, then ``common_name``."""

    token: TokenSpec
    key: KeySpec
    common_name: str


@dataclass(frozen=True)
class OcspSignerPlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    responder: ResponderSpec  # the certificate's profile
    key_source: ResponderFromCsr | ResponderMadeHere


@dataclass(frozen=True)
class RetiredShares:
    """retire with ``shares_destroyed``: the share set whose copies are destroyed."""

    shares: ShareSpec
    check_value: str


@dataclass(frozen=True)
class RetirePlan:
    plan: CeremonyPlan
    token: TokenSpec
    issuer: IssuerSpec
    retire: RetireSpec
    backup_file: Path | None  # None: the plan names no backup, whose destruction is not recorded
    destroyed_shares: RetiredShares | None  # None unless retire.shares_destroyed


TypedPlan: TypeAlias = (
    RootPlan | IntermediateKeyPlan | SignPlan | CrlPlan | RestorePlan | ResharePlan | DrillPlan
    | CrossCertificatePlan | RootRenewalPlan | OcspSignerPlan | RetirePlan)
# The types whose steps operate an existing CA key named by [issuer], in the token [token].
IssuingPlan: TypeAlias = (
    SignPlan | CrlPlan | CrossCertificatePlan | RootRenewalPlan | OcspSignerPlan | RetirePlan)


def typed_plan(plan: CeremonyPlan) -> TypedPlan:
    """``plan`` as its ceremony type reads it; PlanError naming the plan's table or key when
    a part the type needs is missing (the parser refuses such a plan: only a plan built around
    the parser can lack one)."""
    need = _Need(plan)
    kind = plan.type
    if kind is CeremonyType.ROOT:
        key = need(plan.key, "key")
        return RootPlan(plan, need(plan.token, "token"), key,
                        need(plan.root_profile, "certificate.validity_days"),
                        plan.crl or CrlProfile(), _key_backup(plan, key, need))
    if kind is CeremonyType.INTERMEDIATE_KEY:
        key = need(plan.key, "key")
        return IntermediateKeyPlan(plan, need(plan.token, "token"), key,
                                   need(plan.subject, "certificate"),
                                   _key_backup(plan, key, need))
    if kind is CeremonyType.RESTORE:
        return RestorePlan(plan, need(plan.new_token or plan.token, "token"),
                           need(plan.key, "key"), need(plan.shares, "shares"),
                           need(_backup_file(plan), "backup.file"), plan.key_certificate)
    if kind is CeremonyType.RESHARE:
        return ResharePlan(plan, need(plan.token, "token"), need(plan.shares, "shares"),
                           need(plan.new_shares, "new_shares"),
                           need(_backup_file(plan), "backup.file"),
                           None if plan.backup is None else plan.backup.folder,
                           plan.key_certificate)
    if kind is CeremonyType.DRILL:
        return DrillPlan(plan, need(plan.shares, "shares"), plan.token, plan.issuer)
    return _issuing(plan, need(plan.token, "token"), need(plan.issuer, "issuer"), need)


def _issuing(plan: CeremonyPlan, token: TokenSpec, issuer: IssuerSpec,
             need: _Need) -> IssuingPlan:
    """The plans of the types that operate the existing CA key [issuer] names."""
    kind = plan.type
    if kind is CeremonyType.SIGN:
        return SignPlan(plan, token, issuer, need(plan.csr_file, "csr.file"),
                        need(plan.subordinate_profile, "profile"))
    if kind is CeremonyType.CRL:
        return CrlPlan(plan, token, issuer, plan.crl or CrlProfile(), plan.revocations,
                       plan.previous_crl)
    if kind is CeremonyType.CROSS_CERTIFICATE:
        cross = need(plan.cross, "cross")
        return CrossCertificatePlan(plan, token, issuer, _cross_source(cross, need),
                                    need(plan.subordinate_profile, "profile"))
    if kind is CeremonyType.ROOT_RENEWAL:
        return RootRenewalPlan(plan, token, issuer, need(plan.renewal, "renewal"))
    if kind is CeremonyType.OCSP_SIGNER:
        responder = need(plan.responder, "responder")
        return OcspSignerPlan(plan, token, issuer, responder,
                              _responder_source(responder, token, need))
    retire = need(plan.retire, "retire")
    backup_file = None if plan.backup is None else need(plan.backup.file, "backup.file")
    destroyed = None
    if retire.shares_destroyed:
        shares = need(plan.shares, "shares")
        destroyed = RetiredShares(shares, need(shares.check_value, "shares.check_value"))
    return RetirePlan(plan, token, issuer, retire, backup_file, destroyed)


class _Need:
    """``need(value, name)``: the value, or PlanError saying the plan's ``name`` is missing."""

    def __init__(self, plan: CeremonyPlan) -> None:
        self.plan = plan

    def __call__(self, value: _T | None, name: str) -> _T:
        if value is None:
            raise PlanError([f"{name}: missing; {self.plan.type.with_article} needs it"],
                            self.plan.path)
        return value


def _backup_file(plan: CeremonyPlan) -> Path | None:
    return None if plan.backup is None else plan.backup.file


def _key_backup(plan: CeremonyPlan, key: KeySpec, need: _Need) -> KeyBackup | None:
    if key.backup is not BackupMode.WRAPPED:
        return None
    return KeyBackup(need(plan.shares, "shares"),
                     None if plan.backup is None else plan.backup.folder)


def _cross_source(cross: CrossSpec, need: _Need) -> CrossFromCertificate | CrossFromCsr:
    if cross.certificate is not None:
        return CrossFromCertificate(cross.certificate)
    return CrossFromCsr(need(cross.csr, "cross.csr"))


def _responder_source(responder: ResponderSpec, token: TokenSpec,
                      need: _Need) -> ResponderFromCsr | ResponderMadeHere:
    if responder.csr is not None:
        return ResponderFromCsr(responder.csr)
    label = need(responder.token, "responder.token")
    key = KeySpec(need(responder.key_label, "responder.key_label"),
                  need(responder.algorithm, "responder.algorithm"), BackupMode.NONE)
    return ResponderMadeHere(TokenSpec(label=label, module=token.module, pin=PinSource.TYPED),
                             key, need(responder.common_name, "responder.common_name"))
