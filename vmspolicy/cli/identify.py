"""``vmspolicy identify``: which vendor family a device belongs to, from loose facts, with the evidence.

For procurement and vendors checking one device before it is bought or
listed: give it what is known (brand, model number, MAC address, stream URLs,
scan strings, its ONVIF manufacturer, firmware version, name) and it prints the verdict and every piece of evidence.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from typing import Any

from vmspolicy.analysis.identify import Evidence, Verdict, identify
from vmspolicy.analysis.identify.evidence import combine
from vmspolicy.cli.options import EXIT_FINDINGS, EXIT_OK, CliError, plugins_for
from vmspolicy.core.model import OnvifInfo, normalise_mac

EPILOG = """\
exit status:
  0  no restricted family is established
  1  a restricted family (Hikvision, Dahua, Hytera, Huawei, ZTE) is established
  2  usage error (nothing to identify, bad option) or a broken plugin

examples:
  vmspolicy identify --vendor "Hangzhou Hikvision Digital Technology Co., Ltd."
  vmspolicy identify --model IPC-HDW2431T-AS-S2 --mac 3C:EF:8C:12:34:56
  vmspolicy identify --vendor Amcrest --url "rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0" --format json
"""


def register(subparsers: Any) -> None:
    """Add ``vmspolicy identify`` to the command line."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "identify",
        help="identify a device's vendor family from its brand, model, MAC or stream URL, with the evidence",
        description="Identify which vendor family a device belongs to from any of its declared vendor, model number, "
        "MAC address, stream URLs and scan strings, and print the evidence for the verdict.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--vendor", action="append", default=[], metavar="NAME",
                        help="declared vendor, brand or manufacturer, as on the device or the paperwork (repeatable)")
    parser.add_argument("--model", action="append", default=[], metavar="MODEL", help="model number, e.g. DS-2CD2143G0-I (repeatable)")
    parser.add_argument("--mac", action="append", default=[], metavar="MAC",
                        help="MAC address or OUI in any notation: 44:19:B6:12:34:56, 4419.b612.3456, 44-19-B6 (repeatable)")
    parser.add_argument("--url", action="append", default=[], metavar="URL", help="stream or management URL (repeatable)")
    parser.add_argument("--banner", action="append", default=[], metavar="TEXT",
                        help="scan string: HTTP/RTSP server header, SNMP sysObjectID, ONVIF manufacturer (repeatable)")
    parser.add_argument("--onvif-manufacturer", metavar="NAME", help="the Manufacturer the device answers to ONVIF GetDeviceInformation")
    parser.add_argument("--firmware", metavar="VERSION", help="firmware version as the device reports it, e.g. V5.5.0 build 170725")
    parser.add_argument("--name", metavar="TEXT", help="the record's name (weak evidence: a family or model number written in it)")
    parser.add_argument("--installed", type=_date, metavar="DATE", help="install date (YYYY-MM-DD): places a relabel in its date window")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins (their vendor data)")
    parser.set_defaults(func=cmd_identify)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_identify(args: argparse.Namespace) -> int:

    given = [*args.vendor, *args.model, *args.mac, *args.url, *args.banner, args.onvif_manufacturer or "", args.firmware or "", args.name or ""]
    if not any(value.strip() for value in given):
        raise CliError("identify needs at least one of --vendor, --model, --mac, --url, --banner, --onvif-manufacturer, --firmware, --name")
    for mac in args.mac:
        if normalise_mac(mac) is None:
            raise CliError(f"--mac {mac!r} is not a MAC address (44:19:b6:12:34:56, 44-19-B6-12-34-56, 4419.b612.3456 or 4419b6123456)")
    host = plugins_for(args)
    vendor_data = host.vendor_data()
    # The first of each with the URLs and scan strings is the device; a repeated option (a brand and a
    # manufacturer from the paperwork, two MACs) adds its own evidence to the same verdict.
    parts = [identify(
        vendor=first(args.vendor), model=first(args.model), mac=first(args.mac), urls=tuple(args.url), banners=tuple(args.banner),
        installed=args.installed, vendor_data=vendor_data, firmware=args.firmware, name=args.name,
        onvif=OnvifInfo(manufacturer=args.onvif_manufacturer) if args.onvif_manufacturer else None,
    )]
    for field in ("vendor", "model", "mac"):
        parts.extend(identify(**{field: value}, installed=args.installed, vendor_data=vendor_data) for value in getattr(args, field)[1:])
    verdict = merge(parts)
    sys.stdout.write(render_json(verdict) if args.format == "json" else render_text(verdict))
    return EXIT_FINDINGS if verdict.restricted else EXIT_OK


def first(values: list[str]) -> str | None:
    return values[0] if values else None


def merge(parts: list[Verdict]) -> Verdict:
    """One verdict from the verdicts of several facts about the same device."""
    if len(parts) == 1:
        return parts[0]
    evidence = [piece for part in parts for piece in part.evidence]
    combined = combine(evidence, None, Verdict)
    return replace(
        combined,
        declared_family=next((p.declared_family for p in parts if p.declared_family), None),
        known_vendor=any(p.known_vendor for p in parts),
        relabel=next((p.relabel for p in parts if p.relabel), None),
        maker=None if combined.family else next((p.maker for p in parts if p.maker), None),
    )


def _evidence_dict(piece: Evidence) -> dict[str, Any]:
    return {
        "kind": piece.kind,
        "family": piece.family,
        "weight": piece.weight,
        "field": piece.field,
        "index": piece.index,
        "value": piece.value,
        "detail": piece.detail,
        "source": piece.source,
    }


def render_json(verdict: Verdict) -> str:
    """The verdict as a JSON document (stable keys, for scripts and procurement portals)."""
    document = {
        "restricted": verdict.restricted,
        "family": verdict.family,
        "confidence": verdict.confidence,
        "declared_family": verdict.declared_family,
        "known_vendor": verdict.known_vendor,
        "maker": verdict.maker,
        "relabel": _evidence_dict(verdict.relabel) if verdict.relabel else None,
        "evidence": [_evidence_dict(piece) for piece in verdict.evidence],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_text(verdict: Verdict) -> str:
    """The verdict in a few lines: the conclusion first, then each piece of evidence and where it came from."""
    if verdict.family:
        lines = [f"RESTRICTED: {verdict.family} (confidence {verdict.confidence:.2f})"]
    elif verdict.evidence:
        lines = [f"not established: weak evidence only (confidence {verdict.confidence:.2f})"]
    elif verdict.maker:
        lines = [f"not restricted: {verdict.maker}, known by its MAC block, stream URL or model; no evidence of a restricted family"]
    elif verdict.known_vendor:
        lines = ["not restricted: a known vendor, no evidence of a restricted family"]
    else:
        lines = ["unidentified: no evidence of a restricted family, and the vendor is not one vmspolicy knows"]
    for piece in verdict.evidence:
        where = piece.field if piece.index is None else f"{piece.field}[{piece.index}]"
        lines.append(f"  - {piece.detail} [{piece.kind}, {where}, weight {piece.weight:.2f}]")
        if piece.source:
            lines.append(f"    source: {piece.source}")
    return "\n".join(lines) + "\n"
