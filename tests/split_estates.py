"""Estates split over files, written so that one site's findings depend on other sites' records.

A pre-commit run with ``estate:`` configured reports only the findings of the files it
is given; a run may judge those files on a scoped model of the estate, as long as what it
reports is what the whole estate's judgement reports (tests/test_scoped_judgement.py). The
estates here are where a scope too narrow would show: 3-6 sites, each in its own file
``site-<name>.yaml``, with ``shared.yaml`` (sorted before them: it holds records of several
sites, so it declares ids first) and ``waivers.yaml``, and on purpose:

- devices naming a zone of another site, or no zone with an address inside another site's
  zone (a zone mate by address, VP201), or an address outside their zone (VP005);
- firewall rules and port forwards naming zones and devices of other sites, ``any``,
  ``internet`` and networks that span sites, ``default: allow``, sites without a firewall,
  a site's firewall written in another site's file, rules that break the schema (VP206);
- the same MAC or IP address in two files (VP004), and in a fifth of the estates the same id
  (a pre-commit run then models the whole estate); near-miss ids (VP003 did-you-mean);
- waivers naming devices of several sites, zones (for VP401), unknown ids; expired,
  expiring, too long for the 24 months of the built-in packs or the 12 of the configuration's
  ``acme-12`` pack, incomplete; a waiver that breaks the schema, which a firewall rule names;
- Hikvision, Dahua and their relabels (Amcrest, Lorex), look-alike spellings, a declared
  vendor that the model contradicts, unidentified vendors, restricted recorders; legacy
  cameras that must be isolated, new installs, planned and decommissioned devices;
- sites naming different packs (``policies:``), an unknown pack, sensitive sites; literal
  passwords in stream URLs and inline suppressions of them.

``generate(seed)`` gives the same files for the same seed. To look at one:

    python -m tests.split_estates SEED FOLDER
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AS_OF = "2026-01-01"
"""The day the estates are judged on: some waivers are expired then, some expire within 90 days."""

_NAMES = ("north", "south", "east", "west", "quay", "depot", "plant", "lab")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]*")
_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"})

# (vendor, model, MAC prefix, stream path, installed): what a camera of each kind declares.
_CAMERAS: dict[str, tuple[str | None, str | None, str, str, str | None]] = {
    "axis": ("Axis", "P3245-V", "b8:a4:4f", "/axis-media/media.amp", "2023-05-01"),
    "bosch": ("Bosch", "FLEXIDOME 5100i", "00:07:5f", "/rtsp_tunnel", "2021-03-01"),
    "hik-legacy": ("Hikvision", "DS-2CD2143G0-I", "44:19:b6", "/Streaming/Channels/101", "2019-03-04"),
    "dahua-legacy": ("Dahua", "IPC-HDW2431T-AS", "3c:ef:8c", "/cam/realmonitor?channel=1&subtype=0", "2020-01-10"),
    "hik-new": ("Hikvision", "DS-2CD2043G2-I", "44:19:b6", "/Streaming/Channels/101", "2024-02-01"),
    "amcrest": ("Amcrest", "IP8M-2496EW-V2", "9c:8e:cd", "/cam/realmonitor?channel=1&subtype=0", "2021-06-01"),
    "lorex": ("Lorex", "LNB4321B", "00:11:22", "/cam/realmonitor?channel=1&subtype=0", "2019-07-01"),
    "lookalike": ("Hikvisi0n", None, "00:11:33", "/live", "2020-02-02"),
    "mismatch": ("Axis", "DS-2CD2T47G2-L", "b8:a4:4f", "/Streaming/Channels/101", "2020-04-04"),
    "unknown": (None, None, "00:11:44", "/live", "2022-01-01"),
    "undated-dahua": ("Dahua", "IPC-HFW2431S-S", "3c:ef:8c", "/cam/realmonitor?channel=1&subtype=0", None),
}
_WEIGHTS = {"axis": 8, "bosch": 3, "hik-legacy": 6, "dahua-legacy": 3, "hik-new": 2, "amcrest": 2, "lorex": 2, "lookalike": 1,
            "mismatch": 1, "unknown": 1, "undated-dahua": 1}
_POLICIES: tuple[tuple[list[str] | None, int], ...] = (
    (None, 9), (["uk-gov-2022"], 2), (["us-ndaa-889"], 2), (["au-gov-2023"], 2), (["acme-12"], 3),
    (["uk-gov-2022", "acme-12"], 1), (["uk-gov-2O22"], 1),
)


@dataclass
class _Record:
    data: dict[str, Any]
    comment: str | None = None  # a line written above the record (an inline suppression)


@dataclass
class SplitEstate:
    """The files of one estate (name -> text, in the estate's order) and its configuration's text."""

    files: dict[str, str]
    config: str
    seed: int
    declares_twice: bool = False  # some id is declared in two files: a pre-commit run models the whole estate

    def write(self, folder: Path) -> list[str]:
        """Write the estate and its ``.vmspolicy.yaml`` into ``folder``; return the estate's file names."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.files.items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / ".vmspolicy.yaml").write_text(self.config, encoding="utf-8")
        return sorted(self.files)


@dataclass
class _Builder:
    rng: random.Random
    more: random.Random  # draws of what was added later (IPv6), so that the estates the main draws make stay as they were
    files: dict[str, dict[str, list[_Record]]] = field(default_factory=dict)
    sites: list[str] = field(default_factory=list)
    zones: dict[str, list[tuple[str, str | None, str]]] = field(default_factory=dict)  # site -> (zone id, cidr, purpose)
    devices: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)  # (id, site, mac, ip)
    restricted: list[str] = field(default_factory=list)  # ids of restricted cameras and recorders
    leaky_zones: list[str] = field(default_factory=list)  # zones written with a literal password (VP401 about a zone)
    bare_members: list[str] = field(default_factory=list)  # addresses of the members of zones without a network
    # Whether ids may be declared twice (VP004): a pre-commit run then models the whole estate, so most estates declare none.
    twice: bool = False
    declared_twice: bool = False  # and whether one was
    macs: int = 0
    v6: dict[str, str] = field(default_factory=dict)  # site -> its legacy zone's IPv6 network prefix, when it has one
    scatter: float = 0.0

    def put(self, own: str, section: str, record: dict[str, Any], comment: str | None = None, *, elsewhere: float = 0.0) -> None:
        """Add ``record`` to its site's file ``own``, or with probability ``elsewhere`` to another file of the estate."""
        target = own
        if self.rng.random() < max(elsewhere, self.scatter):
            target = self.rng.choice([name for name in self.files if name != "waivers.yaml"])
        self.files[target].setdefault(section, []).append(_Record(record, comment))

    def near_miss(self, word: str) -> str:
        """``word`` with one letter dropped or doubled: an id someone mistyped (VP003 with a did-you-mean)."""
        at = self.rng.randrange(1, len(word))
        return word[:at] + word[at + 1:] if self.rng.random() < 0.5 else word[:at] + word[at] + word[at:]

    def other_site(self, site: str) -> str:
        return self.rng.choice([s for s in self.sites if s != site])

    def zone_of(self, site: str, purpose: str) -> tuple[str, str | None, str] | None:
        return next((z for z in self.zones[site] if z[2] == purpose), None)

    def host_in(self, cidr: str | None, number: int) -> str | None:
        if cidr is None:
            return None
        base = cidr.split("/")[0].rsplit(".", 1)[0]
        return f"{base}.{number}"


