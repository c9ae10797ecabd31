"""The address space of an estate, cut into equivalence classes ("atoms").

Every address vmspolicy reasons about lies on one integer line: IPv4 first,
then IPv6, then synthetic points for what has no address (the unaddressed
members of each zone, devices without an IP that a rule names). The
boundaries of every zone network and every firewall endpoint cut that line
into atoms: addresses in one atom are treated alike by every rule, so the
analysis works on atoms, never on single cameras. A 100,000-camera estate has
as many atoms as it has zones and rule boundaries.

Atoms are then renumbered so that the internet (every atom outside all zones)
comes first and each site's zones follow, each zone's atoms contiguous. With
that order a zone, a site or ``internet`` is one interval, and the interval
sets the analysis handles stay short.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final, Iterable

from vmspolicy.analysis.reach.intervals import EMPTY, Interval, IntervalSet, from_points, intersect, normalise
from vmspolicy.core.model import ANY, INTERNET, Device, Estate, IPAddress, IPNetwork

V6_BASE: Final = 1 << 32
SYNTHETIC_BASE: Final = V6_BASE + (1 << 128)
# Synthetic points beat any CIDR when deciding which zone owns an atom.
_SYNTHETIC_PREFIX: Final = 129


def address_point(address: IPAddress) -> int:
    """The position of ``address`` on the line."""
    return int(address) if address.version == 4 else V6_BASE + int(address)


def network_range(text: str) -> Interval | None:
    """The range of a CIDR written in a manifest, or None when it is not one."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    start = int(net.network_address) + (0 if net.version == 4 else V6_BASE)
    return (start, start + net.num_addresses)


