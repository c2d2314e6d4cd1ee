"""What a plan asks of each of its tokens, and the capability check that proves a token can.

``plan_token_needs`` derives a ``TokenNeeds`` from the plan (and the files it names: the
issuer's certificate, a backup's metadata). ``check_ceremony_token`` runs the check when a
ceremony first logs in to a token, journals it (``token-checked``) and refuses there, before any
key exists, when the token cannot do every step. ``keyceremony token check PLAN`` runs the same
check beforehand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ceremony.errors import StepRefused
from ceremony.journal import Event
from ceremony.plan import BackupMode, CeremonyPlan, CeremonyType, TokenSpec
from crypto.algorithms import KeyAlgorithm, algorithm_of
from crypto.backupfile import WrapMechanism
from crypto.tokencheck.report import TokenNeeds, TokenReport

if TYPE_CHECKING:
    from ceremony.prompts import Prompter
    from crypto.token import TokenSession


class _Running(Protocol):
    """What the check needs of a running ceremony (``CeremonyContext``, which calls it when a
    token is opened: a protocol rather than an import keeps the engine free of cycles)."""

    plan: CeremonyPlan
    prompter: Prompter
    values: dict[str, Any]

    @property
    def step_id(self) -> str | None: ...

    def record(self, event: Event, data: dict[str, Any] | None = None) -> None: ...

# The transcript signer's key (ceremony.transcript_sign.SIGNER_ALGORITHM), repeated here so
# that reading a plan's needs does not import the PDF signer (start-up speed); a test ties them.
TRANSCRIPT_SIGNER = KeyAlgorithm.EC_P384


def plan_tokens(plan: CeremonyPlan) -> tuple[TokenSpec, ...]:
    """The tokens a plan opens, in the order its steps open them."""
    tokens = [t for t in (plan.token, plan.new_token) if t is not None]
    responder = plan.responder
    if responder is not None and responder.token is not None and plan.token is not None:
        # ocsp-signer: the responder's key is made in a token of its own, through [token]'s
        # module, with a typed PIN (ceremony.ceremonies.ocsp).
        tokens.append(TokenSpec(label=responder.token, module=plan.token.module))
    return tuple(tokens)


def plan_token_needs(plan: CeremonyPlan, spec: TokenSpec) -> TokenNeeds:
    """What ``plan``'s steps ask of token ``spec``."""
    needs = TokenNeeds()
    kind = plan.type
    key = plan.key
    if kind in (CeremonyType.ROOT, CeremonyType.INTERMEDIATE_KEY) and key is not None \
            and spec == plan.token:
        wrapped = key.backup is BackupMode.WRAPPED
        needs = needs.merged(TokenNeeds(generate=((key.algorithm, wrapped),),
                                        sign=(key.algorithm,), random=True,
                                        wrap=(key.algorithm,) if wrapped else ()))
    elif kind is CeremonyType.RESTORE and key is not None and spec == (plan.new_token
                                                                       or plan.token):
        needs = needs.merged(TokenNeeds(unwrap=(key.algorithm,), sign=(key.algorithm,),
                                        random=True))
    elif kind is CeremonyType.RESHARE and spec == plan.token:
        algorithm = _backup_algorithm(plan)
        if algorithm is not None:
            needs = needs.merged(TokenNeeds(unwrap=(algorithm,), wrap=(algorithm,),
                                            sign=(algorithm,), random=True))
    elif kind is CeremonyType.OCSP_SIGNER and plan.responder is not None \
            and spec.label == plan.responder.token and spec != plan.token \
            and plan.responder.algorithm is not None:
        needs = needs.merged(TokenNeeds(generate=((plan.responder.algorithm, False),)))
    elif spec == plan.token and plan.issuer is not None:  # sign, crl, drill and the like
        algorithm = _issuer_algorithm(plan)
        needs = needs.merged(TokenNeeds(sign=(algorithm,) if algorithm else (), random=True))
    if _signs_transcript(plan, spec):
        needs = needs.merged(TokenNeeds(generate=((TRANSCRIPT_SIGNER, False),),
                                        random=True))
    return needs


