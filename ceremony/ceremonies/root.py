"""The root key ceremony (BR 6.1.1.1): key in the token, self-signed root, first CRL, and a
wrapped backup whose wrap key is split among the custodians."""

from __future__ import annotations

from cryptography import x509

from ceremony.actions import (
    confirm_and_sign_certificate,
    generate_key,
    prepare,
    prepare_and_sign_crl,
)
from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.pins import split_pin
from ceremony.plan import BackupMode, CeremonyPlan, PinSource, Role
from ceremony.runner import CeremonyContext, Step
from crypto.certificates import random_serial, root_builder
from crypto.crl import crl_builder, next_crl_number
from crypto.issuance import ROOT
from crypto.keys import TokenKeyPair, find_key_pair
from crypto.profiles import CrlProfile

ROOT_CERTIFICATE = "root-ca.pem"
ROOT_CRL = "root-ca.crl"


def open_token(ctx: CeremonyContext) -> None:
    assert ctx.plan.token is not None
    ctx.token(ctx.plan.token)


def generate(ctx: CeremonyContext) -> None:
    assert ctx.plan.token is not None and ctx.plan.key is not None
    generate_key(ctx, ctx.plan.token, ctx.plan.key)


def root_key(ctx: CeremonyContext) -> TokenKeyPair:
    assert ctx.plan.token is not None and ctx.plan.key is not None
    return find_key_pair(ctx.token(ctx.plan.token), ctx.plan.key.label)


def root_certificate(ctx: CeremonyContext) -> x509.Certificate:
    data = ctx.existing_artifact(ROOT_CERTIFICATE)
    if data is None:
        raise RuntimeError("the root certificate step has not run")
    return x509.load_pem_x509_certificate(data)


def self_sign(ctx: CeremonyContext) -> None:
    assert ctx.plan.root_profile is not None and ctx.plan.token is not None
    pair = root_key(ctx)
    if ctx.existing_artifact(ROOT_CERTIFICATE) is not None:
        return
    session = ctx.token(ctx.plan.token)
    builder = root_builder(ctx.plan.root_profile, pair.public_key,  # type: ignore[arg-type]
                           random_serial(session.random_bytes), ctx.clock())
    name = ctx.plan.root_profile.subject.to_name()
    prepared = prepare(builder, ROOT, pair.public_key, name)
    confirm_and_sign_certificate(ctx, "root certificate", prepared, pair, ROOT_CERTIFICATE)


def first_crl(ctx: CeremonyContext) -> None:
    pair = root_key(ctx)
    issuer = root_certificate(ctx)
    profile = ctx.plan.crl or CrlProfile()
    builder = crl_builder(issuer, next_crl_number(None), ctx.clock(), profile)
    prepare_and_sign_crl(ctx, builder, issuer, pair, ROOT_CRL)


def backup(ctx: CeremonyContext) -> None:
    from ceremony.backups import back_up_key

    assert ctx.plan.shares is not None
    back_up_key(ctx, root_key(ctx), ctx.plan.shares, "root key backup")


def steps(plan: CeremonyPlan) -> tuple[Step, ...]:
    assert plan.token is not None and plan.key is not None
    token, key = plan.token, plan.key
    result = [
        ENVIRONMENT,
        Step("token", "Open the root token", (Role.ADMINISTRATOR, Role.WITNESS),
             f"The administrator connects the token labelled {token.label!r} and logs in. The "
             "witnesses compare the token's serial number, shown next, with the plan's records.",
             open_token,
             sign_off=f"The token in the reader is the one labelled {token.label!r}, taken "
                      "from its sealed bag."),
        Step("generate-key", "Generate the root key in the token", (Role.ADMINISTRATOR,),
             f"The token generates the {key.algorithm.description} key {key.label!r}. It is "
             "sensitive and never leaves the token"
             + (" except wrapped for the backup." if key.backup is BackupMode.WRAPPED else "."),
             generate),
        Step("root-certificate", "Self-sign the root certificate", (Role.ADMINISTRATOR,),
             "The certificate is built from the plan, linted, and shown. The administrator "
             "confirms exactly what is shown; only then does the token sign it.", self_sign),
        Step("first-crl", "Issue the root's first CRL", (Role.ADMINISTRATOR,),
             "The root's first (empty) CRL is built, linted, confirmed and signed.", first_crl),
    ]
    if key.backup is BackupMode.WRAPPED:
        result.append(Step(
            "backup", "Back up the root key under a split wrap key",
            (Role.ADMINISTRATOR, Role.CUSTODIAN),
            "A wrap key is drawn from the token and split among the custodians. Each custodian "
            "in turn, alone at the screen, writes their share down and proves the copy. Only "
            "then is the root key wrapped and the backup written.", backup))
        if token.pin is PinSource.SHARES:
            result.append(Step(
                "split-pin", "Put the token's PIN under the custodians' control",
                (Role.ADMINISTRATOR,),
                "The token's PIN is changed to one derived from the new share set: from now on "
                "only a quorum of custodians can unlock the token.", split_pin))
    return tuple(result)
