"""Governance: waivers, inline suppressions, baselines (issue 5).

CONTRACT with the pipeline and the CLI (keep these two functions):

- :func:`add_check_arguments` adds this stage's options to ``vmspolicy check``.
- :func:`apply` runs after every rule: it marks findings as suppressed (never
  deletes them) and may add findings of its own (VP304, unused VP305).

Order: a holding waiver first, then an inline suppression, then the baseline;
a finding keeps the first suppression that covers it. Everything is judged as
of ``ctx.as_of`` (``--as-of``).
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from vmspolicy.findings import Finding
from vmspolicy.governance.fingerprint import fingerprint
from vmspolicy.governance.inline import apply_inline, inline_suppressions
from vmspolicy.governance.waivers import apply_waivers, unused_parts, waiver_statuses
from vmspolicy.rules.base import CheckContext

__all__ = ["add_check_arguments", "apply", "fingerprint"]


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vmspolicy check`` that belong to governance."""
    group = parser.add_argument_group("exceptions (waivers, inline suppressions, baselines)")
    group.add_argument(
        "--baseline", metavar="FILE",
        help="report only findings not recorded in FILE (written by `vmspolicy baseline`); recorded ones show as suppressed",
    )
    group.add_argument(
        "--no-inline-suppressions", action="store_true",
        help="ignore `# vmspolicy: ignore[...]` comments (a gate that accepts only waivers and baselines)",
    )
    group.add_argument(
        "--report-unused-suppressions", action="store_true",
        help="report inline suppressions that suppress nothing (VP305)",
    )


def apply(findings: Sequence[Finding], ctx: CheckContext, args: Any) -> list[Finding]:
    """Findings with waivers, inline suppressions and the baseline applied.

    Raises :class:`vmspolicy.pipeline.UsageError` for a baseline file that cannot be used (exit 2).
    """
    from vmspolicy.rules.waivers import ENABLED_MARK, InvalidSuppression, UnusedWaiver

    def enabled(code: str) -> bool:
        return ctx.memo(ENABLED_MARK + code, lambda _: False)

    statuses = waiver_statuses(ctx)
    out = apply_waivers(findings, statuses)
    if enabled(UnusedWaiver.code):
        out.extend(
            UnusedWaiver.finding(p.location, p.message, subject=p.subject, evidence=p.evidence)
            for p in unused_parts(out, statuses, ctx)
        )
    refused = getattr(args, "no_inline_suppressions", False) or ctx.settings.get("inline_suppressions") is False
    if not refused:
        suppressions = inline_suppressions(ctx)
        out, used = apply_inline(out, suppressions)
        if getattr(args, "report_unused_suppressions", False) and enabled(InvalidSuppression.code):
            for index, s in enumerate(suppressions):
                if s.holds and index not in used:
                    codes = ",".join(s.codes)
                    out.append(InvalidSuppression.finding(
                        s.location,
                        f"this suppression of {codes} suppresses nothing (no {codes} finding in its scope); remove the comment",
                        evidence=f"unused:{codes}",
                    ))
    baseline_file = getattr(args, "baseline", None)
    if baseline_file:
        # Imported here: most runs (every pre-commit run) have no baseline.
        from vmspolicy.governance.baseline import (
            BaselineError,
            apply_baseline,
            never_recorded,
            read_baseline,
            restricted_records,
        )

        try:
            baseline = read_baseline(str(baseline_file))
        except BaselineError as exc:
            from vmspolicy.pipeline import UsageError

            raise UsageError(str(exc)) from None
        out = apply_baseline(out, baseline, never_recorded(ctx.rules), restricted_records(ctx))
    return out