def _signs_transcript(plan: CeremonyPlan, spec: TokenSpec) -> bool:
    """Whether the transcript signer's key is made in ``spec`` (ceremony.closing.authority)."""
    if plan.type is CeremonyType.DRILL and (plan.token is None or plan.issuer is None):
        return False
    authority = plan.new_token or plan.token if plan.type is CeremonyType.RESTORE else plan.token
    return spec == authority


def _issuer_algorithm(plan: CeremonyPlan) -> KeyAlgorithm | None:
    from crypto.certfile import read_certificate_file
    from crypto.errors import UnusableInput

    if plan.issuer is None:
        return None
    try:
        certificate = read_certificate_file(plan.issuer.certificate)
    except UnusableInput:
        return None  # plan check reports an unreadable certificate
    return algorithm_of(certificate.public_key())


def _backup_algorithm(plan: CeremonyPlan) -> KeyAlgorithm | None:
    from crypto.backupfile import read_backup
    from crypto.errors import CryptoError

    if plan.backup is None or plan.backup.file is None:
        return None
    try:
        return read_backup(plan.backup.file).metadata.key_algorithm
    except CryptoError:
        return None  # plan check and the ceremony report an unreadable backup


def refusal(report: TokenReport) -> str:
    """The one sentence a refused token gets: its first problem, and how many more."""
    problems = report.problems
    more = f" (and {len(problems) - 1} more; run `keyceremony token check`)" \
        if len(problems) > 1 else ""
    return f"{problems[0]}{more}"


def check_ceremony_token(ctx: _Running, spec: TokenSpec,
                         session: TokenSession) -> TokenReport:
    """Check the just-opened token against the plan; journal it; refuse when it falls short."""
    from crypto.tokencheck import check_token

    report = check_token(session, plan_token_needs(ctx.plan, spec), session.info.uri)
    ctx.values[_KEY + spec.label] = report
    ctx.record(Event.TOKEN_CHECKED, report.as_dict())
    if not report.ok:
        reason = refusal(report)
        ctx.record(Event.STEP_REFUSED, {"step": ctx.step_id, "token": spec.label, "reason": reason})
        raise StepRefused(f"{reason}; the ceremony stopped before any key was made with this "
                          "token")
    ctx.prompter.inform(f"Token {session.info.uri}: the capability check passed "
                        f"({len(report.capabilities)} needs met).")
    return report


_KEY = "token-report:"


def _checked_report(ctx: _Running, spec: TokenSpec) -> TokenReport:
    """What the check of ``spec``'s token found when it was opened."""
    report = ctx.values.get(_KEY + spec.label)
    if not isinstance(report, TokenReport):
        raise RuntimeError(f"token {spec.label!r} was not checked when it was opened")
    return report


def wrap_mechanisms(ctx: _Running,
                    spec: TokenSpec) -> tuple[WrapMechanism, WrapMechanism]:
    """The mechanisms that write and read RFC 5649 in ``spec``'s token, as its check found."""
    report = _checked_report(ctx, spec)
    if report.wrap_mechanism is None or report.unwrap_mechanism is None:
        raise StepRefused(f"the token {spec.label!r} has no mechanism that writes and reads RFC "
                          "5649 key wrap with padding; it cannot make a wrapped backup")
    return report.wrap_mechanism, report.unwrap_mechanism


def unwrap_mechanism(ctx: _Running, spec: TokenSpec) -> WrapMechanism:
    """The mechanism that reads RFC 5649 in ``spec``'s token, as its check found."""
    report = _checked_report(ctx, spec)
    if report.unwrap_mechanism is None:
        raise StepRefused(f"the token {spec.label!r} has no mechanism that reads RFC 5649 key "
                          "wrap with padding; it cannot restore a wrapped backup")
    return report.unwrap_mechanism
