"""The root renewal ceremony: a root's key signs a new self-signed certificate for itself.

Same key, same subject (byte for byte) and subjectKeyIdentifier, a new serial and validity: a
relying party that has either certificate builds the same paths, and the new one carries the
root past the old one's notAfter.
"""

from __future__ import annotations

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.ceremonies.sign import (
    issuer_certificate,
    issuer_key,
    issuer_serial,
    issuer_token_step,
)
from ceremony.engine import CeremonyContext, Step, confirm_and_sign_certificate
from ceremony.errors import CeremonyError
from ceremony.folder import RENEWED_FILE
from ceremony.plan import Role, RootRenewalPlan
from crypto.certificates import renewal_builder
from crypto.cross import CrossSubject, check_cross_certificate
from crypto.errors import ProfileError
from crypto.issuance import RENEWED_ROOT, prepare_certificate


def sign(ctx: CeremonyContext, plan: RootRenewalPlan) -> None:
    if ctx.existing_artifact(RENEWED_FILE) is not None:
        return
    pair = issuer_key(ctx, plan)
    current = issuer_certificate(ctx, plan.issuer)
    try:
        same = CrossSubject.from_certificate(current)
    except ProfileError as ex:
        raise CeremonyError(f"the root certificate cannot be renewed: it {ex}") from ex
    builder = renewal_builder(current, plan.renewal.validity_days, issuer_serial(ctx, plan),
                              ctx.clock())
    prepared = prepare_certificate(builder, RENEWED_ROOT, pair.public_key, current.subject)
    check_cross_certificate(prepared.preview, same)
    certificate = confirm_and_sign_certificate(ctx, "renewed root certificate", prepared, pair,
                                               RENEWED_FILE)
    check_cross_certificate(certificate, same)
    certificate.verify_directly_issued_by(certificate)
    if certificate.serial_number == current.serial_number:
        raise CeremonyError("the renewed certificate has the old serial number")


def steps(plan: RootRenewalPlan) -> tuple[Step, ...]:
    days = plan.renewal.validity_days
    return (
        ENVIRONMENT,
        issuer_token_step(plan, checked="the key found is checked against the current root "
                                        "certificate"),
        Step("sign", "Sign the renewed root certificate", (Role.ADMINISTRATOR,),
             "The new self-signed certificate keeps the root's key, subject and key "
             f"identifier, with a new serial and {days} days of "
             "validity; it is linted and shown, the administrator confirms exactly what is "
             "shown, the root key signs it, and the result is verified and linted again.",
             lambda ctx: sign(ctx, plan)),
    )
