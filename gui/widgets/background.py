"""Running slow work (linting, verifying, reading a big inventory) off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class Task(QThread):
    """Calls ``work()`` on its own thread; ``done`` or ``failed`` (a sentence) reports back."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as ex:  # reported as a sentence, never a traceback
            from gui.viewmodels.messages import sentence

            self.failed.emit(sentence(ex))
        else:
            self.done.emit(result)


class _Receiver(QObject):
    """Lives on the GUI thread, so the task's results are delivered there (queued)."""

    def __init__(self, on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_failed = on_failed

    @Slot(object)
    def done(self, value: Any) -> None:
        self._call(self._on_done, value)

    @Slot(str)
    def failed(self, text: str) -> None:
        self._call(self._on_failed, text)

    @Slot()
    def finished(self) -> None:
        task = self.sender()
        if isinstance(task, Task):
            task.wait()  # it has emitted finished; let it end before dropping the last reference
            _running.pop(task, None)

    @staticmethod
    def _call(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except RuntimeError as ex:
            if "already deleted" not in str(ex):  # the widget waiting was closed meanwhile
                raise


_running: dict[Task, _Receiver] = {}  # owned here, not by a widget that may close meanwhile


def run_in_background(work: Callable[[], Any], on_done: Callable[[Any], None],
                      on_failed: Callable[[str], None]) -> Task:
    """Start ``work`` on a thread; the callbacks run on the GUI thread when it ends."""
    task = Task(work)
    receiver = _Receiver(on_done, on_failed)
    task.done.connect(receiver.done)
    task.failed.connect(receiver.failed)
    task.finished.connect(receiver.finished)
    _running[task] = receiver
    task.start()
    return task


def wait_for_background(timeout_ms: int = 10_000) -> None:
    """Wait for every background task to end (tests, and before the app quits)."""
    for task in list(_running):
        task.wait(timeout_ms)
