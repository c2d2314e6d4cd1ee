"""Search written files for secrets in the forms they could take on disk.

A secret is looked for raw, in hex (either case), in base64 at each of the three byte
alignments it could start at inside a longer base64 text (so a secret inside a larger encoded
blob is found too), and in base64 with line breaks removed (PEM bodies). Every stream of a PDF
is inflated and searched as well, which covers object streams and embedded files.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_STREAM = re.compile(rb"stream\r?\n")


@dataclass(frozen=True)
class Needle:
    name: str
    forms: tuple[tuple[str, bytes], ...]


def needle(name: str, secret: bytes, *, encodings: bool = True) -> Needle:
    """``secret`` in every form worth searching for (raw alone when ``encodings`` is false)."""
    forms: list[tuple[str, bytes]] = [("raw", secret)]
    if encodings:
        forms += [("hex", secret.hex().encode()), ("HEX", secret.hex().upper().encode())]
        for shift in range(3):
            tail = secret[shift:]
            text = base64.b64encode(tail).rstrip(b"=")
            # The last group may mix with what follows the secret: leave it out.
            core = text[: (len(tail) // 3) * 4]
            if len(core) >= 8:
                forms.append((f"base64+{shift}", core))
                forms.append((f"base64url+{shift}", core.replace(b"+", b"-").replace(b"/", b"_")))
    return Needle(name, tuple(forms))


@dataclass
class Scan:
    files: int = 0
    bytes: int = 0
    streams: int = 0
    hits: list[str] = field(default_factory=list)


def _streams(data: bytes) -> Iterator[bytes]:
    """Every inflatable stream of a PDF, and the streams of PDFs found inside them."""
    for match in _STREAM.finditer(data):
        inflate = zlib.decompressobj()
        try:
            body = inflate.decompress(data[match.end():match.end() + 50_000_000])
        except zlib.error:
            continue
        if body:
            yield body
            if b"%PDF-" in body[:1024]:
                yield from _streams(body)


def _texts(data: bytes) -> Iterator[tuple[str, bytes]]:
    yield "", data
    flat = re.sub(rb"[\r\n \t]|\\n", b"", data)
    if flat != data:
        yield " (line breaks removed)", flat


def scan(files: Iterable[Path], needles: Iterable[Needle]) -> Scan:
    """Search every file (and every PDF stream in it) for every form of every needle."""
    needles = list(needles)
    result = Scan()
    for path in files:
        data = path.read_bytes()
        result.files += 1
        result.bytes += len(data)
        parts = [("", data)]
        if b"%PDF-" in data[:1024]:
            for number, body in enumerate(_streams(data)):
                result.streams += 1
                result.bytes += len(body)
                parts.append((f" stream {number}", body))
        for where, part in parts:
            for how, text in _texts(part):
                for item in needles:
                    for form, value in item.forms:
                        if value in text:
                            result.hits.append(f"{item.name} ({form}) in {path}{where}{how}")
    return result


def written_files(*roots: Path, leave_out: Iterable[Path] = ()) -> list[Path]:
    """Every regular file under ``roots`` except those under ``leave_out``."""
    skipped = [p.resolve() for p in leave_out]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            resolved = path.resolve()
            if path.is_file() and not any(resolved == s or s in resolved.parents
                                          for s in skipped):
                found.append(path)
    return found
