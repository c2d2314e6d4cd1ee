"""Backing up a CA key under a wrap key split among custodians, as one resumable step.

Order matters for crash safety: the wrap key is split and every share handed out and proven
before the key is wrapped and the backup written. A stop before the backup is journaled voids
the shares handed out so far (the wrap key existed only in memory; the step starts again with
a new one); a stop after it leaves a complete backup whose shares are all in custodians' hands.
"""

from __future__ import annotations

from pathlib import Path

from ceremony.custody import split_and_hand_out
from ceremony.pins import derive_pin
from ceremony.plan import PinSource
from ceremony.runner import CeremonyContext
from crypto.backup import generate_wrap_key, import_wrap_key, wrap_key_pair
from crypto.keys import TokenKeyPair

BACKUP_FOLDER = "backup"


def backup_paths(label: str) -> tuple[str, str]:
    return f"{BACKUP_FOLDER}/{label}.wrapped", f"{BACKUP_FOLDER}/{label}.json"


def copy_out(ctx: CeremonyContext, relatives: tuple[str, ...]) -> None:
    """Also write the backup files to the plan's ``[backup] folder`` (removable media, say).

    The ceremony folder keeps the journaled originals; each copy is written create-exclusive
    and fsynced, checked against the original's digest, and journaled with its own path.
    """
    from crypto.files import write_new_file

    plan_backup = ctx.plan.backup
    if plan_backup is None or plan_backup.folder is None:
        return
    for relative in relatives:
        target = plan_backup.folder / Path(relative).name
        if any(r.data.get("copy") == str(target) for r in ctx.records("backup-copied")):
            continue
        data = (ctx.folder / relative).read_bytes()
        sha256 = write_new_file(target, data)
        ctx.record("backup-copied", {"path": relative, "copy": str(target), "sha256": sha256})


def back_up_key(ctx: CeremonyContext, pair: TokenKeyPair, purpose: str) -> None:
    """Split a fresh wrap key among the custodians, then write the wrapped backup of ``pair``."""
    wrapped_path, metadata_path = backup_paths(pair.label)
    if ctx.artifact_record(metadata_path) is not None:
        ctx.existing_artifact(wrapped_path)
        ctx.existing_artifact(metadata_path)
        ctx.prompter.inform("The backup was written before the ceremony stopped; the shares "
                            "handed out then remain the valid ones.")
        copy_out(ctx, (wrapped_path, metadata_path))
        return
    if ctx.records("shares-created"):
        ctx.record("shares-voided", {"reason": "the ceremony stopped before the backup was "
                                               "written; those shares protect nothing"})
    session = pair.session
    wrap_key = generate_wrap_key(session)
    try:
        split = split_and_hand_out(ctx, wrap_key, purpose)
        token_key = import_wrap_key(session, wrap_key)
        if ctx.plan.token is not None and ctx.plan.token.pin is PinSource.SHARES:
            # Kept for the split-pin step that follows; host memory only.
            ctx.secrets["derived_pin"] = derive_pin(wrap_key).encode()
    finally:
        # The wrap key's only copies are now the shares and the token's session object.
        del wrap_key
    try:
        backup = wrap_key_pair(pair, token_key)
    finally:
        token_key.destroy()
    ctx.write_artifact(wrapped_path, backup.wrapped, "wrapped-key")
    ctx.write_artifact(metadata_path, backup.metadata.to_json(), "backup-metadata")
    ctx.record("key-backed-up", {
        "label": pair.label, "spki_sha256": backup.metadata.spki_sha256,
        "wrap_key_check_value": split.check_value, "scheme": split.scheme.describe(),
        "files": [wrapped_path, metadata_path],
    })
    copy_out(ctx, (wrapped_path, metadata_path))
