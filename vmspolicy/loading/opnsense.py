"""OPNsense and pfSense ``config.xml``: interfaces become zones, filter rules, port forwards and 1:1 NAT a firewall.

Read safely with defusedxml (no entity expansion, no external entities); every
zone, rule, port forward and 1:1 NAT is located at its element's line.

- **Zones**: every interface with a static IPv4/IPv6 address and prefix
  (``<ipaddr>``/``<subnet>``) except the WAN, as ``<hostname>-<name>`` where
  the name is the interface's description (else its key, ``lan``, ``opt1``);
  the 802.1Q tag comes from ``<vlans>``; the purpose is guessed from the name
  (``cctv``/``camera`` → cameras, ``legacy`` → legacy-cameras, ``vms``/``nvr``
  → vms, ``mgmt`` → management, ``guest``, ``dmz``, ``lan`` → corporate).
  The WAN (the ``wan`` interface or one with a gateway) is the internet.
- **Rules**: OPNsense's ``<OPNsense><Firewall><Filter><rules>`` (by
  ``sequence``) first, then the ``<filter>`` rules of both products (floating
  first, then in file order), since that is the order the products evaluate
  them in. ``pass`` → allow, ``block``/``reject`` → deny; disabled rules are
  skipped. ``source``/``destination``: ``any``, an interface network
  (``lan``), an address, a CIDR or an alias (resolved from the aliases of
  either product). A source of ``any`` on an inbound interface rule means that
  interface's zone. Ports come from the protocol and destination port (a
  range or a port alias).
- **Port forwards** (``<nat><rule>``) → ``nat`` entries from the internet to
  the target address and local port; a target that cannot be resolved (an
  alias this file does not define) becomes ``any``.
- **1:1 NAT** (``<nat><onetoone>``, and OPNsense's ``<Filter><onetoone><rule>``)
  on the WAN (or an interface not declared, which may face it) → a ``nat``
  entry from the internet to the inside side (``<source>``: an address, a
  CIDR, an interface network or an alias; ``source_net`` in OPNsense) on every
  port, named ``1:1 NAT <external>``. Disabled, ``nobinat`` and inside-only
  mappings are skipped; an inside side that cannot be resolved (unknown
  alias, negated) becomes ``any``, so every device behind it is exposed.

What cannot be expressed is resolved so that isolation is never overstated:
in an allow rule, a negated or unresolvable address counts as ``any``; a deny
rule with one is skipped. Rules whose destination is the firewall itself
(``lanip``, ``(self)``) are skipped: they do not connect two zones. Neither
file names a site: the estate gives one (see :mod:`vmspolicy.loading.imported`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Sequence

from vmspolicy.core.model import ANY, INTERNET
from vmspolicy.core.records import record
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import XmlElement, entry, manifest_document, read_xml, sequence, slug_id, xml_root_tag

ROOTS: Final = ("opnsense", "pfsense")

_PURPOSES: Final = (
    ("legacy", "legacy-cameras"),
    ("cctv", "cameras"), ("camera", "cameras"), ("cam", "cameras"), ("video", "cameras"), ("surveil", "cameras"),
    ("vms", "vms"), ("nvr", "vms"), ("record", "vms"),
    ("mgmt", "management"), ("manage", "management"), ("admin", "management"),
    ("guest", "guest"), ("dmz", "dmz"),
    ("lan", "corporate"), ("office", "corporate"), ("corp", "corporate"), ("staff", "corporate"),
)
_SELF: Final = frozenset({"(self)", "self", "this firewall"})


def zone_purpose(name: str) -> str:
    """The zone purpose a network's name suggests (``CCTV_LEGACY`` → legacy-cameras); ``other`` otherwise."""
    lowered = name.lower()
    return next((purpose for word, purpose in _PURPOSES if word in lowered), "other")


@record(frozen=True, slots=True)
class _Interface:
    key: str
    zone: str | None  # None: the WAN, i.e. the internet


