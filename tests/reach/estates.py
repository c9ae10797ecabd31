"""Small estates built straight from the model (no files), for the reachability tests."""

from __future__ import annotations

import ipaddress
from typing import Sequence

from vmspolicy.core.model import Device, DeviceKind, Estate, Firewall, FirewallRule, Origin, PortForward, Site, Zone, parse_ports
from vmspolicy.core.source import LocatedMap


def origin(path: str = "estate.yaml", line: int = 1) -> Origin:
    return Origin(path, LocatedMap((line, 1)))


def zone(zone_id: str, site: str, *cidrs: str, purpose: str = "other") -> Zone:
    return Zone(zone_id, site, origin(), purpose, cidrs=tuple(ipaddress.ip_network(c) for c in cidrs))


def device(device_id: str, site: str, zone_id: str | None, ip: str | None, kind: DeviceKind = "camera") -> Device:
    address = ipaddress.ip_address(ip) if ip else None
    return Device(device_id, kind, kind, site, origin(), zone=zone_id, ip=address)


def rule(name: str, source: str, destination: str, action: str = "allow", ports: list[str] | None = None, line: int = 1) -> FirewallRule:
    return FirewallRule(name, 0, source, destination, action, origin(line=line), parse_ports(ports))


def forward(name: str, destination: str, ports: list[str] | None = None) -> PortForward:
    return PortForward(name, 0, "internet", destination, origin(), ports=parse_ports(ports))


def firewall(fw_id: str, site: str, rules: Sequence[FirewallRule] = (), default: str = "deny",
             nat: Sequence[PortForward] = ()) -> Firewall:
    return Firewall(fw_id, site, origin(), default, tuple(rules), tuple(nat))


def estate(zones: Sequence[Zone], devices: Sequence[Device] = (), firewalls: Sequence[Firewall] = ()) -> Estate:
    sites = {z.site: Site(z.site, origin()) for z in zones}
    for d in devices:
        sites.setdefault(d.site, Site(d.site, origin()))
    return Estate(
        sites=sites,
        zones={z.id: z for z in zones},
        devices={d.id: d for d in devices},
        firewalls=tuple(firewalls),
        waivers={},
    )
