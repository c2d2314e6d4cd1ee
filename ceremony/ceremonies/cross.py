"""The cross-certificate ceremony: an existing CA key signs a certificate for another CA's key.

The cross-signed CA is taken from its own self-signed certificate (or a CSR): subject byte for
byte and subjectKeyIdentifier are repeated, so relying parties see one CA with two issuers.
This is how a new root is rolled in under the old one, and how two organisations bridge.
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
from ceremony.folder import CROSS_FILE
from ceremony.journal import Event
from ceremony.plan import CrossCertificatePlan, CrossFromCertificate, Role
from crypto.certfile import load_certificate
from crypto.certificates import cross_certificate_builder
from crypto.cross import CrossSubject, check_cross_certificate
from crypto.csr import check_csr, load_csr
from crypto.errors import ProfileError, UnusableInput
from crypto.issuance import CROSS_CERTIFICATE, PRIVATE_SUBORDINATE, prepare_certificate
from crypto.keys import spki_sha256
from crypto.subordinates import SubordinateKind

SOURCE_CERTIFICATE = "cross-signed-ca.pem"
SOURCE_CSR = "cross-signed-ca.csr"


def _source(ctx: CeremonyContext, plan: CrossCertificatePlan) -> CrossSubject:
    """The cross-signed CA as journaled in check-cross (not the plan's file as it may be now)."""
    source = plan.source
    try:
        if isinstance(source, CrossFromCertificate):
            data = ctx.existing_artifact(SOURCE_CERTIFICATE)
            if data is None:
                data = source.path.read_bytes()
                ctx.write_artifact(SOURCE_CERTIFICATE, data, "certificate")
            certificate = load_certificate(data, str(source.path))
            return CrossSubject.from_certificate(certificate)
        data = ctx.existing_artifact(SOURCE_CSR)
        if data is None:
            data = source.path.read_bytes()
            ctx.write_artifact(SOURCE_CSR, data, "csr")
        csr = load_csr(data, "the cross-signed CA's CSR")
        check_csr(csr)
        return CrossSubject.from_csr(csr)
    except OSError as ex:
        raise CeremonyError(f"the cross-signed CA's file cannot be read ({ex.strerror})") from ex
    except UnusableInput as ex:
        raise CeremonyError(f"cross: {ex}") from ex
    except (ValueError, ProfileError) as ex:
        what = "certificate" if isinstance(source, CrossFromCertificate) else "CSR"
        raise CeremonyError(f"the cross-signed CA's {what} {ex}") from ex


def check_cross(ctx: CeremonyContext, plan: CrossCertificatePlan) -> None:
    source = _source(ctx, plan)
    issuer = issuer_certificate(ctx, plan.issuer)
    spki = spki_sha256(source.public_key)
    if spki == spki_sha256(issuer.public_key()):
        raise CeremonyError("the CA to cross-sign holds the issuer's own key; that is a "
                            "renewal, not a cross-certificate")
    ctx.record(Event.CROSS_SUBJECT_CHECKED, {
        "source": source.source, "subject": source.subject.rfc4514_string(),
        "subject_der": source.subject_der.hex(), "spki_sha256": spki,
        "subject_key_identifier": source.key_identifier.digest.hex()})
    ctx.prompter.inform(f"To cross-sign: {source.subject.rfc4514_string()}, SPKI SHA-256 "
                        f"{spki}, key identifier {source.key_identifier.digest.hex()}. The "
                        "witnesses compare the SPKI SHA-256 with the one recorded when that "
                        "CA's key was made.")


def sign(ctx: CeremonyContext, plan: CrossCertificatePlan) -> None:
    profile = plan.profile
    if ctx.existing_artifact(CROSS_FILE) is not None:
        return
    pair = issuer_key(ctx, plan)
    issuer = issuer_certificate(ctx, plan.issuer)
    source = _source(ctx, plan)
    builder = cross_certificate_builder(profile, source.subject, source.public_key,
                                        source.key_identifier, issuer, issuer_serial(ctx, plan),
                                        ctx.clock())
    kind = PRIVATE_SUBORDINATE if profile.kind is SubordinateKind.PRIVATE else CROSS_CERTIFICATE
    prepared = prepare_certificate(builder, kind, pair.public_key, issuer.subject)
    check_cross_certificate(prepared.preview, source)
    certificate = confirm_and_sign_certificate(ctx, "cross-certificate", prepared, pair,
                                               CROSS_FILE)
    check_cross_certificate(certificate, source)
    certificate.verify_directly_issued_by(issuer)


def steps(plan: CrossCertificatePlan) -> tuple[Step, ...]:
    return (
        ENVIRONMENT,
        issuer_token_step(plan, "Open the issuing CA's token", "token"),
        Step("check-cross", "Check the CA to cross-sign", (Role.ADMINISTRATOR, Role.WITNESS),
             "The cross-signed CA's own certificate (or CSR) is read and kept; its subject and "
             "key identifier are repeated exactly in the cross-certificate.",
             lambda ctx: check_cross(ctx, plan)),
        Step("sign", "Sign the cross-certificate", (Role.ADMINISTRATOR,),
             "The cross-certificate is built, linted and shown; the administrator confirms "
             "exactly what is shown; the issuer's key signs it; the result is verified, "
             "compared with the cross-signed CA's subject and key identifier, and linted "
             "again.", lambda ctx: sign(ctx, plan)),
    )
