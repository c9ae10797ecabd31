"""FortiGate configuration backups (FortiOS ``*.conf``): interfaces become zones, policies a firewall.

The syntax is read by :mod:`vmspolicy.loading.fortios_config`; every zone, rule
and port forward is located at the ``edit`` line it comes from.

- **Zones**: every interface with a static address (``set ip``, secondary
  addresses, ``config ipv6`` ``ip6-address``) that does not face the internet,
  as ``<hostname>-<interface>``, its VLAN from ``vlanid``, its purpose guessed
  from the interface's name and alias as for OPNsense (``cctv``/``camera`` →
  cameras, ``legacy`` → legacy-cameras, ``nvr``/``vms`` → vms, ``mgmt`` →
  management...; ``role dmz`` → dmz). An interface with ``role wan``, a DHCP
  or PPPoE address, or that carries a default route (``router static``), and
  the SD-WAN pseudo-interfaces, face the internet. A ``system zone`` stands
  for its member interfaces; ``intrazone allow`` lets them reach each other.
- **Policies** (``firewall policy``, and ``policy6`` of older releases) in the
  order they are written, which is the order FortiOS evaluates them in (the
  id is only a name); ``status disable`` is skipped; ``accept``/``ipsec`` →
  allow, ``deny`` (the default action) → deny. Each side is its interfaces
  (``srcintf``/``dstintf``, ``any``) narrowed by its addresses
  (``srcaddr``/``dstaddr`` and their IPv6 forms: address and address-group
  objects, ``all``/``none``); ports come from ``service`` (custom services,
  service groups, the predefined ones).
- **Proxy policies** (``firewall proxy-policy``: explicit and transparent web
  proxy, FTP, SSH, access proxy): the FortiGate itself opens the onward
  connection, so no ``firewall policy`` governs it and a deny there does not
  stop it. An accepting proxy policy lets its source (``srcintf``; for an
  explicit proxy of older releases, the interfaces with the proxy enabled)
  reach its destination (``dstintf``) on every port, since a proxy tunnels
  any port (``CONNECT``); it goes before every policy. A denying proxy policy
  is left out: that can only over-report.
- **Virtual IPs** (``firewall vip``, ``vipgrp``): an accepting policy whose
  destination is a VIP lets its source reach the mapped address (on the
  mapped port of a port forward); from the internet that is a ``nat`` entry.
- **VDOMs**: each virtual domain is a firewall of its own, ``<hostname>-<vdom>``.

What cannot be resolved exactly fails closed, as for OPNsense: in an allowing
policy, an address, service or interface that cannot be resolved (an FQDN,
a geography, a negation, an interface without an address, an unknown name)
widens the rule to what it could match — the side's whole interface, every
port, ``any``; a denying policy with one is skipped, and so is one that denies
only at some times (``schedule``), to some users, or from some source ports.
A configuration names no site: the estate gives one (see
:mod:`vmspolicy.loading.imported`).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Sequence

from vmspolicy.core.limits import NodeLimit
from vmspolicy.core.model import ANY, INTERNET, IPNetwork
from vmspolicy.core.records import record
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.fortios_config import Node, parse
from vmspolicy.loading.imported import entry, manifest_document, sequence, slug_id
from vmspolicy.loading.interface_sides import ALL_V4, ALL_V6, Ports, Side, endpoints, port_span
from vmspolicy.loading.opnsense import zone_purpose

FORMAT: Final = "fortigate"

# The first command of a backup (after its "#config-version=FGT..." header): a block FortiOS writes.
_SIGNATURE: Final = re.compile(r"\A(?:\ufeff)?(?:\s*#[^\n]*\n)*\s*config\s+(system|firewall|vdom|global|log|router|user|vpn)\b")
_HEADER: Final = re.compile(r"\A(?:\ufeff)?\s*#config-version=F", re.IGNORECASE)

# Predefined services a backup may refer to without listing (older exports, hand-written files):
# name → ports in manifest notation, None for every port and protocol.
_PREDEFINED: Final[dict[str, list[str] | None]] = {
    "ALL": None, "ALL_TCP": ["tcp"], "ALL_UDP": ["udp"], "ALL_ICMP": ["icmp"], "ALL_ICMP6": ["icmp"], "PING": ["icmp"],
    "PING6": ["icmp"], "HTTP": ["tcp/80"], "HTTPS": ["tcp/443"], "SSH": ["tcp/22"], "TELNET": ["tcp/23"], "FTP": ["tcp/21"],
    "DNS": ["tcp/53", "udp/53"], "NTP": ["tcp/123", "udp/123"], "SNMP": ["tcp/161-162", "udp/161-162"], "SMTP": ["tcp/25"],
    "SMTPS": ["tcp/465"], "SYSLOG": ["udp/514"], "RDP": ["tcp/3389"], "VNC": ["tcp/5900"], "TFTP": ["udp/69"],
    "IMAP": ["tcp/143"], "IMAPS": ["tcp/993"], "POP3": ["tcp/110"], "POP3S": ["tcp/995"], "LDAP": ["tcp/389"],
    "SAMBA": ["tcp/139"], "SMB": ["tcp/445"], "MYSQL": ["tcp/3306"], "MS-SQL": ["tcp/1433-1434"], "SIP": ["udp/5060"],
    "IKE": ["udp/500", "udp/4500"], "DHCP": ["udp/67-68"], "KERBEROS": ["tcp/88", "udp/88"], "NONE": [],
}
_INTERNET_INTERFACES: Final = frozenset({"virtual-wan-link", "sdwan"})
_ALLOW_ACTIONS: Final = frozenset({"accept", "ipsec"})


@record(frozen=True, slots=True)
class _Vip:
    mapped: tuple[IPNetwork, ...] | None  # None: cannot be resolved
    ports: list[str] | None  # the mapped ports of a port forward; None: the policy's service


class _Vdom:
    """One virtual domain (the whole device when VDOMs are off): its zones, objects and policies."""

    def __init__(self, firewall_id: str, hostname: str, config: Node, interfaces: list[Node], default_routes: set[str],
                 name: str) -> None:
        self.id = firewall_id
        self.name = name
        self.hostname = hostname
        self.config = config
        self.sides: dict[str, Side] = {}
        self.zones = LocatedSeq((1, 1))
        self.rules = LocatedSeq((1, 1))
        self.nat = LocatedSeq((1, 1))
        self.members: dict[str, list[str]] = {}
        self.interfaces = interfaces
        for interface in interfaces:
            self._interface(interface, default_routes)
        for zone in config.table("system", "zone"):
            self.members[zone.name] = [i for i in zone.words("interface") if i in self.sides] or [zone.name]
        self.addresses = {row.name: row for path in (("firewall", "address"), ("firewall", "address6")) for row in config.table(*path)}
        self.groups = {row.name: row for path in (("firewall", "addrgrp"), ("firewall", "addrgrp6")) for row in config.table(*path)}
        self.vips = {row.name: row for path in (("firewall", "vip"), ("firewall", "vip6")) for row in config.table(*path)}
        self.vip_groups = {row.name: row for path in (("firewall", "vipgrp"), ("firewall", "vipgrp6")) for row in config.table(*path)}
        self.services = {row.name: row for row in config.table("firewall", "service", "custom")}
        self.resolved: dict[tuple[str, int], list[IPNetwork] | None] = {}
        self.service_groups = {row.name: row for row in config.table("firewall", "service", "group")}

    # -- interfaces --------------------------------------------------------------------------

    def _interface(self, row: Node, default_routes: set[str]) -> None:
        name = row.name
        ipv6 = row.block("ipv6")
        written = [row.get("ip"), *(s.get("ip") for s in row.table("secondaryip")), ipv6.get("ip6-address") if ipv6 else ""]
        cidrs = list(dict.fromkeys(c.network for c in map(_cidr, written) if c is not None))
        facing = row.get("role") == "wan" or row.get("mode") in ("dhcp", "pppoe") or name in default_routes
        if facing:
            self.sides[name] = Side("internet")
            return
        if not cidrs or row.get("type") == "loopback":
            self.sides[name] = Side("unknown")  # behind it may be anything, the internet included
            return
        zone_id = slug_id(self.hostname, name).lower()
        self.sides[name] = Side("zone", zone_id, tuple(cidrs))
        alias = row.get("alias")
        purpose = zone_purpose(f"{name} {alias}")
        if purpose == "other" and row.get("role") == "dmz":
            purpose = "dmz"
        vlan = row.get("vlanid")
        self.zones.push(
            entry(
                row.pos,
                ("id", zone_id, row.pos),
                ("name", alias or name, row.pos),
                ("vlan", int(vlan) if vlan.isdigit() and 1 <= int(vlan) <= 4094 else None, row.where("vlanid")),
                ("cidr", sequence(row.where("ip"), [(str(c), row.where("ip")) for c in cidrs]), row.where("ip")),
                ("purpose", purpose, row.pos),
            ),
            row.pos,
        )

    def _sides(self, names: list[str]) -> list[Side]:
        if not names:
            return [Side("unknown")]
        out: list[Side] = []
        for name in names:
            if name == "any":
                out.append(Side("any"))
            elif name in _INTERNET_INTERFACES:
                out.append(Side("internet"))
            elif name in self.members:
                out.extend(self.sides.get(member, Side("unknown")) for member in self.members[name])
            else:
                out.append(self.sides.get(name, Side("unknown")))
        return list(dict.fromkeys(out))

    # -- objects -----------------------------------------------------------------------------

    def _addresses(self, names: list[str], negate: bool, family: int) -> list[IPNetwork] | None:
        """The networks ``names`` match (``all`` is the whole ``family``); None when they cannot be resolved."""
        if negate:
            return None
        networks: list[IPNetwork] = []
        for name in names:
            found = self._address(name, family, 0)
            if found is None:
                return None
            networks.extend(found)
        return list(dict.fromkeys(networks))

    def _address(self, name: str, family: int, depth: int) -> list[IPNetwork] | None:
        """The networks of an address or group; None when it cannot be resolved to networks."""
        if depth > 8:
            return None  # a group that contains itself
        row = self.addresses.get(name)
        if row is not None:
            return self._address_object(row)
        group = self.groups.get(name)
        if group is not None:
            # Resolved once: policies name the same groups over and over, and a group may be large.
            if (name, family) not in self.resolved:
                self.resolved[(name, family)] = self._group(group, family, depth)
            return self.resolved[(name, family)]
        if name == "all":
            return [ALL_V4 if family == 4 else ALL_V6]
        if name == "none":
            return []
        return None

    def _group(self, group: Node, family: int, depth: int) -> list[IPNetwork] | None:
        if group.get("exclude") == "enable":
            return None
        out: list[IPNetwork] = []
        for member in group.words("member"):
            found = self._address(member, family, depth + 1)
            if found is None:
                return None
            out.extend(found)
        return out

    def _address_object(self, row: Node) -> list[IPNetwork] | None:
        kind = row.get("type", "ipmask")
        if kind == "ipmask" and "ip6" in row.settings:
            return _network(row.get("ip6"))
        if kind == "ipmask":
            return _network(row.get("subnet", "0.0.0.0 0.0.0.0"))
        if kind == "iprange":
            try:
                low = ipaddress.ip_address(row.get("start-ip", "0.0.0.0"))
                high = ipaddress.ip_address(row.get("end-ip", "0.0.0.0"))
                return list(ipaddress.summarize_address_range(low, high))
            except (ValueError, TypeError):
                return None
        if kind == "interface-subnet":
            side = self.sides.get(row.get("interface"))
            return list(side.cidrs) if side is not None and side.kind == "zone" else None
        return None  # fqdn, geography, wildcard, dynamic, mac...: not a set of networks this file gives

    def _ports(self, names: list[str], negate: bool, depth: int = 0) -> Ports:
        """The ports ``names`` allow; None for every port, not exact when a deny cannot use them as they are."""
        if negate or not names or depth > 8:
            return Ports(None, False)
        out: list[str] = []
        exact = True
        for name in names:
            found = self._service(name, depth)
            if found.ports is None:
                return Ports(None, found.exact)
            exact = exact and found.exact
            out.extend(found.ports)
        return Ports(list(dict.fromkeys(out)), exact)

    def _service(self, name: str, depth: int) -> Ports:
        row = self.services.get(name)
        if row is not None:
            return _custom_service(row)
        group = self.service_groups.get(name)
        if group is not None:
            return self._ports(group.words("member"), False, depth + 1)
        if name in _PREDEFINED:
            return Ports(_PREDEFINED[name])
        return Ports(None, False)

    def _vip(self, name: str, depth: int = 0) -> list[_Vip] | None:
        """The mappings of a virtual IP or VIP group; None when ``name`` is neither."""
        row = self.vips.get(name)
        if row is not None:
            mapped: list[IPNetwork] = []
            for word in row.words("mappedip"):
                low, _, high = word.partition("-")
                try:
                    first, last = ipaddress.ip_address(low), ipaddress.ip_address(high or low)
                    mapped.extend(ipaddress.summarize_address_range(first, last))
                except (ValueError, TypeError):
                    return [_Vip(None, None)]
            if row.get("type", "static-nat") != "static-nat" or not mapped:
                return [_Vip(None, None)]  # load balancing, DNS or FQDN translation: the real servers are not named here
            ports = None
            if row.get("portforward") == "enable":
                protocol = row.get("protocol", "tcp").lower()
                span = row.get("mappedport") or row.get("extport")
                if protocol == "icmp":
                    ports = ["icmp"]
                elif protocol in ("tcp", "udp", "sctp"):
                    forwarded = port_span(protocol, span) if span else protocol
                    ports = [forwarded] if forwarded else None
            return [_Vip(tuple(mapped), ports)]
        group = self.vip_groups.get(name)
        if group is not None:
            out: list[_Vip] = []
            for member in group.words("member"):
                found = self._vip(member, depth + 1) if depth < 8 else None
                out.extend(found or [_Vip(None, None)])
            return out
        return None

    # -- policies ----------------------------------------------------------------------------

    def read(self) -> None:
        for zone in self.config.table("system", "zone"):
            if zone.get("intrazone", "deny") == "allow":
                # Before every policy: FortiOS passes traffic between a zone's interfaces without one.
                sides = [s for s in self._sides([zone.name]) if s.kind == "zone"]
                for one in sides:
                    for other in sides:
                        if one != other:
                            self._push_rule(zone.pos, f"zone {zone.name} intrazone allow", one.zone, other.zone, None, True)
        for proxy_policy in self.config.table("firewall", "proxy-policy"):
            self._proxy_policy(proxy_policy)
        for path, family in ((("firewall", "policy"), 4), (("firewall", "policy6"), 6)):
            for policy in self.config.table(*path):
                self._policy(policy, family)

    def _proxy_policy(self, policy: Node) -> None:
        # Before every firewall policy: proxied traffic is the FortiGate's own, which those policies do
        # not see, so a deny there must not hide it (an allow first can only over-report other traffic).
        if policy.get("status") == "disable" or policy.get("action", "deny") != "accept":
            return
        proxy = policy.get("proxy", "explicit-web")
        name = policy.get("name") or f"proxy-policy {policy.name} ({proxy})"
        zones = [side for side in self.sides.values() if side.kind == "zone"]
        sources = policy.words("srcintf") or self._proxy_interfaces(proxy)
        src = self._side_addresses(policy, "src", 4)
        dst = self._side_addresses(policy, "dst", 4)
        froms = [f for side in self._sides(sources) for f in endpoints(side, src, True, zones)]
        tos = [t for side in self._sides(policy.words("dstintf")) for t in endpoints(side, dst, True, zones)]
        for source in dict.fromkeys(froms):
            for destination in dict.fromkeys(tos):
                self._push_rule(policy.pos, name, source, destination, None, True)

    def _proxy_interfaces(self, proxy: str) -> list[str]:
        """The interfaces an explicit proxy listens on, for releases whose proxy policies name none (none found: unknown)."""
        setting = {"explicit-web": "explicit-web-proxy", "ftp": "explicit-ftp-proxy"}.get(proxy)
        return [row.name for row in self.interfaces if setting is not None and row.get(setting) == "enable"]

    def _policy(self, policy: Node, family: int) -> None:
        if policy.get("status") == "disable":
            return
        allow = policy.get("action", "deny") in _ALLOW_ACTIONS
        if not allow and (
            policy.get("schedule", "always") != "always"
            or any(policy.get(key) for key in ("users", "groups", "fsso-groups"))
        ):
            return  # it denies only at some times or to some users: skipping it can only over-report
        name = policy.get("name") or f"policy {policy.name}"
        ports = self._ports(policy.words("service"), policy.get("service-negate") == "enable")
        if not allow and not ports.exact:
            return
        zones = [side for side in self.sides.values() if side.kind == "zone"]
        src = self._side_addresses(policy, "src", family)
        froms = [f for side in self._sides(policy.words("srcintf")) for f in endpoints(side, src, allow, zones)]
        dst_names = [*policy.words("dstaddr"), *policy.words("dstaddr6")]
        vips = {n: self._vip(n) for n in dst_names}
        plain = [n for n in dst_names if vips[n] is None]
        if plain or not dst_names:
            dst = self._side_addresses(policy, "dst", family, plain)
            tos = [t for side in self._sides(policy.words("dstintf")) for t in endpoints(side, dst, allow, zones)]
            for source in dict.fromkeys(froms):
                for destination in dict.fromkeys(tos):
                    self._push_rule(policy.pos, name, source, destination, ports.ports, allow)
        if allow:
            for vip_name in dst_names:
                for vip in vips[vip_name] or []:
                    self._vip_rules(policy, name, vip, froms, ports)

    def _side_addresses(self, policy: Node, side: str, family: int, names: list[str] | None = None) -> list[IPNetwork] | None:
        if policy.get("internet-service" + ("-src" if side == "src" else "")) == "enable":
            return None  # Internet Service Database entries: addresses this file does not hold
        if policy.get(f"{side}addr-negate") == "enable":
            return None
        v4 = policy.words(f"{side}addr") if names is None else [n for n in names if n in policy.words(f"{side}addr")]
        v6 = policy.words(f"{side}addr6") if names is None else [n for n in names if n in policy.words(f"{side}addr6")]
        if not v4 and not v6:
            return None
        first = self._addresses(v4, False, family)
        second = self._addresses(v6, False, 6)
        return None if first is None or second is None else first + second

    def _vip_rules(self, policy: Node, name: str, vip: _Vip, froms: list[str], ports: Ports) -> None:
        targets = [str(n) for n in vip.mapped] if vip.mapped is not None else [ANY]
        wanted = vip.ports if vip.ports is not None else ports.ports
        label = f"{name} (virtual IP)"
        for source in dict.fromkeys(froms):
            for target in targets:
                if source in (INTERNET, ANY):
                    fields: list[tuple[str, object, Pos]] = [
                        ("name", label, policy.pos), ("from", INTERNET, policy.pos), ("to", target, policy.pos),
                    ]
                    if wanted is not None:
                        fields.append(("ports", sequence(policy.pos, [(p, policy.pos) for p in wanted]), policy.pos))
                    fields.append(("action", "allow", policy.pos))
                    self.nat.push(entry(policy.pos, *fields), policy.pos)
                if source != INTERNET:
                    self._push_rule(policy.pos, label, source, target, wanted, True)

    def _push_rule(self, pos: Pos, name: str, src: str, dst: str, ports: list[str] | None, allow: bool) -> None:
        if src == dst and src not in (ANY, INTERNET):
            return  # within one zone: traffic there is never filtered
        fields: list[tuple[str, object, Pos]] = [("name", name, pos), ("from", src, pos), ("to", dst, pos)]
        if ports is not None:
            if not ports:
                return  # the service NONE: the policy matches nothing
            fields.append(("ports", sequence(pos, [(p, pos) for p in ports]), pos))
        fields.append(("action", "allow" if allow else "deny", pos))
        self.rules.push(entry(pos, *fields), pos)

    def firewall(self, pos: Pos) -> LocatedMap:
        return entry(
            pos,
            ("id", self.id, pos),
            ("name", self.name, pos),
            ("default", "deny", pos),
            ("rules", self.rules, pos),
            ("nat", self.nat, pos),
        )


def _network(text: str) -> list[IPNetwork] | None:
    parts = text.split()
    written = f"{parts[0]}/{parts[1]}" if len(parts) == 2 else parts[0] if parts else ""
    try:
        return [ipaddress.ip_interface(written).network]
    except ValueError:
        return None


def _cidr(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface | None:
    """``10.0.1.1 255.255.255.0`` or ``10.0.1.1/24`` as an interface address; None for none or ``0.0.0.0``."""
    parts = text.split()
    if not parts:
        return None
    written = f"{parts[0]}/{parts[1]}" if len(parts) == 2 else parts[0]
    try:
        address = ipaddress.ip_interface(written)
    except ValueError:
        return None
    return None if address.ip.is_unspecified else address


def _is_default(route: Node) -> bool:
    found = _network(route.get("dst", "0.0.0.0 0.0.0.0"))
    return found is None or found[0].prefixlen == 0


def _custom_service(row: Node) -> Ports:
    protocol = row.get("protocol", "TCP/UDP/SCTP").upper()
    if protocol in ("ICMP", "ICMP6"):
        return Ports(["icmp"], not row.get("icmptype"))
    if protocol == "IP":
        number = row.get("protocol-number", "0")
        known = {"0": None, "1": ["icmp"], "6": ["tcp"], "17": ["udp"], "132": ["sctp"], "58": ["icmp"]}
        return Ports(known[number], True) if number in known else Ports(None, False)
    if protocol not in ("TCP/UDP/SCTP", "TCP/UDP/UDP-LITE/SCTP"):
        return Ports(None, False)  # ALL, HTTP proxy and other forms: what it matches is not ports
    ports: list[str] = []
    exact = not row.get("iprange") and not row.get("fqdn")
    for key, name in (("tcp-portrange", "tcp"), ("udp-portrange", "udp"), ("sctp-portrange", "sctp")):
        for item in row.words(key):
            destination, _, source = item.partition(":")
            if source and source not in ("0-65535", "1-65535"):
                exact = False  # a source-port condition narrows the match: an allow ignores it, a deny cannot
            span = port_span(name, destination)
            if span is None:
                return Ports(None, False)
            ports.append(span)
    if not ports:
        return Ports(None, False)
    return Ports(ports, exact)


def read_fortigate(text: str, limit: NodeLimit | None = None) -> tuple[LocatedSeq, list[tuple[LocatedMap, Pos]]]:
    """The zones and firewalls (one per VDOM) of a FortiGate configuration; raises ParseError (``limit``: the most words read)."""
    root = parse(text, limit)
    global_config = root.block("global") or root
    hostname = global_config.block("system", "global")
    name = (hostname.get("hostname") if hostname is not None else "") or "fortigate"
    host_id = slug_id(name).lower()
    vdom_block = root.block("vdom")
    vdoms: list[tuple[str, Node]] = (
        [(row.name, row) for row in vdom_block.rows.values() if row.blocks] if vdom_block is not None else [("root", root)]
    )
    interfaces = global_config.table("system", "interface")
    zones = LocatedSeq((1, 1))
    firewalls: list[tuple[LocatedMap, Pos]] = []
    for vdom_name, config in vdoms:
        own = [i for i in interfaces if i.get("vdom", "root") == vdom_name]
        # The internet is behind the interfaces of the default route and the SD-WAN members.
        default_routes = {route.get("device") for route in config.table("router", "static") if _is_default(route)}
        for path in (("system", "sdwan"), ("system", "virtual-wan-link")):
            sdwan = config.block(*path) or global_config.block(*path)
            default_routes.update(member.get("interface") for member in (sdwan.table("members") if sdwan else []))
        firewall_id = host_id if vdom_block is None else slug_id(host_id, vdom_name).lower()
        vdom = _Vdom(firewall_id, host_id, config, own, default_routes, name if vdom_block is None else f"{name} VDOM {vdom_name}")
        vdom.read()
        for index, zone in enumerate(vdom.zones):
            zones.push(zone, vdom.zones.where(index))
        firewalls.append((vdom.firewall(config.pos), config.pos))
    return zones, firewalls


class FortigateLoader:
    """FortiGate configuration backups (FortiOS CLI, ``*.conf``)."""

    name = FORMAT
    suffixes: Sequence[str] = (".conf",)

    def resembles(self, source: SourceFile) -> bool:
        from vmspolicy.loading.manifest_signs import lenient_text

        head = lenient_text(source.raw[:65536])
        return bool(_HEADER.match(head) or _SIGNATURE.match(head))

    def load(self, source: SourceFile) -> list[Document] | None:
        if not self.resembles(source):
            return None
        zones, firewalls = read_fortigate(source.text, source.node_limit)
        return [
            manifest_document(
                source, self.name, {"zones": (zones, zones.pos), "firewalls": (sequence((1, 1), firewalls), (1, 1))}
            )
        ]


FORTIGATE_LOADER: Loader = FortigateLoader()
