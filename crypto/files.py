"""Files that are written whole or not at all, and never overwritten.

A file is written to a temporary name opened create-exclusive, fsynced, then hard-linked to its
final name (``link`` fails when that name exists, where ``rename`` would silently replace it),
and the folder is fsynced. A crash leaves either the whole file or no file at that name; a stray
temporary file starts with ``.tmp-`` and is never mistaken for an artifact.

Every output is its owner's alone: files are created 0600 and the folders made for them 0700,
whatever the umask, since a rehearsal's shares file or a backup is nobody else's to read.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

from crypto.errors import CryptoError, UnusableInput

FILE_MODE = 0o600  # every output file: readable and writable by its owner only
FOLDER_MODE = 0o700  # every folder made for outputs


class OutputExistsError(CryptoError):
    """An output file is already there; outputs are never overwritten."""

    exit_status = 2


class OutputNotWritableError(CryptoError):
    """An output file or its folder cannot be created or written (nothing was left behind)."""

    exit_status = 2


class UnreadableInput(UnusableInput):
    """An input file cannot be read: missing, not a regular file, or too large.

    ``reason`` is the short cause ("No such file or directory"); ``problem`` the sentence
    without the path, for callers that prefix the path themselves.
    """

    def __init__(self, path: Path | str, reason: str, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.reason = reason
        self.problem = problem


def read_input_file(path: Path | str, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; UnreadableInput if not.

    A folder, a pipe or a device is refused before anything is read: a FIFO would wait forever
    for a writer and /dev/zero would never end. ``what`` names what the file should be ("a
    plan") in the sentence about a file that is too large.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a valid path"
        raise UnreadableInput(path, reason, f"cannot be read ({reason}); check the path") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableInput(path, "Is a directory", "cannot be read (Is a directory); give "
                                                          "the path of a file")
        if not stat.S_ISREG(mode):
            reason = "a pipe or a device, not a file"
            raise UnreadableInput(path, reason, f"cannot be read ({reason}); give the path of a "
                                                "file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInput(path, reason, f"cannot be read ({reason}); check the "
                                            "path") from exc
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnreadableInput(path, f"larger than {limit} bytes",
                              f"is larger than {limit} bytes, too large to be {what}")
    return data


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a new or renamed file) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 0700; an existing one is left as is.

    ``Path.mkdir(mode=...)`` applies the mode to the last folder only; each one made here gets it.
    """
    folder = Path(folder)
    if folder.is_dir():
        return
    missing = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
        else:
            os.chmod(path, FOLDER_MODE)  # the umask may have taken bits the mode asked for


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise OutputExistsError(f"{path} already exists; outputs are never overwritten, so "
                                "move it away or choose another folder")


def write_new_file(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically, refusing to replace anything; return its SHA-256."""
    path = Path(path)
    _refuse_existing(path)
    folder = path.parent
    tmp = folder / f".tmp-{path.name}-{secrets.token_hex(4)}"
    try:
        make_private_folder(folder)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as exc:
        reason = ("part of its folder path is a file" if isinstance(
            exc, FileExistsError | NotADirectoryError) else exc.strerror)
        raise OutputNotWritableError(f"{path} cannot be written ({reason}); choose a folder you "
                                     "can write to") from exc
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
    except OSError as exc:  # a full disk, say: the temporary file is removed below
        raise OutputNotWritableError(f"{path} cannot be written ({exc.strerror}); nothing was "
                                     "left behind, so free space or choose another "
                                     "folder") from exc
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
    _refuse_existing(path)
    staged = staged_path(path)
    staged.unlink(missing_ok=True)
    make_private_folder(path.parent)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
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
