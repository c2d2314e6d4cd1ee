"""The intermediate-key ceremony: a CA key in its own token, its CSR, optionally a backup."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ceremony.ceremonies.common import (
    ENVIRONMENT,
    backup_steps,
    generate_step,
    plan_key_pair,
    token_step,
)
from ceremony.engine import CeremonyContext, Step
from ceremony.folder import CSR_FILE
from ceremony.journal import Event
from ceremony.plan import IntermediateKeyPlan, Role


def write_csr(ctx: CeremonyContext, plan: IntermediateKeyPlan) -> None:
    if ctx.existing_artifact(CSR_FILE) is not None:
        return
    pair = plan_key_pair(ctx, plan)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(plan.subject.to_name())
           .sign(pair.signing_key(), pair.algorithm.hash))  # type: ignore[arg-type]
    ctx.record(Event.CSR_CREATED, {"subject": csr.subject.rfc4514_string(),
                               "spki_sha256": pair.record.spki_sha256, "path": CSR_FILE})
    ctx.write_artifact(CSR_FILE, csr.public_bytes(serialization.Encoding.PEM), "csr")
    ctx.prompter.inform(f"CSR written to {CSR_FILE}. Write the key's SPKI SHA-256 on paper: "
                        f"{pair.record.spki_sha256}")


def steps(plan: IntermediateKeyPlan) -> tuple[Step, ...]:
    return (
        ENVIRONMENT,
        token_step(plan, "Open the intermediate CA's token", ""),
        generate_step(plan, "Generate the intermediate CA key"),
        Step("csr", "Write the certificate signing request", (Role.ADMINISTRATOR,),
             "The CSR is signed by the new key in the token, proving possession, and written "
             "for the root signing ceremony.", lambda ctx: write_csr(ctx, plan)),
        *backup_steps(plan, "intermediate key"),
    )
