"""A generated tampering corpus over every transcript ``demo --all`` makes: each case fails.

Per transcript: seeded random single-byte flips inside the signed ranges, flips inside the
signature (outside the signed ranges), incremental updates (the document information, an
annotation, an embedded file replaced, a page added, the signature field removed from the form,
the signature dictionary retyped) and the transcript checked against another root. ``verify``
must fail every case with a check of the expected class named, or refuse the file as unusable
(exit status 2). Journal edits re-chained and re-embedded, extra signatures by untrusted and by
countersigner keys are covered on one ceremony in test_verify.py and test_verify_attacks.py.
The counts per class are printed (``-s``) for docs/assurance.md.
"""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ceremony.demo.lifecycle import run_lifecycle_demo
from ceremony.journal import verify_journal
from ceremony.verify.audit import SIGNATURE_CHECKS, TrustAnchors, verify_transcript
from crypto.algorithms import KeyAlgorithm
from tests.ceremony.test_verify import _annotate, _append, _retitle, flip

pytestmark = [pytest.mark.softhsm, pytest.mark.slow]
FLIPS_INSIDE = 4
FLIPS_IN_SIGNATURE = 4


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from crypto.token import default_module, reset_module

    folder = tmp_path_factory.mktemp("corpus") / "demo"
    run_lifecycle_demo(folder, KeyAlgorithm.EC_P256, say=lambda _: None)
    yield folder
    reset_module(default_module())


def anchors(demo: Path, ceremony: str) -> TrustAnchors:
    if ceremony.endswith("-key"):
        first = verify_journal(demo / "ceremonies" / ceremony / "journal.jsonl").records
        spki = next(r for r in first if r.event == "key-generated").data["spki_sha256"]
        return TrustAnchors.load(anchor_spkis=[str(spki)])
    if "root2" in ceremony and "cross" not in ceremony:
        return TrustAnchors.load([demo / "root2-ca.pem"])
    return TrustAnchors.load([demo / "root-ca.pem"])


def other_root(demo: Path, ceremony: str) -> TrustAnchors:
    if "root2" in ceremony and "cross" not in ceremony:
        return TrustAnchors.load([demo / "root-ca.pem"])
    return TrustAnchors.load([demo / "root2-ca.pem"])


def signed_ranges(data: bytes) -> list[tuple[int, int]]:
    ranges = []
    for found in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        a, b, c, d = map(int, found.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


def _add_page(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    pages = writer.root["/Pages"]
    first = pages["/Kids"][0].get_object()
    page = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/Parent"): writer.root.raw_get("/Pages"),
        generic.NameObject("/MediaBox"): first["/MediaBox"],
    }))
    pages["/Kids"].append(page)
    pages["/Count"] = generic.NumberObject(int(pages["/Count"]) + 1)
    writer.update_container(pages)


def _replace_embedded(writer: Any) -> None:
    from pyhanko.pdf_utils import embed

    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    stream = embed.EmbeddedFileObject.from_file_data(writer, data=b"other bytes")
    spec["/EF"]["/F"] = stream.ef_stream_ref
    writer.update_container(spec["/EF"])


def _remove_fields(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    form = writer.root["/AcroForm"]
    form["/Fields"] = generic.ArrayObject()
    writer.update_container(form)


def _retype_signature(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    field = writer.root["/AcroForm"]["/Fields"][0].get_object()
    signature = field["/V"]
    signature["/Type"] = generic.NameObject("/NotASig")
    writer.update_container(signature)


UPDATES: dict[str, Callable[[Any], None]] = {
    "update: document information": _retitle, "update: annotation": _annotate,
    "update: embedded file replaced": _replace_embedded, "update: page added": _add_page,
    "update: form field removed": _remove_fields,
    "update: signature dictionary retyped": _retype_signature,
}
# The checks a case of each class must name (any of them), when the file is usable at all.
EXPECTED = {"flip inside the signed ranges": set(SIGNATURE_CHECKS),
            "flip inside the signature": set(SIGNATURE_CHECKS),
            "another root": {"ceremony-signature", "signatures-trusted", "certificate-chains"},
            **{name: {"signature-coverage", "ceremony-signature"} for name in UPDATES}}


def cases(data: bytes, seed: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    ranges = signed_ranges(data)
    for _ in range(FLIPS_INSIDE):
        start, end = rng.choice(ranges)
        yield "flip inside the signed ranges", flip(data, rng.randrange(start, end))
    gap_start, gap_end = ranges[0][1], ranges[1][0]
    # Anywhere in the hex of the CMS structure in /Contents (its zero padding is covered by
    # test_verify_attacks.py): the certificates it carries, its algorithms, its signature.
    der_end = gap_start + 1 + len(data[gap_start + 1:gap_end - 1].rstrip(b"0"))
    for _ in range(FLIPS_IN_SIGNATURE):
        yield "flip inside the signature", flip(data, rng.randrange(gap_start + 1, der_end))
    for name, change in UPDATES.items():
        yield name, _append(data, change)


def test_every_tampered_transcript_fails_with_the_right_check(demo: Path, tmp_path: Path) -> None:
    counts: Counter[str] = Counter()
    wrong = []
    ceremonies = sorted(p.name for p in (demo / "ceremonies").iterdir())
    assert len(ceremonies) == 16
    for seed, ceremony in enumerate(ceremonies):
        transcript = demo / "ceremonies" / ceremony / "transcript.pdf"
        trust = anchors(demo, ceremony)
        assert verify_transcript(transcript, trust).exit_status == 0, ceremony
        data = transcript.read_bytes()
        tampered = tmp_path / f"{ceremony}.pdf"
        for kind, changed in cases(data, seed):
            tampered.unlink(missing_ok=True)
            tampered.write_bytes(changed)
            report = verify_transcript(tampered, trust)
            named = {c.name for c in report.failures}
            counts[kind] += 1
            if report.exit_status == 0 or (report.usable and not named & EXPECTED[kind]):
                wrong.append((ceremony, kind, report.exit_status, sorted(named)))
        if ceremony.endswith("-key"):
            continue  # trusted by its own key on paper: there is no root to mistake
        report = verify_transcript(transcript, other_root(demo, ceremony))
        counts["another root"] += 1
        if report.exit_status == 0 or not {c.name for c in report.failures} & EXPECTED[
                "another root"]:
            wrong.append((ceremony, "another root", report.exit_status,
                          sorted(c.name for c in report.failures)))
    print("\ntampering corpus:", dict(counts), "total", sum(counts.values()))
    assert not wrong, wrong
    assert sum(counts.values()) >= 16 * (FLIPS_INSIDE + FLIPS_IN_SIGNATURE + len(UPDATES))


def test_the_corpus_reaches_past_the_signed_bytes(demo: Path) -> None:
    data = (demo / "ceremonies" / "demo-root" / "transcript.pdf").read_bytes()
    ranges = signed_ranges(data)
    assert len(ranges) == 2 and ranges[0][0] == 0 and ranges[1][1] == len(data)
    assert io.BytesIO(data).read(5) == b"%PDF-"
