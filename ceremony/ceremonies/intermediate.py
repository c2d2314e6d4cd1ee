"""The intermediate-key ceremony: a CA key in its own token, its CSR, optionally a backup."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ceremony.actions import generate_key
from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.pins import split_pin
from ceremony.plan import BackupMode, CeremonyPlan, PinSource, Role
from ceremony.runner import CeremonyContext, Step
from crypto.keys import TokenKeyPair, find_key_pair

CSR_FILE = "intermediate-ca.csr"


def _pair(ctx: CeremonyContext) -> TokenKeyPair:
    assert ctx.plan.token is not None and ctx.plan.key is not None
    return find_key_pair(ctx.token(ctx.plan.token), ctx.plan.key.label)


def open_token(ctx: CeremonyContext) -> None:
    assert ctx.plan.token is not None
    ctx.token(ctx.plan.token)


def generate(ctx: CeremonyContext) -> None:
    assert ctx.plan.token is not None and ctx.plan.key is not None
    generate_key(ctx, ctx.plan.token, ctx.plan.key)


def write_csr(ctx: CeremonyContext) -> None:
    assert ctx.plan.subject is not None
    if ctx.existing_artifact(CSR_FILE) is not None:
        return
    pair = _pair(ctx)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(ctx.plan.subject.to_name())
           .sign(pair.signing_key(), pair.algorithm.hash))  # type: ignore[arg-type]
    ctx.record("csr-created", {"subject": csr.subject.rfc4514_string(),
                               "spki_sha256": pair.record.spki_sha256, "path": CSR_FILE})
    ctx.write_artifact(CSR_FILE, csr.public_bytes(serialization.Encoding.PEM), "csr")
    ctx.prompter.inform(f"CSR written to {CSR_FILE}. Write the key's SPKI SHA-256 on paper: "
                        f"{pair.record.spki_sha256}")


def backup(ctx: CeremonyContext) -> None:
    from ceremony.backups import back_up_key

    assert ctx.plan.shares is not None
    back_up_key(ctx, _pair(ctx), ctx.plan.shares, "intermediate key backup")


def steps(plan: CeremonyPlan) -> tuple[Step, ...]:
    assert plan.token is not None and plan.key is not None
    token, key = plan.token, plan.key
    result = [
        ENVIRONMENT,
        Step("token", "Open the intermediate CA's token", (Role.ADMINISTRATOR, Role.WITNESS),
             f"The administrator connects the token labelled {token.label!r} and logs in.",
             open_token,
             sign_off=f"The token in the reader is the one labelled {token.label!r}."),
        Step("generate-key", "Generate the intermediate CA key", (Role.ADMINISTRATOR,),
             f"The token generates the {key.algorithm.description} key {key.label!r}.",
             generate),
        Step("csr", "Write the certificate signing request", (Role.ADMINISTRATOR,),
             "The CSR is signed by the new key in the token, proving possession, and written "
             "for the root signing ceremony.", write_csr),
    ]
    if key.backup is BackupMode.WRAPPED:
        result.append(Step("backup", "Back up the intermediate key under a split wrap key",
                           (Role.ADMINISTRATOR, Role.CUSTODIAN),
                           "As at a root ceremony: the wrap key is split and handed out, then "
                           "the key is wrapped and the backup written.", backup))
        if token.pin is PinSource.SHARES:
            result.append(Step(
                "split-pin", "Put the token's PIN under the custodians' control",
                (Role.ADMINISTRATOR,),
                "The token's PIN is changed to one derived from the new share set: from now on "
                "only a quorum of custodians can unlock the token.", split_pin))
    return tuple(result)
