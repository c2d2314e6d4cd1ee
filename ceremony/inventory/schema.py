"""The inventory's tables, and the migrations that bring an older file up to date.

``PRAGMA user_version`` is the schema version; ``schema_history`` says when each migration ran.
``PRAGMA application_id`` marks the file as a keyceremony inventory, so another program's
SQLite database is refused rather than written into.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from ceremony.inventory.entries import iso

# "KCIN" as a big-endian 32-bit number.
APPLICATION_ID = 0x4B43494E

_SCHEMA_V1 = (
    """CREATE TABLE schema_history (
        version INTEGER PRIMARY KEY, applied TEXT NOT NULL)""",
    """CREATE TABLE ca_keys (
        id INTEGER PRIMARY KEY,
        token_label TEXT NOT NULL, token_serial TEXT NOT NULL, key_label TEXT NOT NULL,
        spki_sha256 TEXT NOT NULL, algorithm TEXT NOT NULL,
        backup TEXT NOT NULL CHECK (backup IN ('none', 'wrapped')),
        created TEXT NOT NULL, ceremony_id TEXT,
        UNIQUE (token_serial, spki_sha256))""",
    """CREATE TABLE certificates (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE,
        serial_hex TEXT NOT NULL, subject TEXT NOT NULL, issuer TEXT NOT NULL,
        not_before TEXT NOT NULL, not_after TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('root', 'intermediate', 'document-signing')),
        spki_sha256 TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
        revocation_reason TEXT, revocation_date TEXT,
        pem_path TEXT, ceremony_id TEXT,
        CHECK ((status = 'revoked') = (revocation_date IS NOT NULL)))""",
    "CREATE INDEX certificates_serial ON certificates (serial_hex)",
    """CREATE TABLE crls (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE,
        issuer TEXT NOT NULL, issuer_key_id TEXT,
        number TEXT,  -- decimal: CRL numbers may take 20 octets, beyond SQLite's INTEGER
        this_update TEXT NOT NULL, next_update TEXT,
        path TEXT, ceremony_id TEXT)""",
    """CREATE TABLE share_sets (
        id INTEGER PRIMARY KEY, check_value TEXT NOT NULL UNIQUE,
        scheme TEXT NOT NULL, holders TEXT NOT NULL,  -- JSON array of names
        purpose TEXT NOT NULL, created TEXT NOT NULL, ceremony_id TEXT, retired TEXT)""",
    """CREATE TABLE share_drills (
        id INTEGER PRIMARY KEY,
        share_set_id INTEGER NOT NULL REFERENCES share_sets (id),
        drilled TEXT NOT NULL, ok INTEGER NOT NULL CHECK (ok IN (0, 1)), ceremony_id TEXT)""",
    "CREATE INDEX share_drills_set ON share_drills (share_set_id, drilled)",
    """CREATE TABLE ceremonies (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, title TEXT NOT NULL,
        rehearsal INTEGER NOT NULL CHECK (rehearsal IN (0, 1)),
        started TEXT NOT NULL, finished TEXT, outcome TEXT, journal_head TEXT,
        folder TEXT NOT NULL)""",
)


def _create_v1(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V1:
        db.execute(statement)


def _lifecycle_v2(db: sqlite3.Connection) -> None:
    """Keys can be retired (destroyed in their token); certificates can be cross-certificates,
    renewed roots and OCSP responders. SQLite cannot widen a CHECK, so the certificates table is
    rebuilt with the same rows."""
    db.execute("ALTER TABLE ca_keys ADD COLUMN retired TEXT")
    db.execute("ALTER TABLE ca_keys ADD COLUMN retired_ceremony_id TEXT")
    db.execute("""CREATE TABLE certificates_v2 (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE,
        serial_hex TEXT NOT NULL, subject TEXT NOT NULL, issuer TEXT NOT NULL,
        not_before TEXT NOT NULL, not_after TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('root', 'intermediate', 'document-signing',
                                           'cross', 'ocsp-signer')),
        spki_sha256 TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
        revocation_reason TEXT, revocation_date TEXT,
        pem_path TEXT, ceremony_id TEXT,
        CHECK ((status = 'revoked') = (revocation_date IS NOT NULL)))""")
    db.execute("INSERT INTO certificates_v2 SELECT * FROM certificates")
    db.execute("DROP TABLE certificates")
    db.execute("ALTER TABLE certificates_v2 RENAME TO certificates")
    db.execute("CREATE INDEX certificates_serial ON certificates (serial_hex)")


# MIGRATIONS[n] takes the schema from version n to n + 1. To change the schema, append a
# function; never edit one that has shipped, as files out there were made by it.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_create_v1, _lifecycle_v2)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version a database file records."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection,
            migrations: Sequence[Callable[[sqlite3.Connection], None]] = MIGRATIONS) -> None:
    """Run the ``migrations`` the file lacks, in one transaction: all steps or none."""
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have migrated meanwhile.
        version = schema_version(db)
        if version >= len(migrations):
            db.execute("COMMIT")
            return
        for step in range(version, len(migrations)):
            migrations[step](db)
            db.execute("INSERT INTO schema_history VALUES (?, ?)",
                       (step + 1, iso(datetime.now(UTC))))
        # The header pragmas are part of the transaction, so a failed step leaves the old version.
        db.execute(f"PRAGMA user_version = {len(migrations):d}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