class _Firewall:
    """One config.xml being turned into zones, rules and port forwards."""

    def __init__(self, root: XmlElement) -> None:
        self.root = root
        host = root.path("system", "hostname")
        self.hostname = (host.text.strip() if host is not None else "") or root.tag
        self.id = slug_id(self.hostname).lower()
        self.interfaces: dict[str, _Interface] = {}
        self.zones = LocatedSeq((1, 1))
        self.rules = LocatedSeq((1, 1))
        self.nat = LocatedSeq((1, 1))
        self.aliases: dict[str, list[str]] = {}

    def read(self) -> None:
        self._aliases()
        self._interfaces()
        filter_rules = self.root.path("OPNsense", "Firewall", "Filter", "rules")
        if filter_rules is not None:
            ordered = sorted(filter_rules.all("rule"), key=lambda r: _int(r.value("sequence"), 1_000_000))
            for rule in ordered:
                self._mvc_rule(rule)
        legacy = self.root.first("filter")
        if legacy is not None:
            rules = legacy.all("rule")
            for rule in [r for r in rules if r.value("floating") == "yes"] + [r for r in rules if r.value("floating") != "yes"]:
                self._legacy_rule(rule)
        nat = self.root.first("nat")
        if nat is not None:
            for rule in nat.all("rule"):
                self._port_forward(rule)
            for mapping in nat.all("onetoone"):
                self._legacy_one_to_one(mapping)
        one_to_one = self.root.path("OPNsense", "Firewall", "Filter", "onetoone")
        if one_to_one is not None:
            for mapping in sorted(one_to_one.all("rule"), key=lambda r: _int(r.value("sequence"), 1_000_000)):
                self._mvc_one_to_one(mapping)

    # -- aliases and interfaces -------------------------------------------------------------

    def _aliases(self) -> None:
        opnsense_aliases = self.root.path("OPNsense", "Firewall", "Alias", "aliases")
        for alias in [*_children(self.root.path("aliases"), "alias"), *_children(opnsense_aliases, "alias")]:
            if alias.value("enabled", "1") == "0":
                continue
            name = alias.value("name")
            content = alias.value("address") or alias.value("content")
            if name:
                self.aliases[name] = [part for part in re.split(r"[\s,]+", content) if part]

    def _interfaces(self) -> None:
        vlan_tags = {v.value("vlanif"): v.value("tag") for v in _children(self.root.path("vlans"), "vlan")}
        section = self.root.first("interfaces")
        for iface in section.children if section is not None else []:
            key = iface.tag
            external = key == "wan" or bool(iface.value("gateway"))
            if external:
                self.interfaces[key] = _Interface(key, None)
                continue
            cidrs = [c for c in (_cidr(iface.value("ipaddr"), iface.value("subnet")), _cidr(iface.value("ipaddrv6"), iface.value("subnetv6"))) if c]
            name = iface.value("descr") or key
            zone_id = slug_id(self.id, re.sub(r"[\s_]+", "-", name.lower()))
            self.interfaces[key] = _Interface(key, zone_id)
            if not cidrs:
                continue  # DHCP or unconfigured: nothing to place devices by
            tag = vlan_tags.get(iface.value("if"), "")
            cidr_field = sequence(iface.pos, [(c, iface.pos) for c in cidrs])
            self.zones.push(
                entry(
                    iface.pos,
                    ("id", zone_id, iface.pos),
                    ("name", name, iface.pos),
                    ("vlan", int(tag) if tag.isdigit() and 1 <= int(tag) <= 4094 else None, iface.pos),
                    ("cidr", cidr_field, iface.pos),
                    ("purpose", zone_purpose(name), iface.pos),
                ),
                iface.pos,
            )

    # -- rules -----------------------------------------------------------------------------

    def _mvc_rule(self, rule: XmlElement) -> None:
        if rule.value("enabled", "1") == "0":
            return
        self._add_rule(
            rule,
            action=rule.value("action", "pass"),
            interfaces=rule.value("interface"),
            direction=rule.value("direction", "in"),
            protocol=rule.value("protocol", "any"),
            source=(rule.value("source_net", "any"), rule.value("source_not") == "1"),
            destination=(rule.value("destination_net", "any"), rule.value("destination_not") == "1"),
            port=rule.value("destination_port"),
            name=rule.value("description"),
        )

    def _legacy_rule(self, rule: XmlElement) -> None:
        if rule.has("disabled") and rule.value("disabled") not in ("0", "no"):
            return
        self._add_rule(
            rule,
            action=rule.value("type", "pass"),
            interfaces=rule.value("interface"),
            direction=rule.value("direction", "in"),
            protocol=rule.value("protocol", "any"),
            source=_legacy_endpoint(rule.first("source")),
            destination=_legacy_endpoint(rule.first("destination")),
            port=(rule.first("destination") or rule).value("port"),
            name=rule.value("descr"),
        )

    def _add_rule(self, rule: XmlElement, *, action: str, interfaces: str, direction: str, protocol: str,
                  source: tuple[str, bool], destination: tuple[str, bool], port: str, name: str) -> None:
        allow = action.lower() == "pass"
        ifaces = [i for i in interfaces.split(",") if i] or [""]
        ports = self._ports(protocol, port)
        if ports == "skip" or (ports is None and not allow and protocol.lower() not in ("", "any")):
            return  # a deny of a protocol the model cannot express: skipping it never hides reachability
        for iface in ifaces:
            sources = self._endpoints(source, iface, allow, as_source=direction != "out")
            destinations = self._endpoints(destination, iface, allow, as_source=False)
            for src in sources:
                for dst in destinations:
                    fields: list[tuple[str, object, Pos]] = [
                        ("name", name or f"{self.id} {iface or 'floating'} rule", rule.pos),
                        ("from", src, rule.pos),
                        ("to", dst, rule.pos),
                    ]
                    if isinstance(ports, list):
                        fields.append(("ports", sequence(rule.pos, [(p, rule.pos) for p in ports]), rule.pos))
                    fields.append(("action", "allow" if allow else "deny", rule.pos))
                    self.rules.push(entry(rule.pos, *fields), rule.pos)

    def _endpoints(self, written: tuple[str, bool], iface: str, allow: bool, *, as_source: bool) -> list[str]:
        value, negated = written
        interface = self.interfaces.get(iface)
        resolved = None if negated else self._resolve(value)
        if resolved == ["self"]:
            return []  # traffic to or from the firewall itself joins no two zones
        if resolved == [ANY] and as_source and interface is not None:
            # pf filters inbound on the interface: "any" can only be what arrives there.
            return [interface.zone or INTERNET]
        if resolved is None:
            # Not expressible: over-estimate reachability on allow, drop the rule on deny.
            return [ANY] if allow else []
        return resolved

    def _resolve(self, value: str, depth: int = 0) -> list[str] | None:
        value = value.strip()
        if value in ("", "any", "*"):
            return [ANY]
        if value in _SELF or (value.endswith("ip") and value[:-2] in self.interfaces):
            return ["self"]
        if value in self.interfaces:
            zone = self.interfaces[value].zone
            return [zone or INTERNET]
        address = _cidr_text(value)
        if address is not None:
            return [address]
        if value in self.aliases and depth < 5:
            out: list[str] = []
            for part in self.aliases[value]:
                resolved = self._resolve(part, depth + 1)
                if resolved is None or resolved == ["self"]:
                    return None
                out.extend(resolved)
            return out or None
        return None

    def _ports(self, protocol: str, port: str) -> list[str] | str | None:
        proto = protocol.lower()
        if proto in ("", "any"):
            return None
        if proto in ("icmp", "ipv6-icmp", "icmp6"):
            return ["icmp"]
        protocols = [p for p in re.split(r"[/,]", proto) if p in ("tcp", "udp", "sctp")]
        if not protocols:
            return None
        ranges = self._port_ranges(port)
        if ranges is None:
            return "skip"
        return [f"{p}/{r}" if r else p for p in protocols for r in ranges]

    def _port_ranges(self, port: str, depth: int = 0) -> list[str] | None:
        port = port.strip()
        if not port or port == "any":
            return [""]
        match = re.fullmatch(r"(\d{1,5})(?:[-:](\d{1,5}))?", port)
        if match:
            low, high = match.group(1), match.group(2)
            return [f"{low}-{high}" if high and high != low else low]
        if port in self.aliases and depth < 5:
            out: list[str] = []
            for part in self.aliases[port]:
                more = self._port_ranges(part, depth + 1)
                if more is None:
                    return None
                out.extend(more)
            return out
        return None

    def _port_forward(self, rule: XmlElement) -> None:
        if rule.has("disabled") and rule.value("disabled") not in ("0", "no"):
            return
        target = self._resolve(rule.value("target"))
        if target in (["self"], [ANY]):
            return  # to the firewall itself, or no target at all: nothing behind it is exposed
        if target is None:
            # An alias or name this file cannot resolve: fail closed, as for 1:1 NAT. The forward may
            # reach any address behind this firewall, so every legacy device there is reported.
            target = [ANY]
        ports = self._ports(rule.value("protocol", "any"), rule.value("local-port") or (rule.first("destination") or rule).value("port"))
        for to in target:
            fields: list[tuple[str, object, Pos]] = [
                ("name", rule.value("descr") or f"{self.id} port forward", rule.pos),
                ("from", INTERNET, rule.pos),
                ("to", to, rule.pos),
            ]
            if isinstance(ports, list):
                fields.append(("ports", sequence(rule.pos, [(p, rule.pos) for p in ports]), rule.pos))
            fields.append(("action", "allow", rule.pos))
            self.nat.push(entry(rule.pos, *fields), rule.pos)

    # -- 1:1 NAT ---------------------------------------------------------------------------

    def _legacy_one_to_one(self, mapping: XmlElement) -> None:
        """``<nat><onetoone>`` of pfSense and of OPNsense before its MVC migration."""
        if mapping.has("disabled"):
            flag = mapping.value("disabled")
            # pfSense tests presence (an empty <disabled/> is disabled); OPNsense's migration to
            # <Filter><onetoone> keeps an empty one enabled: count it as the firewall will run it.
            if flag not in ("0", "no") and (flag or self.root.tag == "pfsense"):
                return
        if mapping.has("nobinat"):
            return  # pfSense "exclude": leaves these addresses untranslated, exposes nothing
        source = mapping.first("source")
        if source is not None:
            internal = _legacy_endpoint(source)
        else:
            # Before <source>, pfSense kept the inside as <internal> + <subnet>; with neither, "" is any.
            prefix = mapping.value("subnet")
            internal = (mapping.value("internal") + (f"/{prefix}" if prefix else ""), False)
        self._one_to_one(mapping, mapping.value("interface"), internal, mapping.value("external"), mapping.value("descr"))

    def _mvc_one_to_one(self, rule: XmlElement) -> None:
        """``<OPNsense><Firewall><Filter><onetoone><rule>``: where OPNsense moves ``<nat><onetoone>`` (its migration MFP1_0_4)."""
        if rule.value("enabled", "1") == "0":
            return
        internal = (rule.value("source_net"), rule.value("source_not") == "1")
        self._one_to_one(rule, rule.value("interface"), internal, rule.value("external"), rule.value("description"))

    def _one_to_one(self, element: XmlElement, interfaces: str, internal: tuple[str, bool], external: str, descr: str) -> None:
        """A 1:1 NAT maps an outside address to an inside host or network on every port: a ``nat`` entry without ports.

        Both types count: ``binat`` and OPNsense's ``nat`` both translate the
        outside address to the inside one, and which ports pass is left to the
        filter rules, which this model does not pair with the mapping.
        """
        ifaces = [i.strip() for i in interfaces.split(",") if i.strip()] or ["wan"]  # both products default to wan
        if all(i in self.interfaces and self.interfaces[i].zone is not None for i in ifaces):
            # On inside interfaces only: the internet never reaches it; traffic between zones is
            # translated there and the filter rules of that interface, already read, decide it.
            # An interface not in <interfaces> (a group, a VPN) may face the internet: counted.
            return
        value, negated = internal
        resolved = None if negated else self._resolve(value)
        if resolved == ["self"]:
            return  # mapped to the firewall's own address: reaches no device
        if resolved is None:
            # An alias or network this file cannot resolve, or a negated inside side. The port-forward
            # code skips such targets; a 1:1 NAT exposes every port, so fail closed instead: the
            # internet reaches any address, and every legacy device behind this firewall is reported.
            resolved = [ANY]
        label = f"1:1 NAT {external}".strip()
        name = f"{label}: {descr}" if descr else f"{self.id} {label}"
        for to in resolved:
            self.nat.push(
                entry(
                    element.pos,
                    ("name", name, element.pos),
                    ("from", INTERNET, element.pos),
                    ("to", to, element.pos),
                    ("action", "allow", element.pos),
                ),
                element.pos,
            )

    def firewall(self) -> LocatedMap:
        pos = self.root.pos
        return entry(
            pos,
            ("id", self.id, pos),
            ("name", self.hostname, pos),
            ("default", "deny", pos),
            ("rules", self.rules, pos),
            ("nat", self.nat, pos),
        )


