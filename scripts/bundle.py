"""Build the offline bundle (run through ``scripts/bundle --out DIR`` on a connected Debian 12).

DIR (and DIR.tar) then holds everything an air-gapped Debian 12 x86_64 machine needs:
``wheels/`` (the project's wheel and a binary wheel of every dependency for CPython 3.11 and
3.12), ``debs/`` (the Debian packages the program needs with every dependency a minimal
Debian 12 lacks, and the order to install them in), ``keyceremony-manifest.txt`` and
``PROGRAM-SHA256`` (the program's files and the digest every ceremony journals),
``install`` and ``SHA256SUMS`` over every other file.

"A minimal Debian 12" is what ``debootstrap --variant=minbase`` installs: every package of
Priority required (and every Essential one), apt, and their dependencies. The packages to ship
are the dependency closure of what the program needs minus that base, resolved over apt's
candidate versions the way apt would (a dependency already met by an alternative is not added;
otherwise the first alternative is taken). Recommends and Suggests are left out.

Standard library only: it runs with the system's python3 before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12")
# Every glibc a Debian 12 (2.36) or later machine runs wheels for; pip takes the tags literally.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(36, 16, -1)] + [
    "manylinux2014_x86_64"]
# What the program needs from Debian besides Qt's display libraries (scripts/setup.sh's tools),
# and Python itself with venv, which a minimal Debian lacks.
DEBIAN_PACKAGES = ("softhsm2", "opensc", "poppler-utils", "libnss3-tools", "fonts-dejavu-core",
                   "python3", "python3-venv")
DISPLAY_TABLE = ROOT / "scripts" / "qt-display-libraries.txt"
COPY_IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                      "__pycache__", ".mypy_cache", ".ruff_cache",
                                      ".pytest_cache", ".hypothesis")


class BundleError(Exception):
    """The bundle cannot be built; the message is one sentence for the person building it."""


def run(argv: list[str], cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, env=env)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BundleError(f"{' '.join(argv[:3])} ... failed: {' / '.join(tail)}")
    return done


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- wheels -----------------------------------------------------------------------------------


def build_wheels(pip: list[str], wheels: Path, work: Path) -> Path:
    """The project's wheel (built from a clean copy of the tree), then every dependency's."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORED)
    run([*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)])
    (project,) = wheels.glob("keyceremony-*.whl")
    for version in PYTHONS:
        download_dependencies(pip, project, wheels, version)
    return project


def download_dependencies(pip: list[str], project: Path, wheels: Path, version: str) -> None:
    """Binary wheels only. A dependency published only as source is built into a wheel here if
    it is pure Python (then any interpreter can install it); otherwise the bundle is refused."""
    abi = "cp" + version.replace(".", "")
    argv = [*pip, "download", "--quiet", "--only-binary=:all:", "--dest", str(wheels),
            "--find-links", str(wheels), "--python-version", version, "--implementation", "cp",
            "--abi", abi, *(f"--platform={p}" for p in PLATFORMS), str(project)]
    built: set[str] = set()
    while True:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return
        match = re.search(r"No matching distribution found for (\S+)", done.stderr)
        if match is None or match[1] in built:
            tail = done.stderr.strip().splitlines()[-2:]
            raise BundleError(f"the wheels for CPython {version} cannot be downloaded: "
                              f"{' / '.join(tail)}")
        requirement = match[1]
        built.add(requirement)
        run([*pip, "wheel", "--quiet", "--no-deps", "--no-binary=:all:", "--wheel-dir",
             str(wheels), requirement])
        impure = [w.name for w in wheels.glob("*.whl") if not w.name.endswith("-none-any.whl")
                  and "abi3" not in w.name and "manylinux" not in w.name]
        if impure:
            raise BundleError(f"{requirement} is published only as source and is not pure "
                              f"Python ({impure[0]}); it needs a binary wheel for the bundle")
        print(f"  built a wheel of {requirement} (published only as source)", file=sys.stderr)


