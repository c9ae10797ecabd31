"""VP201-VP206: a legacy restricted device may stay only while it is provably isolated.

Which devices: :func:`vmspolicy.analysis.policy.legacy_restricted`, when a pack that
restricts them requires isolation. What reaches them: the reachability
analysis of :mod:`vmspolicy.analysis.reach` (first-match rules, defaults, port
forwards, per address class). Each finding names the flow and the firewall
rule, port forward or default that allows it, with that rule's file and line.

Findings are located at the device (its ``id``), because the device is what
a reviewer must judge and what a baseline follows; VP205 points at the
offending ``services`` flag. The allowing rule's location is in the message.
None of these rules can be waived: a waiver excuses a legacy device's
presence, never its exposure.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Sequence

from vmspolicy.analysis import policy
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.isolation import (
    CLOUD_SERVICES,
    LEGACY_PURPOSE,
    allowed_peer,
    device_zone,
    has_firewall,
    isolated_devices,
    management_zones,
    overlapping_zone,
    watched_services,
)
from vmspolicy.analysis.reach import Direction, Flow, Reachability, Unresolved, device_flows, reachability
from vmspolicy.core import codes
from vmspolicy.core.findings import Finding
from vmspolicy.core.model import UNREADABLE, Device, IPNetwork, Origin, UnreadableFirewall, Zone
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.core.source import LocatedMap, Location
from vmspolicy.hookspecs import hookimpl


def _allowed_peers(ctx: CheckContext, device: Device) -> str:
    """``vms and management zones`` or ``vms zones and the management zones hq-jump``: what VP204 lets through."""
    purposes = sorted(policy.reachable_from(ctx, device.id))
    named = management_zones(ctx)
    if named is None:
        return f"{' and '.join(purposes) or 'no'} zones"
    named = frozenset(z for z in named if (zone := ctx.estate.zones.get(z)) is None or zone.purpose == "management")
    kept = [p for p in purposes if p != "management"]
    listed = f"the management zones {', '.join(sorted(named))}" if named else "no management zone"
    return f"{' and '.join(kept)} zones and {listed}" if kept else listed


def _where(device: Device) -> Location:
    return device.origin.loc("id")


def _more(flows: Sequence[Flow]) -> str:
    if len(flows) < 2:
        return ""
    others = [f.explain() for f in flows[1:3]]
    rest = len(flows) - 1 - len(others)
    tail = f"; and {rest} more" if rest > 0 else ""
    return f" (also: {'; '.join(others)}{tail})"


class _IsolationRule(Rule):
    waivable: ClassVar[bool] = False
    baselinable: ClassVar[bool] = False

    def subjects(self, ctx: CheckContext) -> Iterable[Device]:
        return isolated_devices(ctx)


class NotSegmented(_IsolationRule):
    """A legacy restricted device that is not alone in a legacy-cameras zone.

    What it checks
        Every legacy restricted device (restricted by a pack that applies to
        its site, installed before the pack's cut-off) sits in a zone with
        ``purpose: legacy-cameras`` (its declared ``zone``, else the zone its
        address lies in), every other active device in that zone is a
        legacy restricted camera too, and no zone of another purpose declares
        a network that overlaps one of the zone's (IPv4 or IPv6).

    Why
        Isolation is proved per zone: traffic inside a zone is never filtered.
        A workstation, recorder or compliant camera sharing the segment can
        talk to the restricted camera freely, whatever the firewall says, and
        one compromised device reaches the other. A corporate zone that
        declares the legacy zone's prefix (or a network around it) puts its
        devices on that segment too.

    Example (fails)
        .. code-block:: yaml

            zones:
              - {id: hq-cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}
            cameras:
              - {id: cam-1, site: hq, zone: hq-cctv, vendor: Hikvision, installed: 2019-03-04}
              - {id: cam-2, site: hq, zone: hq-cctv, vendor: Axis}

    Use instead
        .. code-block:: yaml

            zones:
              - {id: hq-cctv-legacy, site: hq, purpose: legacy-cameras, cidr: 10.20.31.0/24}
            cameras:
              - {id: cam-1, site: hq, zone: hq-cctv-legacy, vendor: Hikvision, installed: 2019-03-04}

    Options
        None. Not waivable.
    """

    code = "VP201"
    slug = "not-segmented"
    summary = "legacy restricted device not alone in a legacy-cameras zone"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        subjects = list(self.subjects(ctx))
        if not subjects:
            return
        # Zone mates that may stay: legacy restricted cameras, whether or not their own packs require isolation.
        legacy_cameras = {d.id for d in policy.legacy_restricted(ctx) if d.kind == "camera"}
        members: dict[str, list[Device]] = {}
        overlaps: dict[str, tuple[Zone, IPNetwork, IPNetwork] | None] = {}
        for other in ctx.estate.devices.values():
            zone = device_zone(ctx, other) if other.active else None
            if zone is not None:
                members.setdefault(zone.id, []).append(other)
        for device in subjects:
            zone = device_zone(ctx, device)
            if zone is None:
                continue  # VP206 says it is in no zone
            if zone.purpose != LEGACY_PURPOSE:
                yield self.finding(
                    _where(device),
                    f"legacy restricted {device.id} sits in zone {zone.id} (purpose {zone.purpose}), not in a "
                    f"{LEGACY_PURPOSE} zone of its own; move it to one that only its recorders can reach",
                    subject=device.id,
                    evidence=f"zone:{zone.id}:{zone.purpose}",
                )
                continue
            if zone.id not in overlaps:
                overlaps[zone.id] = overlapping_zone(ctx, zone)
            overlap = overlaps[zone.id]
            if overlap is not None:
                neighbour, mine, theirs = overlap
                yield self.finding(
                    _where(device),
                    f"legacy restricted {device.id} sits in {LEGACY_PURPOSE} zone {zone.id}, whose network {mine} overlaps "
                    f"{theirs} of zone {neighbour.id} (purpose {neighbour.purpose}, site {neighbour.site}): a device of that "
                    "zone may hold an address on the legacy cameras' segment; give the zones networks that do not overlap",
                    subject=device.id,
                    evidence=f"zone:{zone.id}:overlaps:{neighbour.id}",
                )
                continue
            mates = [m for m in members.get(zone.id, ()) if m.id != device.id and m.id not in legacy_cameras]
            if mates:
                named = ", ".join(f"{m.id} ({m.type})" for m in mates[:3])
                more = f" and {len(mates) - 3} more" if len(mates) > 3 else ""
                yield self.finding(
                    _where(device),
                    f"legacy restricted {device.id} shares {LEGACY_PURPOSE} zone {zone.id} with {named}{more}, which "
                    "are not legacy restricted cameras: traffic inside a zone is never filtered; move them out",
                    subject=device.id,
                    evidence=f"zone:{zone.id}:shared",
                )


class _FlowRule(_IsolationRule):
    direction: ClassVar[Direction] = "out"

    def flows(self, ctx: CheckContext, analysis: Reachability, device: Device) -> list[Flow]:
        return device_flows(analysis, self.direction, device)

    def analysed(self, ctx: CheckContext) -> Iterable[tuple[Device, Reachability]]:
        """Subjects whose site has a firewall and that lie somewhere known (else VP206 speaks)."""
        subjects = [d for d in self.subjects(ctx) if has_firewall(ctx, d)]
        if not subjects:
            return
        analysis = reachability(ctx)
        for device in subjects:
            if analysis.space.atoms_of_device(device) and device_zone(ctx, device) is not None:
                yield device, analysis


class InternetEgress(_FlowRule):
    """A legacy restricted device can open connections to the internet.

    What it checks
        Whether the firewalls of the device's site let the device start a new
        flow to any address outside the estate's zones, on any port: a rule
        whose ``to`` is ``internet``, ``any``, ``0.0.0.0/0`` or a public CIDR,
        or a ``default: allow``, reached first for some of its traffic. The
        finding names the flow and the rule that allows it, with its file and
        line, e.g. ``hq-fw rule 'cams-update' (network/firewall.yaml:23) allows
        cam-1 → internet tcp/443``. Replies to connections the camera accepts
        are not egress (see VP203 for those connections).

    Why
        Restricted cameras phone home (P2P relays, firmware checks, NTP, DNS);
        an outbound path is how footage or a foothold leaves the estate. The
        UK statement of 24 November 2022 keeps this equipment off core
        networks, and the internet is further still.

    Example (fails)
        .. code-block:: yaml

            firewalls:
              - id: hq-fw
                site: hq
                default: deny
                rules:
                  - {name: cams-update, from: hq-cctv-legacy, to: internet, ports: [tcp/443], action: allow}

    Use instead
        .. code-block:: yaml

            rules:
              - {name: legacy-no-egress, from: hq-cctv-legacy, to: any, action: deny}

        and update firmware from a recorder or a management host inside the estate.

    Options
        None. Not waivable.
    """

    code = "VP202"
    slug = "internet-egress"
    summary = "it can reach the internet (names the rule that allows it)"
    direction = "out"
    advice = "a legacy restricted device must not reach the internet; deny it"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        return _internet_findings(self, ctx)


class InternetIngress(_FlowRule):
    """The internet can open connections to a legacy restricted device.

    What it checks
        Whether any address outside the estate's zones can start a new flow
        to the device: a port forward (``nat:``) to the device or its zone, an
        allow rule whose ``from`` is ``internet``, ``any``, ``0.0.0.0/0`` or a
        public CIDR, or a ``default: allow``. The finding names the flow and
        the forward, rule or default that allows it, with its file and line.

    Why
        Restricted cameras and recorders have a long record of remotely
        exploitable flaws (CVE-2021-36260 on Hikvision, CVE-2021-33044 on
        Dahua among them). A camera reachable from the internet is found by
        scanners within hours.

    Example (fails)
        .. code-block:: yaml

            firewalls:
              - id: hq-fw
                site: hq
                default: deny
                nat:
                  - {name: remote-view, to: cam-lobby-01, ports: [tcp/554]}

    Use instead
        Remove the forward; view the camera through the recording system,
        which is reached over the VPN.

    Options
        None. Not waivable.
    """

    code = "VP203"
    slug = "internet-ingress"
    summary = "the internet can reach it (port forward, DMZ, allow rule)"
    direction = "in"
    advice = "the internet must not reach a legacy restricted device; remove the forward or the rule"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        return _internet_findings(self, ctx)


def _internet_findings(rule: InternetEgress | InternetIngress, ctx: CheckContext) -> Iterator[Finding]:
    """One finding per device with a flow to or from the internet in the rule's direction: the first, and a count."""
    for device, analysis in rule.analysed(ctx):
        flows = [f for f in rule.flows(ctx, analysis, device) if f.peer is None]
        if flows:
            first = flows[0]
            yield rule.finding(
                _where(device),
                f"{first.explain()}{_more(flows)}: {rule.advice}",
                subject=device.id,
                evidence=first.evidence,
            )


class CoreNetworkReachable(_FlowRule):
    """A legacy restricted device can reach, or be reached from, zones other than its recorders and management.

    What it checks
        Every new flow the firewalls allow between the device and another
        zone, in either direction, on any site: the other zone must have a
        purpose that every restricting pack lists (``reachable_from``: ``vms``
        and ``management`` in the built-in packs). Flows between two sites
        must pass both sites' firewalls. One finding per direction names the
        first such flow and the rule that allows it.

    Why
        "None connected to departmental core networks" (UK statement, 24
        November 2022): a legacy restricted camera may talk to the system that
        records it and to the hosts that manage it, nothing else. A path to
        the corporate network is a path for an attacker in either direction.

    Example (fails)
        .. code-block:: yaml

            rules:
              - {name: helpdesk, from: hq-corporate, to: hq-cctv-legacy, ports: [tcp/80], action: allow}

    Use instead
        .. code-block:: yaml

            rules:
              - {name: recorder-pulls-streams, from: hq-vms, to: hq-cctv-legacy, ports: [tcp/554], action: allow}

    Options
        None in the rule. The configuration may name the management zones
        that may reach legacy devices::

            isolation:
              management_zones: [hq-mgmt]

        Then only those of the ``purpose: management`` zones count as
        management; otherwise every one does. The setting only narrows: a
        listed zone of another purpose lets nothing in and is VP306. Not waivable.
    """

    code = "VP204"
    slug = "core-network-reachable"
    summary = "it can reach, or be reached from, zones other than recorders / allowed management"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for device, analysis in self.analysed(ctx):
            directions: tuple[Direction, ...] = ("out", "in")
            for direction in directions:
                flows = [
                    f for f in device_flows(analysis, direction, device)
                    if f.peer is not None and not allowed_peer(ctx, device, f.peer)
                ]
                if not flows:
                    continue
                first = flows[0]
                yield self.finding(
                    _where(device),
                    f"{first.explain()}{_more(flows)}: only {_allowed_peers(ctx, device)} may "
                    f"{'be reached by' if direction == 'out' else 'reach'} a legacy restricted device; deny it",
                    subject=device.id,
                    evidence=first.evidence,
                )


class CloudServicesEnabled(_IsolationRule):
    """P2P cloud, UPnP or a similar service is enabled, or not declared off, on a legacy restricted device.

    What it checks
        The device's ``services:`` flags named in the option ``services``
        (``p2p_cloud``, ``upnp`` and ``ddns`` by default): each must be
        ``false``. One set to ``true``, or to anything that is not a boolean, is
        a finding at that flag; the flags not written at all (or ``services:``
        missing or unreadable) are one finding at ``services:``, else at the
        device's ``id``.

    Why
        Vendor P2P clouds (Hik-Connect, EZVIZ, Easy4IP/DMSS) open an outbound
        tunnel that a firewall rule allowing "just NTP" or "just updates" lets
        through, and UPnP asks the router to open inbound ports by itself: both
        defeat isolation that the firewall rules seem to prove. These services
        are on by default on many such cameras, so unknown is not off: a
        service that is not declared off cannot be shown off, just as a site
        without a firewall cannot be shown isolated (VP206).

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-lobby-01
                vendor: Hikvision
                installed: 2019-03-04
                services: {p2p_cloud: true}   # and upnp, ddns not declared

    Use instead
        .. code-block:: yaml

                services: {p2p_cloud: false, upnp: false, ddns: false}

        ``vmspolicy fix`` writes them so (turn them off on the device too).

    Options
        ``services`` (list of service names, default ``[p2p_cloud, upnp, ddns]``):
        the flags that must be declared off. Not waivable.
    """

    code = codes.CLOUD_SERVICES_ENABLED.code
    slug = codes.CLOUD_SERVICES_ENABLED.slug
    summary = "P2P cloud, UPnP or similar enabled, or not declared off, on it"
    options: ClassVar[Mapping[str, Any]] = MappingProxyType({"services": CLOUD_SERVICES})
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"services": Looser.FEWER})  # fewer services must be off

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        watched = watched_services(ctx)
        for device in self.subjects(ctx):
            written = device.origin.holder("services")  # a manifest record may complete an imported one
            node = written.node.get("services")
            undeclared: list[str] = []
            for service in watched:
                state = device.services.get(service)
                if state is False:
                    continue
                if isinstance(node, LocatedMap) and service in node:
                    value = "enabled" if state is True else f"set to {node[service]!r}, which is not false,"
                    yield self.finding(
                        Location(written.path, *node.where(service)),
                        f"{service} is {value} on legacy restricted {device.id}: it opens a path that the firewall rules "
                        f"do not show; set {service}: false (`vmspolicy fix` does) and turn it off on the device",
                        subject=device.id,
                        evidence=f"service:{service}",
                    )
                else:
                    undeclared.append(service)
            if undeclared:
                yield self._undeclared(device, written, node, undeclared)

    def _undeclared(self, device: Device, written: Origin, node: Any, services: list[str]) -> Finding:
        names = f"{', '.join(services[:-1])} and {services[-1]}" if len(services) > 1 else services[0]
        why = f"{names} {'are' if len(services) > 1 else 'is'} not declared off"
        if node is None:
            where = _where(device)
        else:
            where = Location(written.path, *written.node.where("services"))
            if not isinstance(node, LocatedMap):
                why = f"services cannot be read (VP002), so {why}"
        declared = ", ".join(f"{s}: false" for s in services)
        return self.finding(
            where,
            f"{why} on legacy restricted {device.id}: unknown is not off, and such a service opens a path that the "
            f"firewall rules do not show; declare each off (services: {{{declared}}}) or run `vmspolicy fix`",
            subject=device.id,
            evidence=f"services-not-declared:{','.join(services)}",
        )


