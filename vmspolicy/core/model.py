"""The estate model: frozen, typed records built from validated manifest data.

Every record keeps an :class:`Origin`, so a rule can point at the exact line
and column of any field (``camera.origin.loc("vendor")``), whichever file and
loader it came from.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import field
from typing import Final, Literal, Mapping, Union

from vmspolicy.core.records import record
from vmspolicy.core.source import LocatedMap, LocatedSeq, Location

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

DeviceKind = Literal["camera", "recorder", "device"]
ZONE_PURPOSES: Final = ("cameras", "legacy-cameras", "vms", "corporate", "management", "dmz", "guest", "other")
DEVICE_TYPES: Final = (
    "encoder", "nvr", "dvr", "intercom", "access-controller", "switch", "server", "workstation", "other",
)
STATUSES: Final = ("active", "planned", "decommissioned")
RECORDER_TYPES: Final = ("nvr", "dvr")
"""Device types that record video: a restricted one is a restricted recorder (VP107)."""
INTERNET: Final = "internet"
ANY: Final = "any"
UNREADABLE: Final = "(unreadable)"
"""A reference (site, zone, firewall endpoint) or device type whose value cannot be read; no id can be this.

It resolves to nothing, so whatever depends on it fails closed (see :mod:`vmspolicy.analysis.failclosed`)."""


@record(frozen=True, slots=True, eq=False)
class Origin:
    """Where a record was written: its document's path and its located mapping.

    A record of an imported file (Frigate, go2rtc, NetBox...) may be completed
    by a manifest record of the same id: ``completion`` is that record, and the
    fields it added (``completed``) are located there, in the manifest.
    """

    path: str
    node: LocatedMap
    completion: Origin | None = None
    completed: frozenset[str] = frozenset()

    def holder(self, key: str) -> Origin:
        """The origin whose file holds field ``key``: the completing manifest record, or this one."""
        return self.completion if self.completion is not None and key in self.completed else self

    def loc(self, key: str | None = None, index: int | None = None) -> Location:
        """Location of the record, of one of its fields, of item ``index`` of a list field, or of
        ``field.key`` inside a mapping field (``onvif.manufacturer``)."""
        if key is None:
            line, column = self.node.pos
            return Location(self.path, line, column)
        key, _, inner = key.partition(".")
        holder = self.holder(key)
        value = holder.node.get(key)
        if index is not None and isinstance(value, LocatedSeq):
            line, column = value.where(index)
        elif inner and isinstance(value, LocatedMap) and inner in value:
            line, column = value.where(inner)
        else:
            line, column = holder.node.where(key)
        return Location(holder.path, line, column)


@record(frozen=True, slots=True)
class Site:
    """A site of the estate: a building or campus, possibly sensitive, with the packs it names."""

    id: str
    origin: Origin
    name: str | None = None
    sensitive: bool = False
    classification: str | None = None
    policies: tuple[str, ...] = ()


@record(frozen=True, slots=True)
class Zone:
    """A network zone of a site: its purpose, VLAN and address ranges."""

    id: str
    site: str
    origin: Origin
    purpose: str = "other"
    vlan: int | None = None
    cidrs: tuple[IPNetwork, ...] = ()

    def contains(self, address: IPAddress) -> bool:
        """True when ``address`` lies in one of the zone's networks."""
        return any(address.version == net.version and address in net for net in self.cidrs)


@record(frozen=True, slots=True)
class OnvifInfo:
    """What a device answers to ONVIF GetDeviceInformation (its ``onvif:`` block): its own word on its maker."""

    manufacturer: str | None = None
    model: str | None = None
    firmware_version: str | None = None


@record(frozen=True, slots=True)
class Device:
    """A camera, a recorder, or any other device on the network.

    ``kind`` says which manifest section it came from; ``type`` is the device
    type (``camera`` and ``recorder`` for the first two sections, the declared
    ``type`` for ``devices:`` entries).
    """

    id: str
    kind: DeviceKind
    type: str
    site: str
    origin: Origin
    zone: str | None = None
    vendor: str | None = None
    model: str | None = None
    mac: str | None = None  # normalised: lower-case, colon-separated
    ip: IPAddress | None = None
    firmware: str | None = None
    serial: str | None = None
    installed: dt.date | None = None
    status: str = "active"
    services: Mapping[str, bool] = field(default_factory=dict)
    streams: tuple[str, ...] = ()
    # Free text and the device's own ONVIF answer: weaker or stronger evidence of the maker (vmspolicy.analysis.identify).
    name: str | None = None
    notes: str | None = None
    onvif: OnvifInfo | None = None

    @property
    def active(self) -> bool:
        """Decommissioned devices are kept for the record and never judged."""
        return self.status != "decommissioned"


