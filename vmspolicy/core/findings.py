"""Findings: what rules produce and reporters print."""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import Final

from vmspolicy.core.records import record
from vmspolicy.core.source import Location


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``error > warning > info``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in output and configuration."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"error"`` → :attr:`ERROR`; raises ``ValueError`` for anything else."""
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning or info)") from None


SEVERITY_NAMES: Final = tuple(s.label for s in sorted(Severity, reverse=True))


@record(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: a waiver, an inline comment or a baseline entry."""

    kind: str  # "waiver" | "inline" | "baseline"
    justification: str
    location: Location | None = None
    reference: str | None = None  # the waiver id, or the baseline file


@record(frozen=True, slots=True)
class Finding:
    """One problem at one place. ``subject`` is the id of the site, zone, device or waiver it is about."""

    rule: str
    slug: str
    severity: Severity
    location: Location
    message: str
    subject: str | None = None
    # What makes this finding the same finding after lines move: the offending
    # value (a vendor name, a flow, a key). Baselines and SARIF fingerprints use it.
    evidence: str = ""
    suppressed: Suppression | None = None

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Order by file and position, then code, so output is deterministic."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.subject or "", self.message)

    def suppress(self, suppression: Suppression) -> Finding:
        """A copy of this finding marked as suppressed."""
        return replace(self, suppressed=suppression)

    def with_severity(self, severity: Severity) -> Finding:
        """A copy with the severity a configuration asked for."""
        return replace(self, severity=severity)