class IsolationUnverifiable(_IsolationRule):
    """The isolation of a legacy restricted device cannot be shown.

    What it checks
        For every legacy restricted device: its site has at least one
        firewall (``firewalls:`` with ``site:``); the device lies in a zone
        (a declared ``zone``, or an address inside a zone's ``cidr``); and
        every ``from``/``to`` of its site's firewall rules and port forwards
        names a zone, a device, a CIDR, ``internet`` or ``any``. A site, zone
        or rule ``from``/``to`` that cannot be read at all (a list, a mapping:
        VP002) is no better than one that names nothing.

    Why
        Fail closed. Without a firewall the site's zones are not separated at
        all as far as anyone can show; a device in no zone cannot be placed
        behind any rule; a rule naming something unknown (a typo, a zone in a
        file left out of the run) may allow more than it seems. The analysis
        assumes the worst for such a rule (an allow matches everything, a deny
        nothing), and this finding says why.

    Example (fails)
        .. code-block:: yaml

            sites: [{id: depot}]
            zones: [{id: depot-cctv, site: depot, purpose: legacy-cameras, cidr: 10.9.0.0/24}]
            cameras:
              - {id: cam-9, site: depot, zone: depot-cctv, vendor: Dahua, installed: 2018-05-01}
            # no firewall for site depot

    Use instead
        .. code-block:: yaml

            firewalls:
              - id: depot-fw
                site: depot
                default: deny
                rules:
                  - {name: recorder-pulls, from: depot-vms, to: depot-cctv, ports: [tcp/554], action: allow}

    Options
        None. Not waivable.
    """

    code = codes.ISOLATION_UNVERIFIABLE.code
    slug = codes.ISOLATION_UNVERIFIABLE.slug
    summary = "no firewall policy covers its zone: cannot be shown isolated"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        subjects = list(self.subjects(ctx))
        if not subjects:
            return
        analysis = reachability(ctx)
        unresolved: dict[str, list[Unresolved]] = {}
        for item in analysis.unresolved:
            unresolved.setdefault(item.site, []).append(item)
        unreadable: dict[str, list[UnreadableFirewall]] = {}
        for firewall in ctx.estate.unreadable_firewalls:
            unreadable.setdefault(firewall.site, []).append(firewall)
        for device in subjects:
            if UNREADABLE in (device.site, device.zone):
                which = "site" if device.site == UNREADABLE else "zone"
                yield self.finding(
                    _where(device),
                    f"the {which} of legacy restricted {device.id} cannot be read (see VP002 at its {which}:), so no "
                    f"firewall rule can be shown to isolate it; write the id of its {which}",
                    subject=device.id,
                    evidence=f"{which}:unreadable",
                )
                continue
            if device.site in unreadable:
                # Fail closed, and say why: the firewall exists, but what it allows is unknown.
                bad = unreadable[device.site]
                more = f" (and {len(bad) - 1} more firewall(s))" if len(bad) > 1 else ""
                yield self.finding(
                    _where(device),
                    f"{bad[0].id}'s {bad[0].part} ({bad[0].location.path}:{bad[0].location.line}) cannot be read (VP002){more}, "
                    f"so nothing shows that legacy restricted {device.id} is isolated; fix that {bad[0].part.split()[0]}",
                    subject=device.id,
                    evidence=f"unreadable:{bad[0].id}:{bad[0].part}",
                )
                continue
            if not has_firewall(ctx, device):
                yield self.finding(
                    _where(device),
                    f"no firewall holds the policy of site {device.site!r}, so nothing shows that legacy restricted "
                    f"{device.id} is isolated; declare the site's firewall (firewalls: with site: {device.site})",
                    subject=device.id,
                    evidence=f"site:{device.site}:no-firewall",
                )
                continue
            if device_zone(ctx, device) is None or not analysis.space.atoms_of_device(device):
                yield self.finding(
                    _where(device),
                    f"legacy restricted {device.id} is in no zone (no zone: and no address inside a zone's cidr), "
                    "so no firewall rule can be shown to isolate it; give it a legacy-cameras zone",
                    subject=device.id,
                    evidence="zone:none",
                )
                continue
            broken = unresolved.get(device.site)
            if broken:
                first = broken[0]
                more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
                named = (
                    f"has a {first.field}: that cannot be read (see VP002), so it is taken to match everything"
                    if first.value == UNREADABLE
                    else f"names {first.value!r} in {first.field}:, which is no zone, device or network"
                )
                yield self.finding(
                    _where(device),
                    f"{first.firewall} rule '{first.rule}' ({first.location.path}:{first.location.line}) {named}{more}; "
                    f"the isolation of legacy restricted {device.id} cannot be shown until it is fixed",
                    subject=device.id,
                    evidence=f"unresolved:{first.firewall}:{first.rule}:{first.field}",
                )


RULES: Sequence[type[Rule]] = (
    NotSegmented,
    InternetEgress,
    InternetIngress,
    CoreNetworkReachable,
    CloudServicesEnabled,
    IsolationUnverifiable,
)
# The codes of the isolation rules, for what summarises them (the compliance report's isolation column):
# derived from RULES, so a new isolation rule is counted there without anyone remembering to.
CODES: frozenset[str] = codes.ISOLATION


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
