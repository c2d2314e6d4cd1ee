#!/usr/bin/env python3
"""Screenshots of each main screen of the desktop app, from the real app, offscreen.

It runs a rehearsal root ceremony through the window (throwaway SoftHSM tokens, the same
people-in-the-room driver the GUI tests use), then a drill with typed shares, and photographs
each screen along the way, then the dashboard, the plan check, the auditor view and the
certificate viewer on what the rehearsal made. The user guide (docs/user-guide.md) shows them,
so they always match the current code:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Share words in the pictures come from throwaway rehearsal tokens, never from a real ceremony.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1366, 768)  # a common laptop screen, the smallest the app is laid out for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder for the PNG files (default docs/screenshots)")
    options = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        made = Photographer(options.out, Path(work)).run()
    for name in made:
        print(options.out / name)
    return 0


class Photographer:
    """Drives the app through each screen and saves a PNG of the window at each."""

    def __init__(self, out: Path, work: Path) -> None:
        self.out = out
        self.work = work
        self.made: list[str] = []

    def shoot(self, name: str) -> None:
        from PySide6.QtWidgets import QApplication

        self.window.resize(*SIZE)  # the offscreen screen is smaller than the laptop's
        for _ in range(3):
            QApplication.processEvents()
        self.window.grab().save(str(self.out / f"{name}.png"), "PNG")
        self.made.append(f"{name}.png")

    def run(self) -> list[str]:
        from PySide6.QtWidgets import QApplication

        from gui.main_window import MainWindow

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.window = MainWindow(self.work / "inventory.sqlite3")
        self.window.resize(*SIZE)
        self.window.show()
        notebooks = self.rehearsal()
        self.drill(notebooks)
        self.dashboard()
        self.plan_check()
        self.auditor()
        self.viewer()
        self.window.close()
        return self.made

    # --- the ceremony screens ----------------------------------------------------------------

    def rehearsal(self) -> dict[str, tuple[str, ...]]:
        from ceremony.demo.rehearsal import DEMO_PIN
        from gui.viewmodels.jobs import RehearsalJob

        # The first custodian miscopies word 8: the share is shown again with it marked, and
        # the next custodian's privacy screen confirms the corrected copy.
        wanted = {"decision": ["ceremony-sign-off", None, None, "ceremony-signing", None],
                  "pin": ["ceremony-pin"], "hand_out": [None, None, "hand-out-privacy"],
                  "hand_out_shown": ["hand-out-shown"], "copy_check": ["hand-out-copy-check"]}

        def before(kind: str, panel: Any) -> None:
            if kind == "head_moment":
                final = panel.form.moment.final
                if final or "paper-log-head.png" not in self.made:
                    self.shoot("paper-log-final-head" if final else "paper-log-head")
                return
            if kind == "decision" and "presentation-mode.png" not in self.made and \
                    "ceremony-sign-off.png" in self.made:
                self.presentation()
            if kind == "hand_out_shown" and panel.widget.hand_out.wrong:
                self.shoot("hand-out-shown-again")
                return
            names = wanted.get(kind)
            if names:
                name = names.pop(0)
                if name:
                    self.shoot(name)

        view = self.window.start_job(RehearsalJob(self.work / "rehearsal", ("root",)))
        room = _miscopying_room(view, DEMO_PIN, before)
        room.run()
        self.shoot("ceremony-complete")
        return room.notebooks

    def drill(self, notebooks: dict[str, tuple[str, ...]]) -> None:
        from ceremony.demo.rehearsal import CUSTODIANS, DEMO_PIN
        from ceremony.journal import verify_journal
        from tests.gui.driver import Room

        records = verify_journal(self.work / "rehearsal" / "ceremonies" / "demo-root"
                                 / "journal.jsonl").records
        created = next(r for r in records if r.event == "shares-created")
        people = "".join(f'\n[[participant]]\nname = "{name}"\nrole = "custodian"\n'
                         for name in CUSTODIANS)
        plan = self.work / "drill.toml"
        plan.write_text(
            'format = "keyceremony-plan/1"\ntype = "drill"\nid = "rehearsal-drill"\n'
            'title = "Rehearsal share drill"\nrehearsal = true\n'
            '\n[[participant]]\nname = "Alice"\nrole = "administrator"\n'
            '\n[[participant]]\nname = "Bob"\nrole = "witness"\n' + people
            + f'\n[shares]\nthreshold = 3\nholders = {json.dumps(list(CUSTODIANS))}\n'
            f'check_value = "{created.data["check_value"]}"\n', encoding="utf-8")
        self.window.inventory = self.work / "rehearsal" / "inventory.sqlite3"
        start = self.window.show_page("start")
        start.open_path(plan)
        view = start.start_plan()
        if view is None:
            raise SystemExit(f"screenshots: the drill did not start: {self.window.banner.text} "
                             f"{start.review.problems if start.review else ''}")
        shares = [" ".join(notebooks[name]) for name in ("Carol", "Erin", "Grace")]
        shot = {"done": False}

        def before(kind: str, panel: Any) -> None:
            if kind == "enter_share" and not shot["done"]:
                shot["done"] = True
                self._share_entry_with_a_typo(panel, shares[0])

        Room(view, DEMO_PIN, shares_to_enter=shares, before_answer=before).run()

    def _share_entry_with_a_typo(self, panel: Any, share: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from gui.widgets.share_entry import ShareEntryWidget

        entry = panel.widget.findChild(ShareEntryWidget)
        words = share.split()
        words[6] = "zero" if words[6] != "zero" else "zoom"
        entry.field(1).setFocus()
        for word in words:
            QTest.keyClicks(entry.focusWidget(), word[:4])
            QTest.keyClick(entry.focusWidget(), Qt.Key.Key_Space)
        self.shoot("share-entry-typo")
        for field in entry.fields:
            field.clear()
        entry.form.clear()

    # --- the other pages ---------------------------------------------------------------------

    def dashboard(self) -> None:
        page = self.window.show_page("dashboard")
        page.path = self.work / "rehearsal" / "inventory.sqlite3"
        # As it will look eleven months on: the CRL and the first share drill fall due.
        page.now = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=335)
        self._wait(page.loaded, page.reload)
        self.shoot("dashboard")

    def plan_check(self) -> None:
        from gui.viewmodels.plan_review import plan_template

        plan = self.work / "root-plan.toml"
        plan.write_text(plan_template("root").replace("threshold = 3", "threshold = 6")
                        .replace('country = "NL"', 'country = "Netherlands"'),
                        encoding="utf-8")
        self.window.open_file(plan)
        self.shoot("start-plan-check")

    def auditor(self) -> None:
        page = self.window.show_page("auditor")
        folder = self.work / "rehearsal" / "ceremonies" / "demo-root"
        transcript = folder / "transcript.pdf"
        if transcript.exists():  # the signed transcript, checked against the root
            page.add_root(folder / "root-ca.pem")
            self._wait(page.verified, lambda: page.open_path(transcript))
        else:  # an engine that writes no transcript: the bare journal
            self._wait(page.verified, lambda: page.open_path(folder))
        page.details.setCurrentIndex(0)
        self.shoot("auditor-checks")
        page.details.setCurrentIndex(3)
        self.shoot("auditor-chain-head")

    def viewer(self) -> None:
        page = self.window.show_page("viewer")
        pem = self.work / "rehearsal" / "ceremonies" / "demo-root" / "root-ca.pem"
        self._wait(page.linted, lambda: page.open_path(pem))
        self.shoot("certificate-viewer")

    def presentation(self) -> None:
        """The running ceremony in presentation mode (full screen on a real display; here the
        window is kept at the laptop's size)."""
        from PySide6.QtWidgets import QApplication

        self.window.toggle_presentation()
        self.window.showNormal()
        self.window.resize(*SIZE)
        self.shoot("presentation-mode")
        self.window.toggle_presentation()  # and out again: the rest is shot at normal size
        self.window.showNormal()
        QApplication.processEvents()
        self.window.resize(*SIZE)

    def _wait(self, signal: Any, action: Any, timeout_ms: int = 30_000) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        action()
        loop.exec()
        signal.disconnect(loop.quit)


def _miscopying_room(view: Any, pin: str, before: Any) -> Any:
    """The room of the GUI tests, whose first custodian miscopies word 8 of their share."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from crypto.shares import WORDLIST
    from tests.gui.driver import Room

    class MiscopyingRoom(Room):
        miscopied = False

        def _copy_check(self, panel: Any) -> None:
            widget = panel.widget
            if self.miscopied or widget.entry is None:
                super()._copy_check(panel)
                return
            self.miscopied = True
            words = list(self.notebooks[widget.form.holder])
            words[7] = next(w for w in WORDLIST if w[:4] != words[7][:4])
            widget.entry.field(1).setFocus()
            for word in words:
                QTest.keyClicks(widget.entry.focusWidget(), word[:4])
                QTest.keyClick(widget.entry.focusWidget(), Qt.Key.Key_Space)
            widget.button.click()  # "My copy does not pass: show my share again"

    return MiscopyingRoom(view, pin, before_answer=before)


if __name__ == "__main__":
    sys.exit(main())
