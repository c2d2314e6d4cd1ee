"""The crl ceremony: reissue the root's CRL, revoking certificates it issued if the plan says.

A new CRL carries every revocation of the previous one (``crl.previous``) plus the new ones,
and its number is greater than the previous one's: the time of issue in seconds, or the
previous number plus one if that is larger (RFC 5280 5.2.3 needs only monotonic numbers).
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.ceremonies.sign import issuer_certificate, issuer_key, issuer_token_step
from ceremony.engine import CeremonyContext, Step, prepare_and_sign_crl
from ceremony.errors import CeremonyError
from ceremony.folder import CRL_FILE
from ceremony.journal import Event
from ceremony.plan import CrlPlan, Role
from crypto.certfile import MAX_CERTIFICATE_BYTES, load_crl, read_certificate_file
from crypto.crl import crl_builder, next_crl_number
from crypto.errors import UnusableInput
from crypto.files import read_input_file
from crypto.profiles import ALLOWED_REASONS, RevokedEntry

_REASON_NAMES = {flag: name for name, flag in ALLOWED_REASONS.items() if flag is not None}


def previous_crl(ctx: CeremonyContext, plan: CrlPlan) -> x509.CertificateRevocationList | None:
    path = plan.previous
    if path is None:
        return None
    try:
        crl = load_crl(read_input_file(path, MAX_CERTIFICATE_BYTES, "a CRL"), str(path))
    except UnusableInput as ex:
        raise CeremonyError(f"crl.previous: {ex}") from ex
    issuer = issuer_certificate(ctx, plan.issuer)
    if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        raise CeremonyError(f"crl.previous: {path} is not a CRL signed by the issuer")
    return crl


def _carried(crl: x509.CertificateRevocationList) -> list[RevokedEntry]:
    entries = []
    for revoked in crl:
        try:
            reason = _REASON_NAMES.get(revoked.extensions.get_extension_for_class(
                x509.CRLReason).value.reason, "unspecified")
        except x509.ExtensionNotFound:
            reason = "unspecified"
        entries.append(RevokedEntry(revoked.serial_number,
                                    int(revoked.revocation_date_utc.timestamp()), reason))
    return entries


def revoke(ctx: CeremonyContext, plan: CrlPlan) -> None:
    issuer = issuer_certificate(ctx, plan.issuer)
    already = {int(r.data["serial"], 16) for r in ctx.records(Event.CERTIFICATE_REVOKED)}
    for spec in plan.revocations:
        if spec.serial in already:
            continue
        if spec.certificate is not None:
            try:
                certificate = read_certificate_file(spec.certificate)
                certificate.verify_directly_issued_by(issuer)
            except UnusableInput as ex:
                raise CeremonyError(f"crl.revoke: {ex}") from ex
            except (ValueError, TypeError) as ex:
                raise CeremonyError(f"crl.revoke: {spec.certificate} is not a certificate this "
                                    "root issued; it cannot be revoked here") from ex
            except InvalidSignature as ex:
                raise CeremonyError(f"crl.revoke: {spec.certificate} was not signed by this "
                                    "root") from ex
            if certificate.serial_number != spec.serial:
                raise CeremonyError(f"crl.revoke: serial {spec.serial:x} does not match "
                                    f"{spec.certificate} ({certificate.serial_number:x})")
        decision = ctx.prompter.sign_off(ctx.administrator,
                                         f"Revoke serial {spec.serial:x} for reason "
                                         f"{spec.reason}?")
        ctx.decide(decision, f"revoke serial {spec.serial:x}")
        ctx.record(Event.CERTIFICATE_REVOKED, {"serial": f"{spec.serial:x}", "reason": spec.reason,
                                           "revoked_at": ctx.clock().replace(
                                               microsecond=0).isoformat()},
                   decision.person)


def issue(ctx: CeremonyContext, plan: CrlPlan) -> None:
    pair = issuer_key(ctx, plan)
    issuer = issuer_certificate(ctx, plan.issuer)
    earlier = previous_crl(ctx, plan)
    entries = {e.serial: e for e in (_carried(earlier) if earlier else [])}
    for record in ctx.records(Event.CERTIFICATE_REVOKED):
        serial = int(record.data["serial"], 16)
        when = dt.datetime.fromisoformat(str(record.data["revoked_at"]))
        entries[serial] = RevokedEntry(serial, int(when.timestamp()), str(record.data["reason"]))
    now = ctx.clock()
    previous_number = None if earlier is None else earlier.extensions.get_extension_for_class(
        x509.CRLNumber).value.crl_number
    number = max(int(now.timestamp()), next_crl_number(previous_number))
    builder = crl_builder(issuer, number, now, plan.crl, list(entries.values()))
    prepare_and_sign_crl(ctx, builder, issuer, pair, CRL_FILE)


def steps(plan: CrlPlan) -> tuple[Step, ...]:
    result = [ENVIRONMENT, issuer_token_step(plan, checked="")]
    if plan.revocations:
        result.append(Step("revoke", "Revoke certificates", (Role.ADMINISTRATOR,),
                           "Each revocation in the plan is confirmed by the administrator.",
                           lambda ctx: revoke(ctx, plan)))
    result.append(Step("crl", "Issue the CRL", (Role.ADMINISTRATOR,),
                       "The CRL lists every earlier revocation and the new ones; it is linted, "
                       "confirmed and signed.", lambda ctx: issue(ctx, plan),
                       shows_head=True))
    return tuple(result)
