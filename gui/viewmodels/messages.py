"""Turning any exception into the one sentence the window shows."""

from __future__ import annotations


def _as_sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def sentence(error: BaseException) -> str:
    """What went wrong, as one sentence a person can act on.

    Domain errors (``ceremony``, ``crypto``, ``gui``) already are such sentences. File system
    errors name the file. Anything else is a fault of the program: say so, with the kind of
    error, rather than a traceback.
    """
    from ceremony.errors import CeremonyError
    from crypto.errors import CryptoError
    from gui.errors import GuiError

    if isinstance(error, CeremonyError | CryptoError | GuiError):
        return _as_sentence(str(error))
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        reason = error.strerror or str(error)
        return _as_sentence(f"cannot use{where}: {reason}; check the path and its permissions")
    if isinstance(error, UnicodeError | ValueError) and str(error):
        return _as_sentence(f"the input could not be used: {error}")
    kind = type(error).__name__
    return _as_sentence(f"an unexpected {kind} stopped this action; nothing more was done, so "
                        "report it with what you were doing")
