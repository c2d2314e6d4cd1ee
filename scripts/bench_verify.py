"""How fast ``keyceremony verify`` is from a cold start, next to ``pyhanko sign validate``.

    .venv/bin/python scripts/bench_verify.py [-n 7] [--batch 10] [--transcript T --root R]

Every run is a fresh process (imports included), repeated ``-n`` times; the figures are
medians. Measured: ``verify`` of one transcript; ``pyhanko sign validate --trust R
--trust-replace --no-revocation-check`` of the same file; ``verify`` of ``--batch`` copies in
one process. Without ``--transcript``, a root ceremony is made on a throwaway SoftHSM token the
way the tests make one (tests/ceremony/test_transcript.py), so SoftHSM must be installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# What `keyceremony verify` runs, without depending on how the command is registered.
COMMAND = """
import argparse, sys
from ceremony.cli import run_reporting_errors
from ceremony.commands import verify
parser = argparse.ArgumentParser(prog="keyceremony verify")
verify.register(parser)
sys.exit(run_reporting_errors(verify.run, parser.parse_args(sys.argv[1:])))
"""


def timed(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command over ``repeat`` rounds, each run a fresh process.

    The commands take turns within each round, so load from elsewhere on the machine falls on
    all of them alike.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=False,
                                    cwd=ROOT)
            times[name].append(time.perf_counter() - start)
            if result.returncode != 0:
                sys.exit(f"{name} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return {name: statistics.median(values) for name, values in times.items()}


def sample(folder: Path) -> tuple[Path, Path]:
    """A root ceremony's signed transcript and root certificate, made on a throwaway token."""
    sys.path.insert(0, str(ROOT))
    from crypto.softhsm import SoftHsmStore
    from tests.ceremony.test_transcript import build_root_ceremony

    store = SoftHsmStore.create(folder / "softhsm")
    store.activate()
    built = build_root_ceremony(folder, store)
    return built.transcript, built.trusted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeat", type=int, default=7, help="runs per figure")
    parser.add_argument("--batch", type=int, default=10, help="transcripts in the batch run")
    parser.add_argument("--transcript", type=Path, help="a signed transcript to use")
    parser.add_argument("--root", type=Path, help="its root certificate (with --transcript)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as temp:
        folder = Path(temp)
        if args.transcript:
            if not args.root:
                parser.error("--transcript needs --root")
            transcript, root = args.transcript, args.root
        else:
            transcript, root = sample(folder)
        size = transcript.stat().st_size
        copies = []
        for i in range(args.batch):
            copy = folder / f"copy-{i}.pdf"
            shutil.copyfile(transcript, copy)
            copies.append(str(copy))
        pyhanko = Path(PYTHON).parent / "pyhanko"
        medians = timed({
            "verify": [PYTHON, "-c", COMMAND, str(transcript), "--root", str(root)],
            "pyhanko": [str(pyhanko), "sign", "validate", "--trust", str(root),
                        "--trust-replace", "--no-revocation-check", str(transcript)],
            "batch": [PYTHON, "-c", COMMAND, *copies, "--root", str(root)],
        }, args.repeat)
    verify_one, validate, batch = medians["verify"], medians["pyhanko"], medians["batch"]
    print(f"transcript: {size} bytes; medians of {args.repeat} cold runs each")
    print(f"  keyceremony verify, 1 transcript:        {verify_one:.3f} s")
    print(f"  pyhanko sign validate, same file:        {validate:.3f} s")
    print(f"  keyceremony verify, {args.batch} transcripts:      {batch:.3f} s "
          f"({batch / args.batch:.3f} s each, {(batch - verify_one) / (args.batch - 1):.3f} s "
          "for each one after the first)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
