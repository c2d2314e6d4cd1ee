"""Signing transcripts: the ceremony's transcript signer, the PAdES signature, countersigning.

The transcript-signing key is generated in the ceremony's token (sensitive, never extractable)
and certified by the CA key the ceremony used, with the document-signer profile justified in
docs/transcript-signing.md. An intermediate-key ceremony's key has no certificate yet, so its
transcript signer is issued under the bare key and an auditor trusts it by the SPKI SHA-256
written on paper (``verify --anchor-spki``).

Signatures are PAdES baseline B-B (an air-gapped machine has no timestamp authority): the
ceremony's signature covers the whole file; a countersignature is an incremental update that
covers it and the ceremony's signature.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.transcript.document import SIGNATURE_FIELD, Attachment, TranscriptError
from ceremony.transcript.pdfsigner import SigningKey, TokenPdfSigner
from ceremony.transcript.sections import CeremonyFacts
from crypto.algorithms import KeyAlgorithm
from crypto.issuance import DOCUMENT_SIGNER, IssuedCertificate, PreparedCertificate
from crypto.keys import TokenKeyPair
from crypto.profiles import DocumentSignerProfile
from crypto.token import TokenSession

SIGNER_LABEL_PREFIX = "transcript-signer-"
SIGNER_ALGORITHM = KeyAlgorithm.EC_P384
COUNTERSIGNATURE_FIELD = "Countersignature"

_MIME = {".jsonl": "application/jsonl", ".toml": "application/toml", ".json": "application/json",
         ".pem": "application/x-pem-file", ".crl": "application/x-pem-file",
         ".csr": "application/x-pem-file"}


def signer_label(ceremony_id: str) -> str:
    """The token label of a ceremony's transcript-signing key."""
    return f"{SIGNER_LABEL_PREFIX}{ceremony_id}"


def generate_signer_key(session: TokenSession, ceremony_id: str,
                        algorithm: KeyAlgorithm = SIGNER_ALGORITHM) -> TokenKeyPair:
    """A new transcript-signing key in the ceremony's token: sensitive, never extractable."""
    from crypto.keys import generate_key_pair

    return generate_key_pair(session, signer_label(ceremony_id), algorithm, extractable=False)


def prepare_signer_certificate(public_key: PublicKeyTypes, ceremony_id: str,
                               issuer_public_key: PublicKeyTypes,
                               issuer: x509.Certificate | None, issuer_name: x509.Name,
                               serial: int, not_before: dt.datetime,
                               profile: DocumentSignerProfile | None = None
                               ) -> PreparedCertificate:
    """The linted, to-be-signed document-signer certificate for ``public_key``.

    ``issuer`` is the CA's certificate, or None for a bare intermediate key named
    ``issuer_name``. Sign it with ``crypto.issuance.sign_certificate`` (or, inside a ceremony,
    ``ceremony.engine.actions.confirm_and_sign_certificate``, which journals the lint and the
    confirmation as every signing must).
    """
    from crypto.certificates import document_signer_builder
    from crypto.issuance import prepare_certificate

    if issuer is not None:
        try:
            ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            issuer_ski = ski.value.digest
        except x509.ExtensionNotFound:
            issuer_ski = x509.SubjectKeyIdentifier.from_public_key(issuer_public_key).digest  # type: ignore[arg-type]
        name = issuer.subject
    else:
        issuer_ski = x509.SubjectKeyIdentifier.from_public_key(issuer_public_key).digest  # type: ignore[arg-type]
        name = issuer_name
    builder = document_signer_builder(profile or DocumentSignerProfile(), ceremony_id, name,
                                      public_key, issuer, issuer_ski, serial,  # type: ignore[arg-type]
                                      not_before)
    return prepare_certificate(builder, DOCUMENT_SIGNER, issuer_public_key, name)


@dataclass(frozen=True, eq=False)
class TranscriptSigner:
    """A transcript-signing key in the token and its certificate chain."""

    pair: TokenKeyPair
    issued: IssuedCertificate
    chain: tuple[x509.Certificate, ...]  # the signer's certificate, then its issuers

    @property
    def certificate(self) -> x509.Certificate:
        return self.issued.certificate

    def signing_key(self) -> SigningKey:
        """The token adapter: ``sign`` runs in the token."""
        key: SigningKey = self.pair.signing_key()
        return key


# --- the PDF signature ---------------------------------------------------------------------


def _mime(name: str) -> str:
    suffix = name[name.rfind("."):] if "." in name else ""
    return _MIME.get(suffix, "application/octet-stream")


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def sign_transcript(pdf: bytes, attachments: Sequence[Attachment], info: Mapping[str, str],
                    key: SigningKey, chain: Sequence[x509.Certificate],
                    facts: CeremonyFacts) -> bytes:
    """Embed ``attachments``, add ``info`` to the document information, and sign, all in one
    incremental update, so the one signature covers the whole file."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    signer = TokenPdfSigner(key, chain)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        document_info = writer.trailer["/Info"]
        for name, value in info.items():
            document_info[generic.NameObject(name)] = generic.TextStringObject(value)
        writer.update_container(document_info)
        # A PDF name tree lists its keys in order.
        for attachment in sorted(attachments, key=lambda a: a.name):
            stream = embed.EmbeddedFileObject.from_file_data(
                writer, data=attachment.data, mime_type=_mime(attachment.name),
                params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True))
            embed.embed_file(writer, embed.FileSpec(
                file_spec_string=attachment.name, file_name=attachment.name,
                embedded_data=stream, description=attachment.description))
        metadata = PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD, md_algorithm=signer.md_algorithm,
            subfilter=SigSeedSubFilter.PADES, name=_common_name(chain[0]),
            reason=f"Transcript of {facts.type} ceremony {facts.id}"
                   + (" (rehearsal)" if facts.rehearsal else ""),
            location=facts.location)
        output: Any = PdfSigner(metadata, signer=signer).sign_pdf(writer)
    except (PdfError, SigningError) as exc:
        raise TranscriptError(f"the transcript could not be signed ({exc})") from exc
    return bytes(output.getvalue())


def countersign(transcript: bytes, key: SigningKey | None, chain: Sequence[x509.Certificate],
                *, signer: Any = None, reason: str = "Countersigned by the auditor") -> bytes:
    """``transcript`` with one more signature, as an incremental update.

    Give either ``key`` and ``chain`` (a token adapter or software key), or a ready pyHanko
    ``signer`` (a ``SimpleSigner`` loaded from PKCS#12). Earlier signatures stay valid; the new
    one covers the whole file.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    if signer is None:
        if key is None:
            raise ValueError("countersign needs a key and chain, or a signer")
        signer = TokenPdfSigner(key, chain)
    md_algorithm = getattr(signer, "md_algorithm", None)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(transcript))
        existing = {s.field_name for s in writer.prev.embedded_signatures}
        if not existing:
            raise TranscriptError("the file carries no signature; only a signed transcript is "
                                  "countersigned")
        number = 1
        while f"{COUNTERSIGNATURE_FIELD}{number}" in existing:
            number += 1
        metadata = PdfSignatureMetadata(field_name=f"{COUNTERSIGNATURE_FIELD}{number}",
                                        md_algorithm=md_algorithm,
                                        subfilter=SigSeedSubFilter.PADES, reason=reason)
        output: Any = PdfSigner(metadata, signer=signer).sign_pdf(writer)
    except (PdfError, SigningError) as exc:
        raise TranscriptError(f"the transcript could not be countersigned ({exc})") from exc
    return bytes(output.getvalue())
