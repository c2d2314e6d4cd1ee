"""The sign ceremony: an operator's CSR becomes a subordinate CA certificate of the root."""

from __future__ import annotations

from cryptography import x509

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.engine import CeremonyContext, Step, confirm_and_sign_certificate, lock_key_in_token
from ceremony.errors import CeremonyError
from ceremony.folder import SIGNED_FILE
from ceremony.journal import Event
from ceremony.plan import IssuerSpec, IssuingPlan, Role, SignPlan
from crypto.certfile import read_certificate_file
from crypto.certificates import random_serial, subordinate_builder
from crypto.csr import check_csr, load_csr, load_csr_file
from crypto.errors import UnusableInput
from crypto.issuance import prepare_certificate
from crypto.keys import TokenKeyPair, find_key_pair, spki_sha256


def issuer_certificate(ctx: CeremonyContext, issuer: IssuerSpec) -> x509.Certificate:
    """The plan's issuer certificate, read once per run."""
    if "issuer_certificate" not in ctx.values:
        path = issuer.certificate
        try:
            ctx.values["issuer_certificate"] = read_certificate_file(path)
        except UnusableInput as ex:  # plan check accepts PEM and DER, and so does the run
            raise CeremonyError(f"issuer.certificate: {ex}") from ex
    certificate: x509.Certificate = ctx.values["issuer_certificate"]
    return certificate


def issuer_key(ctx: CeremonyContext, plan: IssuingPlan) -> TokenKeyPair:
    """The issuer's key in the token, checked against the issuer certificate."""
    pair = find_key_pair(ctx.token(plan.token), plan.issuer.key_label)
    certificate = issuer_certificate(ctx, plan.issuer)
    if spki_sha256(certificate.public_key()) != pair.record.spki_sha256:
        raise CeremonyError(f"the key {pair.label!r} in the token is not the key of the issuer "
                            "certificate; check the token and issuer.certificate")
    return pair


def open_issuer(ctx: CeremonyContext, plan: IssuingPlan) -> None:
    pair = issuer_key(ctx, plan)
    ctx.record(Event.ISSUER_KEY_FOUND, {"label": pair.label,
                                    "spki_sha256": pair.record.spki_sha256,
                                    "local": pair.record.local})
    if pair.record.extractable:
        # Only a backed-up key was ever extractable, and an older version left it so after its
        # backup; the backup is its way out, so the token need not export it: lock it now.
        lock_key_in_token(ctx, pair.session, pair.label)


def issuer_token_step(plan: IssuingPlan, title: str = "Open the root token",
                      token: str = "root token",
                      checked: str = "the key found is checked against the issuer "
                                     "certificate") -> Step:
    """The step that opens the issuer's token and checks its key (``checked`` says against
    what; "" for no such clause)."""
    label = plan.token.label
    return Step("token", title, (Role.ADMINISTRATOR, Role.WITNESS),
                f"The administrator connects the {token} {label!r} and logs in"
                + (f"; {checked}." if checked else "."), lambda ctx: open_issuer(ctx, plan),
                sign_off=f"The token in the reader is the {token} {label!r}.")


def issuer_serial(ctx: CeremonyContext, plan: IssuingPlan) -> int:
    """A random serial number for a certificate the issuer signs, drawn from its token."""
    return random_serial(ctx.token(plan.token).random_bytes)


def check_request(ctx: CeremonyContext, plan: SignPlan) -> None:
    path = plan.csr_file
    data = path.read_bytes()
    if ctx.existing_artifact("request.csr") is None:
        ctx.write_artifact("request.csr", data, "csr")
    summary = check_csr(load_csr_file(path))
    ctx.record(Event.CSR_CHECKED, {"subject": summary.subject, "key": summary.key_description,
                               "spki_sha256": summary.spki_sha256,
                               "ignored_extensions": list(summary.requested_extensions)})
    ctx.prompter.inform(f"CSR accepted: {summary.subject}, {summary.key_description}, "
                        f"SPKI SHA-256 {summary.spki_sha256}. The operator compares this "
                        "SPKI SHA-256 with the one written on paper at the key ceremony.")


def sign(ctx: CeremonyContext, plan: SignPlan) -> None:
    profile = plan.profile
    if ctx.existing_artifact(SIGNED_FILE) is not None:
        return
    pair = issuer_key(ctx, plan)
    issuer = issuer_certificate(ctx, plan.issuer)
    # The CSR checked and journaled in check-csr, not the plan's file as it may be by now.
    csr = load_csr(ctx.journaled_artifact("request.csr"), "the journaled request.csr")
    check_csr(csr)
    builder = subordinate_builder(profile, csr, issuer, issuer_serial(ctx, plan), ctx.clock())
    prepared = prepare_certificate(builder, profile.kind.lint_kind, pair.public_key,
                                   issuer.subject)
    certificate = confirm_and_sign_certificate(ctx, "subordinate CA certificate", prepared,
                                               pair, SIGNED_FILE)
    certificate.verify_directly_issued_by(issuer)


def steps(plan: SignPlan) -> tuple[Step, ...]:
    return (
        ENVIRONMENT,
        issuer_token_step(plan),
        Step("check-csr", "Check the operator's CSR", (Role.OPERATOR, Role.ADMINISTRATOR),
             "The CSR's signature, key and subject are checked against the subordinate "
             "profile. The profile, not the CSR, decides every extension.",
             lambda ctx: check_request(ctx, plan)),
        Step("sign", "Sign the subordinate CA certificate", (Role.ADMINISTRATOR,),
             "The certificate is built, linted and shown; the administrator confirms exactly "
             "what is shown; the root key signs it; the result is verified and linted again.",
             lambda ctx: sign(ctx, plan), shows_head=True),
    )
