"""The root key ceremony (BR 6.1.1.1): key in the token, self-signed root, first CRL, and a
wrapped backup whose wrap key is split among the custodians."""

from __future__ import annotations

from cryptography import x509

from ceremony.ceremonies.common import (
    ENVIRONMENT,
    backup_steps,
    generate_step,
    plan_key_pair,
    token_step,
)
from ceremony.engine import (
    CeremonyContext,
    Step,
    confirm_and_sign_certificate,
    prepare_and_sign_crl,
)
from ceremony.folder import CRL_FILE, ROOT_CERTIFICATE
from ceremony.plan import Role, RootPlan
from crypto.certificates import random_serial, root_builder
from crypto.crl import crl_builder, next_crl_number
from crypto.issuance import ROOT, prepare_certificate


def root_certificate(ctx: CeremonyContext) -> x509.Certificate:
    return x509.load_pem_x509_certificate(ctx.journaled_artifact(ROOT_CERTIFICATE))


def self_sign(ctx: CeremonyContext, plan: RootPlan) -> None:
    profile = plan.profile
    pair = plan_key_pair(ctx, plan)
    if ctx.existing_artifact(ROOT_CERTIFICATE) is not None:
        return
    session = ctx.token(plan.token)
    builder = root_builder(profile, pair.public_key,  # type: ignore[arg-type]
                           random_serial(session.random_bytes), ctx.clock())
    name = profile.subject.to_name()
    prepared = prepare_certificate(builder, ROOT, pair.public_key, name)
    confirm_and_sign_certificate(ctx, "root certificate", prepared, pair, ROOT_CERTIFICATE)


def first_crl(ctx: CeremonyContext, plan: RootPlan) -> None:
    pair = plan_key_pair(ctx, plan)
    issuer = root_certificate(ctx)
    builder = crl_builder(issuer, next_crl_number(None), ctx.clock(), plan.crl)
    prepare_and_sign_crl(ctx, builder, issuer, pair, CRL_FILE)


def steps(plan: RootPlan) -> tuple[Step, ...]:
    return (
        ENVIRONMENT,
        token_step(plan, "Open the root token", "The witnesses compare the token's serial "
                                                "number, shown next, with the plan's records."),
        generate_step(plan, "Generate the root key in the token"),
        Step("root-certificate", "Self-sign the root certificate", (Role.ADMINISTRATOR,),
             "The certificate is built from the plan, linted, and shown. The administrator "
             "confirms exactly what is shown; only then does the token sign it.",
             lambda ctx: self_sign(ctx, plan),
             shows_head=True),
        Step("first-crl", "Issue the root's first CRL", (Role.ADMINISTRATOR,),
             "The root's first (empty) CRL is built, linted, confirmed and signed.",
             lambda ctx: first_crl(ctx, plan),
             shows_head=True),
        *backup_steps(plan, "root key"),
    )
