"""``vmspolicy report``: the compliance report a buyer reads and a vendor attaches to a bid.

The report is built here from one run: the findings come from the same
pipeline as ``vmspolicy check``; the actions needed to pass from those that
fail the gate (:mod:`vmspolicy.reporters.remediation`); the estate at a glance (vendor
families, restricted and legacy devices, isolation, waivers, packs) from the
shared analyses (:mod:`vmspolicy.analysis.identify`, :mod:`vmspolicy.analysis.policy`,
:mod:`vmspolicy.analysis.waivers`). :mod:`vmspolicy.reporters.compliance`
then only lays it out.

Exit codes: 0 when the report was written (whatever its verdict: gate with
``vmspolicy check``), 2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from vmspolicy.cli.check import add_governance_arguments, governance_options
from vmspolicy.cli.options import EXIT_OK, CliError, add_common, estate_setup, run_options
from vmspolicy.reporters.compliance import (
    ISOLATED,
    NONE,
    NOT_ASSESSED,
    NOT_ISOLATED,
    RENDERERS,
    UNVERIFIABLE,
    ComplianceReport,
    FamilyCount,
    PackEntry,
    PackSource,
    RestrictedDevice,
    SiteSummary,
    WaiverEntry,
)

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.analysis.waivers import WaiverStatus
    from vmspolicy.core.model import Device, Estate
    from vmspolicy.reporters.base import Run


def register(subparsers: Any) -> None:
    """Add ``vmspolicy report`` to the command line."""
    from vmspolicy.core.findings import SEVERITY_NAMES

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="compliance report for buyers and vendors (HTML or Markdown)",
        description="Write a compliance report of the estate: devices by site and vendor family, restricted and legacy "
        "devices and their isolation, findings by severity, waivers and their expiry, the policy packs applied with their "
        "sources, and the SHA-256 of every input file. Exit 0 once written, whatever the verdict (gate with `vmspolicy check`).",
    )
    add_common(parser)
    parser.add_argument("--format", choices=sorted(RENDERERS), default=None,
                        help="html (one self-contained page) or md; default: from the --output suffix, else html")
    parser.add_argument("--output", "-o", metavar="FILE", default="-", help="where to write the report (default: stdout)")
    parser.add_argument("--title", default="vmspolicy compliance report", help="the report's heading, e.g. the bid or estate name")
    parser.add_argument("--fail-on", choices=SEVERITY_NAMES, help="lowest severity that makes the verdict FAIL (default: error)")
    parser.add_argument("--allow-empty", action="store_true", help="write a report even when no manifest is found")
    parser.add_argument("--max-findings", type=_positive, metavar="N",
                        help="list at most N findings per severity (a CI job summary has a size limit); default: all")
    add_governance_arguments(parser)
    parser.set_defaults(func=cmd_report)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    from vmspolicy.run.pipeline import run

    output = str(args.output)
    if args.format is None and output != "-" and not output.lower().endswith((".md", ".markdown", ".html", ".htm")):
        raise CliError(f"--output {output!r}: name an .html or .md file, or say --format html|md (print the HTML to get a PDF)")
    fmt = args.format or ("md" if output.lower().endswith((".md", ".markdown")) else "html")
    config, host = estate_setup(args)
    # The report is of the whole estate: with estate: configured, files named do not narrow the findings it is built from,
    # or a legacy device of another file would show as isolated for want of its isolation findings.
    options = replace(run_options(args, config, host, governance_options(args)), select_only_given=False)
    result = run(options)
    if not result.inputs and not args.allow_empty:
        raise CliError(f"no manifest found in {', '.join(options.paths) or 'the configured estate'}")
    report = build_report(result, title=args.title)
    text = RENDERERS[fmt](replace(report, max_findings=args.max_findings))
    if output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"{target}: {fmt} report written ({'PASS' if not result.failing else 'FAIL'}; as of {result.as_of.isoformat()}).", file=sys.stderr)
    return EXIT_OK


def build_report(result: Run, *, title: str) -> ComplianceReport:
    """Work out everything the compliance report shows."""
    from vmspolicy.analysis import policy
    from vmspolicy.analysis.waivers import waiver_statuses
    from vmspolicy.core import codes
    from vmspolicy.reporters.remediation import required_actions

    if result.context is None:
        raise ValueError("the compliance report needs the run's context (pipeline.run provides it)")
    ctx = result.context
    notes: list[str] = []
    try:
        judgements: Mapping[str, Any] = policy.judgements(ctx)
        verdicts: Mapping[str, Any] = policy.device_verdicts(ctx)
    except NotImplementedError as exc:  # a partial install: say so rather than show an estate as clean
        notes.append(f"Vendor identification is not available ({exc}); restricted devices are not counted.")
        judgements, verdicts = {}, {}
    statuses = waiver_statuses(ctx)
    restricted, families = _devices(result, ctx.estate, judgements, verdicts, statuses)
    sites = _site_summaries(ctx, restricted)
    expiring_days = int(ctx.options_of(codes.EXPIRING_WAIVER.code)["days"])  # the window VP303 warns in, as configured
    return ComplianceReport(
        title=title,
        result=result,
        sites=tuple(sites),
        families=families,
        restricted=tuple(restricted),
        waivers=_waiver_entries(result, statuses, expiring_days),
        packs=_packs(ctx, sites),
        actions=required_actions(result.failing, ctx.estate),
        expiring_days=expiring_days,
        notes=tuple(notes),
    )


def _devices(result: Run, estate: Estate, judgements: Mapping[str, Any], verdicts: Mapping[str, Any],
             statuses: Sequence[WaiverStatus]) -> tuple[list[RestrictedDevice], tuple[FamilyCount, ...]]:
    """The restricted devices, each with its standing, waiver and isolation; the active devices counted by site and family."""
    from vmspolicy.core import codes

    # Which VP2xx findings stand against each device, and which waiver excuses it.
    isolation: dict[str, set[str]] = defaultdict(set)
    for finding in result.findings:
        if finding.rule in codes.ISOLATION and finding.subject and finding.suppressed is None:
            isolation[finding.subject].add(finding.rule)
    waived_by = {device: s.waiver.id for s in statuses if s.holds for device in s.waiver.devices}

    restricted: list[RestrictedDevice] = []
    families: dict[tuple[str, str], dict[str, Any]] = {}
    for device in sorted(estate.devices.values(), key=lambda d: (d.site, d.id)):
        if not device.active:
            continue
        judgement = judgements.get(device.id)
        verdict = verdicts.get(device.id)
        family = (judgement.family if judgement is not None else None) or (verdict.family if verdict is not None else None)
        shown = family or (device.vendor.strip() if device.vendor and device.vendor.strip() else "unidentified")
        row = families.setdefault((device.site, shown.casefold()), {"family": shown, "restricted": False, "camera": 0, "recorder": 0, "device": 0})
        row["restricted"] = row["restricted"] or bool(judgement is not None and judgement.restricted)
        row[device.kind] += units(device)
        if judgement is None or not judgement.restricted:
            continue
        rules = tuple(sorted(isolation.get(device.id, ())))
        unverifiable = codes.ISOLATION_UNVERIFIABLE.code in rules
        state = UNVERIFIABLE if unverifiable else (NOT_ISOLATED if rules else ISOLATED if judgement.legacy else NOT_ASSESSED)
        restricted.append(
            RestrictedDevice(
                id=device.id,
                site=device.site,
                zone=device.zone or "",
                type=device.type,
                family=judgement.family or "",
                declared=" ".join(x for x in (device.vendor, device.model) if x) or "not declared",
                standing="legacy" if judgement.legacy else "new install",
                sensitive_site=judgement.sensitive_site,
                waiver=waived_by.get(device.id, ""),
                isolation=state,
                isolation_rules=rules,
                location=str(device.origin.loc()),
                units=units(device),
            )
        )
    counts = tuple(
        FamilyCount(site, row["family"], row["restricted"], row["camera"], row["recorder"], row["device"])
        for (site, _), row in sorted(families.items())
    )
    return restricted, counts


def _site_summaries(ctx: CheckContext, restricted: Sequence[RestrictedDevice]) -> list[SiteSummary]:
    """Each site: its packs, its devices, its restricted and legacy ones, and whether the legacy ones are isolated."""
    estate = ctx.estate
    sites: list[SiteSummary] = []
    for site in sorted(estate.sites.values(), key=lambda s: s.id):
        active = [d for d in estate.devices.values() if d.site == site.id and d.active]
        mine = [d for d in restricted if d.site == site.id]
        legacy = [d for d in mine if d.standing == "legacy"]
        if not legacy:
            state = NONE
        elif any(d.isolation == NOT_ISOLATED for d in legacy):
            state = NOT_ISOLATED
        elif any(d.isolation == UNVERIFIABLE for d in legacy):
            state = UNVERIFIABLE
        else:
            state = ISOLATED
        packs = _site_pack_ids(ctx, site)
        restricted_units = sum(d.units for d in mine)
        legacy_units = sum(d.units for d in legacy)
        sites.append(SiteSummary(site.id, site.name or site.id, site.sensitive, packs, sum(units(d) for d in active), restricted_units,
                                 legacy_units, restricted_units - legacy_units, state))
    return sites


def _waiver_entries(result: Run, statuses: Sequence[WaiverStatus], expiring_days: int) -> tuple[WaiverEntry, ...]:
    """Every waiver with its state as of the run's day, the soonest to expire first."""
    waivers = []
    for status in sorted(statuses, key=lambda s: (s.waiver.expires is None, s.waiver.expires or result.as_of, s.waiver.id)):
        w = status.waiver
        if not status.holds:
            state = "expired" if status.expired is not None else "invalid"
        elif status.days_left is not None and status.days_left <= expiring_days:
            state = "expiring"
        else:
            state = "valid"
        waivers.append(
            WaiverEntry(w.id, tuple(w.devices), w.reason or "", w.approved_by or "", w.ticket or "", w.expires, status.days_left, state,
                        str(w.origin.loc()))
        )
    return tuple(waivers)


