"""The ocsp-signer ceremony: the root delegates OCSP signing to a responder key (BR 7.1.2.8).

An offline root signs no OCSP responses itself; it certifies a responder's key (EKU
OCSPSigning only, id-pkix-ocsp-nocheck, a short validity). The key comes from a CSR, or is
made here in the responder's own token, never extractable.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.ceremonies.sign import (
    issuer_certificate,
    issuer_key,
    issuer_serial,
    issuer_token_step,
)
from ceremony.engine import CeremonyContext, Step, confirm_and_sign_certificate, generate_key
from ceremony.errors import CeremonyError
from ceremony.folder import REQUEST_FILE, SIGNER_FILE
from ceremony.journal import Event
from ceremony.plan import OcspSignerPlan, ResponderFromCsr, ResponderMadeHere, Role
from crypto.certificates import ocsp_signer_builder
from crypto.csr import check_csr, load_csr
from crypto.issuance import OCSP_SIGNER, prepare_certificate
from crypto.keys import find_key_pair, spki_sha256


def responder_key(ctx: CeremonyContext, plan: OcspSignerPlan) -> None:
    """Check and keep the CSR, or make the responder's key in its token."""
    source = plan.key_source
    if isinstance(source, ResponderMadeHere):
        generate_key(ctx, source.token, source.key)
        return
    if ctx.existing_artifact(REQUEST_FILE) is None:
        ctx.write_artifact(REQUEST_FILE, source.csr.read_bytes(), "csr")
    _request(ctx)


def _request(ctx: CeremonyContext) -> x509.CertificateSigningRequest:
    csr = load_csr(ctx.journaled_artifact(REQUEST_FILE), "the journaled ocsp-signer.csr")
    summary = check_csr(csr)
    if not ctx.records(Event.CSR_CHECKED):
        ctx.record(Event.CSR_CHECKED, {"subject": summary.subject,
                                       "key": summary.key_description,
                                       "spki_sha256": summary.spki_sha256,
                                       "ignored_extensions": list(summary.requested_extensions)})
    return csr


def _subject_and_key(ctx: CeremonyContext, plan: OcspSignerPlan,
                     issuer: x509.Certificate) -> tuple[x509.Name, CertificatePublicKeyTypes]:
    source = plan.key_source
    if isinstance(source, ResponderFromCsr):
        csr = _request(ctx)
        return csr.subject, csr.public_key()
    pair = find_key_pair(ctx.token(source.token), source.key.label)
    names = [rdn for rdn in issuer.subject.rdns
             if not rdn.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    names.append(x509.RelativeDistinguishedName([x509.NameAttribute(
        x509.NameOID.COMMON_NAME, source.common_name)]))
    return x509.Name(names), pair.public_key  # type: ignore[return-value]


def sign(ctx: CeremonyContext, plan: OcspSignerPlan) -> None:
    if ctx.existing_artifact(SIGNER_FILE) is not None:
        return
    pair = issuer_key(ctx, plan)
    issuer = issuer_certificate(ctx, plan.issuer)
    subject, public_key = _subject_and_key(ctx, plan, issuer)
    if spki_sha256(public_key) == pair.record.spki_sha256:
        raise CeremonyError("the responder's key is the issuer's own key; it needs its own")
    builder = ocsp_signer_builder(plan.responder.profile, subject, public_key, issuer,
                                  issuer_serial(ctx, plan), ctx.clock())
    prepared = prepare_certificate(builder, OCSP_SIGNER, pair.public_key, issuer.subject)
    certificate = confirm_and_sign_certificate(ctx, "OCSP responder certificate", prepared,
                                               pair, SIGNER_FILE)
    certificate.verify_directly_issued_by(issuer)


def steps(plan: OcspSignerPlan) -> tuple[Step, ...]:
    responder, source = plan.responder, plan.key_source

    def make_key(ctx: CeremonyContext) -> None:
        responder_key(ctx, plan)

    if isinstance(source, ResponderFromCsr):
        key_step = Step("responder-key", "Check the responder's CSR",
                        (Role.ADMINISTRATOR, Role.WITNESS),
                        "The responder's CSR is checked and kept; its subject and key are "
                        "certified, nothing else is taken from it.", make_key)
    else:
        key_step = Step("responder-key", "Make the responder's key",
                        (Role.ADMINISTRATOR, Role.WITNESS),
                        f"The administrator connects the responder's token "
                        f"{source.token.label!r} and logs in; it generates the key "
                        f"{source.key.label!r}, which never leaves it.", make_key,
                        sign_off=f"The responder's token is the one labelled "
                                 f"{source.token.label!r}.")
    return (
        ENVIRONMENT,
        issuer_token_step(plan),
        key_step,
        Step("sign", "Sign the OCSP responder certificate", (Role.ADMINISTRATOR,),
             "The certificate (OCSPSigning only, id-pkix-ocsp-nocheck, "
             f"{responder.profile.validity_days} days) is built, linted and shown; the "
             "administrator confirms exactly what is shown; the root key signs it; the result "
             "is verified and linted again.", lambda ctx: sign(ctx, plan)),
    )
