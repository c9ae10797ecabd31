"""Stand-ins for VP103 and VP202 while their real implementations are being written.

Registered as a test plugin only when the real rules are not registered, so the
governance cases exercise waivers and suppressions against a waivable rule
(VP103) and an unwaivable one (VP202) either way. The stand-ins follow
DESIGN.md loosely: VP103 fires for an active Hikvision/Dahua camera installed
before 2022-11-24 (uk-gov-2022); VP202 for an ``allow`` firewall rule from the
zone of such a camera to ``internet``. Both point where the real rules do
(VP103 at the declared vendor, VP2xx at the device's id).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from vmspolicy.findings import Finding
from vmspolicy.model import Device
from vmspolicy.plugins import hookimpl, load_plugins
from vmspolicy.rules.base import CheckContext, Rule

CUTOFF = dt.date(2022, 11, 24)


def _legacy(ctx: CheckContext) -> list[Device]:
    return [
        d for d in ctx.estate.devices.values()
        if d.active and (d.vendor or "").lower() in ("hikvision", "dahua") and d.installed is not None and d.installed < CUTOFF
    ]


class FakeLegacy(Rule):
    """Stand-in for VP103."""

    code = "VP103"
    slug = "restricted-vendor-legacy"
    waivable = True

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for d in _legacy(ctx):
            yield self.finding(d.origin.loc("vendor"), f"{d.id}: legacy restricted camera without a valid waiver",
                               subject=d.id, evidence=f"vendor:{d.vendor}")


class FakeEgress(Rule):
    """Stand-in for VP202."""

    code = "VP202"
    slug = "internet-egress"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for d in _legacy(ctx):
            for fw in ctx.estate.firewalls_of(d.site):
                for rule in fw.rules:
                    if rule.source == d.zone and rule.destination == "internet" and rule.action == "allow":
                        yield self.finding(d.origin.loc("id"), f"{d.id} can reach the internet through {rule.name}",
                                           subject=d.id, evidence=f"rule:{rule.name}")


FAKES: Sequence[type[Rule]] = (FakeLegacy, FakeEgress)


class FakePlugin:
    __name__ = "tests.governance.fake_rules"

    @hookimpl
    def vmspolicy_rules(self) -> Sequence[type[Rule]]:
        registered = {r.code for r in load_plugins(entry_points_enabled=False).rules()}
        return [r for r in FAKES if r.code not in registered]


def missing_real_rules() -> list[str]:
    """Codes of the stand-ins whose real rule is not registered yet."""
    registered = {r.code for r in load_plugins(entry_points_enabled=False).rules()}
    return [r.code for r in FAKES if r.code not in registered]