@record(frozen=True, slots=True)
class PortRange:
    """A protocol and an inclusive port range; ``icmp`` has no ports (0-0)."""

    protocol: str
    low: int = 0
    high: int = 65535

    def __str__(self) -> str:
        if self.protocol == "icmp":
            return "icmp"
        if self.low == 0 and self.high == 65535:
            return self.protocol
        if self.low == self.high:
            return f"{self.protocol}/{self.low}"
        return f"{self.protocol}/{self.low}-{self.high}"


@record(frozen=True, slots=True)
class FirewallRule:
    """One rule of a firewall: ``source``/``destination`` are as written (zone, device, CIDR, internet, any)."""

    name: str
    index: int
    source: str
    destination: str
    action: str
    origin: Origin
    ports: tuple[PortRange, ...] | None = None  # None: every port and protocol


@record(frozen=True, slots=True)
class PortForward:
    """A NAT port forward from the internet to a device or zone."""

    name: str
    index: int
    source: str
    destination: str
    origin: Origin
    action: str = "allow"
    ports: tuple[PortRange, ...] | None = None


@record(frozen=True, slots=True)
class Firewall:
    """A firewall of a site: the rules between its zones and its port forwards."""

    id: str
    site: str
    origin: Origin
    default: str = "deny"
    rules: tuple[FirewallRule, ...] = ()
    nat: tuple[PortForward, ...] = ()


@record(frozen=True, slots=True)
class Waiver:
    """A documented exception for restricted devices: who approved it, why, and until when."""

    id: str
    origin: Origin
    devices: tuple[str, ...] = ()
    reason: str | None = None
    approved_by: str | None = None
    ticket: str | None = None
    approved_on: dt.date | None = None
    expires: dt.date | None = None
    rules: tuple[str, ...] | None = None  # None: the default set (VP103, VP105)


@record(frozen=True, slots=True)
class UnreadableFirewall:
    """A firewall the manifests declare but whose policy broke the schema (VP002): not in the model.

    Isolation cannot be shown on its site while it is unreadable (it may allow anything), so
    VP206 names what could not be read instead of reporting the site as having no firewall.
    """

    id: str
    site: str
    part: str  # what could not be read: "rule 'nvr-pulls'", "key 'default'"
    location: Location


@record(frozen=True, slots=True)
class Estate:
    """Everything the manifests declare, with references resolved and indexed by id."""

    sites: Mapping[str, Site]
    zones: Mapping[str, Zone]
    devices: Mapping[str, Device]
    firewalls: tuple[Firewall, ...]
    waivers: Mapping[str, Waiver]
    paths: tuple[str, ...] = ()
    unreadable_firewalls: tuple[UnreadableFirewall, ...] = ()
    # firewalls_of's index, built at its first call: isolation rules ask it several times per legacy device.
    _firewalls_by_site: dict[str, tuple[Firewall, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def cameras(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices.values() if d.kind == "camera")

    @property
    def recorders(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices.values() if d.kind == "recorder")

    def firewalls_of(self, site: str) -> tuple[Firewall, ...]:
        """The firewalls that hold the inter-zone policy of ``site``."""
        by_site = self._firewalls_by_site
        if not by_site and self.firewalls:
            grouped: dict[str, list[Firewall]] = {}
            for firewall in self.firewalls:
                grouped.setdefault(firewall.site, []).append(firewall)
            by_site.update((site_id, tuple(found)) for site_id, found in grouped.items())
        return by_site.get(site, ())

    def zone_of_address(self, address: IPAddress) -> Zone | None:
        """The zone whose networks hold ``address`` (the most specific one), if any."""
        best: Zone | None = None
        best_len = -1
        for zone in self.zones.values():
            for net in zone.cidrs:
                if net.version == address.version and address in net and net.prefixlen > best_len:
                    best, best_len = zone, net.prefixlen
        return best


def normalise_mac(text: str) -> str | None:
    """``44-19-B6-12-34-56``, ``4419.b612.3456``, ``4419b6123456`` → ``44:19:b6:12:34:56``; None if not a MAC."""
    digits = "".join(ch for ch in text if ch not in ":-. ").lower()
    if len(digits) != 12 or any(ch not in "0123456789abcdef" for ch in digits):
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_ports(items: list[str] | None) -> tuple[PortRange, ...] | None:
    """``["tcp/554", "udp/1000-2000", "icmp", "tcp"]`` → port ranges; None (all) when omitted."""
    if items is None:
        return None
    ranges: list[PortRange] = []
    for item in items:
        protocol, _, span = str(item).partition("/")
        protocol = protocol.lower()
        if protocol == "icmp":
            ranges.append(PortRange("icmp", 0, 0))
        elif not span:
            ranges.append(PortRange(protocol))
        else:
            low, _, high = span.partition("-")
            ranges.append(PortRange(protocol, int(low), int(high or low)))
    return tuple(ranges)