@dataclass
class AddressSpace:
    """Atoms of one estate and the atom sets of zones, devices and rule endpoints."""

    estate: Estate
    boundaries: list[int] = field(default_factory=list)  # atom i (address order) is [b[i], b[i+1])
    renumber: list[int] = field(default_factory=list)  # address-order index → analysis index
    owner: list[str | None] = field(default_factory=list)  # analysis index → zone id (None: internet)
    internet: Interval = (0, 0)
    zone_blocks: dict[str, Interval] = field(default_factory=dict)  # atoms owned by each zone
    blocks: list[tuple[int, int, str | None]] = field(default_factory=list)  # sorted (start, end, zone or None)
    block_starts: list[int] = field(default_factory=list)
    family: list[int] = field(default_factory=list)  # analysis index → 4, 6, or 0 for a synthetic point
    family_cuts: list[tuple[int, int]] = field(default_factory=list)  # per block: first IPv6 atom, first synthetic atom
    unaddressed: dict[str, int] = field(default_factory=dict)  # zone without cidr → point of its members without ip
    zone_ranges: dict[str, list[Interval]] = field(default_factory=dict)
    _endpoint_cache: dict[str, IntervalSet | None] = field(default_factory=dict)
    # Every device of a zone asks for the atoms of the zone's networks, each as many atoms as rules name addresses there.
    _range_cache: dict[Interval, IntervalSet] = field(default_factory=dict)
    # A network written in a rule is read when the atoms are cut and again when the rule is compiled.
    _network_cache: dict[str, Interval | None] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.owner)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def build(cls, estate: Estate, endpoints: Iterable[str]) -> AddressSpace:
        """The atoms of ``estate`` cut by its zones and by the firewall ``endpoints``."""
        space = cls(estate)
        endpoint_list = list(dict.fromkeys(endpoints))
        # Only a zone without a network needs a point for its members without an address: in a zone
        # with networks such a device is somewhere inside them, and is analysed as all of them.
        bare = {zone.id for zone in estate.zones.values() if not zone.cidrs}
        next_point = SYNTHETIC_BASE
        for zone_id in estate.zones:
            if zone_id in bare:
                space.unaddressed[zone_id] = next_point
                next_point += 1
        end = next_point
        # (start, end, prefix length, zone): the networks that make an address belong to a zone.
        networks: list[tuple[int, int, int, str]] = []
        members: dict[str, list[int]] = {}
        if bare:
            for device in estate.devices.values():
                if device.ip is not None and device.zone in bare:
                    members.setdefault(device.zone, []).append(address_point(device.ip))
        for zone in estate.zones.values():
            ranges: list[Interval] = []
            for net in zone.cidrs:
                start = int(net.network_address) + (0 if net.version == 4 else V6_BASE)
                ranges.append((start, start + net.num_addresses))
                networks.append((start, start + net.num_addresses, net.prefixlen, zone.id))
            if zone.id in bare:
                # A zone without a network is known by its members' addresses, and a point for the rest.
                points = [*members.get(zone.id, ()), space.unaddressed[zone.id]]
                for point in points:
                    prefix = _SYNTHETIC_PREFIX if point >= SYNTHETIC_BASE else 128
                    ranges.append((point, point + 1))
                    networks.append((point, point + 1, prefix, zone.id))
            space.zone_ranges[zone.id] = list(normalise(ranges))
        cuts = {0, V6_BASE, SYNTHETIC_BASE, end}  # an atom never spans two address families
        for start, stop, _, _ in networks:
            cuts.update((start, stop))
        for text in endpoint_list:
            for start, stop in space._address_ranges(text) or ():
                cuts.update((start, stop))
        space.boundaries = sorted(cuts)
        count = len(space.boundaries) - 1
        by_address: list[tuple[int, str | None]] = [(-1, None)] * count
        # Most specific network wins; among equals the first declared (stable sort).
        for start, stop, prefix, zone_id in sorted(networks, key=lambda n: n[2]):
            for index in range(space._index(start), space._index(stop - 1) + 1):
                if prefix > by_address[index][0]:
                    by_address[index] = (prefix, zone_id)
        zone_order = {zone_id: i for i, zone_id in enumerate(estate.zones)}
        site_order = {site: i for i, site in enumerate(dict.fromkeys(z.site for z in estate.zones.values()))}

        def order(index: int) -> tuple[int, int, int, int]:
            zone_id = by_address[index][1]
            if zone_id is None:
                return (0, 0, 0, index)
            return (1, site_order[estate.zones[zone_id].site], zone_order[zone_id], index)

        ordered = sorted(range(count), key=order)
        space.renumber = [0] * count
        space.owner = [None] * count
        space.family = [0] * count
        for new, old in enumerate(ordered):
            space.renumber[old] = new
            space.owner[new] = by_address[old][1]
            point = space.boundaries[old]
            space.family[new] = 4 if point < V6_BASE else 6 if point < SYNTHETIC_BASE else 0
        # Contiguous runs of one owner: the internet block and each zone's block.
        start = 0
        for index in range(1, count + 1):
            if index == count or space.owner[index] != space.owner[start]:
                block_owner = space.owner[start]
                space.blocks.append((start, index, block_owner))
                if block_owner is None:
                    space.internet = (start, index)
                else:
                    space.zone_blocks[block_owner] = (start, index)
                start = index
        space.block_starts = [b[0] for b in space.blocks]
        # Inside a block atoms follow address order: IPv4, then IPv6, then synthetic points.
        for b_start, b_end, _ in space.blocks:
            families = space.family[b_start:b_end]
            v6 = next((b_start + i for i, f in enumerate(families) if f != 4), b_end)
            synthetic = next((b_start + i for i, f in enumerate(families) if f == 0), b_end)
            space.family_cuts.append((v6, synthetic))
        return space

    def _index(self, point: int) -> int:
        """Address-order index of the atom holding ``point``."""
        return bisect_right(self.boundaries, point) - 1

    def _address_ranges(self, text: str) -> list[Interval] | None:
        """The address ranges an endpoint names (None: unresolvable; ``internet`` is resolved later)."""
        if text == ANY:
            return [(0, self.boundaries[-1] if self.boundaries else SYNTHETIC_BASE)]
        if text == INTERNET:
            return []
        if text in self.estate.zones:
            return self.zone_ranges.get(text, [])
        device = self.estate.devices.get(text)
        if device is not None:
            if device.ip is not None:
                point = address_point(device.ip)
                return [(point, point + 1)]
            # Somewhere in its zone (see unplaced()); with no zone either, endpoint() says anywhere.
            if device.zone is not None and device.zone in self.estate.zones:
                return self.zone_ranges.get(device.zone, [])
            return []
        if text in self._network_cache:
            found = self._network_cache[text]
        else:
            found = self._network_cache[text] = network_range(text)
        return [found] if found is not None else None

    # -- queries ------------------------------------------------------------------------------

    def unplaced(self, text: str) -> bool:
        """Whether an endpoint names a device without an address: it stands for where the device may be."""
        device = self.estate.devices.get(text)
        return text not in self.estate.zones and device is not None and device.ip is None

    def atoms_of_range(self, start: int, stop: int) -> IntervalSet:
        """Analysis atoms covering the address range ``[start, stop)`` (a range of cut points)."""
        if start >= stop:
            return EMPTY
        known = self._range_cache.get((start, stop))
        if known is not None:
            return known
        first, last = self._index(start), self._index(stop - 1)
        if first == 0 and last == len(self.renumber) - 1:
            found: IntervalSet = ((0, self.size),)
        else:
            found = from_points(self.renumber[i] for i in range(first, last + 1))
        self._range_cache[(start, stop)] = found
        return found

    def endpoint(self, text: str) -> IntervalSet | None:
        """The atoms a rule's ``from``/``to`` names; None when it names nothing known."""
        if text in self._endpoint_cache:
            return self._endpoint_cache[text]
        result: IntervalSet | None
        if text == INTERNET:
            result = (self.internet,) if self.internet[0] < self.internet[1] else EMPTY
        elif text == ANY or (self.unplaced(text) and self.estate.devices[text].zone not in self.estate.zones):
            result = ((0, self.size),)
        else:
            ranges = self._address_ranges(text)
            if ranges is None:
                result = None
            else:
                parts: list[Interval] = []
                for start, stop in ranges:
                    parts.extend(self.atoms_of_range(start, stop))
                result = normalise(parts)
        self._endpoint_cache[text] = result
        return result

    def atom_of_address(self, address: IPAddress) -> int:
        return self.renumber[self._index(address_point(address))]

    def atoms_of_device(self, device: Device) -> IntervalSet:
        """Where the device may be (empty: nowhere known): see :meth:`places_of_device`."""
        return normalise(part for _, atoms in self.places_of_device(device) for part in atoms)

    def places_of_device(self, device: Device) -> list[tuple[IPNetwork | None, IntervalSet]]:
        """Where the device may be: ``(None, atoms)`` for where it declares, then ``(network, atoms)`` per other network.

        A device without an address is anywhere in its zone. One with an address
        is there, and also anywhere in each network of its zone that does not
        hold that address, and anywhere in each of its zone's IPv6 networks: a
        camera configures IPv6 addresses of its own (SLAAC, privacy addresses),
        and a second prefix on its segment can hand it an address too. Only the
        IPv4 network of its declared IPv4 address pins it to that address.
        """
        if device.ip is None:
            if device.zone is not None and device.zone in self.estate.zones:
                return [(None, self.endpoint(device.zone) or EMPTY)]
            return [(None, EMPTY)]
        atom = self.atom_of_address(device.ip)
        places: list[tuple[IPNetwork | None, IntervalSet]] = [(None, ((atom, atom + 1),))]
        home = device.zone if device.zone is not None else self.owner[atom]
        zone = self.estate.zones.get(home) if home is not None else None
        if zone is None:
            return places
        ip = device.ip
        for network in zone.cidrs:
            if network.version == 4 and ip.version == 4 and ip in network:
                continue
            start = int(network.network_address) + (0 if network.version == 4 else V6_BASE)
            # Only the atoms its zone owns: a more specific zone inside the network keeps its own addresses.
            block = self.zone_blocks.get(zone.id)
            atoms = intersect(self.atoms_of_range(start, start + network.num_addresses), (block,)) if block else EMPTY
            if atoms:
                places.append((network, atoms))
        return places

    def site_of_atom(self, atom: int) -> str | None:
        owner = self.owner[atom]
        return self.estate.zones[owner].site if owner is not None else None

    def blocks_in(self, intervals: IntervalSet, family: int = 0) -> Iterable[tuple[int, int, str | None]]:
        """The parts of ``intervals`` per owner: ``(start, end, zone or None for the internet)``.

        With ``family`` 4 or 6, only atoms a flow from that address family can reach: the same
        family, and the synthetic points of unaddressed members (whose family nobody knows).
        """
        for start, end in intervals:
            index = bisect_right(self.block_starts, start) - 1
            while index < len(self.blocks) and self.blocks[index][0] < end:
                b_start, b_end, zone_id = self.blocks[index]
                v6, synthetic = self.family_cuts[index]
                spans = [(b_start, b_end)] if family == 0 else [(b_start, v6) if family == 4 else (v6, synthetic), (synthetic, b_end)]
                for s_start, s_end in spans:
                    lo, hi = max(start, s_start), min(end, s_end)
                    if lo < hi:
                        yield (lo, hi, zone_id)
                index += 1
