"""Bad input: the corpus of hostile files in tests/corpus, and fuzzing of four readers.

Every corpus file (cases.toml says what each must do; tests/corpus/make.py writes them) is
given to the command that reads it: one sentence (verify: its report), the expected exit
status, no traceback, and nothing written (the working folder stays empty and the corpus
unchanged). Shares are read by the share-word reader, which no command points at a file.

Hypothesis then throws generated and mutated input at the CSR reader, the plan parser, the
share-word reader and verify's PDF reader: each either accepts it or refuses it with its own
domain error, never another exception. ``KEYCEREMONY_FUZZ_EXAMPLES`` (default 150 per reader)
sets how many inputs each tries.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceremony.errors import CeremonyError
from ceremony.plan.parser import parse_plan_text
from ceremony.verify.audit import TrustAnchors, verify_transcript
from crypto.csr import check_csr, load_csr
from crypto.errors import CryptoError, ShareError
from crypto.shares import check_share
from gui.launcher import main

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"
EXAMPLES = REPO / "docs" / "examples"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text())
EXAMPLES_RUN = int(os.environ.get("KEYCEREMONY_FUZZ_EXAMPLES", "150"))
NOWHERE = "0" * 64  # a root fingerprint no transcript in the corpus chains to


def _cases() -> list[tuple[str, str]]:
    return [(kind, name) for kind, table in CASES.items() for name in table]


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _argv(kind: str, file: Path, work: Path) -> list[str]:
    if kind == "csr":
        return ["csr", "check", str(file)]
    if kind == "plan":
        return ["plan", "check", str(file)]
    if kind == "pdf":
        return ["verify", str(file), "--root-fingerprint", NOWHERE]
    if kind == "inventory":
        return ["inventory", "--inventory", str(file)]
    # A backup is read by plan check of the example restore plan that names it.
    plan = (EXAMPLES / "restore.toml").read_text().replace(
        '"files/backup/root-key.json"', f'"{file / "root-key.json"}"').replace(
        '"files/', f'"{EXAMPLES / "files"}/')
    path = work.parent / "restore.toml"
    path.write_text(plan)
    return ["plan", "check", str(path)]


def test_the_corpus_has_a_case_for_every_file() -> None:
    on_disk = {(p.relative_to(CORPUS).parts[0], p.relative_to(CORPUS).parts[1])
               for p in CORPUS.rglob("*")
               if len(p.relative_to(CORPUS).parts) > 1 and "__pycache__" not in p.parts}
    assert on_disk == set(_cases())


@pytest.mark.parametrize(("kind", "name"), _cases(), ids=[f"{k}/{n}" for k, n in _cases()])
def test_a_hostile_file_is_refused_in_one_sentence_and_nothing_is_written(
        kind: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    status, says = CASES[kind][name]
    file = CORPUS / kind / name
    if kind == "shares":
        with pytest.raises(ShareError) as caught:
            check_share(file.read_bytes().decode("utf-8", "replace"))
        assert says in str(caught.value) and "\n" not in str(caught.value)
        return
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = _digest(CORPUS)
    assert main(_argv(kind, file, work)) == status
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err
    if kind == "pdf":  # verify reports on standard output, a line per check
        assert says in out and err == ""
    else:
        last = err.splitlines()[-1]
        assert last.startswith("keyceremony: ") and says in err, err
        assert len(err.splitlines()) == 1 or kind in ("plan", "backup")  # plan check: a list
    assert not any(work.iterdir()), list(work.iterdir())
    assert _digest(CORPUS) == before


# --- fuzzing ---------------------------------------------------------------------------------

FUZZ = settings(max_examples=EXAMPLES_RUN, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with bytes flipped, cut or inserted, or arbitrary bytes."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
            if action == "flip" and data:
                data[at] ^= draw(st.integers(1, 255))
            elif action == "cut":
                del data[at:at + draw(st.integers(1, 16))]
            elif action == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            else:
                del data[at:]
        return bytes(data)

    return st.one_of(mutate(), st.binary(max_size=2048))


def _csr_seed() -> bytes:
    return (EXAMPLES / "files" / "issuing-ca.csr").read_bytes()


@FUZZ
@given(_mutated(_csr_seed()))
def test_fuzz_the_csr_reader(data: bytes) -> None:
    try:
        check_csr(load_csr(data, "the fuzzed CSR"))
    except CryptoError as ex:
        assert str(ex) and "\n" not in str(ex)


@FUZZ
@given(st.one_of(_mutated((EXAMPLES / "root.toml").read_bytes()),
                 _mutated((EXAMPLES / "sign.toml").read_bytes())))
def test_fuzz_the_plan_parser(data: bytes) -> None:
    try:
        parse_plan_text(data.decode("utf-8", "replace"), "fuzzed.toml")
    except CeremonyError as ex:
        assert str(ex)


_WORDS = ("academic acid acne acquire acrobat activity actress adapt adequate adjust admit "
          "adorn adult advance advocate afraid again agency agree aide aircraft airline "
          "airport ajar alarm album alcohol alien alive alpha already alto always").split()


@FUZZ
@given(st.one_of(
    st.lists(st.sampled_from([*_WORDS, "ACID", "acad", "zz", "", "\x00", "é"]), max_size=40)
    .map(" ".join),
    st.text(max_size=400)))
def test_fuzz_the_share_word_reader(text: str) -> None:
    try:
        check_share(text)
    except ShareError as ex:
        assert str(ex) and "\n" not in str(ex)


@FUZZ
@given(_mutated((CORPUS / "pdf" / "unsigned.pdf").read_bytes()))
def test_fuzz_the_pdf_reader_of_verify(data: bytes) -> None:
    anchors = TrustAnchors(root_fingerprints=(NOWHERE,))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.pdf"
        path.write_bytes(data)
        report = verify_transcript(path, anchors)
    assert not report.ok
    assert all(check.detail and "\n" not in check.detail for check in report.checks)
