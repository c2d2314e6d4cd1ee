"""Write the hostile-input corpus beside this file (run once; the files are committed).

``python -m tests.corpus.make`` rewrites every file; cases.toml says what each must do.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "docs" / "examples" / "files"


def _put(name: str, data: bytes | str) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def _csr() -> bytes:
    key = ec.derive_private_key(7, ec.SECP384R1())  # fixed: the corpus is reproducible
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Corpus CA")])
    return x509.CertificateSigningRequestBuilder().subject_name(name).sign(
        key, hashes.SHA384()).public_bytes(serialization.Encoding.DER)


def _pem(label: str, der: bytes) -> str:
    import base64
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def csrs() -> None:
    der = _csr()
    _put("csr/empty.pem", b"")
    _put("csr/zeros.der", bytes(4096))
    _put("csr/text.pem", "this is not a certificate request\n")
    _put("csr/truncated.der", der[: len(der) // 2])
    _put("csr/trailing-garbage.der", der + b"\x00garbage")
    _put("csr/huge-length.der", b"\x30\x84\x7f\xff\xff\xff" + der[2:])
    _put("csr/bad-signature.der", der[:-3] + bytes([der[-3] ^ 1]) + der[-2:])
    _put("csr/pem-bad-base64.pem", "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n"
                                   "-----END CERTIFICATE REQUEST-----\n")
    _put("csr/pem-no-end.pem", _pem("CERTIFICATE REQUEST", der).rsplit("-----END", 1)[0])
    _put("csr/pem-wrong-label.pem", _pem("PRIVATE KEY", der))
    _put("csr/two-requests.pem", _pem("CERTIFICATE REQUEST", der) * 2)
    _put("csr/certificate.pem", (EXAMPLES / "root.pem").read_bytes())
    _put("csr/deep-nesting.der", b"\x30\x80" * 5000)
    _put("csr/utf16.pem", _pem("CERTIFICATE REQUEST", der).encode("utf-16"))


def plans() -> None:
    _put("plan/empty.toml", b"")
    _put("plan/binary.toml", bytes(range(256)) * 4)
    _put("plan/not-toml.toml", "format = keyceremony-plan/1\n[[[\n")
    _put("plan/bom.toml", "\ufeffformat = \"keyceremony-plan/1\"\n".encode())
    _put("plan/latin1.toml", 'format = "keyceremony-plan/1"\ntitle = "caf\xe9"\n'
         .encode("latin-1"))
    _put("plan/unknown-format.toml", 'format = "keyceremony-plan/99"\ntype = "root"\n')
    _put("plan/duplicate-key.toml", 'format = "keyceremony-plan/1"\nformat = "again"\n')
    _put("plan/type-is-a-table.toml", 'format = "keyceremony-plan/1"\n[type]\nroot = 1\n')
    _put("plan/only-format.toml", 'format = "keyceremony-plan/1"\n')
    _put("plan/huge-string.toml", 'format = "keyceremony-plan/1"\ntitle = "'
         + "A" * 100_000 + '"\n')
    _put("plan/deep-arrays.toml", 'format = "keyceremony-plan/1"\nx = ' + "[" * 3000
         + "]" * 3000 + "\n")
    _put("plan/nul.toml", 'format = "keyceremony-plan/1"\x00\n')


def backups() -> None:
    meta = json.loads((EXAMPLES / "backup" / "root-key.json").read_text())
    wrapped = (EXAMPLES / "backup" / "root-key.wrapped").read_bytes()

    def backup(name: str, document: object, wrapped_bytes: bytes | None = wrapped) -> None:
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        _put(f"backup/{name}/root-key.json", text)
        if wrapped_bytes is not None:
            _put(f"backup/{name}/root-key.wrapped", wrapped_bytes)

    backup("empty", "")
    backup("not-json", "{ format: backup }")
    backup("a-list", "[1, 2, 3]")
    backup("future-format", {**meta, "format": "keyceremony-backup/99"})
    backup("no-wrapped-file", meta, None)
    backup("wrapped-changed", meta, wrapped[:-1] + bytes([wrapped[-1] ^ 1]))
    backup("wrapped-empty", meta, b"")
    backup("wrapped-outside", {**meta, "wrapped_file": "../../../etc/passwd"})
    backup("public-key-garbage", {**meta, "public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                                                        "-----END PUBLIC KEY-----\n"})
    backup("algorithm-unknown", {**meta, "key_algorithm": "dsa-1024"})
    backup("numbers-for-strings", {k: 1 for k in meta})


def pdfs() -> None:
    _put("pdf/empty.pdf", b"")
    _put("pdf/not-a-pdf.pdf", "hello\n")
    _put("pdf/header-only.pdf", b"%PDF-1.7\n")
    _put("pdf/no-trailer.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    body = zlib.compress(b"BT /F1 12 Tf (unsigned) Tj ET")
    unsigned = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
                b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                b"/Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length LENGTH /Filter /FlateDecode >>\n"
                b"stream\n").replace(b"LENGTH", str(len(body)).encode()) + body \
        + b"\nendstream\nendobj\n"
    xref = len(unsigned)
    offsets = [unsigned.index(b"%d 0 obj" % n) for n in range(1, 5)]
    table = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o
                                                           for o in offsets)
    _put("pdf/unsigned.pdf", unsigned + table + b"trailer\n<< /Size 5 /Root 1 0 R >>\n"
         b"startxref\n%d\n%%%%EOF\n" % xref)
    _put("pdf/xref-points-nowhere.pdf", unsigned + b"startxref\n999999999\n%%EOF\n")
    _put("pdf/self-referencing.pdf", b"%PDF-1.7\n1 0 obj\n1 0 R\nendobj\ntrailer\n"
         b"<< /Root 1 0 R /Size 2 >>\nstartxref\n0\n%%EOF\n")
    _put("pdf/huge-stream-length.pdf", unsigned.replace(b"/Length %d " % len(body),
                                                        b"/Length 99999999999 "))
    _put("pdf/deep-arrays.pdf", b"%PDF-1.7\n1 0 obj\n" + b"[" * 100000 + b"\nendobj\n"
         b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def inventories() -> None:
    # An empty file is a new inventory (as a missing one is), so it is not in the corpus.
    _put("inventory/text.sqlite3", "not a database\n")
    _put("inventory/header-only.sqlite3", b"SQLite format 3\x00" + bytes(84))
    path = HERE / "inventory" / "other-program.sqlite3"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    db.close()


def shares() -> None:
    words = ("academic acid acne acquire acrobat activity actress adapt adequate adjust "
             "admit adorn adult advance advocate afraid again agency agree aide aircraft "
             "airline airport ajar alarm album alcohol alien alive alpha already alto "
             "always").split()
    _put("shares/empty.txt", "")
    _put("shares/one-word.txt", "academic\n")
    _put("shares/not-words.txt", "correct horse battery staple " * 9 + "\n")
    _put("shares/checksum-broken.txt", " ".join(words) + "\n")
    _put("shares/binary.txt", bytes(range(256)))
    _put("shares/very-long.txt", "academic " * 2000)
    _put("shares/control-characters.txt", "academic\x1b[2J acid\x00 acne\n")


if __name__ == "__main__":
    for make in (csrs, plans, backups, pdfs, inventories, shares):
        make()
