"""Files that are written whole or not at all, and never overwritten.

A file is written to a temporary name opened create-exclusive, fsynced, then hard-linked to its
final name (``link`` fails when that name exists, where ``rename`` would silently replace it),
and the folder is fsynced. A crash leaves either the whole file or no file at that name; a stray
temporary file starts with ``.tmp-`` and is never mistaken for an artifact.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from crypto.errors import CryptoError


class OutputExistsError(CryptoError):
    """An output file is already there; outputs are never overwritten."""

    exit_status = 2


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a new or renamed file) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically, refusing to replace anything; return its SHA-256."""
    path = Path(path)
    if path.exists():
        raise OutputExistsError(f"{path} already exists; outputs are never overwritten, so "
                                "move it away or choose another folder")
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{path.name}-{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise OutputExistsError(f"{path} appeared while it was being written; it was left "
                                    "as it is") from None
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(folder)
    return hashlib.sha256(data).hexdigest()


def staged_path(path: Path) -> Path:
    """Where ``stage_new_file`` keeps ``path``'s content until it is committed."""
    return path.parent / f".staged-{path.name}"


def stage_new_file(path: Path, data: bytes) -> str:
    """Write ``data`` durably beside ``path`` under a staging name; return its SHA-256.

    A ceremony stages an artifact, journals it, then commits it: after a crash the journal
    names the digest and the staged file still holds the bytes, so nothing signed is lost. A
    staged file left by a stop before journaling was never recorded and is replaced.
    """
    path = Path(path)
    if path.exists():
        raise OutputExistsError(f"{path} already exists; outputs are never overwritten, so "
                                "move it away or choose another folder")
    staged = staged_path(path)
    staged.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    fsync_dir(path.parent)
    return hashlib.sha256(data).hexdigest()


def commit_staged_file(path: Path, sha256: str) -> None:
    """Move the staged content of ``path`` into place if its digest is ``sha256``."""
    path = Path(path)
    staged = staged_path(path)
    if path.exists():
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            staged.unlink(missing_ok=True)
            return
        raise OutputExistsError(f"{path} exists with other content than was recorded; it was "
                                "left as it is")
    if not staged.exists() or hashlib.sha256(staged.read_bytes()).hexdigest() != sha256:
        raise CryptoError(f"the recorded content of {path} is missing; it cannot be put in "
                          "place")
    os.link(staged, path)
    staged.unlink()
    fsync_dir(path.parent)
