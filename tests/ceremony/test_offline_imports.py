"""pyHanko's network clients (aiohttp) stay unloaded: a whole demo and a verify of its
transcripts never import aiohttp, and the two packages loaded with their ``__init__`` deferred
still offer every name the real ones do, as the same objects (ceremony.transcript.offline)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

NAMES = """
import json, sys
{setup}
import pyhanko.sign.timestamps as timestamps
import pyhanko.sign.validation.ades as ades
import pyhanko_certvalidator.fetchers.aiohttp_fetchers as fetchers
before = 'aiohttp' in sys.modules
backend = ades.AIOHttpFetcherBackend()
http = timestamps.HTTPTimeStamper.__module__
names = {{m.__name__: sorted(n for n in dir(m) if not n.startswith('_'))
          for m in (timestamps, fetchers)}}
print(json.dumps({{"before": before, "names": names,
                  "http": http,
                  "backend": type(backend) is fetchers.AIOHttpFetcherBackend,
                  "eager": timestamps.TimeStamper.__module__}}))
"""


def _names(setup: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", NAMES.format(setup=setup)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_deferred_packages_offer_the_real_names() -> None:
    real = _names("")
    deferred = _names("import ceremony.transcript")
    assert real["before"] is True and deferred["before"] is False
    assert deferred["names"] == real["names"]
    assert deferred["http"] == real["http"] == "pyhanko.sign.timestamps.aiohttp_client"
    assert deferred["eager"] == real["eager"] == "pyhanko.sign.timestamps.api"
    assert deferred["backend"] is True and real["backend"] is True


DEMO_THEN_VERIFY = """
import contextlib, io, sys
from pathlib import Path
from gui.launcher import main
out = Path(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["demo", "--out", str(out)]) == 0
    transcript = out / "ceremonies" / "demo-root" / "transcript.pdf"
    assert main(["verify", "--root", str(out / "root-ca.pem"), str(transcript)]) == 0
print(sorted(m for m in sys.modules if m.split(".")[0] == "aiohttp"))
"""


@pytest.mark.softhsm
def test_a_demo_and_a_verify_never_import_aiohttp(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", DEMO_THEN_VERIFY, str(tmp_path / "demo")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