def _children(element: XmlElement | None, tag: str) -> list[XmlElement]:
    return element.all(tag) if element is not None else []


def _legacy_endpoint(element: XmlElement | None) -> tuple[str, bool]:
    if element is None or element.has("any"):
        return ("any", element is not None and element.has("not"))
    return (element.value("network") or element.value("address") or "any", element.has("not"))


def _int(text: str, default: int) -> int:
    return int(text) if text.strip().isdigit() else default


def _cidr(address: str, prefix: str) -> str | None:
    try:
        return str(ipaddress.ip_interface(f"{address.strip()}/{prefix.strip()}").network)
    except ValueError:
        return None


# A dotted-quad IPv4 address, as ipaddress reads one (no leading zeros): the address of most rules of a large backup.
_IPV4: Final = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")


def _cidr_text(value: str) -> str | None:
    if _IPV4.fullmatch(value):
        return value + "/32"  # what ip_network gives, without building it (a 170,000-rule backup has as many)
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        return None


class OpnsenseLoader:
    """OPNsense and pfSense configuration backups (``config.xml``)."""

    name = "opnsense"
    suffixes: Sequence[str] = (".xml",)

    def resembles(self, source: SourceFile) -> bool:
        return xml_root_tag(source) in ROOTS

    def load(self, source: SourceFile) -> list[Document] | None:
        if xml_root_tag(source) not in ROOTS:
            return None
        firewall = _Firewall(read_xml(source))
        firewall.read()
        firewalls = sequence((1, 1), [(firewall.firewall(), firewall.root.pos)])
        return [
            manifest_document(
                source, self.name, {"zones": (firewall.zones, firewall.zones.pos), "firewalls": (firewalls, firewall.root.pos)}
            )
        ]


OPNSENSE_LOADER: Loader = OpnsenseLoader()

