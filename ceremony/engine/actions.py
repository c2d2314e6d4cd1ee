"""Step actions shared by the ceremony types: environment, keys, signing, CRLs.

Each action journals what it did before it returns; on a resumed run it first looks for what
an interrupted run already did (a journaled key or artifact) and uses that instead of making
something new, so key material is never duplicated and artifacts are never overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography import x509

from ceremony.engine.context import CeremonyContext
from ceremony.errors import CeremonyError, StepRefused
from ceremony.journal import Event
from ceremony.plan import KeySpec, TokenSpec
from ceremony.preview import certificate_preview, crl_preview
from ceremony.prompts import Outcome
from crypto.issuance import (
    PreparedCertificate,
    PreparedCrl,
    prepare_crl,
    sign_certificate,
    sign_crl,
)
from crypto.keys import TokenKeyPair, find_key_pair, generate_key_pair, key_exists

if TYPE_CHECKING:
    from ceremony.environment import EnvironmentRecord


def environment_problems(environment: EnvironmentRecord) -> tuple[str, ...]:
    """What in the environment a real ceremony must not meet without a recorded deviation."""
    problems = []
    if environment.network_up:
        problems.append(f"network interfaces other than loopback are up "
                        f"({', '.join(environment.network_up)}); a key ceremony runs air-gapped")
    if environment.swaps:
        locked = environment.protection is not None and environment.protection.memory_locked
        problems.append(f"swap is active ({', '.join(environment.swaps)}), so memory holding "
                        "shares and keys could be written to disk"
                        + ("" if locked else " (this program's memory is not locked)")
                        + "; switch swap off (swapoff -a)")
    return tuple(problems)


def check_environment(ctx: CeremonyContext, environment: EnvironmentRecord | None = None) -> None:
    """Record host, versions, swap and memory protection; refuse to go on past a problem
    (a network up, swap active) unless a deviation is recorded for it."""
    from ceremony.environment import record_environment

    environment = environment or record_environment()
    ctx.record(Event.ENVIRONMENT_RECORDED, environment.as_dict())
    for problem in environment_problems(environment):
        if ctx.plan.rehearsal:
            ctx.record(Event.DEVIATION, {"step": "environment", "reason": "rehearsal: "
                                        + problem, "automatic": True})
            continue
        decision = ctx.prompter.deviation(ctx.administrator, problem
                                          + "; put it right, or record why not")
        if decision.outcome is Outcome.REFUSED or not decision.reason.strip():
            ctx.record(Event.STEP_REFUSED, {"step": "environment", "reason": problem},
                       decision.person)
            raise StepRefused(f"{problem}; put it right and run the plan again")
        ctx.record(Event.DEVIATION, {"step": "environment", "problem": problem,
                                     "reason": decision.reason}, decision.person)


def generate_key(ctx: CeremonyContext, token: TokenSpec, key: KeySpec) -> TokenKeyPair:
    """Generate the ceremony's key pair, or take the one an interrupted run generated.

    A key in the token under the label with no journal record of its creation is reported
    and refused, never used.
    """
    session = ctx.token(token)
    earlier = ctx.find_record(Event.KEY_GENERATED, token=token.label, label=key.label)
    if key_exists(session, key.label):
        pair = find_key_pair(session, key.label)
        started = ctx.find_record(Event.KEY_GENERATION_STARTED, token=token.label,
                                  label=key.label)
        if earlier is None and started is not None:
            # Made just before a stop, after its start was journaled: this ceremony's own key.
            return _record_generated(ctx, session, pair, "generated just before a stop")
        if earlier is None or earlier.data.get("spki_sha256") != pair.record.spki_sha256:
            raise CeremonyError(
                f"the token {token.label!r} already holds a key labelled {key.label!r} that "
                "this ceremony's journal did not create; it is not used: check the token"
            )
        ctx.record(Event.KEY_FOUND, {"token": token.label, "label": key.label,
                                 "spki_sha256": pair.record.spki_sha256,
                                 "note": "generated earlier in this ceremony"})
        return pair
    if earlier is not None:
        raise CeremonyError(f"the journal records key {key.label!r} in token {token.label!r}, "
                            "but the token no longer holds it; stop and investigate")
    ctx.record(Event.KEY_GENERATION_STARTED, {"token": token.label, "label": key.label})
    pair = generate_key_pair(session, key.label, key.algorithm,
                             extractable=key.backup.value == "wrapped")
    _record_generated(ctx, session, pair)
    ctx.prompter.inform(f"Key {key.label} generated: {key.algorithm.description}, "
                        f"SPKI SHA-256 {pair.record.spki_sha256}")
    return pair


def _record_generated(ctx: CeremonyContext, session: Any, pair: TokenKeyPair,
                      note: str = "") -> TokenKeyPair:
    ctx.record(Event.KEY_GENERATED, {
        "token": session.label, "token_serial": session.info.serial, **pair.record.as_dict(),
        "generated_at": ctx.clock().isoformat(), **({"note": note} if note else {}),
    })
    return pair


def key_name(pair: TokenKeyPair) -> str:
    return f"{pair.label} (SPKI SHA-256 {pair.record.spki_sha256})"


def _journal_lint(ctx: CeremonyContext, what: str, report: Any, stage: str) -> None:
    ctx.record(Event.LINT_RESULT, {"object": what, "stage": stage, "ok": not report.blocking,
                               "findings": [f"{f.severity} {f.code}: {f.message}"
                                            for f in report.findings]})


def confirm_and_sign_certificate(ctx: CeremonyContext, what: str, prepared: PreparedCertificate,
                                 pair: TokenKeyPair, relative: str) -> x509.Certificate:
    """Show the linted preview, have the administrator confirm it, sign, verify and write it."""
    existing = ctx.existing_artifact(relative)
    if existing is not None:
        return x509.load_pem_x509_certificate(existing)
    _journal_lint(ctx, what, prepared.lint, "before signing")
    preview = certificate_preview(what, prepared.preview, prepared.lint, key_name(pair))
    person = ctx.administrator
    decision = ctx.prompter.confirm_signing(person, preview)
    question = f"sign the {what} shown"
    if decision.outcome is not Outcome.CONFIRMED:
        ctx.decide(decision, question)
        if decision.outcome is Outcome.DEVIATION:
            raise StepRefused("signing needs a plain confirmation, not a deviation")
    # The fields shown, and the subject in RFC 4514 form that verify compares with the one
    # issued (the preview shows it attribute by attribute).
    shown = {"Subject": prepared.preview.subject.rfc4514_string(), **dict(preview.fields)}
    ctx.record(Event.SIGNING_CONFIRMED, {"object": what, "fields": shown,
                                     "extensions": list(preview.extensions),
                                     "lint": list(preview.lint), "signer": preview.signer_key},
               person)
    issued = sign_certificate(prepared, pair.signing_key())
    _journal_lint(ctx, what, issued.lint_after, "after signing")
    certificate = issued.certificate
    ctx.record(Event.CERTIFICATE_ISSUED, {
        "object": what, "path": relative, "serial": f"{certificate.serial_number:x}",
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "sha256": issued.sha256, "lint_kind": prepared.kind,
    })
    ctx.write_artifact(relative, issued.pem, "certificate")
    return certificate


def prepare_and_sign_crl(ctx: CeremonyContext, builder: x509.CertificateRevocationListBuilder,
                         issuer: x509.Certificate, pair: TokenKeyPair,
                         relative: str) -> x509.CertificateRevocationList:
    """Lint, confirm, sign, verify and write a CRL (or take the one an earlier run wrote)."""
    existing = ctx.existing_artifact(relative)
    if existing is not None:
        return x509.load_pem_x509_crl(existing)
    prepared: PreparedCrl = prepare_crl(builder, issuer)
    _journal_lint(ctx, "CRL", prepared.lint, "before signing")
    preview = crl_preview(prepared.preview, prepared.lint, key_name(pair))
    person = ctx.administrator
    decision = ctx.prompter.confirm_signing(person, preview)
    if decision.outcome is not Outcome.CONFIRMED:
        ctx.decide(decision, "sign the CRL shown")
        raise StepRefused("signing needs a plain confirmation, not a deviation")
    ctx.record(Event.SIGNING_CONFIRMED, {"object": "CRL", "fields": dict(preview.fields),
                                     "extensions": list(preview.extensions),
                                     "lint": list(preview.lint), "signer": preview.signer_key},
               person)
    issued = sign_crl(prepared, pair.signing_key())
    _journal_lint(ctx, "CRL", issued.lint_after, "after signing")
    crl = issued.crl
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    ctx.record(Event.CRL_ISSUED, {
        "path": relative, "number": number, "issuer": crl.issuer.rfc4514_string(),
        "this_update": crl.last_update_utc.isoformat(),
        "next_update": crl.next_update_utc.isoformat() if crl.next_update_utc else None,
        "revoked": [f"{r.serial_number:x}" for r in crl], "sha256": issued.sha256,
    })
    ctx.write_artifact(relative, issued.pem, "crl")
    return crl
