"""Governance: waivers, inline suppressions, baselines.

:func:`apply` runs after every rule: it marks findings as suppressed (never
deletes them) and may add findings of its own (VP304, unused VP305). What the
command line asked of it arrives as :class:`GovernanceOptions`.

Order: a holding waiver first, then an inline suppression, then the baseline;
a finding keeps the first suppression that covers it. Everything is judged as
of ``ctx.as_of`` (``--as-of``).
"""

from __future__ import annotations

from typing import Sequence

from vmspolicy.analysis.waivers import apply_waivers, unused_parts, waiver_statuses
from vmspolicy.core.errors import UsageError
from vmspolicy.core.findings import Finding
from vmspolicy.core.rule import CheckContext
from vmspolicy.governance.fingerprint import fingerprint
from vmspolicy.governance.inline import apply_inline, inline_suppressions
from vmspolicy.governance.options import GovernanceOptions

__all__ = ["GovernanceOptions", "apply", "fingerprint"]


def apply(findings: Sequence[Finding], ctx: CheckContext, options: GovernanceOptions) -> list[Finding]:
    """Findings with waivers, inline suppressions and the baseline applied.

    Raises :class:`vmspolicy.run.pipeline.UsageError` for a baseline file that cannot be used (exit 2).
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
    refused = not options.inline_suppressions or ctx.settings.get("inline_suppressions") is False
    if not refused:
        suppressions = inline_suppressions(ctx)
        out, used = apply_inline(out, suppressions)
        if options.report_unused_suppressions and enabled(InvalidSuppression.code):
            for index, s in enumerate(suppressions):
                if s.holds and index not in used:
                    codes = ",".join(s.codes)
                    out.append(InvalidSuppression.finding(
                        s.location,
                        f"this suppression of {codes} suppresses nothing (no {codes} finding in its scope); remove the comment",
                        evidence=f"unused:{codes}",
                    ))
    if options.baseline:
        # Imported here: most runs (every pre-commit run) have no baseline.
        from vmspolicy.governance.baseline import (
            BaselineError,
            apply_baseline,
            never_recorded,
            read_baseline,
            restricted_records,
        )

        try:
            baseline = read_baseline(options.baseline)
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
        out = apply_baseline(out, baseline, never_recorded(ctx.rules), restricted_records(ctx))
    return out