def write_manifest(project: Path, out: Path) -> tuple[str, int]:
    """The manifest of the program's files as the wheel installs them, and its digest."""
    with tempfile.TemporaryDirectory() as unpacked:
        with zipfile.ZipFile(project) as wheel:
            wheel.extractall(unpacked)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        manifest = run([sys.executable, "-m", "ceremony.manifest", unpacked], env=env).stdout
    (out / "keyceremony-manifest.txt").write_text(manifest)
    files = dict(reversed(line.split("  ", 1)) for line in manifest.splitlines())
    sys.path.insert(0, str(ROOT))
    from ceremony.environment import digest_of  # the tree being bundled, not an installed one

    return digest_of(files), len(files)


# --- Debian packages --------------------------------------------------------------------------


def debian_candidates() -> dict[str, dict[str, str]]:
    """apt's candidate record of every package: name -> fields."""
    records: dict[str, dict[str, str]] = {}
    text = run(["apt-cache", "dumpavail"]).stdout
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t"):
                fields[key] += line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            records.setdefault(fields["Package"], fields)
    return records


def _alternatives(field: str) -> Iterable[list[str]]:
    for group in filter(None, (part.strip() for part in field.split(","))):
        yield [re.split(r"[\s(:\[]", alt.strip(), maxsplit=1)[0] for alt in group.split("|")]


def closure(wanted: Iterable[str], records: dict[str, dict[str, str]],
            have: set[str]) -> list[str]:
    """``wanted`` and everything it depends on (Depends, Pre-Depends) that ``have`` lacks."""
    providers: dict[str, list[str]] = {}
    for name, fields in records.items():
        for (virtual, *_rest) in _alternatives(fields.get("Provides", "")):
            providers.setdefault(virtual, []).append(name)
    added: list[str] = []
    present = set(have)
    queue = [[name] for name in wanted]
    while queue:
        group = queue.pop(0)
        real = [n for alt in group for n in ([alt] if alt in records else
                                              sorted(providers.get(alt, [])))]
        if not real:
            raise BundleError(f"no Debian package provides {' | '.join(group)}")
        if any(name in present for name in real):
            continue
        name = real[0]
        present.add(name)
        added.append(name)
        fields = records[name]
        queue += _alternatives(fields.get("Pre-Depends", ""))
        queue += _alternatives(fields.get("Depends", ""))
    return added


def minimal_debian(records: dict[str, dict[str, str]]) -> set[str]:
    """What debootstrap --variant=minbase installs: required and Essential packages, apt."""
    base = [name for name, fields in records.items()
            if fields.get("Priority") == "required" or fields.get("Essential") == "yes"]
    return set(closure([*sorted(base), "apt"], records, set()))


def install_layers(names: list[str], records: dict[str, dict[str, str]]) -> list[list[str]]:
    """Split the packages into dpkg -i calls so each one's Pre-Depends is configured in an
    earlier call and each of its Depends in the same call or an earlier one.

    dpkg configures what one call installs in dependency order, but a package whose Depends
    come only in a later call is left unconfigured and the call fails (seen on a debootstrap
    minbase machine: python3-distutils in the first call, python3 in the last).
    """
    providers: dict[str, list[str]] = {}
    for name in names:
        for (virtual, *_rest) in _alternatives(records[name].get("Provides", "")):
            providers.setdefault(virtual, []).append(name)

    def bundled(field: str, name: str) -> list[str]:
        return [real for group in _alternatives(records[name].get(field, "")) for alt in group
                for real in ([alt] if alt in names else providers.get(alt, []))]

    depth: dict[str, int] = {}

    def layer(name: str, seen: frozenset[str] = frozenset()) -> int:
        if name not in depth:
            inner = seen | {name}
            pre = [1 + layer(p, inner) for p in bundled("Pre-Depends", name) if p not in seen]
            dep = [layer(d, inner) for d in bundled("Depends", name) if d not in inner]
            depth[name] = max(pre + dep, default=0)
        return depth[name]

    layers: dict[int, list[str]] = {}
    for name in names:
        layers.setdefault(layer(name), []).append(name)
    return [sorted(layers[key]) for key in sorted(layers)]


