"""SLIP-39 share schemes: how many shares are handed out, in which groups, and how many rebuild.

A scheme is a plain value, checked when it is made against what SLIP-39 allows, so a plan can be
validated before any secret exists. Splitting and recovering are in ``crypto.shares``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHARES = 16  # SLIP-39 encodes counts and indexes in 4 bits


@dataclass(frozen=True)
class GroupSpec:
    """A group of ``count`` shares of which ``threshold`` rebuild the group's part."""

    threshold: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARES:
            raise ValueError(f"A group must have 1 to {MAX_SHARES} shares, not {self.count}.")
        if not 1 <= self.threshold <= self.count:
            raise ValueError(f"A group's threshold must be from 1 to its share count "
                             f"({self.count}), not {self.threshold}.")
        if self.threshold == 1 and self.count > 1:
            raise ValueError(f"SLIP-39 does not allow a 1-of-{self.count} group (it would be "
                             "copies of one share); use a threshold of 2 or more, or 1-of-1.")

    def describe(self) -> str:
        """E.g. '3-of-5'."""
        return f"{self.threshold}-of-{self.count}"


@dataclass(frozen=True)
class ShareScheme:
    """Which shares rebuild the secret: ``group_threshold`` of ``groups``, each M-of-N."""

    group_threshold: int
    groups: tuple[GroupSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))  # a list would break hashing
        if not 1 <= len(self.groups) <= MAX_SHARES:
            raise ValueError(f"A scheme must have 1 to {MAX_SHARES} groups, "
                             f"not {len(self.groups)}.")
        if not 1 <= self.group_threshold <= len(self.groups):
            raise ValueError(f"The group threshold must be from 1 to the number of groups "
                             f"({len(self.groups)}), not {self.group_threshold}.")

    @classmethod
    def single(cls, threshold: int, count: int) -> ShareScheme:
        """The plain M-of-N scheme: one group."""
        return cls(1, (GroupSpec(threshold, count),))

    @property
    def share_count(self) -> int:
        """How many shares are handed out in all."""
        return sum(group.count for group in self.groups)

    def describe(self) -> str:
        """'3-of-5', or '2 of 3 groups: 2-of-3, 3-of-5, 1-of-1', for journals and screens."""
        if len(self.groups) == 1:
            return self.groups[0].describe()
        specs = ", ".join(group.describe() for group in self.groups)
        return f"{self.group_threshold} of {len(self.groups)} groups: {specs}"
