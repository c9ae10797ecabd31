"""Governance: waivers, inline suppressions, baselines (issue 5).

CONTRACT with the pipeline and the CLI (keep these two functions):

- :func:`add_check_arguments` adds this stage's options to ``vmspolicy check``.
- :func:`apply` runs after every rule: it marks findings as suppressed (never
  deletes them) and may add findings of its own (VP302, VP305...).
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from vmspolicy.findings import Finding
from vmspolicy.rules.base import CheckContext


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vmspolicy check`` that belong to governance."""


def apply(findings: Sequence[Finding], ctx: CheckContext, args: Any) -> list[Finding]:
    """Findings with waivers, inline suppressions and the baseline applied."""
    return list(findings)
