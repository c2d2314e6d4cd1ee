"""The inventory: one SQLite file that knows every CA key, certificate, CRL, share set and ceremony.

It never holds a secret: keys are named by their SPKI SHA-256, share sets by holders and check
value (never share content). Times are UTC. ``due`` reads it to say what falls due.

Modules: ``entries`` (the frozen row values), ``schema`` (tables and migrations), ``database``
(where the file is and opening it safely), ``store`` (``Inventory``: recording and queries).
"""

from ceremony.inventory.database import (
    INVENTORY_FILE_NAME,
    add_inventory_argument,
    default_inventory_path,
)
from ceremony.inventory.entries import (
    BackupState,
    CeremonyEntry,
    CertificateEntry,
    CertificateRole,
    CertificateStatus,
    CrlEntry,
    KeyEntry,
    ShareSetEntry,
    serial_hex,
)
from ceremony.inventory.schema import APPLICATION_ID, SCHEMA_VERSION
from ceremony.inventory.store import Inventory

__all__ = [
    "APPLICATION_ID",
    "INVENTORY_FILE_NAME",
    "SCHEMA_VERSION",
    "BackupState",
    "CeremonyEntry",
    "CertificateEntry",
    "CertificateRole",
    "CertificateStatus",
    "CrlEntry",
    "Inventory",
    "KeyEntry",
    "ShareSetEntry",
    "add_inventory_argument",
    "default_inventory_path",
    "serial_hex",
]