def generate(seed: int, scatter: float = 0.0) -> SplitEstate:
    """The estate of ``seed``: the same files for the same seed.

    ``scatter``: the least share of records written in another file than their site's, with two
    more files (``more-1.yaml``, ``more-2.yaml``) to write them in when it is not 0.
    """
    rng = random.Random(seed)
    b = _Builder(rng, random.Random(seed + 1_000_003), scatter=scatter)
    b.sites = rng.sample(_NAMES, rng.randint(3, 6))
    b.twice = rng.random() < 0.2
    b.files["shared.yaml"] = {}
    for site in b.sites:
        b.files[f"site-{site}.yaml"] = {}
    if scatter:
        b.files["more-1.yaml"] = {}
        b.files["more-2.yaml"] = {}
    b.files["waivers.yaml"] = {}
    for index, site in enumerate(b.sites, start=1):
        _zones(b, site, index)
    for index, site in enumerate(b.sites, start=1):
        _site(b, site, index)
    for index, site in enumerate(b.sites, start=1):
        _devices(b, site, index)
    for index, site in enumerate(b.sites, start=1):
        _firewalls(b, site, index)
    _waivers(b)
    files = {name: _render(sections, seed) for name, sections in b.files.items() if sections}
    management = [z[0] for zones in b.zones.values() for z in zones if z[2] in ("management", "vms")]
    return SplitEstate(files, _config(rng, sorted(files), management), seed, b.declared_twice)


def _site(b: _Builder, site: str, index: int) -> None:
    rng = b.rng
    record: dict[str, Any] = {"id": site, "name": f"{site.title()} site"}
    if rng.random() < 0.15:
        record["sensitive"] = True
    policies = rng.choices([p for p, _ in _POLICIES], [w for _, w in _POLICIES])[0]
    if policies is not None:
        record["policies"] = policies
    b.put(f"site-{site}.yaml", "sites", record, elsewhere=0.15)
    if b.twice and index > 1 and rng.random() < 0.3:
        # A second record of an earlier site's id: VP004 in this file, and the first record stays the site.
        b.declared_twice = True
        b.put(f"site-{site}.yaml", "sites", {"id": b.sites[0], "sensitive": True})