def display_packages() -> list[str]:
    rows = [line.split() for line in DISPLAY_TABLE.read_text().splitlines()]
    return sorted({row[2] for row in rows if len(row) == 3 and row[0] == "library"})


def download_debs(debs: Path) -> int:
    records = debian_candidates()
    base = minimal_debian(records)
    names = closure([*DEBIAN_PACKAGES, *display_packages()], records, base)
    run(["apt-get", "download", "--quiet", *names], cwd=debs)
    files = {}
    for deb in debs.glob("*.deb"):
        files[run(["dpkg-deb", "-f", str(deb), "Package"]).stdout.strip()] = deb.name
    if set(files) != set(names):
        raise BundleError(f"apt-get download did not fetch {sorted(set(names) - set(files))}")
    order = "".join(" ".join(files[n] for n in layer) + "\n"
                    for layer in install_layers(names, records))
    (debs / "install-order.txt").write_text(order)
    return len(names)


# --- the bundle -------------------------------------------------------------------------------


def check_host() -> None:
    release = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    if "VERSION_CODENAME=bookworm" not in release or os.uname().machine != "x86_64":
        raise BundleError("the bundle is built on Debian 12 (bookworm) x86_64, the system it "
                          "installs onto, so that apt fetches the right packages")
    for tool in ("apt-get", "apt-cache", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise BundleError(f"{tool} is missing; build the bundle on Debian 12")


def write_sums(out: Path) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    (out / "SHA256SUMS").write_text("".join(f"{sha256(p)}  {p.relative_to(out).as_posix()}\n"
                                            for p in files))


def build(out: Path) -> None:
    started = time.monotonic()
    check_host()
    tar = out.with_name(out.name + ".tar")
    if out.exists() or tar.exists():
        raise BundleError(f"{out if out.exists() else tar} already exists; name a new folder")
    work = Path(tempfile.mkdtemp(prefix="keyceremony-bundle-"))
    staging = out.with_name(f".{out.name}.partial")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "wheels").mkdir(parents=True)
        (staging / "debs").mkdir()
        print("Making a build environment", file=sys.stderr)
        run([sys.executable, "-m", "venv", str(work / "venv")])
        pip = [str(work / "venv" / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        run([*pip, "install", "--quiet", "--upgrade", "pip"])
        print("Building the wheel and downloading the dependencies' wheels", file=sys.stderr)
        project = build_wheels(pip, staging / "wheels", work)
        digest, count = write_manifest(project, staging)
        (staging / "PROGRAM-SHA256").write_text(f"{digest}  over {count} files of "
                                                f"{project.name}\n")
        print("Downloading the Debian packages", file=sys.stderr)
        packages = download_debs(staging / "debs")
        shutil.copy2(ROOT / "scripts" / "bundle-install", staging / "install")
        write_sums(staging)
        staging.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tar, "w") as archive:
        archive.add(out, arcname=out.name)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    wheels = len(list((out / "wheels").glob("*.whl")))
    print(f"Wrote {out} and {tar} ({size / 1e6:.0f} MB: {wheels} wheels, {packages} Debian "
          f"packages) in {time.monotonic() - started:.0f} s.")
    print(f"Program SHA-256 {digest} over {count} files; SHA256SUMS {sha256(out / 'SHA256SUMS')}."
          " Publish both: ceremonies journal the first, the installer checks the second.")


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bundle", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the new folder to write (and FOLDER.tar)")
    args = parser.parse_args()
    try:
        build(Path(args.out).absolute())
    except BundleError as ex:
        print(f"bundle: {ex}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
