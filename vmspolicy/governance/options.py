"""How the governance stage applies waivers, inline suppressions and baselines in one run."""

from __future__ import annotations

from vmspolicy.core.records import record


@record(frozen=True, slots=True)
class GovernanceOptions:
    """What the command line asked of governance, on top of the configuration.

    ``baseline``: a baseline file whose findings show as suppressed (None: no baseline).
    ``inline_suppressions``: False ignores ``# vmspolicy: ignore[...]`` comments whatever the configuration says.
    ``report_unused_suppressions``: report inline suppressions that suppress nothing (VP305).
    """

    baseline: str | None = None
    inline_suppressions: bool = True
    report_unused_suppressions: bool = False
