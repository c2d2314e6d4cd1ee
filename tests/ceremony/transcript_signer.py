"""Issuing a transcript signer outside a ceremony, for tests: the ceremony itself issues one
only through its confirmation flow (``ceremony.ceremonies.closing``), journaled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509

from ceremony.transcript.sign import (
    TranscriptSigner,
    generate_signer_key,
    prepare_signer_certificate,
)
from crypto.certificates import random_serial
from crypto.issuance import sign_certificate
from crypto.keys import TokenKeyPair
from crypto.token import TokenSession


def issue_transcript_signer(session: TokenSession, issuer_pair: TokenKeyPair,
                            issuer: x509.Certificate | None, ceremony_id: str, *,
                            issuer_name: x509.Name | None = None,
                            issuer_chain: Sequence[x509.Certificate] = (),
                            now: dt.datetime | None = None) -> TranscriptSigner:
    """Generate the transcript-signing key in ``session``'s token and certify it, unjournaled.

    ``issuer_pair`` is the CA key; ``issuer`` its certificate, or None with ``issuer_name`` for
    a bare intermediate key. ``issuer_chain`` are the certificates above ``issuer``.
    """
    if issuer is None and issuer_name is None:
        raise ValueError("a bare issuer key needs the issuer_name it will sign as")
    pair = generate_signer_key(session, ceremony_id)
    subject = issuer.subject if issuer is not None else issuer_name
    assert subject is not None
    prepared = prepare_signer_certificate(
        pair.public_key, ceremony_id, issuer_pair.public_key, issuer, subject,
        random_serial(session.random_bytes), now or dt.datetime.now(dt.UTC))
    issued = sign_certificate(prepared, issuer_pair.signing_key())
    chain = (issued.certificate, *((issuer,) if issuer is not None else ()), *issuer_chain)
    return TranscriptSigner(pair, issued, chain)
