"""How a rule bound to interfaces becomes manifest rules: an interface's side narrowed by addresses.

FortiGate policies and PAN-OS security rules name where traffic enters and
leaves (interfaces, zones) and which addresses it carries. The manifest
format has one endpoint per side: a zone, a CIDR, ``internet`` or ``any``.
Traffic arrives on an interface from the networks behind it, so an address is
narrowed to its side (``all`` on the camera interface is that zone, not every
address); what an allowing rule cannot narrow widens to the whole side, what a
denying rule cannot express is left out (denying less can only over-report).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Sequence

from vmspolicy.core.model import ANY, INTERNET, IPNetwork
from vmspolicy.core.records import record


@record(frozen=True, slots=True)
class Side:
    """What an interface stands for: a zone (its id and networks), the internet, or addresses it cannot say."""

    kind: str  # "zone", "internet", "unknown", "any"
    zone: str = ""
    cidrs: tuple[IPNetwork, ...] = ()


@record(frozen=True, slots=True)
class Ports:
    """What a service matches: ports in manifest notation (None: every port) and whether a deny may use them as they are."""

    ports: list[str] | None  # None: every port and protocol
    exact: bool = True


ALL_V4: Final = ipaddress.ip_network("0.0.0.0/0")
ALL_V6: Final = ipaddress.ip_network("::/0")


def endpoints(side: Side, networks: list[IPNetwork] | None, allow: bool, zones: list[Side]) -> list[str]:
    """The rule endpoints for traffic on ``side`` from or to ``networks`` (None: they cannot be resolved).

    ``zones``: every zone side of the same firewall, whose networks are not
    behind any other interface.
    """
    if networks is None:
        if not allow:
            return []
        return [side.zone] if side.kind == "zone" else [INTERNET] if side.kind == "internet" else [ANY]
    everything = any(n.prefixlen == 0 for n in networks)
    if side.kind in ("any", "unknown"):
        if side.kind == "unknown" and not allow:
            return []
        return [ANY] if (everything and allow) or {ALL_V4, ALL_V6} <= set(networks) else _texts(networks)
    if side.kind == "internet":
        if everything:
            return [INTERNET]
        # From or to the internet: not the firewall's own networks (they sit behind other interfaces).
        outside = [n for n in networks if not any(_overlaps(n, c) for zone in zones for c in zone.cidrs)]
        return _texts([n for n in outside if allow or n.is_global])
    if all(any(_within(c, n) for n in networks) for c in side.cidrs):
        return [side.zone]
    inside = [n if _within(n, c) else c for n in networks for c in side.cidrs if _within(n, c) or _within(c, n)]
    if allow:
        # Networks routed behind this interface (no other interface has them) are reached through it too.
        known = [c for zone in zones for c in zone.cidrs]
        inside += [n for n in networks if not any(_overlaps(n, c) for c in known)]
    return _texts(inside)


def _within(inner: IPNetwork, outer: IPNetwork) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _overlaps(one: IPNetwork, other: IPNetwork) -> bool:
    return one.version == other.version and one.overlaps(other)


def _texts(networks: Sequence[IPNetwork]) -> list[str]:
    return list(dict.fromkeys(str(n) for n in networks))


def port_span(protocol: str, written: str) -> str | None:
    """``tcp`` and ``80``, ``8000-8002`` or ``8002-8000`` in manifest notation; None when it is no port range.

    Firewalls number ports from 0 or 1; the manifest from 1, so 0-65535 is the whole protocol.
    """
    match = re.fullmatch(r"\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*", written)
    if match is None:
        return None
    low, high = sorted(int(p) for p in (match.group(1), match.group(2) or match.group(1)))
    if high > 65535 or high == 0:
        return None
    low = max(low, 1)
    if (low, high) == (1, 65535):
        return protocol
    return f"{protocol}/{low}" if low == high else f"{protocol}/{low}-{high}"
