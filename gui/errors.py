"""Errors of the desktop app: each is one sentence shown in the window, never a traceback."""

from __future__ import annotations


class GuiError(Exception):
    """A problem the window shows as one sentence (what is wrong, what to do)."""


class UnreadableFile(GuiError):
    """A file dropped or opened in the app cannot be read as what it should be."""


class CeremonyInterrupted(KeyboardInterrupt):
    """Raised in the ceremony's worker thread when the window stops the ceremony.

    It is a KeyboardInterrupt on purpose: the runner journals an interruption as
    ``ceremony-aborted`` and closes its tokens, exactly as for Ctrl+C in the terminal, so the
    journal stays whole up to the stop.
    """
