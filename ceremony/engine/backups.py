"""Backing up a CA key under a wrap key split among custodians, as one resumable step, and
locking the key once its backup exists.

Order matters for crash safety: the wrap key is split and every share handed out and proven
before the key is wrapped and the backup written. A stop before the backup is journaled voids
the shares handed out so far (the wrap key existed only in memory; the step starts again with
a new one); a stop after it leaves a complete backup whose shares are all in custodians' hands.
The step after it (``lock_backed_up_key``) makes the key non-extractable for good; it is
idempotent, so a ceremony stopped between the backup and the lock locks the key on resume.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from ceremony.engine.context import CeremonyContext
from ceremony.engine.custody import handed_out_set, scheme_of, split_and_hand_out
from ceremony.engine.pins import derive_pin
from ceremony.engine.token_checks import wrap_mechanisms
from ceremony.errors import CeremonyError
from ceremony.folder import BACKUP_FOLDER
from ceremony.journal import Event
from ceremony.plan import PinSource, TokenSpec
from crypto.backup import generate_wrap_key, import_wrap_key, wrap_key_pair
from crypto.backupfile import BackupMetadata
from crypto.errors import KeyNotFound
from crypto.keys import TokenKeyPair, find_key_pair, key_exists, lock_key
from crypto.token import TokenSession

# Why a backed-up key has no CKA_WRAP_WITH_TRUSTED, for the journal.
NO_WRAP_WITH_TRUSTED = ("CKA_WRAP_WITH_TRUSTED is not set: the backup's wrap key is a user "
                        "object, which only the security officer could mark trusted, and the "
                        "attribute can be set only when a key is made")


def backup_paths(label: str) -> tuple[str, str]:
    return f"{BACKUP_FOLDER}/{label}.wrapped", f"{BACKUP_FOLDER}/{label}.json"


def copy_out(ctx: CeremonyContext, folder: Path | None, relatives: tuple[str, ...]) -> None:
    """Also write the backup files to ``folder``, the plan's ``[backup] folder`` (removable
    media, say; None: no copy).

    The ceremony folder keeps the journaled originals; each copy is written create-exclusive
    and fsynced, checked against the original's digest, and journaled with its own path.
    """
    from crypto.files import write_new_file

    if folder is None:
        return
    for relative in relatives:
        target = folder / Path(relative).name
        if any(r.data.get("copy") == str(target) for r in ctx.records(Event.BACKUP_COPIED)):
            continue
        data = (ctx.folder / relative).read_bytes()
        sha256 = write_new_file(target, data)
        ctx.record(Event.BACKUP_COPIED, {"path": relative, "copy": str(target), "sha256": sha256})


def write_missing_metadata(ctx: CeremonyContext, token: TokenSpec, wrapped_path: str,
                           metadata_path: str, like: BackupMetadata) -> None:
    """Finish a backup whose run stopped between its two files, if that is what happened.

    The wrapped key was journaled, its metadata not: the shares handed out for it are the
    valid ones, so the metadata is written again from what it states and the journal holds
    (the wrapped file's digest, the check value of the shares created for it) and ``like``'s
    key facts. Making a new backup instead would meet the wrapped file already in place.
    """
    wrapped = ctx.artifact_record(wrapped_path)
    created = ctx.records(Event.SHARES_CREATED)
    if wrapped is None or ctx.artifact_record(metadata_path) is not None or not created:
        return
    ctx.existing_artifact(wrapped_path)  # put in place if the stop came before that too
    ctx.token(token)  # opened (and its mechanisms checked) as when it was wrapped
    metadata = replace(like, wrap_key_check_value=str(created[-1].data["check_value"]),
                       wrapped_sha256=str(wrapped.data["sha256"]),
                       created=datetime.now(UTC).replace(microsecond=0),
                       wrap_mechanism=wrap_mechanisms(ctx, token)[0])
    ctx.write_artifact(metadata_path, metadata.to_json(), "backup-metadata")


def back_up_key(ctx: CeremonyContext, token: TokenSpec, folder: Path | None,
                pair: TokenKeyPair, purpose: str) -> None:
    """Split a fresh wrap key among the custodians, then write the wrapped backup of ``pair``
    (in ``token``), copied to ``folder`` too when given."""
    wrapped_path, metadata_path = backup_paths(pair.label)
    write_missing_metadata(ctx, token, wrapped_path, metadata_path, BackupMetadata(
        pair.label, pair.algorithm, pair.record.spki_sha256, pair.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii"), "", "", datetime.now(UTC)))
    if ctx.artifact_record(metadata_path) is not None:
        ctx.existing_artifact(wrapped_path)
        metadata = json.loads(ctx.existing_artifact(metadata_path) or b"{}")
        ctx.prompter.inform("The backup was written before the ceremony stopped; the shares "
                            "handed out then remain the valid ones.")
        if not any(r.data.get("label") == pair.label for r in ctx.records(Event.KEY_BACKED_UP)):
            # Stopped between writing the backup and journaling it: journal it now.
            ctx.record(Event.KEY_BACKED_UP, {
                "label": pair.label, "spki_sha256": metadata["spki_sha256"],
                "wrap_key_check_value": metadata["wrap_key_check_value"],
                "scheme": scheme_of(handed_out_set(ctx)).describe(),
                "files": [wrapped_path, metadata_path]})
        copy_out(ctx, folder, (wrapped_path, metadata_path))
        return
    if ctx.records(Event.SHARES_CREATED):
        ctx.record(Event.SHARES_VOIDED, {"reason": "the ceremony stopped before the backup was "
                                               "written; those shares protect nothing"})
    session = pair.session
    wrap_key = generate_wrap_key(session)
    try:
        split = split_and_hand_out(ctx, wrap_key, purpose)
        token_key = import_wrap_key(session, wrap_key)
        if token.pin is PinSource.SHARES:
            # Kept for the split-pin step that follows; host memory only.
            ctx.secrets["derived_pin"] = derive_pin(wrap_key).encode()
    finally:
        # The wrap key's only copies are now the shares and the token's session object.
        del wrap_key
    try:
        writes, reads = wrap_mechanisms(ctx, token)
        backup = wrap_key_pair(pair, token_key, writes, reads)
    finally:
        token_key.destroy()
    ctx.write_artifact(wrapped_path, backup.wrapped, "wrapped-key")
    ctx.write_artifact(metadata_path, backup.metadata.to_json(), "backup-metadata")
    ctx.record(Event.KEY_BACKED_UP, {
        "label": pair.label, "spki_sha256": backup.metadata.spki_sha256,
        "wrap_key_check_value": split.check_value, "scheme": split.scheme.describe(),
        "files": [wrapped_path, metadata_path],
    })
    copy_out(ctx, folder, (wrapped_path, metadata_path))


def lock_backed_up_key(ctx: CeremonyContext, pair: TokenKeyPair) -> None:
    """Make ``pair``'s private key non-extractable for good, once its backup is journaled.

    The attributes are read back from the token and journaled as ``key-locked`` (once per key
    and token, also when a resumed run finds the key already locked).
    """
    label = pair.label
    # The backup was proven before it was written; its metadata file, journaled last, makes
    # it whole (a run stopped just after that may not have journaled key-backed-up yet).
    if ctx.artifact_record(backup_paths(label)[1]) is None:
        raise CeremonyError(f"key {label!r} has no backup in this ceremony's journal; it is "
                            "locked only after its backup is written and proven")
    _lock(ctx, pair.session, pair)


def lock_key_in_token(ctx: CeremonyContext, session: TokenSession, label: str) -> None:
    """Lock the CA key labelled ``label`` if ``session``'s token holds it (a reshare's token
    may hold the key whose backup it re-wraps, made extractable by an older version)."""
    if not key_exists(session, label):
        return
    try:
        pair = find_key_pair(session, label)
    except KeyNotFound:
        return  # only one half of a pair: not a CA key this tool made
    _lock(ctx, session, pair)


def _lock(ctx: CeremonyContext, session: TokenSession, pair: TokenKeyPair) -> None:
    protection = lock_key(pair)
    label, token = pair.label, session.label
    if any(r.data.get("label") == label and r.data.get("token") == token
           for r in ctx.records(Event.KEY_LOCKED)):
        return
    data: dict[str, object] = {"token": token, "token_serial": session.info.serial,
                               "label": label, "spki_sha256": pair.record.spki_sha256,
                               **protection.as_dict()}
    if not protection.wrap_with_trusted:
        data["note"] = NO_WRAP_WITH_TRUSTED
    ctx.record(Event.KEY_LOCKED, data)
    ctx.prompter.inform(f"Key {label} is now non-extractable for good: the token refuses to "
                        "export it, even to someone who knows its PIN. Its only way out is the "
                        "backup, which needs a quorum of custodians.")
