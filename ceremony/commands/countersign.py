"""``keyceremony countersign T.pdf --signer ME.p12 --out T-countersigned.pdf``: add a signature.

An auditor (or any witness) adds their own signature as an incremental update that covers
the whole transcript, the ceremony's signature included, and leaves that signature valid.
The key is either in a PKCS#12 file or in a PKCS#11 token (``--token-label``/``--key-label``,
the PIN asked for at the terminal, never on the command line). The output is written
create-exclusive: the input is never changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crypto.files import UnreadableInput, read_input_file

# PKCS#12 files, certificates and passphrase files are a few kilobytes.
_MAX_FILE_BYTES = 1 << 20



def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("transcript", help="the signed transcript PDF")
    parser.add_argument("--out", required=True, help="where to write the countersigned copy "
                                                     "(must not exist)")
    key = parser.add_mutually_exclusive_group(required=True)
    key.add_argument("--signer", metavar="FILE.p12", help="your key and certificate (PKCS#12)")
    key.add_argument("--token-label", help="the label of the token holding your key")
    parser.add_argument("--passphrase-file", help="read the PKCS#12 passphrase from this file "
                                                  "(otherwise it is asked for)")
    parser.add_argument("--key-label", help="the label of your key in the token")
    parser.add_argument("--certificate", help="your certificate (PEM or DER), when the token "
                                              "holds none under the key's label")
    parser.add_argument("--chain", action="append", default=[], metavar="CERT",
                        help="a certificate above yours to embed (PEM or DER); may be repeated")
    parser.add_argument("--module", help="PKCS#11 module (default: KEYCEREMONY_PKCS11_MODULE "
                                         "or SoftHSM)")
    parser.add_argument("--reason", default="Countersigned by the auditor",
                        help="the reason recorded in the signature")


def _certificates(paths: list[str]) -> list[Any]:
    from ceremony.errors import UsageError
    from crypto.certfile import MAX_CERTIFICATE_BYTES, load_certificates
    from crypto.errors import UnusableInput

    found = []
    for path in paths:
        try:
            data = read_input_file(path, MAX_CERTIFICATE_BYTES, "a certificate")
            found += load_certificates(data, path)
        except UnusableInput as exc:
            raise UsageError(str(exc)) from exc
    return found


def _pkcs12_signer(args: argparse.Namespace, chain: list[Any]) -> Any:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.signers import SimpleSigner

    from ceremony.errors import UsageError

    try:
        data = read_input_file(args.signer, _MAX_FILE_BYTES, "a PKCS#12 file")
        if args.passphrase_file:
            passphrase = read_input_file(args.passphrase_file, _MAX_FILE_BYTES,
                                         "a passphrase").decode("utf-8").rstrip("\r\n")
        else:
            passphrase = _ask(f"Passphrase of {args.signer} (empty for none): ",
                              "give --passphrase-file, or run the command at a terminal")
    except UnreadableInput as exc:
        raise UsageError(str(exc)) from exc
    except UnicodeDecodeError:  # the message names the file, never its bytes
        raise UsageError(f"{args.passphrase_file} is not UTF-8 text; save the passphrase as "
                         "UTF-8") from None
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
              for c in chain]
    try:
        # The auditor's own key is in this process's memory while it signs: pyHanko's
        # software signer needs it so. It is never written anywhere or logged.
        key, certificate, _ = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
        if key is None or certificate is None:
            raise UsageError(f"{args.signer} holds no {'key' if key is None else 'certificate'}"
                             "; export your key together with your certificate")
        del key
        return SimpleSigner.load_pkcs12_data(data, others, passphrase.encode() or None)
    except ValueError as exc:
        raise UsageError(f"{args.signer} cannot be opened: the passphrase is wrong or it is "
                         "not a PKCS#12 file") from exc
    finally:
        del passphrase


def _ask(prompt: str, instead: str) -> str:
    """A passphrase or PIN typed at the terminal, or the first line piped in on stdin.

    The secret stays in this process's memory; it is never echoed, written or logged. With
    nothing to read, UsageError says what to do ``instead``.
    """
    import getpass
    import sys

    from ceremony.errors import UsageError

    try:
        # Not a terminal: read a piped line without prompting (getpass would warn on stderr).
        line = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    except EOFError:
        line = ""
    if not line and not sys.stdin.isatty():
        raise UsageError(f"there is no terminal to ask at and nothing was piped in; {instead}")
    return line.rstrip("\r\n")


def _token_certificate(session: Any, label: str) -> Any:
    from cryptography import x509
    from pkcs11 import Attribute, ObjectClass

    from crypto.token import translated

    with translated(f"looking for certificate {label!r}"):
        for obj in session.session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                                Attribute.LABEL: label}):
            return x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
    return None


def run(args: argparse.Namespace) -> int:
    from ceremony.errors import UsageError
    from ceremony.transcript.sign import countersign
    from ceremony.verify.audit import read_transcript
    from crypto.files import write_new_file

    if args.token_label and not args.key_label:
        raise UsageError("--token-label needs --key-label, the label of your key")
    if not args.out.strip():
        raise UsageError("--out is empty; name the new file for the countersigned copy")
    if Path(args.out).exists():
        raise UsageError(f"{args.out} already exists; choose a new file for the output")
    transcript = read_transcript(args.transcript)
    chain = _certificates(args.chain)
    if args.signer:
        data = countersign(transcript, None, (), signer=_pkcs12_signer(args, chain),
                           reason=args.reason)
    else:
        data = _countersign_with_token(args, transcript, chain)
    digest = write_new_file(Path(args.out), data)
    print(f"Countersigned {args.transcript} into {args.out} (SHA-256 {digest})")
    return 0


def _countersign_with_token(args: argparse.Namespace, transcript: bytes,
                            chain: list[Any]) -> bytes:
    from ceremony.errors import UsageError
    from ceremony.transcript.sign import countersign
    from crypto.keys import find_key_pair
    from crypto.token import TokenSession, default_module

    own = _certificates([args.certificate]) if args.certificate else []
    pin = _ask(f"PIN of token {args.token_label!r}: ", "run the command at a terminal")
    try:
        opened = TokenSession(args.module or default_module(), args.token_label, pin)
    finally:
        del pin  # C_Login had it; nothing else keeps it
    with opened as session:
        pair = find_key_pair(session, args.key_label)
        certificate = own[0] if own else _token_certificate(session, args.key_label)
        if certificate is None:
            raise UsageError(f"the token holds no certificate labelled {args.key_label!r}; "
                             "give yours with --certificate")
        try:
            return countersign(transcript, pair.signing_key(), [certificate, *chain],
                               reason=args.reason)
        except ValueError as exc:
            raise UsageError(f"the certificate given is not for key {args.key_label!r}") \
                from exc
