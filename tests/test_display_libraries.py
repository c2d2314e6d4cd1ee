"""The desktop app can open on a real display: Qt's display plugins find every library they load.

Every other GUI test runs offscreen, which loads none of these plugins, so a missing xcb
library (Qt's "Could not load the Qt platform plugin xcb", exit 134) would go unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "scripts" / "qt-display-libraries.txt"
PLUGINS = Path(PySide6.__file__).parent / "Qt" / "plugins"


def _table(kind: str) -> list[list[str]]:
    rows = [line.split() for line in TABLE.read_text().splitlines()]
    return [row[1:] for row in rows if row and row[0] == kind]


def _plugins() -> list[Path]:
    return sorted(path for (pattern,) in _table("plugin") for path in PLUGINS.glob(pattern))


def _ldd(path: Path) -> dict[str, str]:
    """soname -> where it resolved (or "not found"), for everything the file loads."""
    done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True)
    found = {}
    for line in done.stdout.splitlines():
        if "=>" in line:
            soname, _, where = line.strip().partition(" => ")
            found[soname] = where.split(" (")[0]
    return found


def test_the_xcb_plugin_and_the_qt_libraries_it_loads_are_all_listed() -> None:
    plugins = _plugins()
    assert PLUGINS / "platforms" / "libqxcb.so" in plugins
    loaded = _ldd(PLUGINS / "platforms" / "libqxcb.so")
    assert any(name.startswith("libQt6XcbQpa") for name in loaded)


def test_every_library_of_the_display_plugins_resolves() -> None:
    unresolved = {f"{plugin.relative_to(PLUGINS)}: {soname}"
                  for plugin in _plugins()
                  for soname, where in _ldd(plugin).items() if where == "not found"}
    assert not unresolved, ("missing on this machine (scripts/setup.sh installs them): "
                            + ", ".join(sorted(unresolved)))


def test_every_library_outside_pyside6_maps_to_a_debian_package() -> None:
    """scripts/setup.sh and scripts/bundle can only install what the table names."""
    known = {soname for soname, _package in _table("library")}
    outside = {soname for plugin in _plugins() for soname, where in _ldd(plugin).items()
               if "PySide6" not in where}
    assert outside - known == set()


@pytest.mark.parametrize("argv", [[], ["gui"]])
def test_with_no_display_the_app_says_so_and_exits_2(argv: list[str]) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
           "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([sys.executable, "-m", "gui.launcher", *argv], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("keyceremony: there is no display to open the desktop app on")
