"""Waivers: is each one complete, within what its pack allows, current; and what it excuses.

The analysis is computed once per run (``ctx.memo``) and shared by the rules
that report it (VP301, VP302, VP303) and by :func:`vmspolicy.governance.apply`,
which marks the excused findings and reports waivers nothing needs (VP304).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from vmspolicy.analysis.catalog import rule_catalog
from vmspolicy.analysis.justification import is_missing
from vmspolicy.core.findings import Finding, Suppression
from vmspolicy.core.model import Waiver
from vmspolicy.core.records import record
from vmspolicy.core.source import Location

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext

DEFAULT_MAX_WAIVER_MONTHS = 24
"""The longest waiver when no applicable pack says otherwise (DESIGN.md, policy packs)."""

DEFAULT_WAIVED_RULES = ("VP103", "VP105")
"""What a waiver without ``rules:`` excuses (manifest format v1). A ``rules:`` list may name
any rule whose ``waivable`` flag is set; these two are only the default."""


@record(frozen=True, slots=True)
class Problem:
    """Something wrong with a waiver or a suppression, ready to become a finding."""

    location: Location
    message: str
    evidence: str
    subject: str | None = None  # the waiver's id; None for an inline comment


@record(frozen=True, slots=True)
class WaiverStatus:
    """One waiver as of the run's date."""

    waiver: Waiver
    rules: frozenset[str]  # what it excuses (its own list, else every waivable rule)
    invalid: tuple[Problem, ...] = ()  # VP301
    expired: Problem | None = None  # VP302
    days_left: int | None = None  # until the last day it holds, when it has an expiry date
    max_months: int = DEFAULT_MAX_WAIVER_MONTHS
    pack: str | None = None  # the pack that set ``max_months``, if any

    @property
    def holds(self) -> bool:
        """A complete, current waiver excuses findings; any other excuses nothing."""
        return not self.invalid and self.expired is None

    def justification(self) -> str:
        """What a report shows next to a finding this waiver excuses."""
        w = self.waiver
        parts = [f"{w.id}: {w.reason or ''}", f"approved by {w.approved_by}"]
        if w.ticket:
            parts.append(f"ticket {w.ticket}")
        parts.append(f"expires {w.expires.isoformat() if w.expires else '?'}")
        return "; ".join(parts)


@dataclass
class WaiverAnalysis:
    """The status of every waiver of the run (valid, expired, too long, naming no device...)."""

    statuses: list[WaiverStatus] = field(default_factory=list)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month (and of the calendar)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def waiver_statuses(ctx: CheckContext) -> list[WaiverStatus]:
    """Every waiver of the estate, assessed as of ``ctx.as_of`` (computed once per run)."""
    return ctx.analyses.waivers.statuses


def assess_all(ctx: CheckContext) -> WaiverAnalysis:
    return WaiverAnalysis([_assess(ctx, w) for w in sorted(ctx.estate.waivers.values(), key=lambda w: w.id)])


