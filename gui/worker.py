"""The ceremony's worker thread, and the relay that brings its questions to the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from gui.errors import CeremonyInterrupted
from gui.prompter import WindowPrompter
from gui.viewmodels.jobs import CeremonyJob
from gui.viewmodels.messages import sentence


class PromptRelay(QObject):
    """Carries prompts from the worker thread to the GUI thread (a queued connection)."""

    posted = Signal(object)


class CeremonyWorker(QThread):
    """Runs a ``CeremonyJob`` off the GUI thread; reports how it ended, as a sentence."""

    succeeded = Signal(str)
    stopped = Signal(str)

    def __init__(self, job: CeremonyJob, prompter: WindowPrompter, begin: Any,
                 parent: QObject | None = None) -> None:
        # A parent makes Qt delete the thread object with its view, on the GUI thread, rather
        # than Python's garbage collector on whichever thread it happens to run.
        super().__init__(parent)
        self.job = job
        self.prompter = prompter
        self.begin = begin

    def run(self) -> None:
        try:
            summary = self.job.run(self.prompter, self.begin)
        except CeremonyInterrupted:
            self.stopped.emit("The ceremony was stopped from the window; the journal records "
                              "where, and it can be resumed from the same folder.")
        except BaseException as ex:  # every way a ceremony can end becomes a sentence
            self.stopped.emit(sentence(ex))
        else:
            self.succeeded.emit(summary)
