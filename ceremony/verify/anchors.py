"""What an auditor trusts when verifying: what the ceremony must chain to, and whom they
accept as countersigners (``verify --root``, ``--root-fingerprint``, ``--anchor-spki``,
``--countersigner-root``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ceremony.errors import UsageError
from ceremony.verify.checks import certificate_sha256
from crypto.algorithms import spki_sha256
from crypto.certfile import read_certificate_file
from crypto.errors import UnusableInput
from crypto.files import UnreadableInput

_SHA256 = re.compile(r"[0-9a-f]{64}")


def normalise_sha256(value: str, what: str) -> str:
    """A SHA-256 as lowercase hex without separators; UsageError naming ``what`` otherwise."""
    digest = re.sub(r"[\s:]", "", value).lower()
    if not _SHA256.fullmatch(digest):
        shown = value if len(value) <= 80 else value[:80] + "..."
        raise UsageError(f"{what} {shown!r} is not a SHA-256 (64 hex digits)")
    return digest


def _load_certificates(paths: Iterable[Path | str], what: str) -> tuple[x509.Certificate, ...]:
    found = []
    for path in paths:
        try:
            found.append(read_certificate_file(path))
        except UnreadableInput as exc:
            raise UsageError(f"the {what} {exc}") from exc
        except UnusableInput as exc:
            raise UsageError(str(exc)) from exc
    return tuple(found)


@dataclass(frozen=True)
class TrustAnchors:
    """What the auditor trusts, in two kinds that never stand in for each other.

    What the ceremony must chain to (at least one of ``roots``, ``root_fingerprints`` and
    ``anchor_spkis``), and whom the auditor accepts as countersigners
    (``countersigner_roots``, used for nothing else).
    """

    roots: tuple[x509.Certificate, ...] = ()
    root_fingerprints: tuple[str, ...] = ()  # SHA-256 of a root certificate's DER
    anchor_spkis: tuple[str, ...] = ()  # SHA-256 of a bare key's SubjectPublicKeyInfo
    countersigner_roots: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if not (self.roots or self.root_fingerprints or self.anchor_spkis):
            raise UsageError("say what the ceremony must chain to: --root, --root-fingerprint "
                             "or --anchor-spki (--countersigner-root only names whom you "
                             "accept as countersigners)")

    @classmethod
    def load(cls, root_files: Iterable[Path | str] = (), root_fingerprints: Iterable[str] = (),
             anchor_spkis: Iterable[str] = (),
             countersigner_roots: Iterable[Path | str] = ()) -> TrustAnchors:
        """Read root certificates (PEM or DER) and normalise the fingerprints."""
        return cls(_load_certificates(root_files, "root certificate"),
                   tuple(normalise_sha256(f, "--root-fingerprint") for f in root_fingerprints),
                   tuple(normalise_sha256(s, "--anchor-spki") for s in anchor_spkis),
                   _load_certificates(countersigner_roots, "countersigner root"))

    def as_dict(self) -> dict[str, object]:
        """What was trusted for what, for the ``--json`` report."""
        def named(certificates: Iterable[x509.Certificate]) -> list[dict[str, str]]:
            return [{"subject": c.subject.rfc4514_string(), "sha256": certificate_sha256(c),
                     "spki_sha256": spki_sha256(c.public_key())} for c in certificates]

        return {"ceremony": {"roots": named(self.roots),
                             "root_fingerprints": list(self.root_fingerprints),
                             "anchor_spkis": list(self.anchor_spkis)},
                "countersigners": {"roots": named(self.countersigner_roots)}}
