"""``keyceremony self-check`` and the program manifest: the digest is the journal's digest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceremony.environment import PROGRAM_PACKAGES, program_digest, program_files, program_root
from ceremony.manifest import check_program, format_manifest, read_manifest
from gui.launcher import main


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A copy of the program's packages, as an installation would hold them."""
    root = tmp_path / "site-packages"
    for package in PROGRAM_PACKAGES:
        shutil.copytree(program_root() / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_a_manifest_round_trips_and_its_digest_is_the_journal_digest(installed: Path,
                                                                     tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(format_manifest(program_files(installed)))
    result = check_program(read_manifest(manifest), installed)
    assert result.matches
    assert (result.digest, result.files) == program_digest(installed) == program_digest()


def test_changed_missing_and_added_files_are_each_named(installed: Path) -> None:
    manifest = program_files(installed)
    journal = installed / "ceremony" / "journal" / "writer.py"
    data = bytearray(journal.read_bytes())
    data[100] ^= 1
    journal.write_bytes(bytes(data))
    (installed / "crypto" / "shares.py").unlink()
    (installed / "gui" / "extra.py").write_text("")
    result = check_program(manifest, installed)
    assert not result.matches
    assert result.changed == ("ceremony/journal/writer.py",)
    assert result.missing == ("crypto/shares.py",)
    assert result.added == ("gui/extra.py",)
    assert result.digest != program_digest()[0]


def test_self_check_prints_the_digest_when_the_program_matches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(format_manifest(program_files()))
    assert main(["self-check", "--manifest", str(manifest)]) == 0
    assert program_digest()[0] in capsys.readouterr().out


def test_self_check_names_each_file_that_differs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = program_files()
    files["ceremony/journal/writer.py"] = "0" * 64
    files["crypto/gone.py"] = "1" * 64
    del files["gui/app.py"]
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(format_manifest(files))
    assert main(["self-check", "--manifest", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ("changed ceremony/journal/writer.py; missing crypto/gone.py; added gui/app.py;" in err)


@pytest.mark.parametrize("text", ["", "not a manifest\n", f"{'a' * 64} \n"])
def test_self_check_refuses_a_malformed_or_absent_manifest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(text)
    assert main(["self-check", "--manifest", str(manifest)]) == 2
    assert main(["self-check", "--manifest", str(tmp_path / "absent.txt")]) == 2
    err = capsys.readouterr().err
    assert "absent.txt; self-check compares a program installed from the offline bundle" in err
