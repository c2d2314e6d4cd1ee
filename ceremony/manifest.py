"""The program manifest: every file the program digest covers, with its SHA-256.

The offline bundle writes it from the project's wheel and installs it next to the program;
``keyceremony self-check`` compares the installed files with it. Its lines are ``sha256sum``'s
(``<sha256>  <path relative to site-packages>``), so ``sha256sum -c`` can check it too, and its
digest is the one every ceremony's journal records (``ceremony.environment.digest_of``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ceremony.environment import digest_of, program_files
from ceremony.errors import UsageError

MANIFEST_NAME = "keyceremony-manifest.txt"
_LINE = re.compile(r"([0-9a-f]{64})  (\S(?:.*\S)?)")


def installed_manifest_path() -> Path:
    """Where the bundle's installer puts the manifest: the top of the virtual environment."""
    return Path(sys.prefix) / MANIFEST_NAME


def format_manifest(files: dict[str, str]) -> str:
    return "".join(f"{sha256}  {path}\n" for path, sha256 in sorted(files.items()))


def read_manifest(path: Path) -> dict[str, str]:
    """The manifest at ``path`` as relative path -> SHA-256; a malformed line is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"there is no program manifest at {path}; self-check compares a "
                         "program installed from the offline bundle with the manifest its "
                         "installer wrote (or name one with --manifest)") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise UsageError(f"the program manifest {path} cannot be read ({ex})") from None
    files = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _LINE.fullmatch(line)
        if match is None:
            raise UsageError(f"line {number} of the program manifest {path} is not "
                             "'<sha256>  <path>'")
        files[match[2]] = match[1]
    if not files:
        raise UsageError(f"the program manifest {path} lists no files")
    return files


@dataclass(frozen=True)
class ProgramCheck:
    """How the installed program's files differ from a manifest (nothing, when they match)."""

    digest: str
    files: int
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not (self.changed or self.missing or self.added)


def check_program(manifest: dict[str, str], root: Path | None = None) -> ProgramCheck:
    """Compare the program's files (as the program digest sees them) with ``manifest``."""
    actual = program_files(root)
    return ProgramCheck(
        digest=digest_of(actual),
        files=len(actual),
        changed=tuple(sorted(p for p in actual.keys() & manifest.keys()
                             if actual[p] != manifest[p])),
        missing=tuple(sorted(manifest.keys() - actual.keys())),
        added=tuple(sorted(actual.keys() - manifest.keys())),
    )


if __name__ == "__main__":
    # scripts/bundle: the manifest of an unpacked wheel, on stdout.
    sys.stdout.write(format_manifest(program_files(Path(sys.argv[1]))))
