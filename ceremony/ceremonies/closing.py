"""How every ceremony ends: a transcript-signing certificate, then the signed PDF transcript.

Root and intermediate-key ceremonies certify the signer with the key they made; sign, crl,
restore, reshare (and a drill that names the root's token) with the CA key they operated.
Restore and reshare plans may name the key's CA certificate (``[key] certificate``); the signer
is then issued under the CA's name and the certificate travels in the signature. Without a CA
certificate (an intermediate key not yet signed, a restored or re-shared key whose certificate
the plan does not name) the signer is certified under the bare key, which an auditor trusts by
its SPKI SHA-256 (``verify --anchor-spki``) or by a root certificate of that key (``--root``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ceremony.ceremonies.restore import load_backup
from ceremony.ceremonies.sign import issuer_certificate
from ceremony.engine import CeremonyContext, Step, confirm_and_sign_certificate, generate_key
from ceremony.errors import CeremonyError
from ceremony.folder import ROOT_CERTIFICATE, TRANSCRIPT_NAME
from ceremony.journal import Event
from ceremony.plan import (
    BackupMode,
    IntermediateKeyPlan,
    KeySpec,
    ResharePlan,
    RestorePlan,
    Role,
    RootPlan,
    TokenSpec,
    TypedPlan,
)
from ceremony.transcript import INFO_JOURNAL_HEAD, build_transcript
from ceremony.verify.signatures import read_contents
from crypto.algorithms import spki_sha256
from crypto.certfile import read_certificate_file
from crypto.certificates import random_serial
from crypto.errors import UnusableInput
from crypto.keys import find_key_pair

SIGNER_CERTIFICATE = "transcript-signer.pem"


@dataclass(frozen=True)
class SignerAuthority:
    """The CA key that certifies the transcript signer, and where it is."""

    token: TokenSpec
    key_label: str
    certificate: x509.Certificate | None
    name: x509.Name


def _artifact_certificate(ctx: CeremonyContext, relative: str) -> x509.Certificate | None:
    data = ctx.existing_artifact(relative)
    return x509.load_pem_x509_certificate(data) if data is not None else None


def key_certificate(ctx: CeremonyContext,
                    plan: RestorePlan | ResharePlan) -> x509.Certificate | None:
    """A restore or reshare plan's ``[key] certificate``, checked against the backup's key."""

    path = plan.key_certificate
    if path is None:
        return None
    try:
        certificate = read_certificate_file(path)
    except UnusableInput as ex:
        raise CeremonyError(f"key.certificate: {ex}") from ex
    if spki_sha256(certificate.public_key()) != \
            load_backup(ctx, plan.backup_file).metadata.spki_sha256:
        raise CeremonyError(f"key.certificate: {path} certifies another key than the backup "
                            "holds; name the certificate of the key in the backup")
    return certificate


def authority(ctx: CeremonyContext, plan: TypedPlan) -> SignerAuthority | None:
    """Which key certifies this ceremony's transcript signer (None: the plan has no token)."""
    if isinstance(plan, RootPlan):
        return SignerAuthority(plan.token, plan.key.label,
                               _artifact_certificate(ctx, ROOT_CERTIFICATE),
                               plan.profile.subject.to_name())
    if isinstance(plan, IntermediateKeyPlan):
        return SignerAuthority(plan.token, plan.key.label, None, plan.subject.to_name())
    if isinstance(plan, RestorePlan | ResharePlan):
        label = load_backup(ctx, plan.backup_file).metadata.key_label
        token = plan.new_token if isinstance(plan, RestorePlan) else plan.token
        certificate = key_certificate(ctx, plan)
        if certificate is not None:
            return SignerAuthority(token, label, certificate, certificate.subject)
        name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, label[:64])])
        return SignerAuthority(token, label, None, name)
    signing, issuer = plan.token, plan.issuer  # an issuing plan's, or a drill's (or none)
    if signing is None or issuer is None:
        return None  # a drill without the root's token: its journal is its record
    certificate = issuer_certificate(ctx, issuer)
    return SignerAuthority(signing, issuer.key_label, certificate, certificate.subject)


