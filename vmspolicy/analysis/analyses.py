"""The analyses of one run that several rules share, each a typed property computed on first use and kept.

Every rule family, governance, ``vmspolicy graph`` and ``vmspolicy fix`` ask
the same questions of an estate (which vendor is this device, which pack
restricts it, what reaches it, which waiver holds); :class:`Analyses` answers
each once per run. The functions of the analysis modules (``policy.judgements``,
``reach.reachability``...) read their answer from here.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Mapping

from vmspolicy.analysis import catalog, identify, isolation, overrides, policy, reach, suppressions, waivers

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.analysis.identify import Verdict
    from vmspolicy.core.model import Device


class Analyses:
    """One run's shared analyses of the estate in ``ctx``."""

    def __init__(self, ctx: CheckContext) -> None:
        self._ctx = ctx

    @cached_property
    def vendor_verdicts(self) -> Mapping[str, Verdict]:
        """Each device's vendor identification, by device id."""
        return identify.all_verdicts(self._ctx)

    @cached_property
    def reachability(self) -> reach.Reachability:
        """What reaches what through the estate's firewalls."""
        return reach.Reachability(self._ctx.estate)

    @cached_property
    def packs(self) -> Mapping[str, policy.Pack]:
        """Every policy pack known to the run (built-in, plugins', configured), by id."""
        return policy.build_registry(self._ctx)

    @cached_property
    def mandatory_rules(self) -> Mapping[str, tuple[str, ...]]:
        """The rules the applied packs make mandatory, each with the packs that do."""
        return policy.find_mandatory_rules(self._ctx)

    @cached_property
    def device_verdicts(self) -> Mapping[str, Verdict]:
        """Each device's vendor verdict as policy weighs it (descriptions included), by device id."""
        return policy.weigh_device_verdicts(self._ctx)

    @cached_property
    def judgements(self) -> Mapping[str, policy.Judgement]:
        """Each device judged under the packs its site applies, by device id."""
        return policy.judge(self._ctx)

    @cached_property
    def legacy_restricted(self) -> tuple[Device, ...]:
        """Restricted devices installed before their pack's cut-off."""
        return policy.find_legacy_restricted(self._ctx)

    @cached_property
    def isolated_devices(self) -> list[Device]:
        """Legacy restricted devices that a restricting pack lets stay only while isolated."""
        return isolation.find_isolated_devices(self._ctx)

    @cached_property
    def zone_networks(self) -> isolation.ZoneNetworks:
        """Every zone's networks, indexed to find the zones whose networks overlap a zone's (VP201)."""
        return isolation.ZoneNetworks(self._ctx.estate)

    @cached_property
    def rule_catalog(self) -> catalog.RuleCatalog:
        """What a waiver or a suppression may name: every registered rule and what may excuse it."""
        return catalog.build(self._ctx)

    @cached_property
    def waivers(self) -> waivers.WaiverAnalysis:
        """Every waiver judged: whether it holds, what it excuses, its problems."""
        return waivers.assess_all(self._ctx)

    @cached_property
    def inline_suppressions(self) -> list[suppressions.InlineSuppression]:
        """Every ``# vmspolicy: ignore[...]`` comment of the run's files, judged."""
        return suppressions.scan_all(self._ctx)

    @cached_property
    def inline_terms(self) -> suppressions.InlineTerms:
        """How long an inline suppression may last under the packs the run applies."""
        return suppressions.terms(self._ctx)

    @cached_property
    def refused_overrides(self) -> tuple[overrides.RefusedOverride, ...]:
        """Settings of the configuration refused because they would weaken a mandatory rule (VP306)."""
        return overrides.find_refused(self._ctx)
