"""Protocols and ports as one integer line, so a rule's ``ports`` is an interval set.

Each protocol owns a block of 65,536 codes (``tcp/554`` is ``0 * 65536 + 554``);
``icmp`` is a single code and ``other`` stands for every protocol a manifest
cannot name (GRE, ESP...): only a rule without ``ports`` matches it.
"""

from __future__ import annotations

from typing import Final, Sequence

from vmspolicy.analysis.reach.intervals import IntervalSet, intersect, normalise
from vmspolicy.core.model import PortRange

PROTOCOLS: Final = ("tcp", "udp", "sctp", "icmp", "other")
SPAN: Final = 65536
ALL_PORTS: Final[IntervalSet] = ((0, len(PROTOCOLS) * SPAN),)


def code(protocol: str, port: int = 0) -> int:
    """The code of ``protocol``/``port`` (``icmp`` and ``other`` ignore the port)."""
    index = PROTOCOLS.index(protocol) if protocol in PROTOCOLS else PROTOCOLS.index("other")
    if PROTOCOLS[index] in ("icmp", "other"):
        return index * SPAN
    return index * SPAN + port


def port_set(ranges: Sequence[PortRange] | None) -> IntervalSet:
    """The codes a rule's ``ports`` covers; ``None`` (omitted) covers every protocol and port."""
    if ranges is None:
        return ALL_PORTS
    out: list[tuple[int, int]] = []
    for item in ranges:
        if item.protocol in ("icmp", "other") or item.protocol not in PROTOCOLS:
            start = code(item.protocol)
            out.append((start, start + 1))
        else:
            base = PROTOCOLS.index(item.protocol) * SPAN
            out.append((base + item.low, base + min(item.high, SPAN - 1) + 1))
    return normalise(out)


def describe(codes: IntervalSet) -> str:
    """``tcp/443, udp/123`` for a set of codes; ``any port`` when it holds them all."""
    if codes == ALL_PORTS:
        return "any port"
    parts: list[str] = []
    for index, protocol in enumerate(PROTOCOLS):
        block = intersect(codes, ((index * SPAN, (index + 1) * SPAN),))
        if not block:
            continue
        if protocol in ("icmp", "other"):
            parts.append("other protocols" if protocol == "other" else "icmp")
            continue
        for start, end in block:
            low, high = start - index * SPAN, end - 1 - index * SPAN
            parts.append(str(PortRange(protocol, low, high)))
    return ", ".join(parts)
