"""PAN-OS running configurations (XML), and Panorama's pre- and post-rulebases.

Read safely with defusedxml (:func:`vmspolicy.loading.imported.read_xml`);
every zone, rule and NAT entry is located at its ``<entry>`` element's line.

- **Zones**: each ``<zone>`` of a virtual system, as ``<hostname>-<zone>``,
  its networks those of its layer-3 interfaces and subinterfaces (``<ip>``,
  an address literal or object), its VLAN the subinterface's ``<tag>`` when it
  has one, its purpose guessed from the name as for OPNsense. A zone whose
  interface takes its address by DHCP or carries the default route
  (``virtual-router`` static routes), or named ``untrust``, ``outside``,
  ``internet``, ``wan`` or ``external``, is the internet.
- **Security rules** in document order (on Panorama: shared pre-rules, the
  device group's pre-rules, the firewall's own, the device group's
  post-rules, shared post-rules); ``<disabled>yes`` is skipped. ``allow``
  allows, ``deny``, ``drop`` and the ``reset-*`` actions deny. Zones are
  narrowed by addresses (objects, groups, literals, ``any``); ports come
  from the services (objects, groups, ``any``; ``application-default`` is any
  port). Then the default rules: traffic within a zone is allowed (the
  manifest model never filters it), between zones denied unless
  ``interzone-default`` is changed to allow.
- **Destination NAT** from an internet zone (``destination-translation``,
  ``dynamic-destination-translation``) and bi-directional static source NAT
  towards one are ``nat`` entries: the internet reaches the translated address.

What cannot be resolved fails closed, as for OPNsense and FortiGate: in an
allow rule a negation, a dynamic group, an FQDN or an unknown name widens the
rule to its whole zone, an unknown service to every port; a deny rule that
holds one, or that denies only some applications, users, URL categories or
at some times, is left out. The file names no site: the estate gives one.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Sequence

from vmspolicy.core.model import ANY, INTERNET, IPNetwork
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import XmlElement, entry, manifest_document, read_xml, sequence, slug_id, xml_root_tag
from vmspolicy.loading.interface_sides import ALL_V4, ALL_V6, Ports, Side, endpoints, port_span
from vmspolicy.loading.opnsense import zone_purpose

FORMAT: Final = "panos"

_INTERNET_NAMES: Final = re.compile(r"untrust|outside|internet|\bwan\b|external", re.IGNORECASE)
_DENY_ACTIONS: Final = frozenset({"deny", "drop", "reset-client", "reset-server", "reset-both"})
_PREDEFINED: Final[dict[str, list[str] | None]] = {
    "any": None, "application-default": None, "service-http": ["tcp/80", "tcp/8080"], "service-https": ["tcp/443"],
}
_INTERFACE_KINDS: Final = ("ethernet", "aggregate-ethernet", "vlan", "loopback", "tunnel")


def _members(element: XmlElement | None, tag: str) -> list[str]:
    """The ``<member>`` texts of child ``tag`` (``<from><member>trust</member></from>``)."""
    child = element.first(tag) if element is not None else None
    return [m.text.strip() for m in child.all("member")] if child is not None else []


def _entries(element: XmlElement | None, *path: str) -> list[XmlElement]:
    node = element.path(*path) if element is not None else None
    return node.all("entry") if node is not None else []


def _named(element: XmlElement | None, *path: str) -> dict[str, XmlElement]:
    return {e.attrs.get("name", ""): e for e in _entries(element, *path)}


class _Vsys:
    """One virtual system (or Panorama device group): zones, objects and rules in evaluation order."""

    def __init__(self, firewall_id: str, name: str, host: str, objects: list[XmlElement | None],
                 interfaces: dict[str, tuple[list[IPNetwork], int | None, bool, Pos]], zones: list[XmlElement]) -> None:
        self.id, self.name, self.host = firewall_id, name, host
        self.addresses: dict[str, XmlElement] = {}
        self.groups: dict[str, XmlElement] = {}
        self.services: dict[str, XmlElement] = {}
        self.service_groups: dict[str, XmlElement] = {}
        for scope in objects:  # shared first: a device group's or vsys's object of the same name overrides it
            self.addresses.update(_named(scope, "address"))
            self.groups.update(_named(scope, "address-group"))
            self.services.update(_named(scope, "service"))
            self.service_groups.update(_named(scope, "service-group"))
        self.resolved: dict[str, list[IPNetwork] | None] = {}
        self.sides: dict[str, Side] = {}
        self.zones = LocatedSeq((1, 1))
        for zone in zones:
            self._zone(zone, interfaces)
        self.rules = LocatedSeq((1, 1))
        self.nat = LocatedSeq((1, 1))
        self.default = "deny"

    def _zone(self, zone: XmlElement, interfaces: dict[str, tuple[list[IPNetwork], int | None, bool, Pos]]) -> None:
        name = zone.attrs.get("name", "")
        members = _members(zone.path("network"), "layer3")
        found = [interfaces[m] for m in members if m in interfaces]
        if _INTERNET_NAMES.search(name) or any(facing for _, _, facing, _ in found):
            self.sides[name] = Side("internet")
            return
        cidrs = list(dict.fromkeys(c for networks, _, _, _ in found for c in networks))
        if not cidrs:
            self.sides[name] = Side("unknown")  # layer 2, virtual wire, or no address: anything may be behind it
            return
        zone_id = slug_id(self.host, name).lower()
        self.sides[name] = Side("zone", zone_id, tuple(cidrs))
        tags = {tag for _, tag, _, _ in found if tag is not None}
        self.zones.push(
            entry(
                zone.pos,
                ("id", zone_id, zone.pos),
                ("name", name, zone.pos),
                ("vlan", tags.pop() if len(tags) == 1 else None, zone.pos),
                ("cidr", sequence(zone.pos, [(str(c), zone.pos) for c in cidrs]), zone.pos),
                ("purpose", zone_purpose(name), zone.pos),
            ),
            zone.pos,
        )

    # -- objects -----------------------------------------------------------------------------

    def networks(self, names: list[str], negate: bool, depth: int = 0) -> list[IPNetwork] | None:
        """The networks ``names`` match; None when they cannot be resolved."""
        if negate or not names or depth > 8:
            return None
        out: list[IPNetwork] = []
        for name in names:
            if name == "any":
                out += [ALL_V4, ALL_V6]
                continue
            address = self.addresses.get(name)
            group = self.groups.get(name)
            if address is not None:
                found = _literal(address.value("ip-netmask") or address.value("ip-range"))
            elif group is not None:
                if name not in self.resolved:  # once: rules name the same groups over and over
                    self.resolved[name] = self.networks(_members(group, "static"), False, depth + 1) if group.has("static") else None
                found = self.resolved[name]
            else:
                found = _literal(name)
            if found is None:
                return None
            out += found
        return list(dict.fromkeys(out))

    def ports(self, names: list[str], depth: int = 0) -> Ports:
        if not names or depth > 8:
            return Ports(None, False)
        out: list[str] = []
        exact = True
        for name in names:
            service = self.services.get(name)
            group = self.service_groups.get(name)
            if service is not None:
                found = _service(service)
            elif group is not None:
                found = self.ports(_members(group, "members"), depth + 1)
            elif name in _PREDEFINED:
                found = Ports(_PREDEFINED[name], name != "application-default")
            else:
                found = Ports(None, False)
            if found.ports is None:
                return found
            exact = exact and found.exact
            out += found.ports
        return Ports(list(dict.fromkeys(out)), exact)

    def sides_of(self, names: list[str]) -> list[Side]:
        if not names:
            return [Side("unknown")]
        return list(dict.fromkeys(Side("any") if n == "any" else self.sides.get(n, Side("unknown")) for n in names))

    # -- rules -------------------------------------------------------------------------------

    def security_rule(self, rule: XmlElement) -> None:
        if rule.value("disabled") == "yes":
            return
        allow = rule.value("action", "allow") not in _DENY_ACTIONS
        if rule.value("rule-type", "universal") == "intrazone":
            return  # only traffic within a zone, which the model never filters
        conditions = [_members(rule, key) for key in ("application", "source-user", "category")]
        if not allow and (rule.value("schedule") or any(c and c != ["any"] for c in conditions)):
            return  # it denies only some applications, users, categories or times: skipping it can only over-report
        ports = self.ports(_members(rule, "service"))
        if not allow and not ports.exact:
            return
        zones = [s for s in self.sides.values() if s.kind == "zone"]
        sources = self.networks(_members(rule, "source"), rule.value("negate-source") == "yes")
        destinations = self.networks(_members(rule, "destination"), rule.value("negate-destination") == "yes")
        froms = [f for side in self.sides_of(_members(rule, "from")) for f in endpoints(side, sources, allow, zones)]
        tos = [t for side in self.sides_of(_members(rule, "to")) for t in endpoints(side, destinations, allow, zones)]
        name = rule.attrs.get("name", "") or f"{self.id} rule"
        for src in dict.fromkeys(froms):
            for dst in dict.fromkeys(tos):
                if src == dst and src not in (ANY, INTERNET):
                    continue  # within one zone: never filtered
                fields: list[tuple[str, object, Pos]] = [("name", name, rule.pos), ("from", src, rule.pos), ("to", dst, rule.pos)]
                if ports.ports is not None:
                    fields.append(("ports", sequence(rule.pos, [(p, rule.pos) for p in ports.ports]), rule.pos))
                fields.append(("action", "allow" if allow else "deny", rule.pos))
                self.rules.push(entry(rule.pos, *fields), rule.pos)

    def nat_rule(self, rule: XmlElement) -> None:
        if rule.value("disabled") == "yes":
            return
        facing = {s.kind for s in self.sides_of(_members(rule, "from"))} & {"internet", "any", "unknown"}
        towards = {s.kind for s in self.sides_of(_members(rule, "to"))} & {"internet", "any", "unknown"}
        translation = rule.first("destination-translation") or rule.first("dynamic-destination-translation")
        name = rule.attrs.get("name", "") or f"{self.id} NAT"
        if translation is not None and facing:
            written = translation.value("translated-address")
            targets = self.networks([written], False) if written else None
            port = translation.value("translated-port")
            # A NAT rule names one service as text, not as members.
            service = self.ports(_members(rule, "service") or [rule.value("service", "any")])
            if port_span("tcp", port) is not None:
                protocols = sorted({p.split("/")[0] for p in service.ports}) if service.ports else ["tcp", "udp"]
                wanted: list[str] | None = [s for p in protocols if p in ("tcp", "udp", "sctp") for s in [port_span(p, port)] if s] or None
            else:
                wanted = service.ports
            self._forward(rule.pos, name, targets, wanted)
        static = rule.path("source-translation", "static-ip")
        if static is not None and static.value("bi-directional") == "yes" and towards:
            # The inside addresses answer on the translated one from the internet, on every port.
            self._forward(rule.pos, f"{name} (bi-directional)", self.networks(_members(rule, "source"), False), None)

    def _forward(self, pos: Pos, name: str, targets: list[IPNetwork] | None, ports: list[str] | None) -> None:
        # A target that cannot be resolved may be any address behind this firewall: every device there is exposed.
        texts = [ANY] if targets is None or any(t.prefixlen == 0 for t in targets) else list(dict.fromkeys(str(t) for t in targets))
        for target in texts:
            fields: list[tuple[str, object, Pos]] = [("name", name, pos), ("from", INTERNET, pos), ("to", target, pos)]
            if ports is not None:
                fields.append(("ports", sequence(pos, [(p, pos) for p in ports]), pos))
            fields.append(("action", "allow", pos))
            self.nat.push(entry(pos, *fields), pos)

    def firewall(self, pos: Pos) -> LocatedMap:
        return entry(pos, ("id", self.id, pos), ("name", self.name, pos), ("default", self.default, pos),
                     ("rules", self.rules, pos), ("nat", self.nat, pos))


def _literal(text: str) -> list[IPNetwork] | None:
    """An address written in place or in an object: a CIDR, an address, or a range ``a-b``; None otherwise."""
    text = text.strip()
    try:
        if "-" in text:
            low, high = (ipaddress.ip_address(p.strip()) for p in text.split("-", 1))
            return list(ipaddress.summarize_address_range(low, high))
        return [ipaddress.ip_network(text, strict=False)]
    except (ValueError, TypeError):
        return None


def _service(service: XmlElement) -> Ports:
    protocol = service.first("protocol")
    out: list[str] = []
    exact = True
    for kind in ("tcp", "udp", "sctp"):
        element = protocol.first(kind) if protocol is not None else None
        if element is None:
            continue
        if element.value("source-port"):
            exact = False  # a source-port condition: an allow ignores it, a deny cannot be narrowed to it
        for part in element.value("port").split(","):
            span = port_span(kind, part)
            if span is None:
                return Ports(None, False)
            out.append(span)
    return Ports(out, exact) if out else Ports(None, False)


def _interfaces(network: XmlElement | None) -> dict[str, tuple[list[IPNetwork], int | None, bool, Pos]]:
    """Layer-3 interfaces and subinterfaces: their networks, VLAN tag, whether they face the internet, position."""
    found: dict[str, tuple[list[IPNetwork], int | None, bool, Pos]] = {}
    default_routes = {
        route.value("interface") for router in _entries(network, "virtual-router")
        for route in _entries(router, "routing-table", "ip", "static-route")
        if route.value("destination") in ("0.0.0.0/0", "::/0")
    }
    for kind in _INTERFACE_KINDS:
        for interface in _entries(network, "interface", kind):
            layer3 = interface.first("layer3") if kind in ("ethernet", "aggregate-ethernet") else interface
            if layer3 is None:
                continue
            for unit in [interface, *_entries(layer3, "units")]:
                where = layer3 if unit is interface else unit
                name = unit.attrs.get("name", "")
                networks = [n for e in _entries(where, "ip") for n in (_literal(e.attrs.get("name", "")) or [])]
                tag = where.value("tag")
                facing = where.has("dhcp-client") or where.has("pppoe") or name in default_routes
                found[name] = (networks, int(tag) if tag.isdigit() and 1 <= int(tag) <= 4094 else None, facing, unit.pos)
    return found


def read_panos(root: XmlElement) -> tuple[LocatedSeq, list[tuple[LocatedMap, Pos]]] | None:
    """The zones and firewalls of a PAN-OS or Panorama configuration; None when ``root`` is neither."""
    devices = _entries(root, "devices")
    if root.tag != "config" or not devices:
        return None
    shared = root.first("shared")
    zones = LocatedSeq((1, 1))
    firewalls: list[tuple[LocatedMap, Pos]] = []
    for device in devices:
        system = device.path("deviceconfig", "system")
        host = (system.value("hostname") if system is not None else "") or "panos"
        host_id = slug_id(host).lower()
        vsys_list = _entries(device, "vsys")
        groups = _entries(device, "device-group")
        if groups:
            # Panorama: zones come from the templates, rules from the device groups around shared ones.
            template_zones = [z for t in _entries(device, "template") for d in _entries(t, "config", "devices")
                              for v in _entries(d, "vsys") for z in _entries(v, "zone")]
            template_networks: dict[str, tuple[list[IPNetwork], int | None, bool, Pos]] = {}
            for template in _entries(device, "template"):
                for inner in _entries(template, "config", "devices"):
                    template_networks.update(_interfaces(inner.first("network")))
            for group in groups:
                name = group.attrs.get("name", "")
                vsys = _Vsys(slug_id(host_id, name).lower(), f"{host} device group {name}", host_id, [shared, group],
                             template_networks, template_zones)
                for scope, part in ((shared, "pre-rulebase"), (group, "pre-rulebase"), (group, "post-rulebase"), (shared, "post-rulebase")):
                    _read_rulebase(vsys, scope.first(part) if scope is not None else None)
                _collect(vsys, group.pos, zones, firewalls)
            continue
        interfaces = _interfaces(device.first("network"))
        for entry_vsys in vsys_list:
            name = entry_vsys.attrs.get("name", "vsys1")
            firewall_id = host_id if len(vsys_list) == 1 else slug_id(host_id, name).lower()
            vsys = _Vsys(firewall_id, host if len(vsys_list) == 1 else f"{host} {name}", host_id, [shared, entry_vsys],
                         interfaces, _entries(entry_vsys, "zone"))
            _read_rulebase(vsys, entry_vsys.first("rulebase"))
            _collect(vsys, entry_vsys.pos, zones, firewalls)
    return zones, firewalls


def _read_rulebase(vsys: _Vsys, rulebase: XmlElement | None) -> None:
    if rulebase is None:
        return
    for rule in _entries(rulebase, "security", "rules"):
        vsys.security_rule(rule)
    for rule in _entries(rulebase, "nat", "rules"):
        vsys.nat_rule(rule)
    defaults = _named(rulebase.first("default-security-rules") or rulebase.path("security", "default-security-rules"), "rules")
    interzone = defaults.get("interzone-default")
    if interzone is not None and interzone.value("action", "deny") == "allow":
        vsys.default = "allow"


def _collect(vsys: _Vsys, pos: Pos, zones: LocatedSeq, firewalls: list[tuple[LocatedMap, Pos]]) -> None:
    for index, zone in enumerate(vsys.zones):
        zones.push(zone, vsys.zones.where(index))
    firewalls.append((vsys.firewall(pos), pos))


class PanosLoader:
    """PAN-OS and Panorama configurations (``running-config.xml``, exported named configurations)."""

    name = FORMAT
    suffixes: Sequence[str] = (".xml",)

    def resembles(self, source: SourceFile) -> bool:
        return xml_root_tag(source) == "config" and b"<devices" in source.raw

    def load(self, source: SourceFile) -> list[Document] | None:
        if not self.resembles(source):
            return None
        found = read_panos(read_xml(source))
        if found is None:
            return None
        zones, firewalls = found
        return [manifest_document(source, self.name, {"zones": (zones, zones.pos), "firewalls": (sequence((1, 1), firewalls), (1, 1))})]


PANOS_LOADER: Loader = PanosLoader()
