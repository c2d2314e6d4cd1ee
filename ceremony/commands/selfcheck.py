"""``keyceremony self-check``: are the installed program's files those the bundle installed?"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", help="the manifest to compare with (default: the one the "
                                           "offline bundle's installer wrote into this "
                                           "installation)")


def run(args: argparse.Namespace) -> int:
    from ceremony.errors import ProgramChangedError
    from ceremony.manifest import check_program, installed_manifest_path, read_manifest

    path = Path(args.manifest) if args.manifest else installed_manifest_path()
    result = check_program(read_manifest(path))
    if not result.matches:
        parts = [f"{label} {', '.join(names)}" for label, names in
                 (("changed", result.changed), ("missing", result.missing),
                  ("added", result.added)) if names]
        raise ProgramChangedError(f"the installed program differs from its manifest {path}: "
                                  f"{'; '.join(parts)}; reinstall it from the bundle")
    print(f"The installed program matches {path}: SHA-256 {result.digest} over {result.files} "
          "files, the program digest every ceremony's journal records.")
    return 0