def units(device: Device) -> int:
    """How many identical devices a record stands for: a bill of materials' quantity (a ``quantity:N`` tag), else one."""
    for tag in device.origin.node.get("tags") or ():
        name, _, value = str(tag).partition(":")
        if name == "quantity" and value.strip().isdigit() and int(value) > 0:
            return int(value)
    return 1


def _site_pack_ids(ctx: CheckContext, site: Any) -> tuple[str, ...]:
    from vmspolicy.analysis import policy

    try:
        return tuple(p.id for p in policy.site_packs(ctx, site))
    except NotImplementedError:
        return tuple(site.policies)


def _packs(ctx: CheckContext, sites: list[SiteSummary]) -> tuple[PackEntry, ...]:
    from vmspolicy.analysis import policy

    applied: dict[str, list[str]] = defaultdict(list)
    for site in sites:
        for pack_id in site.packs:
            applied[pack_id].append(site.id)
    known = policy.registry(ctx)
    entries = []
    for pack_id, site_ids in applied.items():
        pack = known.get(pack_id)
        if pack is None:
            continue
        data = pack.data or {}
        sources = tuple(
            PackSource(str(s.get("title", s.get("url", ""))), str(s.get("url", "")), str(s.get("date", "")))
            for s in data.get("sources") or () if isinstance(s, Mapping)
        )
        entries.append(PackEntry(pack.id, pack.title, pack.cutoff.isoformat(), pack.origin, tuple(site_ids), sources))
    return tuple(sorted(entries, key=lambda p: p.id))
