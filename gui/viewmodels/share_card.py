"""A custodian's share as a card on paper: what it says and where each word goes (no Qt).

The plan can let the hand-out screen print the share (``[shares] print_cards``). The card
carries the words numbered in columns (read down, like the screen), the share's set identifier
and member number as the share itself encodes them (so a card found in a safe says which set
it belongs to without the ceremony's records), the custodian's name, and a QR code of the
words. Printing is the view's job (``gui.widgets.share_card``); here are the card's content, the
sentences the room reads before printing, and the rules a printer must meet (a real printer,
never a file).

The words are a secret: they stay out of ``repr`` and exist only as long as the card object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crypto.shares import ShareInfo, check_share

COLUMNS = 3

SPOOL_WARNING = (
    "The printer and its spool may keep a copy of this share. On its way to the printer the "
    "card passes through this machine's print system (a temporary file, then the print queue, "
    "which CUPS keeps after printing unless PreserveJobFiles is No), and the printer may keep "
    "it in its own memory or disk. Print only on a printer that stays in this room, is "
    "connected to this machine alone, and is cleared or destroyed as your policy says before "
    "it leaves; this machine is wiped as your policy says. The card does not replace the copy "
    "check: {holder} still types the share back from paper.")
PRINT_VERB = "Print the card"
DO_NOT_PRINT_VERB = "Do not print"
BUTTON_LABEL = "Print this share card…"
NO_PRINTER = ("No printer is attached to this machine, so the share cannot be printed: write "
              "it down by hand.")
CARD_FOOTER = "Keep this card private. Anyone holding enough shares can rebuild the secret."


@dataclass(frozen=True)
class CardWord:
    """One word of the card: its 1-based position and where it sits (0-based column, row)."""

    position: int
    column: int
    row: int
    word: str = field(repr=False)

    @property
    def text(self) -> str:
        """As printed, e.g. '7. academic'."""
        return f"{self.position}. {self.word}"


@dataclass(frozen=True)
class ShareCard:
    """What one printed card says. Build it with ``ShareCard.of``."""

    holder: str
    number: int
    total: int
    info: ShareInfo
    words: tuple[CardWord, ...] = field(repr=False)
    columns: int = COLUMNS

    @classmethod
    def of(cls, holder: str, number: int, total: int, words: Sequence[str],
           columns: int = COLUMNS) -> ShareCard:
        """The card of ``holder``'s share ``number`` of ``total``.

        The share is decoded (``crypto.shares.check_share``, over the SLIP-39 reference) for
        its set identifier and member number, so the card says what the share itself says.
        A share that does not decode is refused (``ShareError``) before anything is printed.
        """
        if columns < 1:
            raise ValueError("A card has at least one column.")
        info = check_share(" ".join(words))
        rows = (len(words) + columns - 1) // columns
        placed = tuple(CardWord(index + 1, index // rows, index % rows, word)
                       for index, word in enumerate(words))
        return cls(holder, number, total, info, placed, columns)

    def __repr__(self) -> str:  # never the words
        return f"ShareCard({self.holder!r}, {self.number}/{self.total})"

    @property
    def rows(self) -> int:
        """Rows of words in each column."""
        return max((w.row for w in self.words), default=-1) + 1

    @property
    def title(self) -> str:
        """E.g. 'SLIP-39 share 2 of 5: Bob'."""
        return f"SLIP-39 share {self.number} of {self.total}: {self.holder}"

    @property
    def header(self) -> tuple[str, ...]:
        """The lines under the title: set identifier, member number, what a quorum is."""
        info = self.info
        member = f"Member {info.member_index + 1}"
        if info.group_count > 1:
            member += (f" of group {info.group_index + 1} ({info.member_threshold} of the "
                       f"group needed; {info.group_threshold} of {info.group_count} groups "
                       "needed)")
        else:
            member += f" ({info.member_threshold} shares needed)"
        return (f"Set identifier {info.identifier}", member,
                f"{len(self.words)} words, read down each column")

    def qr_text(self) -> str:
        """The QR code's content: the words, space-separated, as a SLIP-39 tool reads them."""
        return " ".join(w.word for w in self.words)

    def spool_warning(self) -> str:
        return SPOOL_WARNING.format(holder=self.holder)


@dataclass(frozen=True)
class PrinterOffer:
    """Whether the hand-out screen offers a card, and if not, why (a sentence for the room)."""

    printers: tuple[str, ...]
    default: str = ""

    @property
    def available(self) -> bool:
        return bool(self.printers)

    @property
    def reason(self) -> str:
        """Why the button is disabled ('' when it is not)."""
        return "" if self.available else NO_PRINTER

    @property
    def first_choice(self) -> str:
        """The printer proposed first: the system's default when it is attached, else the first."""
        if self.default in self.printers:
            return self.default
        return self.printers[0] if self.printers else ""


def refusal(native: bool, file_name: str, printer_name: str) -> str | None:
    """Why a printer set-up must not receive a share, or None when it may.

    A share goes straight to a printer, never to a file: a PDF or PostScript file would be the
    share on disk. So the output must be the printer's native format, with no file name, on a
    named printer.
    """
    if not native or file_name:
        which = f"The printer {printer_name!r} is" if printer_name else "The printer is"
        return (f"{which} set to print to a file; a share is printed only on paper, so the "
                "card was not printed.")
    if not printer_name:
        return "No printer was chosen, so the card was not printed."
    return None
