"""What a plan needs of a token, and what its capability check found."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from crypto.algorithms import KeyAlgorithm
from crypto.backupfile import WrapMechanism


class Need(StrEnum):
    """The kinds of thing a ceremony asks of a token."""

    RANDOM = "random"  # serial numbers and wrap keys from the token's RNG
    GENERATE = "generate"  # a key pair of an algorithm, extractable or not
    SIGN = "sign"  # signatures with a key of an algorithm
    WRAP = "wrap"  # a wrapped backup (RFC 5649 of PKCS#8) of a key of an algorithm
    UNWRAP = "unwrap"  # a restore (or re-wrap) of such a backup


@dataclass(frozen=True)
class TokenNeeds:
    """What a plan's steps ask of one token."""

    generate: tuple[tuple[KeyAlgorithm, bool], ...] = ()  # (algorithm, extractable)
    sign: tuple[KeyAlgorithm, ...] = ()
    wrap: tuple[KeyAlgorithm, ...] = ()
    unwrap: tuple[KeyAlgorithm, ...] = ()
    random: bool = False

    def merged(self, other: TokenNeeds) -> TokenNeeds:
        def union(a: tuple[object, ...], b: tuple[object, ...]) -> tuple[object, ...]:
            return tuple(dict.fromkeys((*a, *b)))

        return TokenNeeds(union(self.generate, other.generate),  # type: ignore[arg-type]
                          union(self.sign, other.sign),  # type: ignore[arg-type]
                          union(self.wrap, other.wrap),  # type: ignore[arg-type]
                          union(self.unwrap, other.unwrap),  # type: ignore[arg-type]
                          self.random or other.random)


@dataclass(frozen=True)
class Capability:
    """One need and the answer: how the token meets it, or the sentence why it cannot."""

    need: Need
    subject: str  # "ec-p384", "ec-p384, extractable", "wrap key", ...
    ok: bool
    how: str  # mechanism and method when ok; what was tried otherwise
    problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"need": self.need.value, "subject": self.subject, "ok": self.ok, "how": self.how,
                **({"problem": self.problem} if self.problem else {})}


@dataclass(frozen=True)
class TokenReport:
    """The capability check of one token."""

    token_label: str
    uri: str
    capabilities: tuple[Capability, ...]
    wrap_mechanism: WrapMechanism | None = None  # produces RFC 5649 in this token
    unwrap_mechanism: WrapMechanism | None = None  # reads RFC 5649 in this token
    mechanisms: int = 0  # how many mechanisms the token lists
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.capabilities)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(c.problem for c in self.capabilities if c.problem)

    def as_dict(self) -> dict[str, object]:
        """For the journal (no secret: the check's keys are throwaway test values)."""
        return {
            "token": self.token_label,
            "uri": self.uri,
            "ok": self.ok,
            "mechanism_count": self.mechanisms,
            "wrap_mechanism": self.wrap_mechanism.value if self.wrap_mechanism else None,
            "unwrap_mechanism": self.unwrap_mechanism.value if self.unwrap_mechanism else None,
            "capabilities": [c.as_dict() for c in self.capabilities],
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """The report as lines for a terminal: one per need, then the notes."""
        out = [f"Token {self.token_label!r} ({self.uri}): {self.mechanisms} mechanisms"]
        for c in self.capabilities:
            mark = "ok  " if c.ok else "NO  "
            out.append(f"  {mark}{c.need.value} {c.subject}: {c.how}")
            if c.problem:
                out.append(f"      {c.problem}")
        out.extend(f"  note: {n}" for n in self.notes)
        return out