def _zones(b: _Builder, site: str, index: int) -> None:
    rng = b.rng
    office = f"10.{index}.16.0/20" if rng.random() < 0.15 else f"10.{index}.0.0/23"  # /20 overlaps the camera zones (VP201)
    zones: list[tuple[str, str | None, str]] = [
        (f"{site}-cctv", f"10.{index}.20.0/24", "cameras"),
        (f"{site}-legacy", f"10.{index}.30.0/24", "legacy-cameras"),
        (f"{site}-vms", f"10.{index}.40.0/24", "vms"),
        (f"{site}-office", office, "corporate"),
    ]
    if rng.random() < 0.5:
        zones.append((f"{site}-mgmt", f"10.{index}.50.0/24", "management"))
    if rng.random() < 0.3:
        zones.append((f"{site}-bare", None, rng.choice(["cameras", "legacy-cameras"])))  # no network: known by its members' addresses
    b.zones[site] = zones
    for zone_id, cidr, purpose in zones:
        record: dict[str, Any] = {"id": zone_id, "site": site, "purpose": purpose}
        if cidr is not None:
            record["cidr"] = cidr
            if purpose == "legacy-cameras" and b.more.random() < 0.3:
                b.v6[site] = f"2001:db8:{index}:30::"
                record["cidr"] = [cidr, f"{b.v6[site]}/64"]  # dual stack: flows to the IPv6 network reach the zone too
        if rng.random() < 0.04:
            record["password"] = "hunter22"  # VP401 (and VP002) whose subject is the zone: a waiver may name it
            b.leaky_zones.append(zone_id)
        b.put(f"site-{site}.yaml", "zones", record, elsewhere=0.12)
    if b.twice and index > 1 and rng.random() < 0.3:
        # An earlier site's legacy zone declared again, for this site: the first declaration is the zone.
        first = b.sites[0]
        b.declared_twice = True
        b.put(f"site-{site}.yaml", "zones", {"id": f"{first}-legacy", "site": site, "purpose": "cameras", "cidr": f"10.{index}.60.0/24"})


def _devices(b: _Builder, site: str, index: int) -> None:
    rng = b.rng
    own = f"site-{site}.yaml"
    kinds = list(_WEIGHTS)
    for number in range(1, rng.randint(2, 6) + 1):
        kind = rng.choices(kinds, [_WEIGHTS[k] for k in kinds])[0]
        _camera(b, site, index, number, kind)
    recorder: dict[str, Any] = {"id": f"{site}-nvr-1", "site": site, "zone": f"{site}-vms", "vendor": "Milestone",
                                "model": "XProtect Corporate 2024 R1", "ip": f"10.{index}.40.5"}
    if rng.random() < 0.15:
        recorder.update(vendor="Hikvision", model="DS-7608NI-K2", installed="2019-05-01")
        b.restricted.append(recorder["id"])
    b.put(own, "recorders", recorder, elsewhere=0.1)
    b.devices.append((recorder["id"], site, None, recorder["ip"]))
    workstations: list[dict[str, Any]] = [
        {"id": f"{site}-ws-1", "type": "workstation", "site": site, "zone": f"{site}-office", "ip": f"10.{index}.0.31"},
    ]
    bare = next((z for z in b.zones[site] if z[1] is None), None)
    if bare is not None and rng.random() < 0.6:
        # A member of the zone without a network: its address is the zone's own.
        encoder: dict[str, Any] = {"id": f"{site}-enc-1", "type": "encoder", "site": site, "zone": bare[0], "vendor": "Axis",
                                   "ip": f"10.{index}.70.200"}
        if rng.random() < 0.5:
            encoder.update(vendor="Hikvision", installed="2019-03-04")  # legacy restricted: judged for its isolation (VP201...)
        workstations.append(encoder)
    if rng.random() < 0.2:  # shares the legacy zone with its cameras (VP201)
        workstations.append({"id": f"{site}-ws-2", "type": "workstation", "site": site, "zone": f"{site}-legacy",
                             "ip": f"10.{index}.30.200"})
    if rng.random() < 0.2:
        # No zone, and an address in another site's legacy zone: that zone's mate by address (VP201 there).
        other = b.sites.index(b.other_site(site)) + 1
        workstations.append({"id": f"{site}-ws-3", "type": "workstation", "site": site, "ip": f"10.{other}.30.201"})
    if b.bare_members and rng.random() < 0.25:
        # No zone, and the address of a member of another site's zone without a network: a zone mate there (and VP004).
        workstations.append({"id": f"{site}-ws-5", "type": "workstation", "site": site, "ip": rng.choice(b.bare_members)})
    others = [other for other in b.v6 if other != site]
    if others and b.more.random() < 0.4:
        # No zone, and an IPv6 address in another site's legacy zone: a zone mate there by its IPv6 network.
        address = f"{b.v6[b.more.choice(others)]}{b.sites.index(site) + 101}"
        workstations.append({"id": f"{site}-ws-6", "type": "workstation", "site": site, "ip": address})
    if rng.random() < 0.12:
        # Declares another site's legacy zone: VP003 here, a zone mate there.
        other_site = b.other_site(site)
        other = b.sites.index(other_site) + 1
        workstations.append({"id": f"{site}-ws-4", "type": "workstation", "site": site, "zone": f"{other_site}-legacy",
                             "ip": f"10.{other}.30.202"})
    for record in workstations:
        b.put(own, "devices", record, elsewhere=0.1)
        b.devices.append((record["id"], site, None, record.get("ip")))
        if bare is not None and record.get("zone") == bare[0]:
            b.bare_members.append(record["ip"])


