"""The scoped judgement of a pre-commit run: model only the files whose records can change the reported findings.

A run with ``estate:`` configured and files named reports the findings of those files
alone, judged against the whole estate. Most of the estate cannot change them: a camera
of another site, in another site's zone, named by no firewall and by no waiver that
names one of the reported devices, is judged, identified and reported by no rule of
the reported files. Such a file is known to the run by its :class:`FileSummary`, kept in
the load cache: its sites, zones, firewalls and waivers in full (they are few, and the
estate-wide analyses read them all: a flow between two sites passes both sites'
firewalls, a waiver's longest term depends on every device it names), the ids it
declares (VP003, VP004), the first device of each MAC and IP address in it (VP004), and
the id, site and zone of each device, from which :func:`closure` decides what must be
modelled in full:

- every device of the *scoped sites*: the sites the reported files' records belong to or
  name, including the site of a zone a device names and of every zone holding the address
  of a device that names none (its zone is the one holding its address, of any site, and
  its zone mates are judged with it, VP201; a zone without a network holds its members'
  addresses);
- every device in a zone of a scoped site, in a zone without a network (its members'
  addresses are the zone's, for every site's flows), naming no zone but holding an address
  of a scoped site's zone or a member's address of a zone without a network, or named by a
  firewall rule or port forward of any site (its address is the rule's);
- every device a waiver names, when the waiver names one of those devices or any id the
  reported files declare (a waiver's longest term depends on each of its devices' packs,
  VP301, and it may excuse a finding about a zone or a firewall of the reported files).

The files holding such a device are modelled in full, the others only summarised.
Nothing else changes: the rules run on the estate so made, and the findings outside
the reported files are dropped as in any run with files named. Whatever this module
cannot prove it has covered makes the whole estate be modelled: a plugin outside
vmspolicy, another tool's file, a waiver in a reported file, an id declared twice
(see ``vmspolicy.run.pipeline``). ``tests/test_scoped_judgement.py`` compares scoped runs
with whole ones, finding by finding.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Iterator, Mapping, Sequence

from vmspolicy.analysis.estate import IDENTITIES, FileModel, _add_shared, _Builder, _declare, _finish, _replay
from vmspolicy.core.findings import Finding
from vmspolicy.core.model import Estate, Firewall, Site, UnreadableFirewall, Waiver, Zone
from vmspolicy.core.records import record
from vmspolicy.core.source import Location

DeviceGist = tuple[str, str, "str | None", "str | None"]
"""A device of a summarised file: its id, its site, the zone it names and its address. A device naming no zone is in
the zone that holds its address, of any site (``analysis.isolation.device_zone``): a network of a zone, or the address
of a member of a zone without a network, which holds each of its members' addresses (``analysis.reach.space``)."""

FirstUsers = Mapping[str, tuple[str, int, int]]
"""The first active device of each address in a file: address → (device id, line, column of the address)."""


