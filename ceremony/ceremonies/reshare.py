"""The reshare ceremony: a quorum rebuilds the old wrap key; a new wrap key is split among the
new custodians; the backup is re-wrapped under it; the old shares protect nothing any more.

The key being backed up leaves the token only wrapped: the old backup is unwrapped inside the
token as a session object and wrapped again under the new key (crypto.backup.rewrap_backup).
"""

from __future__ import annotations

from ceremony.ceremonies.common import ENVIRONMENT, open_token
from ceremony.ceremonies.restore import load_backup, record_backup_read
from ceremony.engine import (
    CeremonyContext,
    HandOut,
    Step,
    backup_paths,
    collect_quorum,
    copy_out,
    derive_pin,
    lock_key_in_token,
    split_and_hand_out,
)
from ceremony.engine.backups import write_missing_metadata
from ceremony.engine.token_checks import wrap_mechanisms
from ceremony.journal import Event
from ceremony.plan import PinSource, ResharePlan, Role
from crypto.backup import generate_wrap_key, import_wrap_key, rewrap_backup
from crypto.token import translated


def _move_pin(ctx: CeremonyContext, plan: ResharePlan, old_key: bytes, new_key: bytes,
              new_check: str) -> None:
    """With token.pin = "shares" the PIN follows the share set: derive it from the new key."""
    token = plan.token
    session = ctx.token(token)
    with translated(f"changing the PIN of token {token.label!r}"):
        session.session.set_pin(derive_pin(old_key), derive_pin(new_key))
    ctx.record(Event.TOKEN_PIN_SPLIT, {"token": token.label, "check_value": new_check})


def _finish_interrupted(ctx: CeremonyContext, plan: ResharePlan, old_check: str,
                        metadata_path: str) -> None:
    """The new backup was written before a stop; move the PIN if that had not happened yet."""
    import json

    data = ctx.existing_artifact(metadata_path)
    if plan.token.pin is not PinSource.SHARES or \
            ctx.records(Event.TOKEN_PIN_SPLIT):
        return
    new_check = str(json.loads(data or b"{}")["wrap_key_check_value"])
    old_key = collect_quorum(ctx, plan.shares, "unlock the token", old_check)
    new_key = collect_quorum(ctx, plan.new_shares, "derive the new PIN", new_check)
    try:
        _move_pin(ctx, plan, old_key, new_key, new_check)
    finally:
        del old_key, new_key


def reshare(ctx: CeremonyContext, plan: ResharePlan) -> None:
    token = plan.token
    old = load_backup(ctx, plan.backup_file)
    record_backup_read(ctx, plan.backup_file)
    old_check = old.metadata.wrap_key_check_value
    wrapped_path, metadata_path = backup_paths(old.metadata.key_label)
    write_missing_metadata(ctx, token, wrapped_path, metadata_path, old.metadata)
    if ctx.artifact_record(metadata_path) is not None:
        ctx.existing_artifact(wrapped_path)
        _finish_interrupted(ctx, plan, old_check, metadata_path)
        copy_out(ctx, plan.backup_folder, (wrapped_path, metadata_path))
        lock_key_in_token(ctx, ctx.token(token), old.metadata.key_label)
        return
    if ctx.records(Event.SHARES_CREATED):
        ctx.record(Event.SHARES_VOIDED, {"reason": "the ceremony stopped before the new backup "
                                               "was written; those shares protect nothing"})
    session = ctx.token(token)
    old_key = collect_quorum(ctx, plan.shares, "rebuild the old wrap key", old_check)
    new_key = generate_wrap_key(session)
    try:
        split = split_and_hand_out(ctx, new_key, "re-shared key backup")
        token_key = import_wrap_key(session, new_key)
        try:
            writes, reads = wrap_mechanisms(ctx, token)
            backup = rewrap_backup(old, old_key, token_key, writes, reads)
        finally:
            token_key.destroy()
        ctx.write_artifact(wrapped_path, backup.wrapped, "wrapped-key")
        ctx.write_artifact(metadata_path, backup.metadata.to_json(), "backup-metadata")
        ctx.record(Event.KEY_BACKED_UP, {
            "label": old.metadata.key_label, "spki_sha256": backup.metadata.spki_sha256,
            "wrap_key_check_value": split.check_value, "scheme": split.scheme.describe(),
            "files": [wrapped_path, metadata_path],
        })
        if token.pin is PinSource.SHARES:
            _move_pin(ctx, plan, old_key, new_key, split.check_value)
    finally:
        # The wrap keys' only other copies are the shares; the token's objects are gone.
        del old_key, new_key
    copy_out(ctx, plan.backup_folder, (wrapped_path, metadata_path))
    # The CA key itself, if this token holds it, is left non-extractable (an older version
    # left backed-up keys extractable); the re-wrap used a session copy, destroyed already.
    lock_key_in_token(ctx, session, old.metadata.key_label)
    ctx.record(Event.SHARES_RETIRED, {"check_value": old_check, "replaced_by": split.check_value})
    ctx.prompter.inform("The backup is re-wrapped under the new shares. The old backup file and "
                        "the old shares must now be destroyed; the old shares open only the "
                        "old backup file.")


def steps(plan: ResharePlan) -> tuple[Step, ...]:
    label = plan.token.label
    return (
        ENVIRONMENT,
        Step("token", "Open the token", (Role.ADMINISTRATOR, Role.WITNESS),
             f"The administrator connects the token {label!r} and logs in.",
             open_token(plan.token),
             sign_off=f"The token in the reader is {label!r}."),
        Step("reshare", "Re-share the backup's wrap key",
             (Role.CUSTODIAN, Role.ADMINISTRATOR),
             "The old custodians enter a quorum of shares; the old wrap key is checked against "
             "the backup. A new wrap key is split among the new custodians, each proving their "
             "copy, and the backup is re-wrapped under it inside the token.",
             lambda ctx: reshare(ctx, plan),
             hands_out=HandOut.NEW_SHARES),
    )
