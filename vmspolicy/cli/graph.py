"""``vmspolicy graph``: the estate's zones and the flows its firewalls allow, as Mermaid or Graphviz DOT.

Zones are grouped by site and labelled with their purpose and their device
counts by vendor family; an edge is a new flow the firewalls allow from one
zone to another or between a zone and the internet, labelled with its ports.
Edges that carry a flow VP202, VP203 or VP204 objects to (to or from a legacy
restricted device) are drawn red, and zones holding a legacy restricted
device are shaded; a legend in the drawing says so. The Mermaid output renders
in GitHub and GitLab Markdown inside a ``mermaid`` code block.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmspolicy.analysis import identify
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.isolation import allowed_peer, device_zone, has_firewall, isolated_devices
from vmspolicy.analysis.reach import Direction, Reachability, device_flows, reachability
from vmspolicy.analysis.reach import ports as port_codes
from vmspolicy.analysis.reach.intervals import EMPTY, IntervalSet, union
from vmspolicy.cli.options import EXIT_OK, CliError, add_common, estate_setup, run_options
from vmspolicy.core.codes import PARSE_ERROR
from vmspolicy.core.model import Estate

INTERNET_NODE = "internet"
MAX_LABEL_PORTS = 4
# The legend: what a shaded zone and a red edge mean, drawn with the graph's own styles.
LEGEND_SHADED = "shaded: a zone holding a legacy restricted device"
LEGEND_RED = "red: an allowed flow that breaks its isolation (VP202-VP204)"
FONT = "Helvetica"


@dataclass
class EstateGraph:
    """What the graph shows: zones per site, their labels, and the allowed zone-to-zone flows."""

    sites: dict[str, list[str]] = field(default_factory=dict)  # site id → zone ids, as declared
    labels: dict[str, list[str]] = field(default_factory=dict)  # zone id → label lines
    legacy: set[str] = field(default_factory=set)  # zones holding a legacy restricted device
    edges: dict[tuple[str, str], IntervalSet] = field(default_factory=dict)  # (from, to) → ports; "internet" for it
    violations: set[tuple[str, str]] = field(default_factory=set)


def build_graph(ctx: CheckContext) -> EstateGraph:
    """The graph of the estate in ``ctx``: zones, allowed flows, and the flows VP202-VP204 object to."""
    estate = ctx.estate
    analysis = reachability(ctx)
    graph = EstateGraph()
    for zone in estate.zones.values():
        graph.sites.setdefault(zone.site, []).append(zone.id)
    families = _families(ctx)
    for zone_id, zone in estate.zones.items():
        counts = families.get(zone_id, Counter())
        summary = ", ".join(f"{n} {family}" for family, n in sorted(counts.items(), key=lambda i: (-i[1], i[0])))
        graph.labels[zone_id] = [zone_id, zone.purpose + (f": {summary}" if summary else "")]
    _zone_edges(analysis, estate, graph)
    for device in isolated_devices(ctx):
        home = device_zone(ctx, device)
        if home is None:
            continue
        graph.legacy.add(home.id)
        if not has_firewall(ctx, device):
            continue  # VP206: without a firewall every flow is open; the edges show it
        directions: tuple[Direction, ...] = ("out", "in")
        for direction in directions:
            for flow in device_flows(analysis, direction, device):
                if flow.peer is not None and allowed_peer(ctx, device, flow.peer):
                    continue
                peer = flow.peer or INTERNET_NODE
                graph.violations.add((home.id, peer) if direction == "out" else (peer, home.id))
    return graph


def only_sites(graph: EstateGraph, sites: set[str]) -> EstateGraph:
    """The part of ``graph`` about ``sites``: their zones, their flows, and the zones at the other end of those."""
    kept = {z for site, zones in graph.sites.items() if site in sites for z in zones}
    edges = {key: codes for key, codes in graph.edges.items() if key[0] in kept or key[1] in kept}
    shown = kept | {end for key in edges for end in key}
    return EstateGraph(
        sites={site: [z for z in zones if z in shown] for site, zones in graph.sites.items() if any(z in shown for z in zones)},
        labels={z: label for z, label in graph.labels.items() if z in shown},
        legacy=graph.legacy & shown,
        edges=edges,
        violations={key for key in graph.violations if key in edges},
    )


def _families(ctx: CheckContext) -> dict[str, Counter[str]]:
    """Active devices per zone, counted by restricted family ("other" for the rest)."""
    verdicts = identify.verdicts(ctx)
    out: dict[str, Counter[str]] = {}
    for device in ctx.estate.devices.values():
        zone = device_zone(ctx, device) if device.active else None
        if zone is None:
            continue
        verdict = verdicts.get(device.id)
        family = verdict.family if verdict is not None and verdict.family else "other"
        out.setdefault(zone.id, Counter())[family] += 1
    return out


def _zone_edges(analysis: Reachability, estate: Estate, graph: EstateGraph) -> None:
    space = analysis.space
    for zone_id in estate.zones:
        block = space.zone_blocks.get(zone_id)
        if block is None:
            continue
        atoms: IntervalSet = (block,)
        for peer, parts in analysis.peers("out", atoms).items():
            _add(graph, zone_id, peer or INTERNET_NODE, parts)
        inbound = analysis.peers("in", atoms).get(None)
        if inbound:
            _add(graph, INTERNET_NODE, zone_id, inbound)


def _add(graph: EstateGraph, source: str, target: str, parts: list[tuple[IntervalSet, Any]]) -> None:
    codes = graph.edges.get((source, target), EMPTY)
    for part, _ in parts:
        codes = union(codes, part)
    graph.edges[(source, target)] = codes


def _ports_label(codes: IntervalSet) -> str:
    words = port_codes.describe(codes).split(", ")
    if len(words) > MAX_LABEL_PORTS:
        words = [*words[:MAX_LABEL_PORTS], f"+{len(words) - MAX_LABEL_PORTS} more"]
    return ", ".join(words)


def _ordered_edges(graph: EstateGraph, estate: Estate) -> list[tuple[str, str, IntervalSet]]:
    order = {zone_id: i for i, zone_id in enumerate(estate.zones)}
    order[INTERNET_NODE] = -1
    return [(s, t, c) for (s, t), c in sorted(graph.edges.items(), key=lambda e: (order.get(e[0][0], 0), order.get(e[0][1], 0)))]


def render_mermaid(graph: EstateGraph, estate: Estate) -> str:
    """A Mermaid flowchart; node ids are generated, every label is quoted."""
    ids = {zone_id: f"z{i}" for i, zone_id in enumerate(estate.zones)}
    ids[INTERNET_NODE] = "internet"
    lines = ["flowchart LR", f'  internet(("{INTERNET_NODE}"))']
    for s, (site, zones) in enumerate(graph.sites.items()):
        lines.append(f'  subgraph site{s}["site {_mermaid_text(site)}"]')
        for zone_id in zones:
            label = "<br/>".join(_mermaid_text(line) for line in graph.labels[zone_id])
            lines.append(f'    {ids[zone_id]}["{label}"]')
        lines.append("  end")
    red: list[str] = []
    for index, (source, target, codes) in enumerate(_ordered_edges(graph, estate)):
        lines.append(f'  {ids[source]} -->|"{_mermaid_text(_ports_label(codes))}"| {ids[target]}')
        if (source, target) in graph.violations:
            red.append(str(index))
    lines += [
        '  subgraph legend["legend"]',
        f'    legend0["{_mermaid_text(LEGEND_SHADED)}"]',
        f'    legend1["zone"] -->|"{_mermaid_text(LEGEND_RED)}"| legend2["legacy zone"]',
        "  end",
    ]
    red.append(str(len(graph.edges)))  # the legend's edge comes after the estate's
    lines.append("  classDef legacy fill:#fff4e5,stroke:#b45309")
    lines.append(f"  class {','.join([*(ids[z] for z in estate.zones if z in graph.legacy), 'legend0', 'legend2'])} legacy")
    lines.append(f"  linkStyle {','.join(red)} stroke:#d00,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Inside a quoted Mermaid label a double quote ends the label; entity codes are the escape.
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_dot(graph: EstateGraph, estate: Estate) -> str:
    """A Graphviz digraph with one cluster per site."""
    ids = {zone_id: f"z{i}" for i, zone_id in enumerate(estate.zones)}
    ids[INTERNET_NODE] = "internet"
    lines = [
        "digraph estate {",
        "  rankdir=LR;",
        # Cluster labels take the graph's font: without it they would be in Times.
        f'  graph [fontname="{FONT}", fontsize=12];',
        f'  node [shape=box, style="rounded,filled", fillcolor=white, fontname="{FONT}", fontsize=11];',
        f'  edge [fontname="{FONT}", fontsize=10];',
        f'  internet [shape=ellipse, label="{INTERNET_NODE}"];',
    ]
    for s, (site, zones) in enumerate(graph.sites.items()):
        lines.append(f"  subgraph cluster_{s} {{")
        lines.append(f'    label="site {_dot_text(site)}";')
        for zone_id in zones:
            label = "\\n".join(_dot_text(line) for line in graph.labels[zone_id])
            fill = ', fillcolor="#fff4e5", color="#b45309"' if zone_id in graph.legacy else ""
            lines.append(f'    {ids[zone_id]} [label="{label}"{fill}];')
        lines.append("  }")
    for source, target, codes in _ordered_edges(graph, estate):
        style = ', color="#dd0000", fontcolor="#dd0000", penwidth=3' if (source, target) in graph.violations else ""
        lines.append(f'  {ids[source]} -> {ids[target]} [label="{_dot_text(_ports_label(codes))}"{style}];')
    lines += [
        "  subgraph cluster_legend {",
        '    label="legend"; style=dashed; color="#888888";',
        f'    legend0 [label="{_dot_text(LEGEND_SHADED)}", fillcolor="#fff4e5", color="#b45309"];',
        '    legend1 [label="zone"];',
        '    legend2 [label="legacy zone", fillcolor="#fff4e5", color="#b45309"];',
        f'    legend1 -> legend2 [label="{_dot_text(LEGEND_RED)}", color="#dd0000", fontcolor="#dd0000", penwidth=3];',
        "  }",
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


RENDERERS = {"mermaid": render_mermaid, "dot": render_dot}


def register(subparsers: Any) -> None:
    """Add ``vmspolicy graph`` to the command line."""

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "graph",
        help="draw zones and the flows the firewalls allow (Mermaid or Graphviz DOT)",
        description="Draw the estate's zones (by site, with device counts by vendor family) and the new flows its "
        "firewalls allow between them and the internet. Flows that break the isolation of a legacy restricted "
        "device (VP202-VP204) are red and zones holding one are shaded, as the drawing's legend says.",
    )
    add_common(parser)
    parser.add_argument("--format", choices=sorted(RENDERERS), default="mermaid", help="output format (default: mermaid)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--site", action="append", default=[], metavar="ID",
                        help="draw only this site's zones and the zones they exchange flows with (repeatable)")
    parser.set_defaults(func=cmd_graph)


def cmd_graph(args: argparse.Namespace) -> int:
    from vmspolicy.run.pipeline import prepare

    config, host = estate_setup(args)
    options = run_options(args, config, host)
    # The estate as `check` models it, with no rule run: the graph needs the analysis, not the findings.
    prepared = prepare(options, config, host)
    # A graph of a half-read estate would look like proof; say what could not be read or modelled.
    problems = [*prepared.loaded.findings, *prepared.build_findings]
    for finding in problems:
        print(f"vmspolicy: {finding.location}: {finding.rule} {finding.message}", file=sys.stderr)
    if any(f.rule == PARSE_ERROR.code for f in prepared.loaded.findings):
        raise CliError("cannot draw an estate whose files cannot be read (see above)")
    if not prepared.loaded.documents:
        raise CliError(f"no manifest found in {', '.join(options.paths) or 'the configured estate'}")
    ctx = prepared.ctx
    graph = build_graph(ctx)
    if args.site:
        unknown = [site for site in args.site if site not in ctx.estate.sites]
        if unknown:
            raise CliError(f"--site {unknown[0]!r}: no such site; the estate has {', '.join(sorted(ctx.estate.sites)) or 'none'}")
        graph = only_sites(graph, set(args.site))
    text = RENDERERS[args.format](graph, ctx.estate)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return EXIT_OK
