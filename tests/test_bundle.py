"""The offline bundle: built here, installed with no network, and self-check catches a change.

Slow (it downloads about 200 MB and installs PySide6), so it is marked ``bundle``: the default
suite leaves it out and ``.ci/run`` runs it as a second step. Needs root, for ``unshare -n``
and for the installer's dpkg step (which installs nothing on a machine that has it all).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bundle


def _offline(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    """Run with no network at all: a fresh network namespace holds only a down loopback."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the installed program
    return subprocess.run(["unshare", "--net", "--", *map(str, argv)], capture_output=True,
                          text=True, timeout=1800, env=env)


def test_the_bundle_installs_offline_and_self_check_catches_a_changed_byte(
        tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    built = subprocess.run([ROOT / "scripts" / "bundle", "--out", bundle],
                           capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "bundle.tar").is_file()
    assert len(list((bundle / "wheels").glob("keyceremony-*.whl"))) == 1
    assert {p.name.split("_")[0] for p in (bundle / "debs").glob("*.deb")} >= {
        "softhsm2", "opensc", "poppler-utils", "libnss3-tools", "fonts-dejavu-core",
        "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"}
    digest = (bundle / "PROGRAM-SHA256").read_text().split()[0]

    # A file that is not as published stops everything before anything is installed.
    stray = bundle / "wheels" / "stray.whl"
    stray.write_bytes(b"")
    refused = _offline(bundle / "install", tmp_path / "refused")
    assert refused.returncode == 1
    assert "wheels/stray.whl is not listed in SHA256SUMS" in refused.stderr
    stray.unlink()
    published = (bundle / "PROGRAM-SHA256").read_bytes()
    (bundle / "PROGRAM-SHA256").write_bytes(published.replace(b" over", b"_over"))
    refused = _offline(bundle / "install", tmp_path / "refused")
    assert refused.returncode == 1
    assert "PROGRAM-SHA256 does not match its SHA-256" in refused.stderr
    (bundle / "PROGRAM-SHA256").write_bytes(published)
    assert not (tmp_path / "refused").exists()

    target = tmp_path / "installed"
    installed = _offline(bundle / "install", target)
    assert installed.returncode == 0, installed.stderr
    assert f"program SHA-256 {digest}" in installed.stdout

    checked = _offline(target / "bin" / "keyceremony", "self-check")
    assert checked.returncode == 0, checked.stderr
    assert digest in checked.stdout

    (module,) = target.glob("lib/python3.*/site-packages/ceremony/journal/writer.py")
    data = bytearray(module.read_bytes())
    data[len(data) // 2] ^= 0x20
    module.write_bytes(bytes(data))
    changed = _offline(target / "bin" / "keyceremony", "self-check")
    assert changed.returncode == 1
    assert "changed ceremony/journal/writer.py;" in changed.stderr