def issue_signer(ctx: CeremonyContext, plan: TypedPlan) -> None:
    """Generate the transcript-signing key in the token; a person confirms its certificate."""
    # Loaded when a transcript is made: pyHanko takes about 0.4 s to import.
    from ceremony.transcript.sign import (
        SIGNER_ALGORITHM,
        prepare_signer_certificate,
        signer_label,
    )

    found = authority(ctx, plan)
    if found is None or ctx.existing_artifact(SIGNER_CERTIFICATE) is not None:
        return
    session = ctx.token(found.token)
    ca_pair = find_key_pair(session, found.key_label)
    if found.certificate is not None and \
            spki_sha256(found.certificate.public_key()) != ca_pair.record.spki_sha256:
        raise CeremonyError(f"the key {found.key_label!r} in the token is not the key of "
                            f"{found.certificate.subject.rfc4514_string()}; check the token "
                            "and the certificate the plan names")
    pair = generate_key(ctx, found.token, KeySpec(signer_label(ctx.plan.id), SIGNER_ALGORITHM,
                                                  BackupMode.NONE))
    prepared = prepare_signer_certificate(pair.public_key, ctx.plan.id, ca_pair.public_key,
                                          found.certificate, found.name,
                                          random_serial(session.random_bytes), ctx.clock())
    confirm_and_sign_certificate(ctx, "transcript signer certificate", prepared, ca_pair,
                                 SIGNER_CERTIFICATE)


def signer_step(plan: TypedPlan) -> Step:
    """The step certifying the transcript's signing key with the CA key ``plan`` operates."""
    return Step(
        "transcript-signer", "Certify the transcript's signing key", (Role.ADMINISTRATOR,),
        "A new key in the token will sign this ceremony's PDF transcript. Its certificate "
        "(digitalSignature and nonRepudiation, for documents only) is issued by the CA key this "
        "ceremony used, after the administrator confirms it.",
        lambda ctx: issue_signer(ctx, plan), shows_head=True)


def transcript_writer(plan: TypedPlan) -> Callable[[CeremonyContext], None]:
    """The runner's closing action for ``plan``: ``write_transcript`` with its signer."""
    return lambda ctx: write_transcript(ctx, plan)


def write_transcript(ctx: CeremonyContext, plan: TypedPlan) -> None:
    """Build and sign ``transcript.pdf`` from the completed journal; journal that it exists."""
    # Loaded when a transcript is made: pyHanko takes about 0.4 s to import.
    from ceremony.transcript.sign import signer_label
    from crypto.files import commit_staged_file, staged_path

    if ctx.records(Event.TRANSCRIPT_WRITTEN):
        return
    found = authority(ctx, plan)
    if found is None:
        ctx.prompter.inform("No transcript: this drill names no token to sign it; its journal "
                            "is its record.")
        return
    output = ctx.folder / TRANSCRIPT_NAME
    if output.exists():
        _adopt_transcript(ctx, output)
        return
    certificate = x509.load_pem_x509_certificate(ctx.journaled_artifact(SIGNER_CERTIFICATE))
    pair = find_key_pair(ctx.token(found.token), signer_label(ctx.plan.id))
    chain = [certificate, *((found.certificate,) if found.certificate is not None else ())]
    # Staged, journaled, then put in place, as every artifact is: a stop at any moment leaves
    # no transcript the journal does not name (a staged one not yet journaled is made again).
    staged = staged_path(output)
    staged.unlink(missing_ok=True)
    result = build_transcript(ctx.folder, ctx.plan.path, pair.signing_key(), chain, staged)
    ctx.record(Event.TRANSCRIPT_WRITTEN, {**result.journal_data(ctx.folder),
                                      "path": TRANSCRIPT_NAME})
    commit_staged_file(output, result.sha256)
    ctx.prompter.inform(f"Transcript written and signed: {output} (SHA-256 {result.sha256})")


def _adopt_transcript(ctx: CeremonyContext, output: Path) -> None:
    """A transcript written just before a stop: keep it if it is of this journal, else refuse."""
    import hashlib


    data = output.read_bytes()
    completed = ctx.records(Event.CEREMONY_COMPLETED)
    try:
        stated = read_contents(data, []).info.get(INFO_JOURNAL_HEAD)
    except Exception:  # not a PDF pyHanko can read: certainly not ours
        stated = None
    if not completed or stated != completed[-1].hash:
        raise CeremonyError(f"{output} exists but is not the transcript of this journal; move "
                            "it away and run the plan again to write the transcript")
    ctx.record(Event.TRANSCRIPT_WRITTEN, {"path": output.name, "sha256":
                                      hashlib.sha256(data).hexdigest(), "size": len(data),
                                      "journal_head": completed[-1].hash})
