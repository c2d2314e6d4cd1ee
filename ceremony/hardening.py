"""Keeping a secret-holding process's memory out of core dumps and swap.

Every command that can hold a secret (a share, a PIN, a wrap key) calls ``protect_process``
first: core dumps are switched off (``RLIMIT_CORE`` 0, which the process cannot raise again),
the process is made non-dumpable (``prctl(PR_SET_DUMPABLE, 0)``: no core, and other processes
of the same user cannot read its memory through ptrace or /proc/<pid>/mem), and its memory is
locked (``mlockall``) where the limits allow the whole process, so nothing of it is swapped
out. Locking under a small ``RLIMIT_MEMLOCK`` would make later allocations fail (Qt crashes),
so then memory is left unlocked and the environment step records that it is.

None of this needs privilege. ``protection`` reads back what holds, for the journal.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
from dataclasses import dataclass
from pathlib import Path

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
MCL_CURRENT = 1
MCL_FUTURE = 2
# Lock pages as they are touched, not all at once: thread stacks and reserved heap stay
# unpopulated, so locking costs no more memory than the process uses (Linux 4.4 and later).
MCL_ONFAULT = 4
CAP_IPC_LOCK = 14  # may lock memory beyond RLIMIT_MEMLOCK


@dataclass(frozen=True)
class Protection:
    """What protects this process's memory now."""

    core_limit: int  # the hard core-size limit in bytes (0: no core can be written)
    dumpable: bool
    memory_locked: bool
    memory_note: str  # why memory is or is not locked, in one phrase

    def as_dict(self) -> dict[str, object]:
        return {"core_limit": self.core_limit, "dumpable": self.dumpable,
                "memory_locked": self.memory_locked, "memory_note": self.memory_note}


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _has_capability(bit: int, status: Path = Path("/proc/self/status")) -> bool:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> bit & 1)
    except (OSError, ValueError, IndexError):
        pass
    return False


def _locked_kib(status: Path = Path("/proc/self/status")) -> int:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmLck:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def may_lock_all(memlock_limit: int, can_exceed_limit: bool) -> bool:
    """Whether ``mlockall`` can cover the whole process, now and as it grows.

    Only an unlimited ``RLIMIT_MEMLOCK`` (or CAP_IPC_LOCK, which ignores it) allows that; any
    finite limit is one a growing process (Qt, PDF signing) can reach, and then fails there.
    """
    return can_exceed_limit or memlock_limit == resource.RLIM_INFINITY


def _lock_memory(libc: ctypes.CDLL) -> str:
    """Lock all memory if the limits allow the whole process; say what happened."""
    soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_MEMLOCK, (hard, hard))
        except (ValueError, OSError):
            pass
    if not may_lock_all(hard, _has_capability(CAP_IPC_LOCK)):
        return (f"not locked: RLIMIT_MEMLOCK is {hard // 1024} KiB, too small for the whole "
                "process")
    for flags in (MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT | MCL_FUTURE):
        if libc.mlockall(flags) == 0:
            return "locked"
    return f"not locked: mlockall failed ({os.strerror(ctypes.get_errno())})"


_memory_note = "not locked: the process was not protected"


def protect_process() -> Protection:
    """Switch off core dumps, make the process non-dumpable, lock memory where allowed."""
    global _memory_note
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    libc = _libc()
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if _memory_note != "locked":
        _memory_note = _lock_memory(libc)
    return protection()


def protection() -> Protection:
    """What holds now, read back from the kernel (not what was asked for)."""
    locked = _locked_kib() > 0
    if locked:
        note = "locked"
    elif _memory_note == "locked":  # unlocked since (munlockall): say so, not the old news
        note = "not locked"
    else:
        note = _memory_note
    return Protection(core_limit=resource.getrlimit(resource.RLIMIT_CORE)[1],
                      dumpable=_libc().prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0,
                      memory_locked=locked, memory_note=note)
