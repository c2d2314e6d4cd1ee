"""The order the offline installer runs dpkg in: a unit test of scripts/bundle.py's layering.

Seen on a debootstrap minbase Debian 12: python3-distutils (Depends: python3) went into the
first dpkg call and python3 (Pre-Depends: python3-minimal) into the last, so the first call
left packages unconfigured and the install stopped. Each package must come after its
Pre-Depends, and no earlier than its Depends.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bundle_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bundle_script", ROOT / "scripts" / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Shaped like Debian 12's Python packages (fields as apt-cache shows them).
RECORDS = {
    "python3.11-minimal": {"Depends": "libc6 (>= 2.36)"},
    "python3-minimal": {"Pre-Depends": "python3.11-minimal (>= 3.11.2-1~)"},
    "python3": {"Pre-Depends": "python3-minimal (= 3.11.2-1+b1)",
                "Depends": "python3.11 (>= 3.11.2-1~)"},
    "python3.11": {"Depends": "python3.11-minimal (= 3.11.2-6)"},
    "python3-distutils": {"Depends": "python3:any (>= 3.10.8-0~), python3:any (<< 3.12)",
                          "Provides": "python3.11-distutils"},
    "python3.11-venv": {"Depends": "python3.11, python3.11-distutils"},
    "softhsm2": {"Depends": "libsofthsm2 (= 2.6.1-2.1)"},
    "libsofthsm2": {"Depends": "libc6 (>= 2.36)"},
    # a Depends cycle, as Debian has in places
    "cycle-a": {"Depends": "cycle-b"},
    "cycle-b": {"Depends": "cycle-a"},
}


def test_each_package_comes_after_its_pre_depends_and_not_before_its_depends() -> None:
    bundle = _bundle_module()
    names = sorted(RECORDS)
    layers = bundle.install_layers(names, RECORDS)
    where = {name: index for index, layer in enumerate(layers) for name in layer}
    assert sorted(where) == names
    assert where["python3-minimal"] > where["python3.11-minimal"]
    assert where["python3"] > where["python3-minimal"]
    assert where["python3-distutils"] >= where["python3"]  # Depends: python3:any
    assert where["python3.11-venv"] >= where["python3-distutils"]  # through a Provides
    assert where["softhsm2"] >= where["libsofthsm2"]
    assert where["cycle-a"] == where["cycle-b"] == 0
