"""Build the estate model from the documents, resolving references across files.

One pass over every document: schema validation (VP002), a record built from
every entry, then ids, MACs and IPs checked for uniqueness (VP004) and every
reference resolved (VP003). An entry that breaks the schema is still a record,
judged on what it says: each field is read with its fail-closed default
(:mod:`vmspolicy.analysis.failclosed`), because VP002 alone can be disabled or
baselined and the vendor and isolation rules cannot. Only a waiver that breaks
the schema is left out: it excuses nothing. A reference that cannot be read is
VP002's to report, not VP003's.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Final, Iterable, Mapping, Protocol, Sequence

from vmspolicy.analysis import failclosed
from vmspolicy.analysis.schema_violations import SchemaCheck, check_manifest
from vmspolicy.core import codes
from vmspolicy.core.findings import Finding
from vmspolicy.core.model import (
    ANY,
    DEVICE_TYPES,
    INTERNET,
    UNREADABLE,
    Device,
    DeviceKind,
    Estate,
    Firewall,
    FirewallRule,
    IPNetwork,
    OnvifInfo,
    Origin,
    PortForward,
    Site,
    UnreadableFirewall,
    Waiver,
    Zone,
    normalise_mac,
)
from vmspolicy.core.records import record
from vmspolicy.core.schemas import SchemaError
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Location, iter_items

SECTIONS = ("sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers")
SUPPORTED_VERSION = 1


@dataclass
class _Builder:
    """The estate being assembled from the documents, and the problems found on the way."""

    sites: dict[str, Site] = field(default_factory=dict)
    zones: dict[str, Zone] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    firewalls: list[Firewall] = field(default_factory=list)
    waivers: dict[str, Waiver] = field(default_factory=dict)
    declared: dict[str, Location] = field(default_factory=dict)  # every id, valid or not
    invalid_ids: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    # Imported records that a manifest record completes, by (document, section, index): that record;
    # and the manifest records so used, which are not records of their own.
    completions: dict[tuple[int, str, int], tuple[Document, LocatedMap]] = field(default_factory=dict)
    completing: set[tuple[int, str, int]] = field(default_factory=set)
    schema_checks: dict[int, SchemaCheck] = field(default_factory=dict)  # by document
    unreadable_firewalls: list[UnreadableFirewall] = field(default_factory=list)
    # Modelling one file alone (model_file): each declaration of an id, with the number of findings before it,
    # so that merging replays the duplicate-id checks (VP004) against the files before it, in the same order.
    declarations: list[tuple[int, str, Location]] | None = None
    # A scoped merge (vmspolicy.analysis.scope): the ids of the devices of other files that are not modelled in this run,
    # which references may name, and the first device of each MAC and IP address in the files before each modelled one.
    other_devices: set[str] = field(default_factory=set)
    first_users: Callable[[str, str], tuple[str, Location]] | None = None  # (attribute, address) → (device id, where)


@record(frozen=True, slots=True)
class FileModel:
    """What one file's manifest documents add to the estate, modelled as if no file before it declared an id.

    The builder's only state that crosses files is the first declaration of each id
    (which record a duplicate id names, VP004), the device names taken, and the firewalls
    already found unreadable; :func:`merge_files` replays a file's declarations against
    the files before it and models the file again, from its documents, in the rare case
    where one of those differs. A file's model can thus be built once and kept with the file
    (the load cache does), so that a run after a change models only the changed files.
    """

    sites: tuple[Site, ...]
    zones: tuple[Zone, ...]
    devices: tuple[Device, ...]
    firewalls: tuple[Firewall, ...]
    waivers: tuple[Waiver, ...]
    unreadable_firewalls: tuple[UnreadableFirewall, ...]
    invalid_ids: frozenset[str]
    findings: tuple[Finding, ...]
    declarations: tuple[tuple[int, str, Location], ...]  # (findings before it, id, where)
    paths: tuple[str, ...]


# Sections whose imported records a manifest record may complete.
_DEVICE_SECTIONS: Final = ("cameras", "recorders", "devices")


def build_estate(
    documents: list[Document], *, import_site: str | None = None, import_zones: Mapping[str, str] | None = None,
) -> tuple[Estate, list[Finding]]:
    """The estate model of ``documents`` and the VP002/VP003/VP004 findings met on the way.

    A manifest record completes the imported record (Frigate, NetBox...) of
    the same section and id (see :func:`_find_completions`). Records of
    imported files that still name no site get one first (``import_site``,
    else the estate's only site: see
    :func:`~vmspolicy.loading.imported.settle_imported`); devices without a zone
    are then placed in the zone of their site whose network holds their IP.
    """
    if all(doc.format == "manifest" for doc in documents):
        # Manifests alone: modelled file by file and merged, as a run taking files' models from the cache does.
        return merge_files([(model_file(file), file) for file in _by_file(documents)])
    b = _Builder()
    # Imported here: it completes only imported files, and a run over manifests alone never needs it.
    from vmspolicy.loading.imported import settle_imported

    given_sites = _find_completions(b, documents)
    documents = settle_imported(documents, import_site, given_sites)
    for doc in documents:
        _add_document(b, doc)
    if import_zones:
        _name_imported_purposes(b, documents, import_zones)
    return _finish(b, documents)


def _by_file(documents: Sequence[Document]) -> list[list[Document]]:
    """The documents grouped by the file they were read from (a file's documents are consecutive)."""
    files: list[list[Document]] = []
    for doc in documents:
        if files and files[-1][0].path == doc.path:
            files[-1].append(doc)
        else:
            files.append([doc])
    return files


def model_file(documents: Sequence[Document]) -> FileModel | None:
    """The model of one file's documents on their own, or None when they are not all manifests.

    Another tool's file (Frigate, NetBox...) is completed by manifest records of other
    files and placed in sites they declare: it is modelled only with the whole estate.
    """
    if not all(doc.format == "manifest" for doc in documents):
        return None
    b = _Builder(declarations=[])
    for doc in documents:
        _add_document(b, doc)
    assert b.declarations is not None
    return FileModel(
        sites=tuple(b.sites.values()),
        zones=tuple(b.zones.values()),
        devices=tuple(b.devices.values()),
        firewalls=tuple(b.firewalls),
        waivers=tuple(b.waivers.values()),
        unreadable_firewalls=tuple(b.unreadable_firewalls),
        invalid_ids=frozenset(b.invalid_ids),
        findings=tuple(b.findings),
        declarations=tuple(b.declarations),
        paths=tuple(dict.fromkeys(d.path for d in documents)),
    )


def merge_files(
    files: Sequence[tuple[FileModel | None, Sequence[Document]]], *, import_site: str | None = None,
    import_zones: Mapping[str, str] | None = None,
) -> tuple[Estate, list[Finding]]:
    """The estate of files modelled one by one (:func:`model_file`), merged in file order.

    Gives exactly what modelling all their documents at once gives: the same records
    in the same order, the same findings in the same order. A file without a model
    (another tool's format) makes the whole estate be modelled at once from the documents
    (``import_site`` and ``import_zones`` as :func:`build_estate` takes them).
    """
    if any(model is None for model, _ in files):
        return build_estate([doc for _, documents in files for doc in documents], import_site=import_site, import_zones=import_zones)
    b = _Builder()
    paths: list[str] = []
    for model, documents in files:
        assert model is not None
        if not _merge(b, model):
            # An id declared by an earlier file (or a device name taken there): model this file
            # against the estate so far, as the whole-estate pass does.
            for doc in documents:
                _add_document(b, doc)
        paths.extend(model.paths)
    return _finish(b, [], tuple(dict.fromkeys(paths)))


def _merge(b: _Builder, model: FileModel) -> bool:
    """Add a file's model to the estate so far; False (and nothing added) when it was built on an assumption that fails here."""
    unreadable = {u.id for u in b.unreadable_firewalls}
    if (any(entry_id in b.declared for _, entry_id, _ in model.declarations)
            or any(device.id in b.devices for device in model.devices)
            or any(firewall.id in unreadable for firewall in model.firewalls)):
        return False
    _replay(b, model)
    b.devices.update((device.id, device) for device in model.devices)
    _add_shared(b, model)
    return True


def _replay(b: _Builder, model: FileModel) -> None:
    """A file's findings and id declarations, in the order the whole-estate pass meets them."""
    done = 0
    for before, entry_id, location in model.declarations:
        b.findings.extend(model.findings[done:before])
        done = before
        _declare(b, entry_id, location)  # a duplicate within the file: VP004, as the whole-estate pass reports it
    b.findings.extend(model.findings[done:])


class SharedRecords(Protocol):
    """What a file adds to the estate besides its devices: a file's model, or its summary (``analysis.scope``)."""

    @property
    def sites(self) -> tuple[Site, ...]: ...
    @property
    def zones(self) -> tuple[Zone, ...]: ...
    @property
    def firewalls(self) -> tuple[Firewall, ...]: ...
    @property
    def waivers(self) -> tuple[Waiver, ...]: ...
    @property
    def unreadable_firewalls(self) -> tuple[UnreadableFirewall, ...]: ...
    @property
    def invalid_ids(self) -> frozenset[str]: ...


def _add_shared(b: _Builder, part: SharedRecords) -> None:
    b.sites.update((site.id, site) for site in part.sites)
    b.zones.update((zone.id, zone) for zone in part.zones)
    b.firewalls.extend(part.firewalls)
    b.waivers.update((waiver.id, waiver) for waiver in part.waivers)
    b.unreadable_firewalls.extend(part.unreadable_firewalls)
    b.invalid_ids |= part.invalid_ids


def _finish(b: _Builder, documents: Sequence[Document], paths: tuple[str, ...] | None = None) -> tuple[Estate, list[Finding]]:
    """The estate once every document is modelled: devices placed by address, identities and references checked."""
    _place_by_address(b)
    estate = Estate(
        sites=b.sites,
        zones=b.zones,
        devices=b.devices,
        firewalls=tuple(b.firewalls),
        waivers=b.waivers,
        paths=paths if paths is not None else tuple(dict.fromkeys(d.path for d in documents)),
        unreadable_firewalls=tuple(b.unreadable_firewalls),
    )
    _check_identities(b, estate)
    _check_references(b, estate)
    return estate, b.findings


def imported_zone_ids(zones: Mapping[str, Zone], documents: Sequence[Document]) -> frozenset[str]:
    """The ids of the ``zones`` read from another tool's file (a firewall's interfaces, NetBox prefixes)."""
    imported = {d.path for d in documents if d.format != "manifest"}
    return frozenset(z.id for z in zones.values() if z.origin.path in imported)


def _name_imported_purposes(b: _Builder, documents: Sequence[Document], purposes: Mapping[str, str]) -> None:
    # A firewall's interface names say a zone's purpose only when someone named them so (``cctv``,
    # ``legacy``); the configuration's ``import: {zones: {id: purpose}}`` says it where they do not.
    # Only zones read from other tools' files: a manifest's zone says its own purpose.
    for zone_id in imported_zone_ids(b.zones, documents) & purposes.keys():
        b.zones[zone_id] = replace(b.zones[zone_id], purpose=failclosed.purpose(purposes[zone_id]))


def _place_by_address(b: _Builder) -> None:
    # Imported files rarely name zones; isolation is proved per zone, so a device
    # with an address is placed in the most specific zone of its own site that holds it.
    by_site: dict[str, list[Zone]] = {}
    for zone in b.zones.values():
        by_site.setdefault(zone.site, []).append(zone)
    for device in list(b.devices.values()):
        if device.zone is not None or device.ip is None:
            continue
        best: Zone | None = None
        for zone in by_site.get(device.site, ()):
            if not zone.contains(device.ip):
                continue
            if best is None or _prefix(zone, device.ip) > _prefix(best, device.ip):
                best = zone
        if best is not None:
            b.devices[device.id] = replace(device, zone=best.id)


def _prefix(zone: Zone, address: Any) -> int:
    return max(n.prefixlen for n in zone.cidrs if n.version == address.version and address in n)


def _add_document(b: _Builder, doc: Document) -> None:
    data = doc.data
    version = data.get("vmspolicy")
    checked = _schema_check(b, doc)
    if version != SUPPORTED_VERSION:
        if isinstance(version, str) and version.strip() == str(SUPPORTED_VERSION):
            # A quoted "1" is text, not the version number: say so rather than call it unsupported.
            message = f"vmspolicy: {version!r} is text; write the number {SUPPORTED_VERSION} without quotes: 'vmspolicy: {SUPPORTED_VERSION}'"
        else:
            message = (f"unsupported manifest format version {version!r}: this vmspolicy reads version "
                       f"{SUPPORTED_VERSION} (upgrade vmspolicy, or write 'vmspolicy: {SUPPORTED_VERSION}')")
        b.findings.append(codes.SCHEMA_VIOLATION.finding(doc.at(data.where("vmspolicy")), message))
    # Every record is built, whatever the schema says about it: each field is read with its fail-closed
    # default (vmspolicy.analysis.failclosed), so a misspelt or malformed field never takes a record out of the judgement.
    broken = checked.broken
    subjects: dict[tuple[str, str | int], str] = {}
    for section in SECTIONS:
        for key, entry in _records(data.get(section)):
            if (id(doc), section, key) in b.completing:
                continue  # a manifest record completing an imported one is part of that record
            entry_id = failclosed.identifier(entry.get("id"))
            if entry_id is not None:
                _declare(b, entry_id, doc.at(entry.where("id")))
            if section == "waivers" and (section, key) in broken:
                # A waiver that breaks the schema excuses nothing: it is left out of the model (fail closed).
                if entry_id is not None:
                    b.invalid_ids.add(entry_id)
                continue
            if section == "firewalls" and isinstance(key, int) and (section, key) in broken:
                # Read leniently below (what it allows fails closed), and named by VP206: what it allows is unknown.
                _unreadable_firewall(b, doc, entry, key, checked)
            completion = b.completions.get((id(doc), section, key)) if isinstance(key, int) else None
            origin = Origin(doc.path, entry) if completion is None else _completed(b, doc, entry, *completion)
            built = _BUILDERS[section](b, origin, origin.node, broken.get((section, key), frozenset()))
            if built is not None:
                subjects[(section, key)] = built
    _unjudgeable_devices(b, doc)
    if version == SUPPORTED_VERSION:
        # The record an error is in is its subject: what a baseline follows, and what may not be baselined.
        b.findings.extend(
            codes.SCHEMA_VIOLATION.finding(doc.at(error.pos), error.message, subject=_subject_of(error, subjects))
            for error in checked.errors
        )
        if checked.omitted:
            # Fail closed without a message per error: the count says the file holds more than is listed.
            b.findings.append(codes.SCHEMA_VIOLATION.finding(
                doc.at(checked.omitted_at or data.pos), checked.omitted_message(), evidence=codes.UNLISTED_SCHEMA_ERRORS))


def _unjudgeable_devices(b: _Builder, doc: Document) -> None:
    """VP001 for each item of a device section that is no record (a camera written as text): no rule can judge it.

    Its VP002 says the schema is broken, but VP002 may be disabled or turned down; the equipment
    such an item stands for (``- "Hikvision DS-2CD2143G0-I"``) would then pass unjudged. VP001,
    what cannot be read, is mandatory under every pack.
    """
    for section in _DEVICE_SECTIONS:
        items = doc.data.get(section)
        if isinstance(items, LocatedSeq):
            wrong = [(items.where(index), f"{section}.{index}", item) for index, item in enumerate(items)
                     if item is not None and not isinstance(item, LocatedMap)]
        elif items is not None and not isinstance(items, LocatedMap):
            wrong = [(doc.data.where(section), section, items)]
        else:
            continue
        for pos, name, value in wrong:
            b.findings.append(codes.PARSE_ERROR.finding(
                doc.at(pos),
                f"{name} is {_kind_of(value)} where a record of equipment belongs: vmspolicy cannot judge what it stands for; "
                "write it as a mapping ({id: ..., site: ..., vendor: ..., model: ...})",
            ))


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    return "a list" if isinstance(value, list) else f"the value {value!r}"[:80]


def _records(section: Any) -> list[tuple[str | int, LocatedMap]]:
    """The records of a section: the mappings of its list; a section written as one mapping is one record."""
    if isinstance(section, list):
        return [(index, entry) for index, entry in enumerate(section) if isinstance(entry, LocatedMap)]
    if isinstance(section, LocatedMap):
        return [(0, section)]
    return []


def _subject_of(error: SchemaError, subjects: dict[tuple[str, str | int], str]) -> str | None:
    path = error.path
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
        return subjects.get((path[0], path[1]))
    if len(path) == 1 and isinstance(path[0], str):
        return subjects.get((path[0], 0))  # a section written as one record
    return None


def _unreadable_firewall(b: _Builder, doc: Document, entry: LocatedMap, index: int, checked: SchemaCheck) -> None:
    site = entry.get("site")
    if not isinstance(site, str):
        return  # no site: no site's isolation depends on it
    # A section written as one mapping is one record (index 0) whose errors sit at the section itself.
    first = checked.first_firewall_error(doc.data, index)
    if first is None:
        return
    part = "entry"
    if len(first.path) >= 4 and first.path[2] in ("rules", "nat") and isinstance(first.path[3], int):
        item = _item(entry.get(first.path[2]), first.path[3])
        name = item.get("name") if isinstance(item, LocatedMap) else None
        noun = "rule" if first.path[2] == "rules" else "port forward"
        part = f"{noun} {name!r}" if isinstance(name, str) else f"{noun} #{first.path[3] + 1}"
    elif len(first.path) >= 3:
        part = f"key {first.path[2]!r}"
    entry_id = entry.get("id")
    b.unreadable_firewalls.append(
        UnreadableFirewall(entry_id if isinstance(entry_id, str) else f"firewall #{index + 1}", site, part, doc.at(first.pos))
    )


def _item(items: Any, index: int) -> Any:
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def _schema_check(b: _Builder, doc: Document) -> SchemaCheck:
    """The document's schema check, done once (completions are paired before documents are built)."""
    if id(doc) not in b.schema_checks:
        b.schema_checks[id(doc)] = check_manifest(doc.data)
    return b.schema_checks[id(doc)]


def _find_completions(b: _Builder, documents: list[Document]) -> dict[int, str]:
    """Pair each imported device record with the manifest record of the same section and id, if any.

    Frigate, go2rtc and most other tools' files cannot say when a camera was
    installed, who made it, or which zone it is in; a manifest record with the
    same id (``cameras: [{id: front_door, site: hq, installed: 2019-05-01}]``)
    adds what the imported record lacks, instead of being a duplicate (VP004).
    Returns the site each completing record names, by the identity of the imported record.
    """
    by_id: dict[tuple[str, str], tuple[Document, LocatedMap, int]] = {}
    for doc in documents:
        if doc.format != "manifest" or doc.data.get("vmspolicy") != SUPPORTED_VERSION:
            continue
        # An invalid record completes nothing: it stays a record of its own (VP002, and VP004 beside the
        # imported one), and the imported record is judged on what its own file says.
        invalid = _schema_check(b, doc).invalid
        for section in _DEVICE_SECTIONS:
            if (section, -1) in invalid:
                continue
            for index, entry in iter_items(doc.data.get(section)):
                if isinstance(entry.get("id"), str) and (section, index) not in invalid:
                    by_id.setdefault((section, entry["id"]), (doc, entry, index))
    sites: dict[int, str] = {}
    if not by_id:
        return sites
    for doc in documents:
        if doc.format == "manifest":
            continue
        for section in _DEVICE_SECTIONS:
            for index, entry in iter_items(doc.data.get(section)):
                entry_id = entry.get("id")
                found = by_id.pop((section, entry_id), None) if isinstance(entry_id, str) else None
                if found is not None:  # popped: a second imported record of that id stays a duplicate
                    manifest, record, record_index = found
                    b.completions[(id(doc), section, index)] = (manifest, record)
                    b.completing.add((id(manifest), section, record_index))
                    if isinstance(record.get("site"), str):
                        sites[id(entry)] = record["site"]
    return sites


def _same_mac(one: Any, other: Any) -> bool:
    """One MAC address written in two notations (``00:40:8C:..`` and ``00-40-8c-..``) is no contradiction."""
    canonical = normalise_mac(one) if isinstance(one, str) else None
    return canonical is not None and isinstance(other, str) and canonical == normalise_mac(other)


def _completed(b: _Builder, doc: Document, entry: LocatedMap, manifest: Document, record: LocatedMap) -> Origin:
    """The imported ``entry`` with the fields the manifest ``record`` adds, each located where it is written.

    The manifest may only add: a field both give with different values is a
    contradiction, reported at the manifest's field (VP004), and the imported
    file's value stands.
    """
    merged = LocatedMap(entry.pos)
    for key, value in entry.items():
        merged.put(key, value, entry.where_key(key), entry.where(key))
    added: list[str] = []
    for key, value in record.items():
        if key == "id":
            continue
        if key not in entry:
            merged.put(key, value, record.where_key(key), record.where(key))
            added.append(key)
        elif entry[key] != value and not (key == "mac" and _same_mac(entry[key], value)):
            b.findings.append(
                codes.DUPLICATE_IDENTITY.finding(
                    manifest.at(record.where(key)),
                    f"{entry['id']}: {key} {value!r} contradicts {entry[key]!r} in {doc.path}:{entry.where(key)[0]}; "
                    "a manifest record may only add what the imported file does not say",
                    subject=str(entry["id"]),
                    evidence=f"id:{entry['id']}:{key}",
                )
            )
    return Origin(doc.path, merged, Origin(manifest.path, record), frozenset(added))


def _declare(b: _Builder, entry_id: str, location: Location) -> None:
    if b.declarations is not None:
        # One file alone: whether the id is a duplicate is known only when the files are merged.
        b.declarations.append((len(b.findings), entry_id, location))
        b.declared.setdefault(entry_id, location)
        return
    first = b.declared.get(entry_id)
    if first is not None:
        b.findings.append(
            codes.DUPLICATE_IDENTITY.finding(
                location,
                f"id {entry_id!r} is already declared at {first}; ids are unique across the whole estate",
                subject=entry_id,
                evidence=f"id:{entry_id}",
            )
        )
        return
    b.declared[entry_id] = location


_Paths = frozenset[tuple[str | int, ...]]  # where a record breaks the schema, inside it ("" when it is fine)
_Build = Callable[[_Builder, Origin, LocatedMap, _Paths], "str | None"]


def _record_id(b: _Builder, origin: Origin, section: str) -> str | None:
    """The id the record is modelled under, or None when it is a second site or zone of a declared id.

    A record whose id cannot be read, and a device or firewall that repeats a
    declared id, are still judged, under a name that says where they are
    (``camera@hq.yaml:12:5``, ``cam-1@hq.yaml:14:9``): nothing refers to them.
    """
    entry_id = failclosed.identifier(origin.node.get("id"))
    if entry_id is None:
        return f"{section}@{origin.loc()}"
    if b.declared.get(entry_id) == origin.loc("id"):
        return entry_id
    # A duplicate id was reported by _declare (VP004, which may be baselined). References name the first
    # record; a second camera, recorder or device is judged all the same, or a restricted camera could
    # hide behind a copy of a compliant one's id. So is a second firewall: its allow rules open paths too.
    return f"{entry_id}@{origin.loc('id')}" if section in ("camera", "recorder", "device", "firewall") else None


def _site(b: _Builder, origin: Origin, e: LocatedMap, broken: _Paths) -> str | None:
    site_id = _record_id(b, origin, "site")
    if site_id is not None:
        b.sites[site_id] = Site(
            id=site_id,
            origin=origin,
            name=failclosed.text(e.get("name")),
            sensitive=failclosed.sensitive(e),
            classification=failclosed.text(e.get("classification")),
            policies=failclosed.words(e.get("policies")),
        )
    return site_id


def _zone(b: _Builder, origin: Origin, e: LocatedMap, broken: _Paths) -> str | None:
    raw = e.get("cidr")
    cidrs: list[IPNetwork] = []
    for index, text in enumerate([raw] if not isinstance(raw, list) else raw):
        if raw is None:
            break
        try:
            if not isinstance(text, str):  # ip_network would read a number (or a boolean) as an address
                raise ValueError("a network is written as text, e.g. 10.20.30.0/24")
            cidrs.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            if not broken:  # else the schema has said it already
                b.findings.append(codes.SCHEMA_VIOLATION.finding(origin.loc("cidr", index), f"cidr {text!r}: {exc}"))
    zone_id = _record_id(b, origin, "zone")
    if zone_id is not None:
        b.zones[zone_id] = Zone(
            id=zone_id,
            site=failclosed.required_reference(e, "site"),
            origin=origin,
            purpose=failclosed.purpose(e.get("purpose")),
            vlan=failclosed.vlan(e.get("vlan")),
            cidrs=tuple(cidrs),
        )
    return zone_id


# The keys a device record may have, to tell a misspelt evidence key from a known one.
_DEVICE_KEYS: Final = frozenset({
    "id", "name", "site", "zone", "vendor", "model", "mac", "ip", "firmware", "installed", "status", "services",
    "streams", "serial", "location", "tags", "notes", "software", "type", "onvif",
})


def _device_builder(kind: DeviceKind) -> _Build:
    def build(b: _Builder, origin: Origin, e: LocatedMap, broken: _Paths) -> str | None:
        if broken and origin.completion is None:
            origin = Origin(origin.path, failclosed.with_misspelt_evidence(e, _DEVICE_KEYS))
            e = origin.node
        device_id = _record_id(b, origin, kind)
        if device_id is None:
            return None
        while device_id in b.devices:  # a written id that spells a located name: both records are judged
            device_id += "+"
        mac = failclosed.text(e.get("mac"))
        # An unreadable type is covered by every equipment list of a pack (vmspolicy.analysis.policy.PackFamily).
        device_type = e.get("type") if kind == "device" else kind
        b.devices[device_id] = Device(
            id=device_id,
            kind=kind,
            type=device_type if isinstance(device_type, str) and device_type in (kind, *DEVICE_TYPES) else UNREADABLE,
            site=failclosed.required_reference(e, "site"),
            origin=origin,
            zone=failclosed.reference(e, "zone"),
            vendor=failclosed.text(e.get("vendor")),
            model=failclosed.text(e.get("model")),
            mac=normalise_mac(mac) if mac is not None else None,
            ip=failclosed.address(e.get("ip")),
            firmware=failclosed.text(e.get("firmware")),
            serial=failclosed.text(e.get("serial")),
            installed=failclosed.date(e.get("installed")),
            status=failclosed.status(e.get("status")),
            services=failclosed.services(e.get("services")),
            streams=failclosed.words(e.get("streams")),
            name=failclosed.text(e.get("name")),
            notes=failclosed.text(e.get("notes")),
            onvif=_onvif(e.get("onvif")),
        )
        return device_id

    return build


def _onvif(value: object) -> OnvifInfo | None:
    """The ``onvif:`` block's manufacturer, model and firmware, each read as text whatever the schema says."""
    if not isinstance(value, Mapping):
        return None
    info = OnvifInfo(failclosed.text(value.get("manufacturer")), failclosed.text(value.get("model")),
                     failclosed.text(value.get("firmware_version")))
    return info if info != OnvifInfo() else None


def _firewall(b: _Builder, origin: Origin, e: LocatedMap, broken: _Paths) -> str | None:
    firewall_id = _record_id(b, origin, "firewall")
    if firewall_id is None:
        return None
    rules: list[FirewallRule] = []
    for index, (r, wrong) in enumerate(_entries(e, "rules", broken)):
        if _check_port_order(b, origin.path, r, firewall_id, f"rule {index + 1}"):
            site = failclosed.identifier(e.get("site"))
            if site is not None and not wrong and not any(u.id == firewall_id for u in b.unreadable_firewalls):
                # Named by VP206 like a rule that breaks the schema: what the firewall stops is unknown.
                name = failclosed.text(r.get("name")) or f"#{index + 1}"
                b.unreadable_firewalls.append(UnreadableFirewall(firewall_id, site, f"rule {name!r}", origin.loc("rules", index)))
            wrong = True
        action = failclosed.action(r.get("action"))
        if action == "deny" and wrong:
            continue  # a deny that cannot be read exactly cannot be shown to stop anything: it denies nothing
        rules.append(FirewallRule(
            name=failclosed.text(r.get("name")) or f"rule {index + 1}",
            index=index,
            source=failclosed.required_reference(r, "from"),
            destination=failclosed.required_reference(r, "to"),
            action=action,
            origin=Origin(origin.path, r),
            ports=failclosed.ports(r.get("ports")),
        ))
    nat: list[PortForward] = []
    for index, (n, _) in enumerate(_entries(e, "nat", broken)):
        _check_port_order(b, origin.path, n, firewall_id, f"nat {index + 1}")  # a forward's unreadable ports are all of them
        nat.append(PortForward(
            name=failclosed.text(n.get("name")) or f"nat {index + 1}",
            index=index,
            source=failclosed.reference(n, "from") or INTERNET,
            destination=failclosed.required_reference(n, "to"),
            origin=Origin(origin.path, n),
            ports=failclosed.ports(n.get("ports")),
        ))
    b.firewalls.append(Firewall(
        id=firewall_id,
        site=failclosed.required_reference(e, "site"),
        origin=origin,
        default=failclosed.action(e.get("default")),
        rules=tuple(rules),
        nat=tuple(nat),
    ))
    return firewall_id


def _check_port_order(b: _Builder, path: str, entry: LocatedMap, firewall_id: str, fallback: str) -> bool:
    """Report each ``ports`` range written high to low (``tcp/600-500``): VP002 at it. True when there is one.

    The schema's pattern keeps ports within 1-65535 but cannot compare two
    numbers. Such a range matches no packet, so the rule is read as one that
    breaks the schema: a deny denies nothing, an allow allows the whole protocol.
    """
    ports = entry.get("ports")
    if not isinstance(ports, list):
        return False
    found = False
    for index, item in enumerate(ports):
        if not isinstance(item, str) or "-" not in item:
            continue
        low, _, high = item.partition("/")[2].partition("-")
        if low.isdigit() and high.isdigit() and int(low) > int(high):
            from vmspolicy.core import schema_advice  # only for an error

            name = failclosed.text(entry.get("name")) or fallback
            where = Location(path, *failclosed.item_pos(ports, index, entry.where("ports")))
            advice = schema_advice.port_range(item) or f"{item!r}: a range runs from low to high"
            b.findings.append(codes.SCHEMA_VIOLATION.finding(where, f"{firewall_id} rule {name!r} ports: {advice}", subject=firewall_id))
            found = True
    return found


def _entries(e: LocatedMap, key: str, broken: _Paths) -> list[tuple[LocatedMap, bool]]:
    """A firewall's rules or port forwards, each with whether it breaks the schema.

    An entry that is no mapping, or a list that is no list, cannot be read at
    all: it stands for an entry with nothing readable, which allows everything.
    """
    value = e.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        return [(LocatedMap(e.where(key)), True)]
    out: list[tuple[LocatedMap, bool]] = []
    # The entries the schema finds wrong, looked up once: a firewall may hold thousands of them.
    whole = (key,) in broken
    wrong_items = {path[1] for path in broken if len(path) >= 2 and path[0] == key}
    for index, item in enumerate(value):
        wrong = whole or index in wrong_items
        out.append((item, wrong) if isinstance(item, LocatedMap) else (LocatedMap(failclosed.item_pos(value, index, e.pos)), True))
    return out


def _waiver(b: _Builder, origin: Origin, e: LocatedMap, broken: _Paths) -> str | None:
    waiver_id = _record_id(b, origin, "waiver")
    if waiver_id is None:
        return None
    rules = e.get("rules")
    b.waivers[waiver_id] = Waiver(
        id=waiver_id,
        origin=origin,
        devices=tuple(e.get("devices") or ()),
        reason=e.get("reason"),
        approved_by=e.get("approved_by"),
        ticket=e.get("ticket"),
        approved_on=failclosed.date(e.get("approved_on")),
        expires=failclosed.date(e.get("expires")),
        rules=tuple(rules) if rules is not None else None,
    )
    return waiver_id


_BUILDERS: dict[str, _Build] = {
    "sites": _site,
    "zones": _zone,
    "cameras": _device_builder("camera"),
    "recorders": _device_builder("recorder"),
    "devices": _device_builder("device"),
    "firewalls": _firewall,
    "waivers": _waiver,
}


IDENTITIES: Final = (("mac", "MAC address"), ("ip", "IP address"))
"""The device attributes that are unique across the estate (VP004), with the words a finding uses."""


def _check_identities(b: _Builder, estate: Estate) -> None:
    for attribute, label in IDENTITIES:
        seen: dict[str, Device] = {}
        # A scoped merge models only some files: the first user of each address in the whole estate is given.
        given = b.first_users
        for device in estate.devices.values():
            value = getattr(device, attribute)
            if value is None or not device.active:
                continue
            key = str(value)
            if given is not None:
                first_id, first_at = given(attribute, key)
                if first_id == device.id:
                    continue
            else:
                first = seen.setdefault(key, device)
                if first is device:
                    continue
                first_id, first_at = first.id, first.origin.loc(attribute)
            b.findings.append(
                codes.DUPLICATE_IDENTITY.finding(
                    device.origin.loc(attribute),
                    f"{label} {key} of {device.id} is already used by {first_id} at {first_at}",
                    subject=device.id,
                    evidence=f"{attribute}:{key}",
                )
            )


_SUGGESTIONS_PER_FILE = 500
"""Misses of one file that get a did-you-mean: each compares the id with every id of its kind, so a
brownfield estate with thousands of broken references stays fast (the first ones show the pattern).
Counted per file, not per run, so that a file's findings never depend on how many misses other files hold."""


def _check_references(b: _Builder, estate: Estate) -> None:
    known = b.declared
    suggested: dict[str, int] = {}
    # Devices of files a scoped merge does not model may still be named (a waiver, a firewall rule).
    devices: Mapping[str, object] | set[str] = estate.devices if not b.other_devices else {*estate.devices, *b.other_devices}

    def missing(entry_id: str, what: str, location: Location, subject: str, field_name: str, candidates: Iterable[str]) -> None:
        if entry_id == UNREADABLE or (entry_id in known and entry_id in b.invalid_ids):
            return  # unreadable, or declared but broken: VP002 already says so
        hint = ""
        if suggested.get(location.path, 0) < _SUGGESTIONS_PER_FILE:
            import difflib  # only for a broken reference

            suggested[location.path] = suggested.get(location.path, 0) + 1
            close = difflib.get_close_matches(str(entry_id), list(candidates), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        b.findings.append(
            codes.UNKNOWN_REFERENCE.finding(
                location,
                f"{field_name} {entry_id!r} of {subject}: no {what} with this id in the estate{hint}",
                subject=subject,
                evidence=f"{field_name}:{entry_id}",
            )
        )

    def check(entry_id: str, table: Any, what: str, origin: Origin, subject: str, field_name: str) -> None:
        if entry_id not in table:  # the location only for a miss: every record of the estate is checked
            missing(entry_id, what, origin.loc(field_name), subject, field_name, table)

    for zone in estate.zones.values():
        check(zone.site, estate.sites, "site", zone.origin, zone.id, "site")
    for device in estate.devices.values():
        check(device.site, estate.sites, "site", device.origin, device.id, "site")
        if device.zone is None:
            continue
        device_zone = estate.zones.get(device.zone)
        if device_zone is None:
            missing(device.zone, "zone", device.origin.loc("zone"), device.id, "zone", estate.zones)
        elif device_zone.site not in (device.site, UNREADABLE) and device.site in estate.sites:
            b.findings.append(
                codes.UNKNOWN_REFERENCE.finding(
                    device.origin.loc("zone"),
                    f"zone {device_zone.id!r} of {device.id} belongs to site {device_zone.site!r}, not to {device.site!r}",
                    subject=device.id,
                    evidence=f"zone:{device_zone.id}",
                )
            )
    for firewall in estate.firewalls:
        check(firewall.site, estate.sites, "site", firewall.origin, firewall.id, "site")
        entries: list[FirewallRule | PortForward] = [*firewall.rules, *firewall.nat]
        for rule in entries:
            for key, value in (("from", rule.source), ("to", rule.destination)):
                if not _is_endpoint(value, estate.zones, devices):
                    missing(value, "zone or device", rule.origin.loc(key), firewall.id, f"rule {rule.name!r} {key}",
                            [*estate.zones, *devices, INTERNET, ANY])
    for waiver in estate.waivers.values():
        for index, device_id in enumerate(waiver.devices):
            if device_id not in devices:
                missing(device_id, "device", waiver.origin.loc("devices", index), waiver.id, "device", devices)


def _is_endpoint(value: str, zones: Mapping[str, Zone], devices: Mapping[str, object] | set[str]) -> bool:
    if value in (INTERNET, ANY) or value in zones or value in devices:
        return True
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True
