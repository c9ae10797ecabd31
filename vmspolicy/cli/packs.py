"""``vmspolicy packs``: the policy packs of this run, with cut-offs, restricted families and sources.

Lists the built-in packs, those of plugins and those of the configuration's
``packs:``, and says which ones apply to sites that name none (the profiles,
else the default), then the vendor data that identifies the restricted families,
each fragment with the date of its facts. ``--format json`` gives the packs' data
as they are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any, Collection

from vmspolicy.analysis import policy
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify.dated import VendorDataSource, vendor_data_sources
from vmspolicy.cli.options import EXIT_OK, plugins_for, resolve_config
from vmspolicy.core.model import Estate

JSON_VERSION = 1


def register(subparsers: Any) -> None:
    """Add ``vmspolicy packs`` to the command line."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "packs", help="list the policy packs: cut-off, restricted families, sources", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--config", type=Path, help="configuration file (default: nearest .vmspolicy.yaml or pyproject.toml)")
    parser.add_argument("--profile", action="append", default=[], metavar="NAME", help="show NAME as selected, as `check --profile` would")
    parser.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins (entry points)")
    parser.set_defaults(func=cmd_packs)


def cmd_packs(args: argparse.Namespace) -> int:

    config = resolve_config(args)
    host = plugins_for(args)
    ctx = CheckContext(
        estate=Estate(sites={}, zones={}, devices={}, firewalls=(), waivers={}),
        documents=(),
        as_of=dt.datetime.now(dt.timezone.utc).date(),
        profiles=config.profiles,
        settings=config.settings,
        packs=host.packs(),
        vendor_data=host.vendor_data(),
    )
    packs = policy.registry(ctx)
    selected = policy.default_selection(ctx)
    how = "the profiles" if config.profiles else "the default"
    vendor_data = vendor_data_sources(ctx.vendor_data)
    if args.format == "json":
        print(json.dumps(packs_json(packs, selected, how, vendor_data), indent=2, ensure_ascii=False))
    else:
        joined = set(selected) - set(config.profiles) if config.profiles else ()
        print(packs_text(packs, selected, how, joined, vendor_data), end="")
    return EXIT_OK


def packs_json(packs: Any, selected: tuple[str, ...], how: str, vendor_data: tuple[VendorDataSource, ...] = ()) -> dict[str, Any]:
    """The JSON document of ``vmspolicy packs --format json``."""
    from vmspolicy.reporters.common import vendor_data_json

    return {
        "version": JSON_VERSION,
        "default": policy.DEFAULT_PACK,
        "selected": list(selected),
        "selected_by": how,
        "packs": [
            {**dict(p.data or {}), "mandatory": sorted(p.mandatory), "origin": p.origin, "selected": p.id in selected}
            for p in packs.values()
        ],
        "vendor_data": vendor_data_json(vendor_data),
    }


JOINED = "the default, beside the configuration's own packs, which may add restrictions but not replace it"


def packs_text(packs: Any, selected: tuple[str, ...], how: str, joined: Collection[str] = (),
               vendor_data: tuple[VendorDataSource, ...] = ()) -> str:
    """The text listing: one block per pack (``joined``: selected packs the profiles did not name, :data:`JOINED`),
    then the vendor data with the date of each fragment."""
    out: list[str] = []
    for pack in packs.values():
        data = pack.data or {}
        why = JOINED if pack.id in joined else how
        mark = f"  [applies where a site names no pack: {why}]" if pack.id in selected else ""
        out.append(f"{pack.id}  {pack.title}  ({pack.origin}){mark}")
        out.append(f"  cut-off     {pack.cutoff}: restricted devices installed from this day, planned or undated are new installs (VP102)")
        families = [f.name + (f" ({', '.join(sorted(f.equipment))} only)" if f.equipment else "") for f in pack.families]
        out.append(f"  families    {', '.join(families)}")
        out.append(f"  sensitive   {'forbidden outright (VP101)' if pack.sensitive_forbid else 'judged like other sites'}")
        if pack.legacy_waivable:
            peers = ", ".join(pack.reachable_from)
            isolation = f"isolated, reachable only from {peers} zones" if pack.isolation_required else "no isolation required"
            out.append(f"  legacy      may stay under a waiver of at most {pack.max_waiver_months} months (VP103); {isolation}")
        else:
            out.append("  legacy      none: every restricted device must go (VP102)")
        out.append(f"  mandatory   {', '.join(sorted(pack.mandatory))} (configuration may tighten them, never weaken them: VP306)")
        for index, milestone in enumerate(data.get("milestones") or ()):
            out.append(f"  {'milestones' if index == 0 else '':<11} {milestone['date']}  {milestone['event']}")
        for index, source in enumerate(data.get("sources") or ()):
            kind = {"copy": "  (a copy of the record)", "report": "  (a report, not the record)"}.get(source.get("kind", ""), "")
            out.append(f"  {'sources' if index == 0 else '':<11} {source['date']}  {source['title']}{kind}")
            out.append(f"  {'':<11} {'':<10}  {source['url']}")
        out.append("")
    if vendor_data:
        out.append("vendor data  what identifies the restricted families, as of the date of each part")
        for source in vendor_data:
            out.append(f"  {source.date or 'undated':<10}  {source.source} ({source.origin})")
        out.append("")
    return "\n".join(out)
