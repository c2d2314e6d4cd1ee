"""Where the inventory file lives, and opening it so that only a sound inventory gets through.

Durability comes before speed on an offline CA machine: a rollback journal with
``synchronous=FULL`` fsyncs every commit, and when idle the inventory is one self-contained file
that can be copied to backup media (WAL would leave recent commits in a ``-wal`` side file that a
plain copy can miss).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from ceremony.errors import InventoryError
from ceremony.inventory.schema import APPLICATION_ID, SCHEMA_VERSION, migrate, schema_version

if TYPE_CHECKING:
    import argparse

INVENTORY_FILE_NAME = "inventory.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def default_inventory_path() -> Path:
    """``$XDG_DATA_HOME/keyceremony/inventory.sqlite3``, else under ``~/.local/share``."""
    data_home = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and is to be ignored.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "keyceremony" / INVENTORY_FILE_NAME


def add_inventory_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--inventory PATH`` (dest ``inventory``; None means the default path)."""
    parser.add_argument(
        "--inventory", metavar="PATH", type=Path, default=None,
        help="inventory database (default: $XDG_DATA_HOME/keyceremony/inventory.sqlite3, "
             "else ~/.local/share/keyceremony/inventory.sqlite3)",
    )


def open_database(path: Path | str | None) -> tuple[Path, sqlite3.Connection]:
    """Open (creating if needed) the inventory at ``path``, or the default one if None.

    The default path's folders are created; an explicit path's folder must exist already (a
    typo should not silently start a second inventory). Anything that is not a sound keyceremony
    inventory raises InventoryError with one sentence, never a traceback.
    """
    if path is None:
        target = default_inventory_path()
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as ex:
            raise InventoryError(f"cannot create the inventory folder {target.parent} "
                                 f"({ex.strerror}); give another --inventory path") from ex
    else:
        target = Path(path).expanduser()
        if not target.parent.is_dir():
            raise InventoryError(f"the folder {target.parent} for inventory {target.name} does "
                                 "not exist; create it first or give another --inventory path")
    if target.is_dir():
        raise InventoryError(f"{target} is a folder, not an inventory file; give the path of the "
                             ".sqlite3 file")
    if target.exists() and not target.is_file():
        # A FIFO would block the open below forever, a device is no database.
        raise InventoryError(f"{target} is a pipe or a device, not an inventory file; give the "
                             "path of the .sqlite3 file")
    _create_or_check_file(target)
    try:
        db = sqlite3.connect(target, isolation_level=None, timeout=10.0)
    except sqlite3.Error as ex:
        raise InventoryError(f"cannot open inventory {target} ({ex})") from ex
    try:
        _prepare(db, target)
    except sqlite3.DatabaseError as ex:
        db.close()
        raise InventoryError(f"{target} is not a usable keyceremony inventory ({ex}); restore it "
                             "from a backup or give another --inventory path") from ex
    except BaseException:
        db.close()
        raise
    db.row_factory = sqlite3.Row
    return target, db


def _prepare(db: sqlite3.Connection, target: Path) -> None:
    # Only reads until the file is known to be ours: switching the journal mode rewrites the
    # header of another program's (WAL) database.
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = schema_version(db)
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID and (app_id != 0 or version != 0 or tables != 0):
        raise InventoryError(f"{target} is an SQLite database of another program, not a "
                             "keyceremony inventory; give another --inventory path")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = FULL")
    # Finds damage before anything is trusted; about 7 ms for 5000 certificates, and unlike
    # quick_check it also finds indexes that disagree with their tables.
    problems = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise InventoryError(f"inventory {target} is damaged ({problems[0]}); restore it from a "
                             "backup")
    if version > SCHEMA_VERSION:
        raise InventoryError(f"inventory {target} has schema version {version}, newer than this "
                             f"keyceremony knows ({SCHEMA_VERSION}); use a newer release")
    if version < SCHEMA_VERSION:
        migrate(db)


def _create_or_check_file(target: Path) -> None:
    """Create a new inventory file readable by its owner only, or check an old one is SQLite."""
    try:
        # Holder names say whom to approach for shares: keep the file to its owner.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as ex:
        raise InventoryError(f"cannot create inventory {target} ({ex.strerror}); give another "
                             "--inventory path") from ex
    else:
        os.close(fd)
        from crypto.files import fsync_dir

        fsync_dir(target.parent)
        return
    try:
        with target.open("rb") as existing:
            header = existing.read(len(_SQLITE_MAGIC))
    except OSError as ex:
        raise InventoryError(f"cannot read inventory {target} ({ex.strerror}); check its "
                             "permissions") from ex
    # An empty file is what SQLite itself treats as a new database.
    if header and header != _SQLITE_MAGIC:
        raise InventoryError(f"{target} is not a keyceremony inventory (not an SQLite database); "
                             "give another --inventory path")
