"""``keyceremony csr check FILE``: would this CSR be signed? No token is touched."""

from __future__ import annotations

import argparse


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="csr_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="check a CSR (PEM or DER) against the subordinate "
                                         "CA profile")
    check.add_argument("file", help="the CSR file")


def run(args: argparse.Namespace) -> int:
    from ceremony.preview import name_rows
    from crypto.csr import check_csr, load_csr_file
    from crypto.visible import visible

    csr = load_csr_file(args.file)
    summary = check_csr(csr)
    print(f"{visible(args.file)}: would be signed")
    print(f"  subject:     {summary.subject}")
    # Attribute by attribute, as the signing confirmation shows it: "AT&T <Ops>" as written.
    for label, value in name_rows("", csr.subject):
        print(f"    {label.strip() + ':':<24} {value}")
    print(f"  key:         {summary.key_description}")
    print(f"  SPKI SHA-256: {summary.spki_sha256}")
    if summary.requested_extensions:
        print("  ignored:     requested extensions "
              f"{', '.join(summary.requested_extensions)} (the profile decides every extension)")
    return 0
