"""A file that is not a transcript gets one sentence and exit status 2, never a list of checks.

Each case through the command line (``keyceremony verify``, a fresh process, as an auditor
runs it) and through the desktop app's auditor view-model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from crypto.softhsm import SoftHsmStore
from gui.viewmodels.audit import audit_transcript, load_trust
from tests.ceremony.test_transcript import BuiltCeremony, build_root_ceremony
from tests.ceremony.test_verify import keyceremony

pytestmark = pytest.mark.softhsm

TRANSCRIPT = "give the transcript file the ceremony wrote"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> BuiltCeremony:
    base = tmp_path_factory.mktemp("unusable")
    store = SoftHsmStore.create(base / "softhsm")
    store.activate()
    return build_root_ceremony(base, store)


def _other_pdf(path: Path) -> None:
    """A well-formed PDF of another program: one page of text, no signature, no journal."""
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, "Minutes of the board meeting")
    page.save()


def _cases(folder: Path, transcript: Path) -> dict[str, tuple[Path, str]]:
    """Each case: its file and the words its one sentence must hold."""
    empty = folder / "empty.pdf"
    empty.write_bytes(b"")
    noise = folder / "random.pdf"
    noise.write_bytes(os.urandom(4096))
    data = transcript.read_bytes()
    truncated = folder / "truncated.pdf"
    truncated.write_bytes(data[:len(data) // 2])
    other = folder / "minutes.pdf"
    _other_pdf(other)
    directory = folder / "folder.pdf"
    directory.mkdir()
    return {
        "empty": (empty, f"is not a readable PDF transcript: the file is empty; {TRANSCRIPT}"),
        "random bytes": (noise, "is not a readable PDF transcript: it is not a PDF file"),
        "truncated": (truncated, "is not a readable PDF transcript: the PDF cannot be parsed"),
        "another PDF": (other, "is not a ceremony transcript: it is a PDF with no signature"),
        "a directory": (directory, "cannot be read (Is a directory); give the path of a file"),
        "missing": (folder / "missing.pdf", "cannot be read (No such file or directory)"),
    }


CASES = ("empty", "random bytes", "truncated", "another PDF", "a directory", "missing")


@pytest.mark.parametrize("case", CASES)
def test_verify_says_one_sentence_and_exits_2(root: BuiltCeremony, tmp_path: Path,
                                              case: str) -> None:
    path, says = _cases(tmp_path, root.transcript)[case]
    done = keyceremony("verify", str(path), "--anchor-spki", root.anchor_spki)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.startswith(f"{path}: UNUSABLE: {path} {says}")
    assert len(done.stdout.splitlines()) == 1
    assert "FAIL" not in done.stdout and done.stderr == ""


def test_a_truncated_transcript_just_short_of_its_end_is_refused_the_same_way(
        root: BuiltCeremony, tmp_path: Path) -> None:
    data = root.transcript.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[:-64])  # the cross-reference's end and the trailer gone
    done = keyceremony("verify", str(cut), "--anchor-spki", root.anchor_spki, "--json")
    assert done.returncode == 2
    assert '"usable": false' in done.stdout and TRANSCRIPT in done.stdout


def test_the_auditor_view_shows_the_same_sentence(root: BuiltCeremony, tmp_path: Path) -> None:
    trust = load_trust(spkis=[root.anchor_spki])
    for case, (path, says) in _cases(tmp_path, root.transcript).items():
        result = audit_transcript(path, trust)
        assert not result.usable and not result.ok and len(result.checks) == 1, case
        assert result.headline.startswith("Cannot be checked: ") and says in result.headline
        assert result.journal == () and result.artifacts == ()