def _camera(b: _Builder, site: str, index: int, number: int, kind: str) -> None:
    rng = b.rng
    vendor, model, oui, path, installed = _CAMERAS[kind]
    restricted = kind not in ("axis", "bosch", "unknown")
    purpose = "legacy-cameras" if restricted and installed is not None and installed < "2022-11-24" and rng.random() < 0.75 else "cameras"
    zone = b.zone_of(site, purpose)
    assert zone is not None
    zone_id: str | None = zone[0]
    ip = b.host_in(zone[1], 10 + number)
    roll = rng.random()
    if roll < 0.08:  # a zone of another site
        other_site = b.other_site(site)
        other_zone = b.zone_of(other_site, purpose)
        assert other_zone is not None
        zone_id, ip = other_zone[0], b.host_in(other_zone[1], 100 + number + index)
    elif roll < 0.14:  # no zone: placed by its address, perhaps in another site's zone
        zone_id = None
        if rng.random() < 0.5:
            other = b.sites.index(b.other_site(site)) + 1
            ip = f"10.{other}.30.{150 + number + index}"
    elif roll < 0.19:
        assert zone_id is not None
        zone_id = b.near_miss(zone_id)
    elif roll < 0.23:
        bare = next((z for z in b.zones[site] if z[1] is None), None)
        if bare is not None:
            zone_id = bare[0]
            ip = f"10.{index}.70.{number}" if rng.random() < 0.7 else None
    elif roll < 0.27:
        ip = f"10.{index}.99.{number}"  # outside its zone (VP005)
    earlier = [d for d in b.devices if d[1] != site]
    if earlier and rng.random() < 0.05:
        ip = rng.choice(earlier)[3] or ip  # an address another site's device has (VP004)
    b.macs += 1
    mac = f"{oui}:{b.macs // 256:02x}:{b.macs % 256:02x}:{index:02x}"
    if earlier and rng.random() < 0.05:
        mac = rng.choice(earlier)[2] or mac  # a MAC another site's device has (VP004)
    camera_id = f"{site}-cam-{number}"
    if b.twice and earlier and rng.random() < 0.15:
        camera_id = rng.choice(earlier)[0]  # an id another file declares (VP004; this one is judged as id@file:line:col)
        b.declared_twice = True
    record: dict[str, Any] = {"id": camera_id, "site": site if rng.random() > 0.03 else b.near_miss(site)}
    if zone_id is not None:
        record["zone"] = zone_id
    if vendor is not None:
        record["vendor"] = vendor
    if model is not None:
        record["model"] = model
    record["mac"] = mac
    if ip is not None:
        record["ip"] = ip
    if installed is not None:
        record["installed"] = installed
    status = rng.choices(["active", "planned", "decommissioned"], [86, 8, 6])[0]
    if status != "active":
        record["status"] = status
    if restricted:
        services = rng.choice([{"p2p_cloud": False, "upnp": False, "ddns": False}, {"p2p_cloud": True, "upnp": False, "ddns": False}, None])
        if services is not None:
            record["services"] = services
    comment = None
    if rng.random() < 0.3:
        where = ip or f"10.{index}.20.250"
        if rng.random() < 0.3:
            record["streams"] = [f"rtsp://admin:hunter22@{where}:554{path}"]  # a literal password (VP401)
            if rng.random() < 0.5:
                until = rng.choice(["2026-06-30", "2025-06-30"])
                comment = f'# vmspolicy: ignore[VP401] reason="lab camera, password rotated weekly" until={until}'
        else:
            record["streams"] = [f"rtsp://${{CAM_USER}}:${{CAM_PASS}}@{where}:554{path}"]
    b.put(f"site-{site}.yaml", "cameras", record, comment, elsewhere=0.1)
    b.devices.append((camera_id, site, mac, ip))
    if ip is not None and zone_id is not None and any(z[0] == zone_id and z[1] is None for z in b.zones[site]):
        b.bare_members.append(ip)
    if restricted:
        b.restricted.append(camera_id)


def _endpoint(b: _Builder, site: str, index: int) -> str:
    rng = b.rng
    other_site = b.other_site(site)
    other = b.sites.index(other_site) + 1
    choices = [
        rng.choice(b.zones[site])[0],
        rng.choice(b.zones[other_site])[0],
        rng.choice([d[0] for d in b.devices]),
        "any", "internet", "10.0.0.0/8", f"10.{other}.0.0/16", f"10.{index}.30.0/25",
        b.near_miss(rng.choice(b.zones[site])[0]),
    ]
    chosen = str(rng.choice(choices))
    if b.v6 and b.more.random() < 0.15:
        return "2001:db8::/32"  # a network spanning every site's IPv6 legacy network
    return chosen


