"""The isolation analysis: which legacy restricted devices must be isolated, where they are, who may reach them.

The isolation rules (VP201–VP206), ``vmspolicy graph`` and ``vmspolicy fix``
share these answers, so that a drawing or an edit never disagrees with a
finding.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Final, Iterator, Mapping

from vmspolicy.analysis import policy
from vmspolicy.analysis.reach import reachability
from vmspolicy.core import codes
from vmspolicy.core.model import Device, Estate, IPNetwork, Zone

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext

CLOUD_SERVICES: Final = ("p2p_cloud", "upnp", "ddns")
"""The services VP205 requires declared off by default (its ``services`` option)."""


def watched_services(ctx: CheckContext) -> list[str]:
    """The services VP205 requires off on a legacy restricted device, as configured; ``vmspolicy fix`` writes them off."""
    configured = ctx.rule_options.get(codes.CLOUD_SERVICES_ENABLED.code, {})
    return [str(s) for s in configured.get("services", CLOUD_SERVICES) or ()]


LEGACY_PURPOSE = "legacy-cameras"


def isolated_devices(ctx: CheckContext) -> list[Device]:
    """Legacy restricted devices that a restricting pack lets stay only while isolated."""
    return ctx.analyses.isolated_devices


def find_isolated_devices(ctx: CheckContext) -> list[Device]:
    return [d for d in policy.legacy_restricted(ctx) if any(p.isolation_required for p in policy.restricting_packs(ctx, d.id))]


def device_zone(ctx: CheckContext, device: Device) -> Zone | None:
    """The device's declared zone, else the zone its address lies in (the most specific one)."""
    if device.zone is not None:
        return ctx.estate.zones.get(device.zone)
    if device.ip is not None:
        # The analysis's address classes answer in O(log zones); Estate.zone_of_address scans every zone.
        space = reachability(ctx).space
        owner = space.owner[space.atom_of_address(device.ip)]
        return ctx.estate.zones.get(owner) if owner is not None else None
    return None


def overlapping_zone(ctx: CheckContext, zone: Zone) -> tuple[Zone, IPNetwork, IPNetwork] | None:
    """The first zone of another purpose whose networks overlap ``zone``'s: ``(zone, its network, theirs)``.

    Zones of one purpose may share addresses (a legacy zone split over VLANs);
    a corporate zone holding the legacy zone's prefix puts its devices on the
    legacy cameras' segment, where nothing is filtered. "First" is in the order of
    the estate's zones, then of the networks of ``zone``, then of the other's.
    """
    return ctx.analyses.zone_networks.overlapping(zone)


class ZoneNetworks:
    """Every zone's networks, indexed so that the zones overlapping one zone are found without scanning them all.

    Two networks overlap only when one holds the other, so those overlapping a
    network are the ones that start inside it (found by bisection over the
    networks sorted by their first address) and its supernets (one look-up per
    shorter prefix length). Asked for each legacy zone, a scan of every zone
    cost legacy zones × zones: a fifth of the isolation work at 100,000 cameras.
    """

    def __init__(self, estate: Estate) -> None:
        # (version, first address, prefix length) → (zone's place in the estate, network's place in the zone, zone, network)
        self._exact: dict[tuple[int, int, int], list[tuple[int, int, Zone, IPNetwork]]] = {}
        by_start: dict[int, list[tuple[int, int, int, Zone, IPNetwork]]] = {}
        for order, zone in enumerate(estate.zones.values()):
            for index, network in enumerate(zone.cidrs):
                first = int(network.network_address)
                self._exact.setdefault((network.version, first, network.prefixlen), []).append((order, index, zone, network))
                by_start.setdefault(network.version, []).append((first, order, index, zone, network))
        self._sorted = {version: sorted(items, key=lambda item: item[:3]) for version, items in by_start.items()}
        self._starts = {version: [item[0] for item in items] for version, items in self._sorted.items()}

    def _overlapping(self, network: IPNetwork) -> Iterator[tuple[int, int, Zone, IPNetwork]]:
        version, first, length = network.version, int(network.network_address), network.prefixlen
        bits = network.max_prefixlen
        for prefix in range(length):
            shift = bits - prefix
            yield from self._exact.get((version, first >> shift << shift, prefix), ())
        items, starts = self._sorted.get(version, []), self._starts.get(version, [])
        for position in range(bisect.bisect_left(starts, first), bisect.bisect_right(starts, int(network.broadcast_address))):
            _, order, index, zone, theirs = items[position]
            yield order, index, zone, theirs

    def overlapping(self, zone: Zone) -> tuple[Zone, IPNetwork, IPNetwork] | None:
        """What :func:`overlapping_zone` answers for ``zone``."""
        best: tuple[tuple[int, int, int], Zone, IPNetwork, IPNetwork] | None = None
        for mine_index, mine in enumerate(zone.cidrs):
            for order, index, other, theirs in self._overlapping(mine):
                if other.id == zone.id or other.purpose == zone.purpose:
                    continue
                place = (order, mine_index, index)
                if best is None or place < best[0]:
                    best = (place, other, mine, theirs)
        return (best[1], best[2], best[3]) if best is not None else None


def has_firewall(ctx: CheckContext, device: Device) -> bool:
    return bool(ctx.estate.firewalls_of(device.site))


def management_zones(ctx: CheckContext) -> frozenset[str] | None:
    """Zone ids the configuration names under ``isolation: management_zones:`` (None: not configured)."""
    section = ctx.settings.get("isolation")
    if not isinstance(section, Mapping) or "management_zones" not in section:
        return None
    return frozenset(str(z) for z in section.get("management_zones") or ())


def allowed_peer(ctx: CheckContext, device: Device, zone_id: str) -> bool:
    """Whether ``zone_id`` may exchange new flows with ``device`` (VP204).

    Zones whose purpose every restricting pack lists (``reachable_from``, by
    default ``vms`` and ``management``). When the configuration names
    ``isolation.management_zones``, only those of the management zones count,
    so a site-wide management VLAN is not let in by accident. The setting only
    narrows: naming a zone of another purpose (a corporate one) lets nothing
    more in, and is a VP306 finding at the setting.
    """
    zone = ctx.estate.zones.get(zone_id)
    if zone is None:
        return False
    purposes = policy.reachable_from(ctx, device.id)
    named = management_zones(ctx)
    if named is not None and zone.purpose == "management":
        return zone_id in named and "management" in purposes
    return zone.purpose in purposes
