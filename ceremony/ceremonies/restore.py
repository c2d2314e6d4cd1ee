"""The restore ceremony: a quorum rebuilds the wrap key; the backup is unwrapped into a new token.

The rebuilt wrap key is checked against the backup's check value before the token is touched,
lives in host memory only until it is imported as a session object, and is dropped after.
"""

from __future__ import annotations

import os
from pathlib import Path

from ceremony.ceremonies.common import ENVIRONMENT
from ceremony.engine import CeremonyContext, Step, collect_quorum
from ceremony.engine.token_checks import unwrap_mechanism
from ceremony.errors import CeremonyError
from ceremony.journal import Event
from ceremony.plan import RestorePlan, Role
from crypto.backup import WrappedBackup, read_backup, restore_backup
from crypto.issuance import verify_signature
from crypto.keys import find_key_pair, key_exists


def load_backup(ctx: CeremonyContext, file: Path) -> WrappedBackup:
    """The plan's backup (its metadata ``file``), read and checked once per run."""
    if "backup" not in ctx.values:
        ctx.values["backup"] = read_backup(file)
    backup: WrappedBackup = ctx.values["backup"]
    return backup


def record_backup_read(ctx: CeremonyContext, file: Path) -> None:
    """Journal the backup's key once: its public key lets an auditor who trusts the key by its
    SPKI SHA-256 check what it certified (``verify --anchor-spki``)."""
    if ctx.records(Event.BACKUP_READ):
        return
    metadata = load_backup(ctx, file).metadata
    ctx.record(Event.BACKUP_READ, {"label": metadata.key_label, "spki_sha256": metadata.spki_sha256,
                               "public_key": metadata.public_key_pem,
                               "wrap_key_check_value": metadata.wrap_key_check_value})


def open_target(ctx: CeremonyContext, plan: RestorePlan) -> None:
    record_backup_read(ctx, plan.backup_file)
    ctx.token(plan.new_token)


def restore(ctx: CeremonyContext, plan: RestorePlan) -> None:
    shares = plan.shares
    backup = load_backup(ctx, plan.backup_file)
    spec = plan.new_token
    session = ctx.token(spec)
    label = backup.metadata.key_label
    restored = [r for r in ctx.records(Event.KEY_RESTORED) if r.data.get("label") == label]
    if key_exists(session, label):
        if restored:
            return  # restored before an interruption; the next step proves it
        if ctx.find_record(Event.KEY_RESTORE_STARTED, token=spec.label, label=label) is not None:
            # Unwrapped just before a stop, after its start was journaled: taken up if it is
            # the backup's key (the next step proves it signs).
            pair = find_key_pair(session, label)
            if pair.record.spki_sha256 == backup.metadata.spki_sha256:
                ctx.record(Event.KEY_RESTORED, {
                    "token": spec.label, "token_serial": session.info.serial,
                    **pair.record.as_dict(), "note": "restored just before a stop"})
                return
        raise CeremonyError(f"the token {spec.label!r} already holds a key labelled {label!r}; "
                            "restore into a fresh token")
    expected = backup.metadata.wrap_key_check_value
    if shares.check_value and shares.check_value != expected:
        raise CeremonyError("shares.check_value differs from the backup's wrap key check value; "
                            "the plan names another share set than the one protecting it")
    wrap_key = collect_quorum(ctx, shares, "restore the key backup", expected)
    # Journaled first, so that a stop between the unwrap and its record leaves a key this
    # ceremony accounts for, which the resumed run takes up.
    ctx.record(Event.KEY_RESTORE_STARTED, {"token": spec.label, "label": label})
    try:
        pair = restore_backup(session, backup, wrap_key, unwrap_mechanism(ctx, spec))
    finally:
        del wrap_key  # its only copy outside the shares; the token's session object is gone
    record = pair.record
    ctx.record(Event.KEY_RESTORED, {"token": spec.label, "token_serial": session.info.serial,
                                **record.as_dict()})


def prove(ctx: CeremonyContext, plan: RestorePlan) -> None:
    backup = load_backup(ctx, plan.backup_file)
    pair = find_key_pair(ctx.token(plan.new_token), backup.metadata.key_label)
    message = os.urandom(32)
    signature = pair.signing_key().sign(message, *_signature_args(pair))
    verify_signature(backup.metadata.public_key(), signature, message, pair.algorithm.hash)
    ctx.record(Event.KEY_PROVEN, {"label": pair.label, "spki_sha256": pair.record.spki_sha256,
                              "local": pair.record.local})
    ctx.prompter.inform(f"The restored key {pair.label} signs, and its signature verifies "
                        "against the backed-up public key.")


def _signature_args(pair: object) -> tuple[object, ...]:
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    algorithm = pair.algorithm  # type: ignore[attr-defined]
    if algorithm.is_ec:
        return (ec.ECDSA(algorithm.hash),)
    return (padding.PKCS1v15(), algorithm.hash)


def steps(plan: RestorePlan) -> tuple[Step, ...]:
    spec = plan.new_token
    return (
        ENVIRONMENT,
        Step("token", "Open the fresh token", (Role.ADMINISTRATOR, Role.WITNESS),
             f"The administrator connects the fresh token {spec.label!r} and logs in.",
             lambda ctx: open_target(ctx, plan),
             sign_off=f"The token in the reader is the fresh token {spec.label!r}."),
        Step("restore", "Rebuild the wrap key and restore the key", (Role.CUSTODIAN,),
             "Custodians enter their shares one at a time until a quorum is reached. The "
             "rebuilt wrap key is checked against the backup's check value, then the backup "
             "is unwrapped inside the token.", lambda ctx: restore(ctx, plan)),
        Step("prove", "Prove the restored key", (Role.ADMINISTRATOR,),
             "The restored key signs a test message, verified against the backed-up public "
             "key.", lambda ctx: prove(ctx, plan)),
    )
