"""Lint findings and reports: what pkilint and our own checks say about one document.

A finding has a severity; anything at WARNING or worse blocks signing, NOTICE and INFO are
reported only. The linters themselves are ``crypto.lint`` (pkilint) and ``crypto.ownchecks``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SEVERITIES = ("FATAL", "ERROR", "WARNING", "NOTICE", "INFO")
BLOCKING_SEVERITIES = frozenset({"FATAL", "ERROR", "WARNING"})

Source = Literal["pkilint", "keyceremony"]


@dataclass(frozen=True)
class LintFinding:
    """One finding of pkilint or of our own checks."""

    severity: str  # one of SEVERITIES
    code: str
    message: str
    source: Source
    node_path: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING_SEVERITIES

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "source": self.source,
            "node_path": self.node_path,
        }

    def __str__(self) -> str:
        text = f"{self.severity} {self.code}"
        if self.message:
            text += f": {self.message}"
        return f"{text} (at {self.node_path})" if self.node_path else text


@dataclass(frozen=True)
class LintReport:
    """All findings for one certificate or CRL; ``ok`` when nothing blocks signing."""

    subject: str  # RFC 4514 subject of a certificate, issuer of a CRL
    kind: str  # certificate type, CRL kind, "chain" or what our own checks looked at
    findings: tuple[LintFinding, ...]

    @property
    def blocking(self) -> tuple[LintFinding, ...]:
        """The findings at WARNING or worse."""
        return tuple(f for f in self.findings if f.blocking)

    @property
    def ok(self) -> bool:
        return not self.blocking

    def with_findings(self, findings: Iterable[LintFinding]) -> LintReport:
        """This report with more findings added."""
        return LintReport(self.subject, self.kind, self.findings + tuple(findings))

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "ok": self.ok,
            "findings": [f.as_dict() for f in self.findings],
        }