def _firewalls(b: _Builder, site: str, index: int) -> None:
    rng = b.rng
    if rng.random() < 0.15:
        return  # no firewall: the site's legacy cameras cannot be shown isolated (VP206), and flows through it are not filtered
    rules: list[dict[str, Any]] = [
        {"name": "recorder-pulls-legacy", "from": f"{site}-vms", "to": f"{site}-legacy", "ports": ["tcp/554"], "action": "allow"},
        {"name": "legacy-no-egress", "from": f"{site}-legacy", "to": "internet", "action": "deny"},
    ]
    for number in range(rng.randint(0, 4)):
        rule: dict[str, Any] = {"name": f"extra-{number + 1}", "from": _endpoint(b, site, index), "to": _endpoint(b, site, index)}
        ports = rng.choice([None, ["tcp/443"], ["tcp/554", "udp/1000-2000"]])
        if ports is not None:
            rule["ports"] = ports
        rule["action"] = rng.choice(["allow", "allow", "deny"])
        rules.insert(rng.randrange(len(rules) + 1), rule)
    if rng.random() < 0.2:
        rules.append({"name": "broken", "from": "any", "to": f"{site}-legacy", "action": "permit"})  # VP002: what it allows is unknown
    if rng.random() < 0.1:
        rules.append({"name": "backwards", "from": f"{site}-office", "to": f"{site}-cctv", "ports": ["tcp/600-500"], "action": "deny"})
    if rng.random() < 0.1:
        rules.append({"name": "names-a-waiver", "from": f"{site}-office", "to": "W-broken", "action": "allow"})
    firewall: dict[str, Any] = {"id": f"{site}-fw", "site": site, "default": rng.choice(["deny", "deny", "deny", "allow"]), "rules": rules}
    if rng.random() < 0.2:
        firewall["nat"] = [{"name": "camera-web", "from": "internet", "to": rng.choice([d[0] for d in b.devices]), "ports": ["tcp/80"]}]
    b.put(f"site-{site}.yaml", "firewalls", firewall, elsewhere=0.25)
    if rng.random() < 0.1:
        second = {"id": f"{site}-fw-2", "site": site, "default": "deny",
                  "rules": [{"name": "office-to-any", "from": f"{site}-office", "to": "any", "action": "allow"}]}
        b.put("shared.yaml", "firewalls", second)


def _waivers(b: _Builder) -> None:
    rng = b.rng
    devices = b.restricted or [d[0] for d in b.devices]
    for number in range(1, rng.randint(2, 5) + 1):
        named = rng.sample(devices, min(len(devices), rng.randint(1, 3)))
        rules = rng.choice([None, None, ["VP103"], ["VP103", "VP105"], ["VP105"], ["VP401"], ["VP201"]])
        if rng.random() < 0.2:
            # A zone: the waiver excuses VP401 found at the zone, while it holds (its devices' packs bound its length).
            named.append(rng.choice(b.leaky_zones or [rng.choice(b.zones[rng.choice(b.sites)])[0]]))
            rules = ["VP401"]
        if rng.random() < 0.1:
            named.append(b.near_miss(named[0]))
        waiver: dict[str, Any] = {"id": f"W-{number}", "devices": named, "reason": "Replacement scheduled with the refit"}
        if rng.random() > 0.1:
            waiver["approved_by"] = "Head of Security"
        waiver["ticket"] = f"SEC-{100 + number}"
        waiver["approved_on"] = "2025-06-01"
        # 12 months (within every pack), 14 (too long for acme-12), expired, expiring within 90 days, 25 (too long for all).
        waiver["expires"] = rng.choice(["2026-05-31", "2026-08-01", "2025-12-01", "2026-02-15", "2027-07-01"])
        if rules is not None:
            waiver["rules"] = rules
        own = "waivers.yaml" if rng.random() > 0.15 else f"site-{rng.choice(b.sites)}.yaml"
        b.put(own, "waivers", waiver)
    if rng.random() < 0.3:
        # Breaks the schema (an unknown key): left out of the model, its id invalid (a reference to it is no VP003).
        b.put("waivers.yaml", "waivers", {"id": "W-broken", "devices": [devices[0]], "reason": "x", "approver": "Someone",
                                          "expires": "2026-05-31"})


