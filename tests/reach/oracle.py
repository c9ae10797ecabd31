"""A naive reference: evaluates one concrete flow (address, address, protocol, port) by the documented semantics.

It shares no code with the engine beyond the model, so a disagreement is a bug in one of them.
"""

from __future__ import annotations

import functools
import ipaddress

from vmspolicy.core.model import Estate, Firewall, IPAddress, PortRange


def _matches(estate: Estate, endpoint: str, address: IPAddress) -> bool:
    if endpoint == "any":
        return True
    if endpoint == "internet":
        return estate.zone_of_address(address) is None
    if endpoint in estate.zones:
        return estate.zones[endpoint].contains(address)
    if endpoint in estate.devices:
        return estate.devices[endpoint].ip == address
    return address in _network(endpoint)


@functools.cache
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)


def _port_matches(ports: tuple[PortRange, ...] | None, protocol: str, port: int) -> bool:
    if ports is None:
        return True
    return any(item.protocol == protocol and (protocol == "icmp" or item.low <= port <= item.high) for item in ports)


def _firewall_allows(estate: Estate, fw: Firewall, src: IPAddress, dst: IPAddress, protocol: str, port: int) -> bool:
    for forward in fw.nat:
        if _matches(estate, "internet", src) and _matches(estate, forward.destination, dst) and _port_matches(forward.ports, protocol, port):
            return True
    for rule in fw.rules:
        if _matches(estate, rule.source, src) and _matches(estate, rule.destination, dst) and _port_matches(rule.ports, protocol, port):
            return rule.action == "allow"
    return fw.default == "allow"


def allows(estate: Estate, src: IPAddress, dst: IPAddress, protocol: str, port: int) -> bool:
    """Whether a new flow from ``src`` to ``dst`` on ``protocol``/``port`` gets through."""
    if src.version != dst.version:
        return False  # a flow stays in its address family
    src_zone, dst_zone = estate.zone_of_address(src), estate.zone_of_address(dst)
    if src_zone is not None and src_zone == dst_zone:
        return True
    sites = dict.fromkeys(z.site for z in (src_zone, dst_zone) if z is not None)
    for site in sites:
        firewalls = estate.firewalls_of(site)
        if firewalls and not any(_firewall_allows(estate, fw, src, dst, protocol, port) for fw in firewalls):
            return False
    return True
