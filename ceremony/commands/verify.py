"""``keyceremony verify T.pdf [...] --root ROOT.pem``: the auditor's offline check.

Exit 0 when every check of every transcript passes, 1 when any fails (each failure named with
why), 2 when a file cannot be used at all (missing, not a PDF or not one that parses, a PDF
with nothing of a transcript: one line and one sentence) or the command line is wrong.

Speed: pkilint takes about half a second to import and build its profiles, as long as all the
rest together. So the command forks one worker process first thing, which imports pkilint
while this process reads the PDF and validates its signatures; lint jobs go to the worker as
soon as they are known. The worker serves every transcript of a batch, so profiles load once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT",
                        help="signed transcript PDF(s); several are checked in one run")
    parser.add_argument("--root", action="append", default=[], metavar="ROOT.pem",
                        help="the ceremony must chain to this root certificate (PEM or DER) "
                             "or its key; may be repeated")
    parser.add_argument("--root-fingerprint", action="append", default=[], metavar="SHA256",
                        help="the ceremony must chain to the certificate in the transcript "
                             "with this SHA-256 fingerprint (of its DER); may be repeated")
    parser.add_argument("--anchor-spki", action="append", default=[], metavar="SHA256",
                        help="the ceremony must chain to the key with this "
                             "SubjectPublicKeyInfo SHA-256, as written on paper at the "
                             "ceremony; may be repeated")
    parser.add_argument("--countersigner-root", action="append", default=[], metavar="CA.pem",
                        help="accept countersignatures that chain to this root certificate "
                             "(PEM or DER); never an anchor of the ceremony itself; may be "
                             "repeated")
    parser.add_argument("--program-sha256", metavar="SHA256",
                        help="fail unless the program that ran has this digest (from the "
                             "release manifest)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON report for machines")


def _warm() -> None:
    # Runs in the worker as it starts: imports and profile building are the slow part.
    from crypto.lint import warm_up

    warm_up()


class WorkerLinter:
    """A ``Linter`` that lints in one forked worker process, started at once."""

    def __init__(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the worker starts in milliseconds with what this process has imported; the
        # command line has started no threads that could hold a lock across the fork.
        self._executor = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=_warm)
        self._executor.submit(int)  # start the process now, not at the first job

    def __call__(self, jobs: Sequence[Any]) -> Callable[[], Sequence[Any]]:
        from ceremony.verify.chains import run_lint_job

        futures = [self._executor.submit(run_lint_job, job) for job in jobs]

        def collect() -> list[Any]:
            reports: list[Any] = []
            for future in futures:
                try:
                    reports.append(future.result())
                except Exception as exc:  # a failure to lint fails that object's lint
                    reports.append(exc)
            return reports

        return collect

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def run(args: argparse.Namespace) -> int:
    import logging

    linter = WorkerLinter()
    # pyHanko logs each untrusted path with a traceback; the report already says why.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).addHandler(logging.NullHandler())
    try:
        return _run(args, linter)
    finally:
        linter.close()


def _run(args: argparse.Namespace, linter: WorkerLinter) -> int:
    import json

    from ceremony.verify.audit import TrustAnchors, normalise_sha256, verify_transcripts

    anchors = TrustAnchors.load(args.root, args.root_fingerprint, args.anchor_spki,
                                args.countersigner_root)
    expected = (normalise_sha256(args.program_sha256, "--program-sha256")
                if args.program_sha256 else None)
    reports = verify_transcripts(args.transcripts, anchors, program_sha256=expected,
                                 linter=linter,
                                 progress=None if args.json else _print_report)
    status = max(report.exit_status for report in reports)
    if args.json:
        print(json.dumps({"ok": status == 0, "exit_status": status,
                          "transcripts": [r.as_dict() for r in reports]}, indent=2,
                         ensure_ascii=False))
    elif len(reports) > 1:
        good = sum(r.ok for r in reports)
        print(f"{good} of {len(reports)} transcripts verified")
    return status


def _print_report(report: Any) -> None:
    out = sys.stdout
    if not report.usable:
        print(f"{report.source}: UNUSABLE: {report.checks[0].detail}", file=out)
        return
    failures = report.failures
    verdict = "VERIFIED" if report.ok else f"FAILED ({len(failures)} of {len(report.checks)} " \
                                           "checks)"
    print(f"{report.source}: {verdict}", file=out)
    if report.ceremony_id is not None:
        kind = f"{report.ceremony_type}" + (", REHEARSAL" if report.rehearsal else "")
        print(f"  ceremony {report.ceremony_id} ({kind}); journal head {report.journal_head}",
              file=out)
    width = max(len(check.name) for check in report.checks)
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        print(f"  {mark}  {check.name.ljust(width)}  {check.detail}", file=out)
