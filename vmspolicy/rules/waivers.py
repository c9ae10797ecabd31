"""VP301-VP305: waivers and inline suppressions — every exception explicit, justified, dated, visible.

The analysis lives in :mod:`vmspolicy.governance`; these classes report it and
carry the documentation. VP301-VP303 and invalid VP305 are ordinary rules;
VP304 and unused VP305 need every other finding first, so the governance stage
(:func:`vmspolicy.governance.apply`) emits them after the rules have run.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, Iterable, Mapping, Sequence

from vmspolicy.analysis.catalog import rule_catalog
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.suppressions import InlineSuppression, inline_suppressions, inline_terms
from vmspolicy.analysis.waivers import DEFAULT_WAIVED_RULES, waiver_statuses
from vmspolicy.core import codes
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.hookspecs import hookimpl


class InvalidWaiver(Rule):
    """A waiver that is incomplete, longer than its pack allows, or excuses what cannot be excused.

    What it checks
        Every entry of ``waivers:`` has a ``reason``, an approver
        (``approved_by``) and an expiry date (``expires``, the last day it
        holds); a reason or approver of nothing but spaces and invisible
        characters (zero-width, byte-order mark, bidirectional controls,
        fillers) is missing. It was approved no later than the as-of date
        (``approved_on``, when given); it ends no later than the pack's
        longest waiver (``max_waiver_months``, 24 months unless the pack says
        otherwise; the strictest pack of its devices wins) counted from
        ``approved_on``, or from the as-of date when there is none; and its
        ``rules`` list names only rules that a waiver may excuse (VP103 and
        VP105 among the built-in ones). A waiver with any of these problems
        excuses nothing.

    Why
        Exceptions are where policy quietly dies. A waiver nobody approved, that
        never ends, that is dated ahead to stretch its length, or that claims to excuse a camera's internet access
        (VP202) or its place on a sensitive site (VP101) is not an exception
        but a hole in the gate. ``vmspolicy fix`` scaffolds waivers with these
        fields empty on purpose: a person must fill them in.

    Example (fails)
        .. code-block:: yaml

            waivers:
              - id: W-2024-007
                devices: [cam-lobby-01]
                approved_by: Head of Security   # no reason
                expires: 2031-12-31             # longer than 24 months
                rules: [VP103, VP202]           # VP202 (internet egress) cannot be waived

    Use instead
        .. code-block:: yaml

            waivers:
              - id: W-2024-007
                devices: [cam-lobby-01]
                reason: Replacement scheduled with the lobby refit
                approved_by: Head of Security
                ticket: SEC-1234
                approved_on: 2025-04-01
                expires: 2027-03-31
                rules: [VP103]

        and fix VP202 itself: deny the camera's zone any route to ``internet``.

    Options
        None. The longest waiver comes from the policy pack (``max_waiver_months``).
    """

    code = "VP301"
    slug = "waiver-invalid"
    severity = Severity.ERROR
    summary = "missing reason / approver / expiry, or longer than the pack allows"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for status in waiver_statuses(ctx):
            for problem in status.invalid:
                yield self.finding(problem.location, problem.message, subject=problem.subject, evidence=problem.evidence)


class ExpiredWaiver(Rule):
    """A waiver whose expiry date has passed.

    What it checks
        A waiver holds up to and including its ``expires`` day. From the day
        after, as of the run's date (``--as-of``, default today in UTC), it is
        reported here and excuses nothing: the VP103/VP105 findings it excused
        are reported again.

    Why
        A waiver is a promise to replace or remove a device by a date. When the
        date passes silently the promise is forgotten; failing the gate forces
        a decision: replace the device, or renew the waiver with a fresh
        approval.

    Example (fails)
        .. code-block:: yaml

            waivers:
              - id: W-2023-002
                devices: [cam-yard-03]
                reason: Awaiting the yard refit
                approved_by: Head of Security
                expires: 2025-12-31     # as of 2026-01-01: expired

    Use instead
        Replace or decommission the device (``status: decommissioned``) and
        delete the waiver, or renew it with a new approval:

        .. code-block:: yaml

              - id: W-2026-001
                devices: [cam-yard-03]
                reason: Yard refit moved to Q3 2026, PO-991
                approved_by: Head of Security
                approved_on: 2026-01-05
                expires: 2026-09-30

    Options
        None. Use ``--as-of DATE`` to see what a future date will bring.
    """

    code = "VP302"
    slug = "waiver-expired"
    severity = Severity.ERROR
    summary = "the waiver's date has passed"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for status in waiver_statuses(ctx):
            if status.expired is not None and not status.invalid:
                p = status.expired
                yield self.finding(p.location, p.message, subject=p.subject, evidence=p.evidence)


class ExpiringWaiver(Rule):
    """A waiver that expires soon.

    What it checks
        A waiver whose ``expires`` date is at most ``days`` days after the
        run's date (``--as-of``). It still holds; this is a warning.

    Why
        Renewing a waiver takes an approval, and replacing a camera takes a
        purchase order and a site visit. A warning three months ahead leaves
        time for either, instead of a red pipeline on the morning after.

    Example (fails)
        .. code-block:: yaml

            # as of 2027-01-15
            waivers:
              - id: W-2024-007
                devices: [cam-lobby-01]
                reason: Replacement scheduled with the lobby refit
                approved_by: Head of Security
                expires: 2027-03-31     # 75 days left

    Use instead
        Schedule the replacement, or start the renewal: a new waiver entry
        with a new approval date and expiry. To warn earlier or later, set
        the option.

    Options
        ``days`` (integer, default 90): how many days ahead of the expiry to warn.

        .. code-block:: yaml

            rules:
              VP303: {days: 30}
    """

    code = codes.EXPIRING_WAIVER.code
    slug = codes.EXPIRING_WAIVER.slug
    severity = codes.EXPIRING_WAIVER.severity
    summary = "it expires within N days (default 90)"
    options: ClassVar[Mapping[str, Any]] = {"days": 90}
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"days": Looser.LOWER})  # a shorter warning

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        days = int(ctx.options_for(type(self))["days"])
        for status in waiver_statuses(ctx):
            left = status.days_left
            w = status.waiver
            if status.holds and left is not None and left <= days and w.expires is not None:
                when = "today" if left == 0 else f"in {left} day{'' if left == 1 else 's'}"
                yield self.finding(
                    w.origin.loc("expires"),
                    f"waiver {w.id} expires {when} ({w.expires}): replace its devices or renew it with a new approval",
                    subject=w.id,
                    evidence=f"expires:{w.expires}",
                )


class UnusedWaiver(Rule):
    """A waiver that names a device or a rule nothing needs waived.

    What it checks
        For each complete, current waiver: every device it lists has a finding
        of a rule the waiver excuses (VP103 or VP105, or the ones in its
        ``rules``), and every rule in its ``rules`` list has such a finding on
        one of its devices. Devices that do not exist are VP003 instead.

    Why
        An unused waiver is a blank cheque: the camera was replaced, or was
        never restricted, yet the exception stays and will silently cover the
        next device that takes its id. Waivers should shrink as the estate is
        cleaned up.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - {id: cam-2, site: branch, vendor: Axis, installed: 2018-01-01}
            waivers:
              - id: W-1
                devices: [cam-2]        # an Axis camera needs no waiver
                reason: legacy
                approved_by: CISO
                expires: 2027-01-31

    Use instead
        Remove the device (or the whole waiver) once nothing needs excusing;
        keep the history in git, not in the manifest.

    Options
        None. Reported after every other rule has run, so it sees what each
        waiver excused.
    """

    code = codes.UNUSED_WAIVER.code
    slug = codes.UNUSED_WAIVER.slug
    severity = codes.UNUSED_WAIVER.severity
    summary = "it names a device or rule that nothing needs waived"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        # The findings come from the governance stage, which reports them when VP304 is enabled.
        return ()


class InvalidSuppression(Rule):
    """An inline ``# vmspolicy: ignore[...]`` comment that cannot be honoured.

    What it checks
        Each YAML comment of the form ``# vmspolicy: ignore[CODE, ...]`` names
        only rules that a comment may excuse (``vmspolicy explain CODE`` says
        so: VP401 and VP501 among the built-in rules; never VP001, restricted
        equipment VP101-VP107, isolation VP201-VP206 or VP502), gives a
        ``reason="..."`` that is more than spaces and invisible characters, and
        an ``until=YYYY-MM-DD`` that has not passed (as of ``--as-of``) and
        lies no further ahead than the longest waiver of the strictest pack
        the run applies (``max_waiver_months``, 24 months unless a pack says
        otherwise). A comment with any problem suppresses nothing: every
        finding it names stays. With ``--report-unused-suppressions``, a valid
        comment that suppresses no finding is reported here too.

        Scope: a comment on the first line of a list entry (a camera, a
        waiver, a firewall rule), or alone on the line directly above it,
        covers every finding located in that entry, and moves with it. A
        comment at the end of any other line covers the findings on that line.
        Only YAML files; JSON has no comments.

    Why
        An inline suppression sits next to the config it excuses, which is
        right for a short, local exception. But it must say why and when it
        ends, and it has no approver: a restricted camera's presence is
        excused only by a waiver that a named person approved for no longer
        than the pack allows, and its network exposure or its presence on a
        sensitive site never. ``--no-inline-suppressions`` lets a gate refuse
        comments altogether.

    Example (fails)
        .. code-block:: yaml

            cameras:
              # vmspolicy: ignore[VP103, VP202, VP401]
              - id: cam-lobby-01
                vendor: Hikvision
                streams: ["rtsp://admin:Hunter2x@10.20.30.11/Streaming/Channels/101"]

    Use instead
        Name a rule a comment may excuse, give a reason and an end date, on the
        line above the entry (or at the end of its first line):

        .. code-block:: yaml

            cameras:
              # vmspolicy: ignore[VP401] reason="Lab camera, password rotated weekly" until=2027-06-30
              - id: cam-lab-01
                vendor: Axis

        Excuse the legacy camera's presence (VP103) with a ``waivers:`` entry
        (reason, ``approved_by``, ``approved_on``, ``expires``); fix VP202
        itself (deny the camera's zone any route to ``internet``). To adopt
        vmspolicy on an estate with many findings, use ``vmspolicy baseline``.

    Options
        None. ``--no-inline-suppressions`` ignores all such comments;
        ``--report-unused-suppressions`` reports the ones that do nothing.
    """

    code = codes.INVALID_SUPPRESSION.code
    slug = codes.INVALID_SUPPRESSION.slug
    severity = codes.INVALID_SUPPRESSION.severity
    summary = "an inline suppression without reason or end date, expired, or of a rule a comment cannot excuse"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        catalog = rule_catalog(ctx)
        terms = inline_terms(ctx)
        for suppression in inline_suppressions(ctx):
            if suppression.problems:
                problems = "; ".join(p.message for p in suppression.problems)
                codes = suppression.codes
                waiver_only = [code for code in codes if code in catalog.waivable and code not in catalog.inline]
                excusable = [code for code in codes if code in catalog.inline]
                if any(code not in catalog.known for code in codes):
                    advice = "name the rule by its code as `vmspolicy rules` lists it"
                elif waiver_only:
                    advice = _waiver_advice(ctx, suppression, waiver_only)
                elif codes and not excusable:
                    advice = "remove the comment and fix the finding (`vmspolicy explain CODE` says how)"
                else:
                    until = suppression.until
                    end = until.isoformat() if until and ctx.as_of <= until <= terms.latest else "YYYY-MM-DD"
                    advice = f'write e.g. # vmspolicy: ignore[{", ".join(excusable or ["CODE"])}] reason="why it is acceptable for now" until={end}'
                yield self.finding(
                    suppression.location,
                    f"inline suppression not honoured ({problems}), so it suppresses nothing; {advice}",
                    evidence=" ".join(sorted(p.evidence for p in suppression.problems)),
                )


def _waiver_advice(ctx: CheckContext, suppression: InlineSuppression, codes: Sequence[str]) -> str:
    """How to excuse ``codes`` properly: a waiver for the devices the comment sits on, bounded by their packs."""
    from vmspolicy.analysis import policy

    path = suppression.location.path
    devices = sorted(
        device.id
        for device in ctx.estate.devices.values()
        for origin in (device.origin, device.origin.completion)
        if origin is not None and origin.path == path and suppression.first_line <= origin.loc().line <= suppression.last_line
    )
    limits = [m for m in (policy.max_waiver_months(ctx, d) for d in devices) if m is not None]
    months = min(limits) if limits else inline_terms(ctx).months
    listed = ", ".join(dict.fromkeys(devices)) or "DEVICE"
    rules = "" if set(codes) <= set(DEFAULT_WAIVED_RULES) else f", rules: [{', '.join(codes)}]"
    return (
        f"remove the comment and excuse {listed} with a waiver under waivers: "
        f"{{id: W-..., devices: [{listed}], reason: ..., approved_by: ..., approved_on: YYYY-MM-DD, "
        f"expires: YYYY-MM-DD{rules}}}, expiring at most {months} months after its approval"
    )


RULES: Sequence[type[Rule]] = (InvalidWaiver, ExpiredWaiver, ExpiringWaiver, UnusedWaiver, InvalidSuppression)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