@record(frozen=True, slots=True)
class FileSummary:
    """What judging other files needs of one file's manifests (see the module's docstring); plain data, cheap to keep."""

    path: str
    sites: tuple[Site, ...] = ()
    zones: tuple[Zone, ...] = ()
    firewalls: tuple[Firewall, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    unreadable_firewalls: tuple[UnreadableFirewall, ...] = ()
    invalid_ids: frozenset[str] = frozenset()
    declarations: tuple[tuple[str, int, int], ...] = ()  # each id declared, where, in file order
    devices: tuple[DeviceGist, ...] = ()
    first_macs: FirstUsers | None = None
    first_ips: FirstUsers | None = None


def summarize(model: FileModel) -> FileSummary:
    """The summary of a file modelled on its own (:func:`vmspolicy.analysis.estate.model_file`)."""
    firsts: list[dict[str, tuple[str, int, int]]] = []
    for attribute, _ in IDENTITIES:
        first: dict[str, tuple[str, int, int]] = {}
        for device in model.devices:
            value = getattr(device, attribute)
            if value is not None and device.active and str(value) not in first:
                # A manifest's record is never completed by another file's (only another tool's records are).
                line, column = device.origin.node.where(attribute)
                first[str(value)] = (device.id, line, column)
        firsts.append(first)
    return FileSummary(
        path=model.paths[0] if model.paths else "",
        sites=model.sites,
        zones=model.zones,
        firewalls=model.firewalls,
        waivers=model.waivers,
        unreadable_firewalls=model.unreadable_firewalls,
        invalid_ids=model.invalid_ids,
        declarations=tuple((entry_id, where.line, where.column) for _, entry_id, where in model.declarations),
        devices=tuple((d.id, d.site, d.zone, str(d.ip) if d.ip is not None else None) for d in model.devices),
        first_macs=firsts[0] or None,
        first_ips=firsts[1] or None,
    )


@record(frozen=True, slots=True)
class Scope:
    """What a scoped run models in full: the files (by index) and the devices (by id)."""

    files: frozenset[int]
    devices: frozenset[str]


def closure(summaries: Sequence[FileSummary], reported: Iterable[int]) -> Scope:
    """The files and devices that must be modelled in full for the findings of the ``reported`` files to be exact.

    A device modelled in full is modelled as in a whole run, so taking more than needed costs
    time, never a finding: each test below errs on the side of taking the device.
    """
    reported = frozenset(reported)
    all_zones = [zone for summary in summaries for zone in summary.zones]
    zone_site = {zone.id: zone.site for zone in all_zones}
    bare = {zone.id for zone in all_zones if not zone.cidrs}
    # The addresses the zones without a network hold: their members'.
    points: dict[str, set[str]] = {}
    for summary in summaries:
        for _, _, zone, address in summary.devices:
            if zone in bare and address is not None:
                points.setdefault(address, set()).add(zone)
    sites: set[str] = set()
    for index in reported:
        summary = summaries[index]
        sites.update(site.id for site in summary.sites)
        sites.update(zone.site for zone in summary.zones)
        sites.update(firewall.site for firewall in summary.firewalls)
        for _, site, zone, address in summary.devices:
            sites.add(site)
            if zone is not None and zone in zone_site:
                sites.add(zone_site[zone])
            if zone is None and address is not None:  # placed by address: in a zone of any site that holds it
                sites.update(zone.site for zone in _holding(all_zones, address))
                sites.update(zone_site[zone_id] for zone_id in points.get(address, ()))
    zones = {zone.id for zone in all_zones if zone.site in sites} | bare
    scoped_zones = [zone for zone in all_zones if zone.id in zones]
    named: set[str] = set()
    for summary in summaries:
        for firewall in summary.firewalls:
            named.update(endpoint for rule in firewall.rules for endpoint in (rule.source, rule.destination))
            named.update(endpoint for forward in firewall.nat for endpoint in (forward.source, forward.destination))
    devices = {device_id for summary in summaries for device_id, site, zone, address in summary.devices
               if site in sites or zone in zones or device_id in named
               or (zone is None and address is not None
                   and (address in points or any(True for _ in _holding(scoped_zones, address))))}
    # A waiver that may excuse a finding of the reported files: its length depends on every device it names (VP301).
    subjects = set(devices)
    for index in reported:  # a finding's subject is the id written or the id a record is modelled under
        summary = summaries[index]
        subjects.update(entry_id for entry_id, _, _ in summary.declarations)
        subjects.update(record.id for part in (summary.sites, summary.zones, summary.firewalls) for record in part)
    for summary in summaries:
        for waiver in summary.waivers:
            if not subjects.isdisjoint(waiver.devices):
                devices.update(waiver.devices)
    files = reported | {index for index, summary in enumerate(summaries)
                        if any(gist[0] in devices for gist in summary.devices)}
    return Scope(frozenset(files), frozenset(devices))


def _holding(zones: Iterable[Zone], address: str) -> Iterator[Zone]:
    """The zones one of whose networks holds ``address`` (none for text that is no address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return
    for zone in zones:
        if zone.contains(ip):
            yield zone


def merge_scoped(files: Sequence[tuple[FileSummary, FileModel | None]], scope: Scope) -> tuple[Estate, list[Finding]] | None:
    """The estate of ``files`` in file order: each file in ``scope`` from its model, the others from their summaries.

    Gives the records :func:`~vmspolicy.analysis.estate.merge_files` gives of the scope's devices,
    every site, zone, firewall and waiver, and the findings it gives about them. None when a file
    declares an id a file before it declared (or a device id taken there): the whole estate is then
    modelled at once, as ``merge_files`` does.
    """
    # Each address's first user in the estate, with the path of its file: an earlier file's stays.
    firsts: dict[str, dict[str, tuple[tuple[str, int, int], str]]] = {attribute: {} for attribute, _ in IDENTITIES}
    for summary, _ in files:
        for (attribute, _), first in zip(IDENTITIES, (summary.first_macs, summary.first_ips), strict=True):
            if first:
                found = firsts[attribute]
                found.update((key, (first[key], summary.path)) for key in first.keys() - found.keys())

    def first_user(attribute: str, key: str) -> tuple[str, Location]:
        (device_id, line, column), path = firsts[attribute][key]
        return device_id, Location(path, line, column)

    b = _Builder(first_users=first_user)
    paths: list[str] = []
    unreadable: set[str] = set()
    for index, (summary, model) in enumerate(files):
        devices = [gist[0] for gist in summary.devices]
        if not b.declared.keys().isdisjoint(entry_id for entry_id, _, _ in summary.declarations) \
                or not b.devices.keys().isdisjoint(devices) or not b.other_devices.isdisjoint(devices) \
                or not unreadable.isdisjoint(firewall.id for firewall in summary.firewalls):
            return None
        unreadable.update(u.id for u in summary.unreadable_firewalls)
        if index in scope.files and model is not None:
            _replay(b, model)
            for device in model.devices:
                if device.id in scope.devices:
                    b.devices[device.id] = device
                else:
                    b.other_devices.add(device.id)
        else:
            for entry_id, line, column in summary.declarations:
                _declare(b, entry_id, Location(summary.path, line, column))
            b.other_devices.update(devices)
        _add_shared(b, summary)
        paths.append(summary.path)
    return _finish(b, [], tuple(dict.fromkeys(p for p in paths if p)))


__all__ = ["FileSummary", "Scope", "closure", "merge_scoped", "summarize"]
