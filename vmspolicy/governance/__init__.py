"""Governance: waivers, inline suppressions, baselines.

:func:`apply` runs after every rule: it marks findings as suppressed (never
deletes them) and may add findings of its own (VP304, unused VP305). What the
command line asked of it arrives as :class:`GovernanceOptions`.

Order: a holding waiver first, then an inline suppression, then the baseline;
a finding keeps the first suppression that covers it. Everything is judged as
of ``ctx.as_of`` (``--as-of``).
"""

from __future__ import annotations

from typing import Container, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.suppressions import inline_suppressions
from vmspolicy.analysis.waivers import apply_waivers, unused_parts, waiver_statuses
from vmspolicy.core import codes
from vmspolicy.core.errors import UsageError
from vmspolicy.core.findings import Finding
from vmspolicy.governance.fingerprint import fingerprint
from vmspolicy.governance.inline import apply_inline
from vmspolicy.governance.options import GovernanceOptions

__all__ = ["GovernanceOptions", "apply", "fingerprint"]


def apply(findings: Sequence[Finding], ctx: CheckContext, options: GovernanceOptions, enabled: Container[str]) -> list[Finding]:
    """Findings with waivers, inline suppressions and the baseline applied.

    ``enabled``: the codes of the rules that ran; unused waivers (VP304) and unused
    suppressions (VP305) are reported only when their rule is among them.
    Raises :class:`vmspolicy.core.errors.UsageError` for a baseline file that cannot be used (exit 2).
    """
    statuses = waiver_statuses(ctx)
    out = apply_waivers(findings, statuses)
    if codes.UNUSED_WAIVER.code in enabled:
        out.extend(
            codes.UNUSED_WAIVER.finding(p.location, p.message, subject=p.subject, evidence=p.evidence)
            for p in unused_parts(out, statuses, ctx)
        )
    refused = not options.inline_suppressions or ctx.settings.get("inline_suppressions") is False
    if not refused:
        suppressions = inline_suppressions(ctx)
        out, used = apply_inline(out, suppressions)
        if options.report_unused_suppressions and codes.INVALID_SUPPRESSION.code in enabled:
            for index, s in enumerate(suppressions):
                if s.holds and index not in used:
                    written = ",".join(s.codes)
                    out.append(codes.INVALID_SUPPRESSION.finding(
                        s.location,
                        f"this suppression of {written} suppresses nothing (no {written} finding in its scope); remove the comment",
                        evidence=f"unused:{written}",
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
