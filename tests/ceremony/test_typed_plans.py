"""Typed plans: each example plan becomes its ceremony type's value, with every part the type
needs present; a plan built around the parser that lacks one is refused before any step runs,
with the sentence naming the plan's table or key."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from ceremony.errors import PlanError
from ceremony.plan import (
    BackupMode,
    CeremonyPlan,
    CrlPlan,
    CrossCertificatePlan,
    CrossFromCertificate,
    CrossFromCsr,
    DrillPlan,
    IntermediateKeyPlan,
    KeyBackup,
    OcspSignerPlan,
    PinSource,
    ResharePlan,
    ResponderFromCsr,
    ResponderMadeHere,
    RestorePlan,
    RetiredShares,
    RetirePlan,
    RootPlan,
    RootRenewalPlan,
    SignPlan,
    parse_plan,
    typed_plan,
)
from crypto.algorithms import KeyAlgorithm

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

# Each type's class, and a required part taken away with the sentence that refuses it.
CASES: dict[str, tuple[type, dict[str, Any], str]] = {
    "root": (RootPlan, {"root_profile": None}, "certificate.validity_days: missing; a root"),
    "intermediate-key": (IntermediateKeyPlan, {"subject": None},
                         "certificate: missing; an intermediate-key"),
    "sign": (SignPlan, {"csr_file": None}, "csr.file: missing; a sign"),
    "sign-private": (SignPlan, {"subordinate_profile": None}, "profile: missing; a sign"),
    "crl": (CrlPlan, {"issuer": None}, "issuer: missing; a crl"),
    "restore": (RestorePlan, {"backup": None}, "backup.file: missing; a restore"),
    "reshare": (ResharePlan, {"new_shares": None}, "new_shares: missing; a reshare"),
    "drill": (DrillPlan, {"shares": None}, "shares: missing; a drill"),
    "cross-certificate": (CrossCertificatePlan, {"cross": None},
                          "cross: missing; a cross-certificate"),
    "root-renewal": (RootRenewalPlan, {"renewal": None}, "renewal: missing; a root-renewal"),
    "ocsp-signer": (OcspSignerPlan, {"token": None}, "token: missing; an ocsp-signer"),
    "retire": (RetirePlan, {"retire": None}, "retire: missing; a retire"),
}


def _example(name: str) -> CeremonyPlan:
    return parse_plan(EXAMPLES / f"{name}.toml")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_example_becomes_its_types_plan(name: str) -> None:
    kind, _, _ = CASES[name]
    plan = _example(name)
    typed = typed_plan(plan)
    assert type(typed) is kind
    assert typed.plan is plan


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_plan_lacking_a_part_its_type_needs_is_refused_naming_it(name: str) -> None:
    _, lacking, sentence = CASES[name]
    plan = dataclasses.replace(_example(name), **lacking)
    with pytest.raises(PlanError) as caught:
        typed_plan(plan)
    assert caught.value.problems == (f"{sentence} ceremony needs it",)
    assert caught.value.path == plan.path


def test_every_type_has_a_case() -> None:
    from ceremony.plan import CeremonyType

    assert {_example(name).type for name in CASES} == set(CeremonyType)


def test_a_new_key_is_backed_up_exactly_when_the_plan_says_wrapped() -> None:
    root = typed_plan(_example("root"))
    assert isinstance(root, RootPlan) and root.backup is not None
    assert isinstance(root.backup, KeyBackup) and root.backup.shares is root.plan.shares
    plan = _example("root")
    assert plan.key is not None
    bare = dataclasses.replace(plan, key=dataclasses.replace(plan.key, backup=BackupMode.NONE),
                               shares=None, backup=None,
                               token=dataclasses.replace(plan.token, pin=PinSource.TYPED)
                               if plan.token else None)
    typed = typed_plan(bare)
    assert isinstance(typed, RootPlan) and typed.backup is None
    with pytest.raises(PlanError, match=r"^.*shares: missing; a root ceremony needs it"):
        typed_plan(dataclasses.replace(plan, shares=None))


def test_the_cross_signed_ca_comes_from_its_certificate_or_its_csr() -> None:
    plan = _example("cross-certificate")
    typed = typed_plan(plan)
    assert isinstance(typed, CrossCertificatePlan)
    assert isinstance(typed.source, CrossFromCertificate)
    csr = EXAMPLES / "files" / "issuing-ca.csr"
    by_csr = typed_plan(dataclasses.replace(plan, cross=dataclasses.replace(
        plan.cross, certificate=None, csr=csr) if plan.cross else None))
    assert isinstance(by_csr, CrossCertificatePlan) and by_csr.source == CrossFromCsr(csr)
    with pytest.raises(PlanError, match=r"cross\.csr: missing"):
        typed_plan(dataclasses.replace(plan, cross=dataclasses.replace(
            plan.cross, certificate=None) if plan.cross else None))


def test_the_responders_key_is_made_here_or_taken_from_a_csr() -> None:
    plan = _example("ocsp-signer")
    typed = typed_plan(plan)
    assert isinstance(typed, OcspSignerPlan)
    made = typed.key_source
    assert isinstance(made, ResponderMadeHere)
    assert plan.responder is not None and plan.token is not None
    assert made.token.label == plan.responder.token and made.token.module == plan.token.module
    assert made.token.pin is PinSource.TYPED
    assert made.key.label == plan.responder.key_label and made.key.backup is BackupMode.NONE
    assert isinstance(made.key.algorithm, KeyAlgorithm)
    assert made.common_name == plan.responder.common_name
    csr = EXAMPLES / "files" / "issuing-ca.csr"
    by_csr = typed_plan(dataclasses.replace(plan, responder=dataclasses.replace(
        plan.responder, csr=csr, token=None, key_label=None, algorithm=None, common_name=None)))
    assert isinstance(by_csr, OcspSignerPlan) and by_csr.key_source == ResponderFromCsr(csr)
    bare = dataclasses.replace(plan, responder=dataclasses.replace(plan.responder,
                                                                   common_name=None))
    with pytest.raises(PlanError, match=r"responder\.common_name: missing; an ocsp-signer"):
        typed_plan(bare)


def test_a_retire_plan_names_the_shares_it_destroys_and_the_backup_it_records() -> None:
    plan = _example("retire")
    typed = typed_plan(plan)
    assert isinstance(typed, RetirePlan) and plan.shares is not None
    assert typed.destroyed_shares == RetiredShares(plan.shares, str(plan.shares.check_value))
    assert plan.retire is not None
    kept = typed_plan(dataclasses.replace(plan, shares=None, retire=dataclasses.replace(
        plan.retire, shares_destroyed=False)))
    assert isinstance(kept, RetirePlan) and kept.destroyed_shares is None
    with pytest.raises(PlanError, match=r"shares\.check_value: missing; a retire"):
        typed_plan(dataclasses.replace(plan, shares=dataclasses.replace(plan.shares,
                                                                        check_value=None)))


def test_prepare_types_the_plan_and_refuses_one_lacking_a_part(tmp_path: Path) -> None:
    from ceremony.execution import prepare

    plan = _example("drill")
    prepared = prepare(plan, tmp_path / "out")
    assert isinstance(prepared.typed, DrillPlan) and prepared.plan is plan
    with pytest.raises(PlanError, match=r"shares: missing; a drill ceremony needs it"):
        prepare(dataclasses.replace(plan, shares=None), tmp_path / "out")
    assert not (tmp_path / "out").exists()
