"""Which page's message the window's message strip shows (no Qt).

A message belongs to the page that raised it: it is shown while that page is, hidden (and
kept) while another page is, and gone once the page reports that what it said is put right
(an error only; a piece of information stays until it is dismissed or replaced) or a person
dismisses it. So a red "say what you trust" never stands beside a green verdict, and never
follows the person to another page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class MessageKind(Enum):
    """How the strip shows a message."""

    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True)
class PageMessage:
    """One sentence a page has for the person."""

    text: str
    kind: MessageKind


class PageMessages:
    """The current message of each page, by page name."""

    def __init__(self) -> None:
        self._by_page: dict[str, PageMessage] = {}

    def say(self, page: str, text: str, kind: MessageKind) -> None:
        """``page`` has ``text`` to say; it replaces what the page said before."""
        self._by_page[page] = PageMessage(text, kind)

    def resolved(self, page: str) -> None:
        """``page`` reports that its problem is put right: its error goes."""
        message = self._by_page.get(page)
        if message is not None and message.kind is MessageKind.ERROR:
            del self._by_page[page]

    def dismissed(self, page: str) -> None:
        """A person closed ``page``'s message."""
        self._by_page.pop(page, None)

    def of(self, page: str) -> PageMessage | None:
        """What the strip shows while ``page`` is shown (None: the strip is hidden)."""
        return self._by_page.get(page)
