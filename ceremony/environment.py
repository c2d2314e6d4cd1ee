"""The environment record of a ceremony: air gap, swap, host, versions, and the program's digest.

BR 6.1.1.1 asks the root key generation report to say where and how the ceremony ran; the
program digest lets an auditor compare the code that ran with a published release manifest.
Whether this process's memory is locked and whether the machine swaps say whether a secret in
memory could reach a disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import platform
import socket
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ceremony.hardening import Protection, protection

IFF_UP = 0x1
SIOCGIFFLAGS = 0x8913  # <linux/sockios.h>
PACKAGES = ("keyceremony", "cryptography", "python-pkcs11", "shamir-mnemonic", "reportlab",
            "pyHanko", "pkilint", "PySide6-Essentials")
PROGRAM_PACKAGES = ("crypto", "ceremony", "gui")


@dataclass(frozen=True)
class NetworkInterface:
    name: str
    up: bool


@dataclass(frozen=True)
class EnvironmentRecord:
    host: str
    os: str
    python: str
    packages: tuple[tuple[str, str], ...]
    program_sha256: str
    program_files: int
    interfaces: tuple[NetworkInterface, ...]
    swaps: tuple[str, ...] = ()  # active swap areas (devices or files)
    protection: Protection | None = None

    @property
    def network_up(self) -> tuple[str, ...]:
        """Interfaces other than loopback that are administratively up."""
        return tuple(i.name for i in self.interfaces if i.up and i.name != "lo")

    def as_dict(self) -> dict[str, object]:
        return {
            "host": self.host,
            "os": self.os,
            "python": self.python,
            "packages": [f"{name} {version}" for name, version in self.packages],
            "program_sha256": self.program_sha256,
            "program_files": self.program_files,
            "interfaces": {i.name: "up" if i.up else "down" for i in self.interfaces},
            "network_up": list(self.network_up),
            "swap_active": list(self.swaps),
            **(self.protection.as_dict() if self.protection else {}),
        }


def network_interfaces() -> tuple[NetworkInterface, ...]:
    """Every network interface of this process's network namespace and whether it is up.

    Asked of the kernel (``if_nameindex`` and ``SIOCGIFFLAGS``), not read from
    ``/sys/class/net``: sysfs shows the namespace it was mounted in, so inside ``unshare -n`` it
    would still list the host's interfaces, and an isolated process would be told it is not.
    """
    found = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as probe:
        for _index, name in sorted(socket.if_nameindex(), key=lambda pair: pair[1]):
            try:
                request = struct.pack("16sH14x", name.encode()[:15], 0)
                flags = struct.unpack("16sH14x", fcntl.ioctl(probe, SIOCGIFFLAGS, request))[1]
            except OSError:
                flags = IFF_UP  # unreadable: assume up, so the check errs on the safe side
            found.append(NetworkInterface(name, bool(flags & IFF_UP)))
    return tuple(found)


def active_swaps(swaps: Path = Path("/proc/swaps")) -> tuple[str, ...]:
    """The swap areas in use, from /proc/swaps (a header line, then one line per area).

    An unreadable file counts as one unknown area, so the check errs on the safe side.
    """
    try:
        lines = swaps.read_text().splitlines()
    except OSError:
        return (f"unknown ({swaps} cannot be read)",)
    return tuple(line.split()[0].replace("\\040", " ") for line in lines[1:] if line.split())


def os_description() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} ({platform.platform()})"
    except OSError:
        pass
    return platform.platform()


def package_versions() -> tuple[tuple[str, str], ...]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return tuple(versions)


def program_root() -> Path:
    """The folder that holds this program's packages (site-packages when installed)."""
    return Path(__file__).resolve().parent.parent


def program_files(root: Path | None = None) -> dict[str, str]:
    """The program's Python files under ``root``: path relative to it -> SHA-256 of its bytes.

    The one definition of what the program digest covers; ``keyceremony self-check`` compares
    the same mapping with the manifest the offline bundle installed.
    """
    base = root or program_root()
    return {path.relative_to(base).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for package in PROGRAM_PACKAGES for path in (base / package).rglob("*.py")}


def digest_of(files: Mapping[str, str]) -> str:
    """SHA-256 over ``<relative path>\\0<sha256 of its bytes>\\n`` lines in sorted path order
    (docs/auditor-guide.md shows how to recompute it)."""
    lines = sorted(f"{path}\0{sha256}\n" for path, sha256 in files.items())
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def program_digest(root: Path | None = None) -> tuple[str, int]:
    """SHA-256 over this program's Python files, and how many there are."""
    files = program_files(root)
    return digest_of(files), len(files)


def record_environment() -> EnvironmentRecord:
    digest, count = program_digest()
    return EnvironmentRecord(
        host=platform.node(),
        os=os_description(),
        python=sys.version.split()[0],
        packages=package_versions(),
        program_sha256=digest,
        program_files=count,
        interfaces=network_interfaces(),
        swaps=active_swaps(),
        protection=protection(),
    )
