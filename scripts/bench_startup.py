#!/usr/bin/env python3
"""How long until the main window is painted, against a bare PySide6 window on this machine.

Issue 5 asks that the app's main window be painted in no more than twice the time a bare
QMainWindow takes. Each run is a fresh process, timed from its launch until it reports the
window's first paint event (so interpreter start, imports, building and showing all count);
the two kinds alternate so that a busy moment on the machine hits both alike. Medians are
compared; the exit status is 1 when the ratio is above the limit.

    .venv/bin/python scripts/bench_startup.py [--runs 9] [--limit 2.0] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Both children stop at the first paint of their window and print "painted".
_PAINT_WATCH = """
from PySide6.QtCore import QEvent, QObject, QTimer

class _FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", flush=True)
            QTimer.singleShot(0, app.quit)
            obj.removeEventFilter(self)
        return False
"""

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
""" + _PAINT_WATCH + """
window = QMainWindow()
watch = _FirstPaint()
window.installEventFilter(watch)
window.resize(1100, 720)
window.show()
app.exec()
"""

# What gui.app.main does, on an inventory of its own so the run changes nothing of the user's.
APP = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from gui.main_window import MainWindow
app = QApplication(sys.argv[:1])
""" + _PAINT_WATCH + """
window = MainWindow(Path(sys.argv[1]))
watch = _FirstPaint()
window.installEventFilter(watch)
window.show()
app.exec()
"""


def time_to_paint(code: str, args: list[str], env: dict[str, str]) -> float:
    """Seconds from launching a child running ``code`` until it reports its first paint."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait(timeout=30)
    if line.strip() != "painted":
        raise SystemExit(f"bench_startup: a child exited without painting (status "
                         f"{child.returncode}); run it by hand to see why")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each kind (default 9)")
    parser.add_argument("--limit", type=float, default=2.0,
                        help="largest allowed ratio app / bare (default 2.0)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder:
        inventory = str(Path(folder) / "inventory.sqlite3")
        time_to_paint(BARE, [], env)  # warm the file cache for both
        time_to_paint(APP, [inventory], env)
        bare, app = [], []
        for _ in range(options.runs):
            bare.append(time_to_paint(BARE, [], env))
            app.append(time_to_paint(APP, [inventory], env))
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    ratio = app_median / bare_median
    figures = {"runs": options.runs, "bare_ms": round(bare_median * 1000, 1),
               "app_ms": round(app_median * 1000, 1), "ratio": round(ratio, 2),
               "limit": options.limit, "ok": ratio <= options.limit}
    if options.json:
        print(json.dumps(figures))
    else:
        print(f"bare QMainWindow painted after {figures['bare_ms']} ms (median of "
              f"{options.runs}); keyceremony's main window after {figures['app_ms']} ms: "
              f"{figures['ratio']}x (limit {options.limit}x) "
              f"{'OK' if figures['ok'] else 'TOO SLOW'}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