def _config(rng: random.Random, files: list[str], management: list[str]) -> str:
    lines = ["estate:"] + [f"  - {name}" for name in files]
    isolation = "not-required" if rng.random() < 0.3 else "required"
    # VP106 disabled by the configuration: refused (VP306, and VP106 runs everywhere) when a site names acme-12, whose
    # mandatory rules then include it; allowed when no applied pack makes it mandatory.
    vp106 = rng.choice(["runs", "disabled", "disabled-but-mandatory"])
    mandatory = ", VP106" if vp106 == "disabled-but-mandatory" else ""
    lines += [
        "packs:",
        "  - id: acme-12",
        "    title: ACME internal CCTV standard",
        "    families: [Hikvision, Dahua]",
        '    cutoff: "2024-01-01"',
        "    max_waiver_months: 12",
        f"    legacy: {{isolation: {isolation}}}",
        f"    mandatory: [VP001, VP101, VP102, VP103, VP104{mandatory}]",
        "    sources:",
        '      - {title: "ACME security standard SEC-7", url: "https://intranet.example.com/sec-7", date: "2024-01-01"}',
    ]
    if vp106 != "runs":
        lines.append("disable: [VP106]")
    if management and rng.random() < 0.4:
        # The management zones that may reach legacy devices (VP204), perhaps one that is no management zone (VP306).
        lines.append(f"isolation: {{management_zones: [{', '.join(rng.sample(management, min(2, len(management))))}]}}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_scalar(item)}" for key, item in value.items()) + "}"
    text = str(value)
    if _DATE.fullmatch(text) or (_PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS):
        return text
    return json.dumps(text)


def _render(sections: dict[str, list[_Record]], seed: int) -> str:
    lines = [f"# split_estates.generate({seed})", "vmspolicy: 1"]
    for section in ("sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers"):
        records = sections.get(section)
        if not records:
            continue
        lines.append(f"{section}:")
        for record in records:
            if record.comment is not None:
                lines.append(f"  {record.comment}")
            lines.append(f"  - {_scalar(record.data)}")
    return "\n".join(lines) + "\n"


def many_misses(misses: int = 505) -> SplitEstate:
    """An estate whose first file holds ``misses`` broken references, and whose second one a near miss.

    Only the first 500 misses of a file get a did-you-mean (``_SUGGESTIONS_PER_FILE``); were
    they counted over the estate (zones, then devices, then firewalls, then waivers), whether the
    rule of ``site-b.yaml`` that misses ``b-legacy`` gets one would depend on the first file's
    firewall rules, which name zones that do not exist.
    """
    first = ["# many broken references", "vmspolicy: 1", "sites: [{id: a}]", "firewalls:", "  - id: a-fw", "    site: a",
             "    rules:"]
    first += [f"      - {{name: r{n}, from: any, to: nowhere-{n}, action: deny}}" for n in range(misses)]
    second = [
        "vmspolicy: 1",
        "sites: [{id: b}]",
        "zones: [{id: b-legacy, site: b, purpose: legacy-cameras, cidr: 10.2.30.0/24}]",
        "firewalls: [{id: b-fw, site: b, rules: [{name: to-legacy, from: any, to: b-legcy, action: deny}]}]",
    ]
    files = {"site-a.yaml": "\n".join(first) + "\n", "site-b.yaml": "\n".join(second) + "\n"}
    return SplitEstate(files, "estate: [site-a.yaml, site-b.yaml]\n", -1)


_ACME_12 = """packs:
  - id: acme-12
    title: ACME internal CCTV standard
    families: [Hikvision, Dahua]
    cutoff: "2024-01-01"
    max_waiver_months: 12
    sources:
      - {title: "ACME security standard SEC-7", url: "https://intranet.example.com/sec-7", date: "2024-01-01"}
"""


def _small(files: dict[str, str], config: str = "") -> SplitEstate:
    listed = "estate: [" + ", ".join(sorted(files)) + "]\n"
    return SplitEstate({name: f"vmspolicy: 1\n{text}" for name, text in files.items()}, listed + config, -1)


