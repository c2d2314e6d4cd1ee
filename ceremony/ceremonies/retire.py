"""The retire ceremony: a CA key is destroyed in its token after the witnesses confirm.

The transcript signer is certified first, while the key still exists, so the transcript of its
own destruction chains to the CA's certificate. Then each witness and auditor confirms, and the
token destroys the key pair. Optionally the witnesses confirm that every copy of the key's
wrapped backup was destroyed, and each custodian that their copy of the share set was; the
share set is then retired. The inventory marks the key retired and ``due`` stops reminding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ceremony.ceremonies.closing import signer_step
from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.ceremonies.sign import issuer_certificate, issuer_token_step
from ceremony.engine import CeremonyContext, Step
from ceremony.errors import CeremonyError
from ceremony.journal import Event
from ceremony.plan import RetiredShares, RetirePlan, Role
from crypto.keys import destroy_key_pair, find_key_pair, key_exists, spki_sha256


def _witnesses(ctx: CeremonyContext) -> list[str]:
    return [p.name for p in (*ctx.plan.people(Role.WITNESS), *ctx.plan.people(Role.AUDITOR))]


def _confirm(ctx: CeremonyContext, people: list[str], question: str) -> None:
    for person in people:
        ctx.decide(ctx.prompter.sign_off(person, question), question)


def destroy_key(ctx: CeremonyContext, plan: RetirePlan) -> None:
    token, retire = plan.token, plan.retire
    label = plan.issuer.key_label
    spki = spki_sha256(issuer_certificate(ctx, plan.issuer).public_key())
    if ctx.find_record(Event.KEY_DESTROYED, spki_sha256=spki) is not None:
        return  # destroyed before a stop
    session = ctx.token(token)
    if not key_exists(session, label):
        if ctx.find_record(Event.KEY_DESTRUCTION_STARTED, spki_sha256=spki) is not None:
            # Destroyed just before a stop, after the witnesses confirmed and it was journaled.
            _record_destroyed(ctx, plan, session, spki, None, "destroyed just before a stop")
            return
        raise CeremonyError(f"the token {token.label!r} holds no key {label!r} and the "
                            "journal records no destruction; stop and investigate")
    pair = find_key_pair(session, label)
    if pair.record.spki_sha256 != spki:
        raise CeremonyError(f"the key {label!r} is not the issuer certificate's key; nothing "
                            "was destroyed")
    _confirm(ctx, _witnesses(ctx),
             f"destroy the key {label!r} (SPKI SHA-256 {spki}) in token {token.label!r} "
             f"for good, because: {retire.reason}")
    # Journaled first, so that a stop between the destruction and its record is accounted for.
    ctx.record(Event.KEY_DESTRUCTION_STARTED, {"token": token.label, "label": label,
                                               "spki_sha256": spki})
    _record_destroyed(ctx, plan, session, spki, destroy_key_pair(session, label))


def _record_destroyed(ctx: CeremonyContext, plan: RetirePlan, session: Any, spki: str,
                      count: int | None, note: str = "") -> None:
    token, label = plan.token, plan.issuer.key_label
    ctx.record(Event.KEY_DESTROYED, {"token": token.label,
                                     "token_serial": session.info.serial, "label": label,
                                     "spki_sha256": spki, "objects": count,
                                     "reason": plan.retire.reason,
                                     **({"note": note} if note else {})})
    ctx.prompter.inform(f"Key {label!r} destroyed in token {token.label!r}.")
    ctx.show_head()


def destroy_backup(ctx: CeremonyContext, file: Path) -> None:
    if ctx.records(Event.BACKUP_DESTROYED):
        return
    try:
        metadata = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as ex:
        raise CeremonyError(f"backup.file: cannot read {file} ({ex})") from ex
    wrapped = str(metadata.get("wrapped_file", ""))
    _confirm(ctx, _witnesses(ctx),
             f"every copy of the backup {wrapped or file.name} (SHA-256 "
             f"{metadata.get('wrapped_sha256')}) has been destroyed")
    ctx.record(Event.BACKUP_DESTROYED, {
        "file": file.name, "wrapped_file": wrapped,
        "wrapped_sha256": metadata.get("wrapped_sha256"),
        "spki_sha256": metadata.get("spki_sha256"),
        "wrap_key_check_value": metadata.get("wrap_key_check_value")})


def destroy_shares(ctx: CeremonyContext, destroyed: RetiredShares) -> None:
    shares, check_value = destroyed.shares, destroyed.check_value
    done = {r.data.get("holder") for r in ctx.records(Event.SHARE_COPY_DESTROYED)}
    for holder in shares.holders:
        if holder in done:
            continue
        question = (f"I have destroyed my copy of the share of set {check_value}, and "
                    "every copy I made")
        ctx.decide(ctx.prompter.sign_off(holder, question), question)
        ctx.record(Event.SHARE_COPY_DESTROYED, {"holder": holder,
                                                "check_value": check_value}, holder)
    if not ctx.records(Event.SHARES_RETIRED):
        ctx.record(Event.SHARES_RETIRED, {"check_value": check_value,
                                          "replaced_by": None, "reason": "key retired"})


def steps(plan: RetirePlan) -> tuple[Step, ...]:
    """The retire steps, with the transcript signer before the destruction (see above)."""
    label = plan.issuer.key_label
    found: list[Step] = [
        ENVIRONMENT,
        issuer_token_step(plan, "Open the CA's token", "token",
                          f"the key {label!r} is checked against the CA certificate"),
        signer_step(plan),
        Step("destroy-key", "Destroy the CA key", (Role.ADMINISTRATOR, Role.WITNESS),
             f"Each witness and auditor confirms; then the token destroys the key {label!r} "
             "and the program checks that nothing of it is left.",
             lambda ctx: destroy_key(ctx, plan)),
    ]
    backup_file, destroyed = plan.backup_file, plan.destroyed_shares
    if backup_file is not None:
        found.append(Step(
            "destroy-backup", "Record the destruction of the backup",
            (Role.ADMINISTRATOR, Role.WITNESS),
            "The backup's copies (removable media, paper) are destroyed in front of the "
            "witnesses, who confirm it.", lambda ctx: destroy_backup(ctx, backup_file)))
    if destroyed is not None:
        found.append(Step(
            "destroy-shares", "Record the destruction of the share copies",
            (Role.CUSTODIAN,),
            "Each custodian destroys their share copy (and every copy they made) and confirms "
            "it; the share set is then retired.", lambda ctx: destroy_shares(ctx, destroyed)))
    return tuple(found)