def _assess(ctx: CheckContext, w: Waiver) -> WaiverStatus:
    catalog = rule_catalog(ctx)
    problems: list[Problem] = []
    for key, what in (("reason", "a reason"), ("approved_by", "an approver (approved_by)"), ("expires", "an expiry date (expires)")):
        value = getattr(w, key)
        if value is None or (isinstance(value, str) and is_missing(value)):
            where = w.origin.loc(key) if key in w.origin.node else w.origin.loc()
            blank = " (it holds only spaces or invisible characters)" if value else ""
            problems.append(Problem(
                where, f"waiver {w.id} is missing {what}{blank}: it excuses nothing until a person fills it in", f"missing:{key}", w.id,
            ))
    listed = w.rules if w.rules is not None else DEFAULT_WAIVED_RULES
    for index, code in enumerate(w.rules or ()):
        if code not in catalog.known:
            problems.append(Problem(
                w.origin.loc("rules", index),
                f"waiver {w.id} lists {code}, which is not a rule; a waiver excuses {catalog.describe_waivable()}",
                f"rule:{code}",
                w.id,
            ))
        elif code not in catalog.waivable:
            problems.append(Problem(
                w.origin.loc("rules", index),
                f"waiver {w.id} lists {code}, which no waiver can excuse (only {catalog.describe_waivable()}); "
                f"fix the {code} finding itself",
                f"rule:{code}",
                w.id,
            ))
    months, pack_id = _max_months(ctx, w)
    # Counted from the approval: a waiver cannot be approved ahead of time, so the limit is never
    # later than the pack's longest waiver from the as-of date.
    start = w.approved_on or ctx.as_of
    if w.approved_on is not None and w.approved_on > ctx.as_of:
        problems.append(Problem(
            w.origin.loc("approved_on"),
            f"waiver {w.id} is approved on {w.approved_on}, after the as-of date {ctx.as_of}: "
            "it holds nothing before its approval; write the day it was approved",
            "approved-in-future",
            w.id,
        ))
    if w.expires is not None:
        if w.approved_on is not None and w.approved_on > w.expires:
            problems.append(Problem(
                w.origin.loc("approved_on"),
                f"waiver {w.id} was approved on {w.approved_on} but expires earlier, on {w.expires}",
                "approved-after-expiry",
                w.id,
            ))
        limit = add_months(start, months)
        if w.expires > limit:
            source = f"pack {pack_id} allows" if pack_id else "allowed when no pack says otherwise"
            counted = f"approved on {w.approved_on}" if w.approved_on else f"as of {ctx.as_of}"
            problems.append(Problem(
                w.origin.loc("expires"),
                f"waiver {w.id} runs to {w.expires}, longer than the {months} months {source} "
                f"({counted}: {limit} at the latest)",
                f"too-long:{months}",
                w.id,
            ))
    expired = None
    days_left = None
    if w.expires is not None:
        days_left = (w.expires - ctx.as_of).days
        if days_left < 0:
            expired = Problem(
                w.origin.loc("expires"),
                f"waiver {w.id} expired on {w.expires} (as of {ctx.as_of}): the findings it excused count again; "
                "renew it with a new approval, or remove the devices",
                f"expired:{w.expires}",
                w.id,
            )
    return WaiverStatus(
        waiver=w,
        rules=frozenset(code for code in listed if code in catalog.waivable),
        invalid=tuple(problems),
        expired=expired,
        days_left=days_left,
        max_months=months,
        pack=pack_id,
    )


def _max_months(ctx: CheckContext, w: Waiver) -> tuple[int, str | None]:
    """The strictest ``max_waiver_months`` among the packs that restrict the waiver's devices."""
    from vmspolicy.analysis import policy

    limits = [(p.max_waiver_months, p.id) for device in w.devices for p in policy.restricting_packs(ctx, device)]
    if not limits:
        return DEFAULT_MAX_WAIVER_MONTHS, None
    return min(limits)


def apply_waivers(findings: Sequence[Finding], statuses: Sequence[WaiverStatus]) -> list[Finding]:
    """Mark the findings that a holding waiver excuses; every other finding is returned as it was."""
    by_device: dict[str, list[WaiverStatus]] = {}
    for status in statuses:
        if status.holds:
            for device in status.waiver.devices:
                by_device.setdefault(device, []).append(status)
    out: list[Finding] = []
    for finding in findings:
        if finding.suppressed is None and finding.subject is not None:
            for status in by_device.get(finding.subject, ()):
                if finding.rule in status.rules:
                    finding = finding.suppress(
                        Suppression("waiver", status.justification(), status.waiver.origin.loc(), status.waiver.id)
                    )
                    break
        out.append(finding)
    return out


def unused_parts(findings: Sequence[Finding], statuses: Sequence[WaiverStatus], ctx: CheckContext) -> list[Problem]:
    """VP304: devices and rules of holding waivers that no finding needed excused."""
    # A finding counts as needing the waiver whether this waiver or another one excused it.
    needed = {(f.rule, f.subject) for f in findings if f.subject is not None}
    problems: list[Problem] = []
    for status in statuses:
        if not status.holds:
            continue
        w = status.waiver
        rules = sorted(status.rules)
        for index, device in enumerate(w.devices):
            if device not in ctx.estate.devices:
                continue  # VP003 says so
            if not any((code, device) in needed for code in rules):
                problems.append(Problem(
                    w.origin.loc("devices", index),
                    f"waiver {w.id} names {device}, which needs no waiver (no {'/'.join(rules) or 'excusable'} finding about it); "
                    "remove it from the waiver",
                    f"device:{device}",
                    w.id,
                ))
        for index, code in enumerate(w.rules or ()):
            if not any((code, device) in needed for device in w.devices):
                problems.append(Problem(
                    w.origin.loc("rules", index),
                    f"waiver {w.id} excuses {code}, but none of its devices has a {code} finding; remove it from the waiver",
                    f"rule:{code}",
                    w.id,
                ))
    return problems