def couplings() -> dict[str, SplitEstate]:
    """Small estates, each tying a finding of ``site-a.yaml`` to a record of another file in one way."""
    legacy_a = ("sites: [{id: a}]\n"
                "zones: [{id: a-legacy, site: a, purpose: legacy-cameras, cidr: 10.1.30.0/24},"
                " {id: a-vms, site: a, purpose: vms, cidr: 10.1.40.0/24}]\n"
                "cameras: [{id: a-cam-1, site: a, zone: a-legacy, vendor: Hikvision, ip: 10.1.30.11, installed: 2019-03-04,"
                " services: {p2p_cloud: false, upnp: false, ddns: false}}]\n")
    return {
        # a-fw names no zone of site b, but its flows to b's zones pass b-fw too, which the messages name.
        "peer-site-firewall": _small({
            "site-a.yaml": legacy_a + "firewalls: [{id: a-fw, site: a, rules: [{name: out, from: a-legacy, to: any, action: allow}]}]\n",
            "site-b.yaml": "sites: [{id: b}]\nzones: [{id: b-office, site: b, purpose: corporate, cidr: 10.2.0.0/24}]\n"
                           "firewalls: [{id: b-fw, site: b, default: allow}]\n",
        }),
        # b-ws and b-cam have no zone and an address in a-legacy: zone mates of a-cam-1 (the camera, legacy Hikvision, may stay).
        "zone-mate-by-address": _small({
            "site-a.yaml": legacy_a + "firewalls: [{id: a-fw, site: a}]\n",
            "site-b.yaml": "sites: [{id: b}]\nzones: [{id: b-office, site: b, purpose: corporate, cidr: 10.2.0.0/24}]\n"
                           "devices: [{id: b-ws, type: workstation, site: b, ip: 10.1.30.200}]\n"
                           "cameras: [{id: b-cam, site: b, vendor: Dahua, ip: 10.1.30.201, installed: 2019-03-04}]\n",
        }),
        # W-1 names a zone of site-a.yaml (its VP401) and a camera of site b, whose pack allows 12 months: 14 are too long.
        "waiver-of-a-zone": _small({
            "site-a.yaml": "sites: [{id: a}]\nzones: [{id: a-office, site: a, purpose: corporate, cidr: 10.1.0.0/24, password: hunter22}]\n",
            "site-b.yaml": "sites: [{id: b, policies: [acme-12]}]\n"
                           "zones: [{id: b-legacy, site: b, purpose: legacy-cameras, cidr: 10.2.30.0/24}]\n"
                           "cameras: [{id: b-cam, site: b, zone: b-legacy, vendor: Hikvision, ip: 10.2.30.11, installed: 2019-03-04}]\n",
            "waivers.yaml": "waivers:\n  - {id: W-1, devices: [a-office, b-cam], reason: lab, approved_by: Head of Security,"
                            " approved_on: 2025-06-01, expires: 2026-08-01, rules: [VP401, VP103]}\n",
        }, _ACME_12),
        # W-broken breaks the schema: a rule naming it is no VP003 (VP002 says what is wrong), wherever the waiver is.
        "rule-naming-a-broken-waiver": _small({
            "site-a.yaml": legacy_a + "firewalls: [{id: a-fw, site: a, rules: [{name: odd, from: a-vms, to: W-broken, action: allow}]}]\n",
            "waivers.yaml": "waivers: [{id: W-broken, devices: [a-cam-1], reason: x, approver: Someone, expires: 2026-05-31}]\n",
        }),
        # The first declaration of an id, a MAC and an address is another file's: site-a.yaml's are the duplicates.
        "first-declarations-elsewhere": _small({
            "shared.yaml": "sites: [{id: c}]\ncameras: [{id: a-cam-1, site: c, vendor: Axis, mac: 'b8:a4:4f:00:00:01', ip: 10.1.30.11}]\n",
            "site-a.yaml": legacy_a + "recorders: [{id: a-nvr, site: a, zone: a-vms, vendor: Milestone, mac: 'b8:a4:4f:00:00:01'}]\n",
        }),
        # Site a's firewall is written in site-b.yaml, with a rule that breaks the schema (VP206 names it).
        "firewall-written-elsewhere": _small({
            "site-a.yaml": legacy_a,
            "site-b.yaml": "sites: [{id: b}]\nfirewalls: [{id: a-fw, site: a, rules: [{name: bad, from: any, to: a-legacy, action: permit}]}]\n",
        }),
        # An id twice in one file (VP004 there, the second camera judged as a-cam-1@site-a.yaml:L:C), and a MAC whose first
        # user in the estate is decommissioned: the first ACTIVE one is named.
        "declared-twice-in-one-file": _small({
            "shared.yaml": "sites: [{id: c}]\ncameras: [{id: c-old, site: c, vendor: Axis, mac: 'b8:a4:4f:00:00:09', status: decommissioned},"
                           " {id: c-cam, site: c, vendor: Axis, mac: 'b8:a4:4f:00:00:09'}]\n",
            "site-a.yaml": "sites: [{id: a}]\nzones: [{id: a-legacy, site: a, purpose: legacy-cameras, cidr: 10.1.30.0/24}]\n"
                           "cameras: [{id: a-cam-1, site: a, zone: a-legacy, vendor: Hikvision, ip: 10.1.30.11, installed: 2019-03-04},"
                           " {id: a-cam-1, site: a, zone: a-legacy, vendor: Dahua, mac: 'b8:a4:4f:00:00:09', installed: 2019-03-04}]\n"
                           "firewalls: [{id: a-fw, site: a}]\n",
        }),
        # b-cam sits in b's zone without a network: its address is one of that zone's, and a-fw's rule to the zone reaches it.
        "member-of-a-zone-without-network": _small({
            "site-a.yaml": legacy_a + "firewalls: [{id: a-fw, site: a, rules: [{name: to-b, from: a-legacy, to: b-bare, action: allow}]}]\n",
            "site-b.yaml": "sites: [{id: b}]\nzones: [{id: b-bare, site: b, purpose: corporate}]\n"
                           "cameras: [{id: b-cam, site: b, zone: b-bare, vendor: Axis, ip: 10.1.30.77}]\n",
        }),
        # Five zone mates in three files, two before site-a.yaml: the finding names the first three in the estate's order.
        "zone-mates-in-file-order": _small({
            "shared.yaml": "sites: [{id: c}]\ndevices: [{id: c-ws-1, type: workstation, site: c, ip: 10.1.30.101},"
                           " {id: c-ws-2, type: server, site: c, zone: a-legacy, ip: 10.1.30.102}]\n",
            "site-a.yaml": legacy_a + "devices: [{id: a-ws, type: workstation, site: a, zone: a-legacy, ip: 10.1.30.103}]\n"
                           "firewalls: [{id: a-fw, site: a}]\n",
            "site-b.yaml": "sites: [{id: b}]\ndevices: [{id: b-ws-1, type: switch, site: b, ip: 10.1.30.104},"
                           " {id: b-ws-2, type: intercom, site: b, zone: a-legacy, ip: 10.1.30.105}]\n",
        }),
        # Two firewalls of site a that cannot be read, one in a file before site-a.yaml: VP206 names the first, counts the other.
        "unreadable-firewalls-in-two-files": _small({
            "shared.yaml": "sites: [{id: c}]\nfirewalls: [{id: a-fw-1, site: a, rules: [{name: one, from: any, to: a-legacy, action: permit}]}]\n",
            "site-a.yaml": legacy_a,
            "site-b.yaml": "sites: [{id: b}]\nfirewalls: [{id: a-fw-2, site: a, default: maybe}]\n",
        }),
        # a-bare has no network: its members' addresses are its own, so c-ws, naming no zone, with a-cam-1's address, is
        # a zone mate of a-cam-1 (VP201), and VP004 in site-c.yaml.
        "same-address-in-a-zone-without-network": _small({
            "site-a.yaml": "sites: [{id: a}]\nzones: [{id: a-bare, site: a, purpose: legacy-cameras}]\n"
                           "cameras: [{id: a-cam-1, site: a, zone: a-bare, vendor: Hikvision, ip: 10.9.0.5, installed: 2019-03-04,"
                           " services: {p2p_cloud: false, upnp: false, ddns: false}}]\n"
                           "firewalls: [{id: a-fw, site: a, default: deny}]\n",
            "site-c.yaml": "sites: [{id: c}]\ndevices: [{id: c-ws, type: workstation, site: c, ip: 10.9.0.5}]\n",
        }),
        # a-cam-2 has no zone; its address lies in b's zone only, so b-fw decides its flows.
        "address-in-another-sites-zone": _small({
            "site-a.yaml": "sites: [{id: a}]\nzones: [{id: a-vms, site: a, purpose: vms, cidr: 10.1.40.0/24}]\n"
                           "cameras: [{id: a-cam-2, site: a, vendor: Dahua, ip: 10.2.30.12, installed: 2019-03-04}]\n"
                           "firewalls: [{id: a-fw, site: a}]\n",
            "site-b.yaml": "sites: [{id: b}]\nzones: [{id: b-legacy, site: b, purpose: legacy-cameras, cidr: 10.2.30.0/24},"
                           " {id: b-office, site: b, purpose: corporate, cidr: 10.2.0.0/24}]\n"
                           "firewalls: [{id: b-fw, site: b, rules: [{name: up, from: b-legacy, to: internet, action: allow}]}]\n",
        }),
    }


