"""Inline suppressions applied: a finding that a valid ``# vmspolicy: ignore[...]`` comment covers is marked suppressed.

The comments are found and judged by :mod:`vmspolicy.analysis.suppressions`.
"""

from __future__ import annotations

from typing import Sequence

from vmspolicy.analysis.suppressions import InlineSuppression
from vmspolicy.core.findings import Finding, Suppression


def apply_inline(findings: Sequence[Finding], suppressions: Sequence[InlineSuppression]) -> tuple[list[Finding], set[int]]:
    """Mark the findings that a valid suppression covers; also return which suppressions were used (by index)."""
    by_path: dict[str, list[tuple[int, InlineSuppression]]] = {}
    for index, s in enumerate(suppressions):
        if s.holds:
            by_path.setdefault(s.location.path, []).append((index, s))
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        if finding.suppressed is None:
            for index, s in by_path.get(finding.path, ()):
                if s.covers(finding):
                    finding = finding.suppress(Suppression("inline", s.justification(), s.location, None))
                    used.add(index)
                    break
        out.append(finding)
    return out, used