def odd_files() -> SplitEstate:
    """A small estate with a file of each odd shape beside its site files.

    One that does not parse, an empty one, one of comments alone, one without ``vmspolicy:``,
    one of format version 2, two documents in one file, a JSON manifest, and IPv6 zones.
    """
    coupled = couplings()["zone-mate-by-address"].files
    files = {
        **coupled,
        "x-broken.yaml": "vmspolicy: 1\nsites: [{id: x}\n",
        "x-empty.yaml": "",
        "x-comments.yaml": "# nothing yet\n",
        "x-unversioned.yaml": "sites: [{id: x}]\n",
        "x-version-2.yaml": "vmspolicy: 2\ndevices: [{id: x-ws-2, type: workstation, site: a, zone: a-legacy, ip: 10.1.30.212}]\n",
        "x-documents.yaml": "vmspolicy: 1\nsites: [{id: x}]\n---\nvmspolicy: 1\n"
                            "devices: [{id: x-ws-3, type: workstation, site: x, ip: 10.1.30.210}]\n",
        "x-manifest.json": '{"vmspolicy": 1, "devices": [{"id": "x-ws-4", "type": "server", "site": "x", "zone": "a-legacy", '
                           '"ip": "10.1.30.211"}]}\n',
        "y-v6.yaml": "vmspolicy: 1\nsites: [{id: y}]\n"
                     "zones: [{id: y-v6, site: y, purpose: corporate, cidr: ['2001:db8:1::/64', 10.8.0.0/24]}]\n"
                     "devices: [{id: y-ws, type: workstation, site: y, ip: '2001:db8:1::5'}]\n"
                     "firewalls: [{id: y-fw, site: y, default: allow}]\n",
    }
    return SplitEstate(files, "estate: [" + ", ".join(sorted(files)) + "]\n", -1)


if __name__ == "__main__":
    estate = generate(int(sys.argv[1]))
    print("\n".join(estate.write(Path(sys.argv[2]))))
