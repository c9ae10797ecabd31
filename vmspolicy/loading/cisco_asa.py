"""Cisco ASA configurations (``show running-config``): interfaces become zones, access lists a firewall.

- **Zones**: each interface with a ``nameif`` and an ``ip address`` as
  ``<hostname>-<nameif>``, its VLAN from ``vlan``, its purpose guessed from the
  name as for OPNsense. An interface at ``security-level 0``, one that takes
  its address by DHCP or PPPoE, or the one the default ``route`` leaves by,
  faces the internet.
- **Access rules**: the access list bound inbound to an interface
  (``access-group NAME in interface IF``), entry by entry in line order
  (``inactive`` ones and remarks skipped), then the global access list
  (``access-group NAME global``), then the implicit deny. An interface with no
  access list lets traffic go to interfaces of a lower security level (and of
  the same level with ``same-security-traffic permit inter-interface``) and
  denies the rest. Sources are narrowed to the interface's side, as for
  FortiGate. Addresses: ``any``, ``host``, address and mask, ``object``,
  ``object-group`` (nested), ``name`` aliases; ports from ``eq``, ``range``,
  ``lt``, ``gt``, named ports and service objects and groups.
- **NAT**: a static NAT (object NAT ``nat (inside,outside) static …`` or
  twice NAT ``nat (inside,outside) source static REAL MAPPED``) whose mapped
  interface faces the internet exposes the real addresses on every port (the
  mapped ``service`` when it names one): a ``nat`` entry, as a pfSense 1:1 NAT.

Outbound access lists (``access-group … out``) are not applied: leaving them out
can only over-report. What cannot be resolved fails closed as for the other
firewalls: it widens a permit and drops a deny. The file names no site.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from dataclasses import dataclass, field
from typing import Final, Sequence

from vmspolicy.core.limits import NodeLimit
from vmspolicy.core.model import ANY, INTERNET, IPNetwork
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import entry, manifest_document, sequence, slug_id
from vmspolicy.loading.interface_sides import ALL_V4, ALL_V6, Ports, Side, endpoints, port_span
from vmspolicy.loading.opnsense import zone_purpose

FORMAT: Final = "cisco-asa"

_SIGNATURE: Final = re.compile(r"^(?::\s*Saved\s*\n(?::[^\n]*\n)*)?(?:!.*\n|\s*\n)*(?:ASA|PIX|FWSM) Version \d", re.IGNORECASE)
# Port names an ASA configuration writes instead of numbers (its own table, the common ones).
_PORTS: Final = {
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "tftp": 69, "www": 80, "http": 80, "pop3": 110,
    "ntp": 123, "netbios-ssn": 139, "imap4": 143, "snmp": 161, "snmptrap": 162, "ldap": 389, "https": 443, "rtsp": 554,
    "ldaps": 636, "sqlnet": 1521, "h323": 1720, "pptp": 1723, "sip": 5060, "syslog": 514, "isakmp": 500, "bootps": 67,
    "bootpc": 68, "echo": 7, "kerberos": 88, "citrix-ica": 1494, "ctiqbe": 2748, "nfs": 2049, "rsh": 514, "lpd": 515,
}
_PROTOCOLS: Final = {"tcp": "tcp", "udp": "udp", "sctp": "sctp", "6": "tcp", "17": "udp", "132": "sctp"}


@dataclass
class _Block:
    """A top-level command and its indented sub-commands, each with its line."""

    words: list[str]
    line: int
    children: list[tuple[list[str], int]] = field(default_factory=list)


def _blocks(text: str, limit: NodeLimit | None) -> list[_Block]:
    blocks: list[_Block] = []
    words_left = limit.nodes if limit is not None else sys.maxsize
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith(("!", ":")):
            continue
        words = line.split()
        words_left -= len(words)
        if words_left < 0 and limit is not None:
            raise limit.refused("words", (number, 1))
        if line[0] in " \t":
            if blocks:
                blocks[-1].children.append((words, number))
            continue
        blocks.append(_Block(words, number))
    return blocks


@dataclass
class _Interface:
    nameif: str
    level: int
    networks: list[IPNetwork]
    vlan: int | None
    facing: bool
    line: int


class _Asa:
    """One ASA configuration being turned into zones, rules and NAT entries."""

    def __init__(self, text: str, limit: NodeLimit | None) -> None:
        self.blocks = _blocks(text, limit)
        self.hostname = next((b.words[1] for b in self.blocks if b.words[0] == "hostname" and len(b.words) > 1), "asa")
        self.id = slug_id(self.hostname).lower()
        self.names: dict[str, str] = {b.words[2]: b.words[1] for b in self.blocks if b.words[0] == "name" and len(b.words) >= 3}
        self.objects = {b.words[2]: b for b in self.blocks if b.words[:2] == ["object", "network"] and len(b.words) > 2}
        self.services = {b.words[2]: b for b in self.blocks if b.words[:2] == ["object", "service"] and len(b.words) > 2}
        self.groups = {b.words[2]: b for b in self.blocks if b.words[0] == "object-group" and len(b.words) > 2}
        self.same_security = any(b.words[:3] == ["same-security-traffic", "permit", "inter-interface"] for b in self.blocks)
        self.interfaces: dict[str, _Interface] = {}
        self.sides: dict[str, Side] = {}
        self.zones = LocatedSeq((1, 1))
        self.rules = LocatedSeq((1, 1))
        self.nat = LocatedSeq((1, 1))
        self.resolved: dict[str, list[IPNetwork] | None] = {}
        self.outside_interfaces = 0

    # -- interfaces --------------------------------------------------------------------------

    def read_interfaces(self) -> None:
        default_routes = {b.words[1] for b in self.blocks if b.words[0] == "route" and b.words[2:4] == ["0.0.0.0", "0.0.0.0"]}
        for block in self.blocks:
            if block.words[0] != "interface":
                continue
            sub = {words[0]: words for words, _ in block.children if words}
            if "nameif" not in sub or len(sub["nameif"]) < 2 or "shutdown" in sub:
                continue
            nameif = sub["nameif"][1]
            level = int(sub["security-level"][1]) if len(sub.get("security-level", [])) > 1 and sub["security-level"][1].isdigit() else 0
            networks: list[IPNetwork] = []
            facing = nameif in default_routes or level == 0
            for words, _ in block.children:
                if words[:2] == ["ip", "address"] and len(words) >= 3 and words[2] in ("dhcp", "pppoe"):
                    facing = True
                elif words[:2] in (["ip", "address"], ["ipv6", "address"]) and len(words) >= 3:
                    found = _address_words(words[2:4] if words[0] == "ip" else words[2:3], self.names)
                    networks += found or []
            vlan = sub.get("vlan", ["", ""])[1] if len(sub.get("vlan", [])) > 1 else ""
            self.interfaces[nameif] = _Interface(nameif, level, networks, int(vlan) if vlan.isdigit() else None, facing, block.line)
            if facing:
                self.sides[nameif] = Side("internet")
            elif not networks:
                self.sides[nameif] = Side("unknown")
            else:
                zone_id = slug_id(self.id, nameif).lower()
                self.sides[nameif] = Side("zone", zone_id, tuple(networks))
                pos = (block.line, 1)
                self.zones.push(
                    entry(pos, ("id", zone_id, pos), ("name", nameif, pos),
                          ("vlan", int(vlan) if vlan.isdigit() and 1 <= int(vlan) <= 4094 else None, pos),
                          ("cidr", sequence(pos, [(str(n), pos) for n in networks]), pos), ("purpose", zone_purpose(nameif), pos)),
                    pos,
                )

    # -- addresses and services --------------------------------------------------------------

    def _object(self, name: str, depth: int) -> list[IPNetwork] | None:
        if name in self.resolved:
            return self.resolved[name]
        found: list[IPNetwork] | None = None
        if depth <= 8 and name in self.objects:
            found = None
            for words, _ in self.objects[name].children:
                if words[0] in ("host", "subnet", "range"):
                    found = _address_words(words, self.names)
        elif depth <= 8 and name in self.groups:
            found = []
            for words, _ in self.groups[name].children:
                if words[0] == "description":
                    continue
                if words[0] == "group-object" and len(words) > 1:
                    more = self._object(words[1], depth + 1)
                elif words[0] == "network-object" and len(words) > 2 and words[1] == "object":
                    more = self._object(words[2], depth + 1)
                elif words[0] == "network-object":
                    more = _address_words(words[1:], self.names)
                else:
                    more = None
                if more is None:
                    found = None
                    break
                found += more
        self.resolved[name] = found
        return found

    def _address(self, words: list[str], at: int) -> tuple[list[IPNetwork] | None, int]:
        """The networks of the address written at ``words[at]``, and where the next field starts."""
        if at >= len(words):
            return None, at
        word = words[at]
        if word in ("any", "any4", "any6"):
            return ([ALL_V4, ALL_V6] if word == "any" else [ALL_V4 if word == "any4" else ALL_V6]), at + 1
        if word == "host" and at + 1 < len(words):
            return _address_words(words[at : at + 2], self.names), at + 2
        if word in ("object", "object-group") and at + 1 < len(words):
            return self._object(words[at + 1], 0), at + 2
        if word == "interface" and at + 1 < len(words):
            return [], at + 2  # the firewall's own address: joins no two zones
        if at + 1 < len(words) and _looks_like_mask(words[at + 1]):
            return _address_words(words[at : at + 2], self.names), at + 2
        return None, at + 1

    def _port(self, protocol: str, words: list[str], at: int) -> tuple[str | None, bool, int]:
        """A port condition at ``words[at]``: (manifest port or None for any, exact, next index)."""
        if at >= len(words):
            return protocol, True, at
        op = words[at]
        if op == "eq" and at + 1 < len(words):
            return _named_span(protocol, words[at + 1], words[at + 1]), True, at + 2
        if op == "range" and at + 2 < len(words):
            low, high = _port_number(words[at + 1]), _port_number(words[at + 2])
            return (port_span(protocol, f"{low}-{high}") if low is not None and high is not None else None), True, at + 3
        if op in ("lt", "gt") and at + 1 < len(words):
            number = _port_number(words[at + 1])
            if number is None:
                return None, False, at + 2
            return port_span(protocol, f"1-{number - 1}" if op == "lt" else f"{number + 1}-65535"), True, at + 2
        if op == "neq" and at + 1 < len(words):
            return None, False, at + 2
        if op == "object-group" and at + 1 < len(words) and words[at + 1] in self.groups:
            return "group:" + words[at + 1], True, at + 2
        return protocol, True, at

    def _port_group(self, name: str, protocol: str) -> Ports:
        out: list[str] = []
        for words, _ in self.groups[name].children:
            if words[0] == "port-object" and len(words) > 1:
                span, exact, _ = self._port(protocol, words, 1)
                if span is None or not exact:
                    return Ports(None, False)
                out.append(span)
            elif words[0] == "group-object" and len(words) > 1 and words[1] in self.groups:
                more = self._port_group(words[1], protocol)
                if more.ports is None:
                    return more
                out += more.ports
            elif words[0] != "description":
                return Ports(None, False)
        return Ports(out)

    # -- access lists ------------------------------------------------------------------------

    def access_entry(self, words: list[str], line: int, side: Side, zones: list[Side]) -> None:
        """One ``access-list NAME extended permit|deny …`` entry, for traffic arriving on ``side``."""
        if "inactive" in words or len(words) < 5 or words[2] != "extended":
            return
        allow = words[3] == "permit"
        at = 4
        protocol_word = words[at]
        ports: Ports
        if protocol_word in ("object", "object-group") and at + 1 < len(words):
            ports, at = Ports(None, False), at + 2  # a protocol or service object: any port for a permit
        else:
            at += 1
            protocol = _PROTOCOLS.get(protocol_word)
            ports = Ports(None) if protocol_word == "ip" else Ports(["icmp"]) if protocol_word in ("icmp", "icmp6", "1") else (
                Ports([protocol]) if protocol else Ports(None, False))
        source, at = self._address(words, at)
        exact = ports.exact
        if ports.ports and ports.ports[0] in ("tcp", "udp", "sctp"):
            span, _, after = self._port(ports.ports[0], words, at)
            if after != at:
                exact = False  # a source-port condition: a permit ignores it, a deny cannot be narrowed to it
            at = after
        destination, at = self._address(words, at)
        if ports.ports and ports.ports[0] in ("tcp", "udp", "sctp"):
            protocol = ports.ports[0]
            span, span_exact, at = self._port(protocol, words, at)
            if span is not None and span.startswith("group:"):
                ports = self._port_group(span[6:], protocol)
            else:
                ports = Ports([span] if span else None, span_exact)
            exact = exact and ports.exact
        if not allow and (not exact or (side.kind == "internet" and self.outside_interfaces > 1)):
            return  # several interfaces face the internet: a deny on one says nothing of traffic through another
        froms = endpoints(side, source, allow, zones)
        tos = endpoints(Side("any"), destination, allow, zones)
        self._push(line, f"access-list {words[1]} line {line}", froms, tos, ports.ports, allow)

    def _push(self, line: int, name: str, froms: list[str], tos: list[str], ports: list[str] | None, allow: bool) -> None:
        pos = (line, 1)
        for src in dict.fromkeys(froms):
            for dst in dict.fromkeys(tos):
                if src == dst and src not in (ANY, INTERNET):
                    continue
                fields: list[tuple[str, object, Pos]] = [("name", name, pos), ("from", src, pos), ("to", dst, pos)]
                if ports is not None:
                    if not ports:
                        return
                    fields.append(("ports", sequence(pos, [(p, pos) for p in ports]), pos))
                fields.append(("action", "allow" if allow else "deny", pos))
                self.rules.push(entry(pos, *fields), pos)

    def read_access(self) -> None:
        lists: dict[str, list[tuple[list[str], int]]] = {}
        for block in self.blocks:
            if block.words[0] == "access-list" and len(block.words) > 2:
                lists.setdefault(block.words[1], []).append((block.words, block.line))
        bound: dict[str, tuple[str, int]] = {}
        global_list: tuple[str, int] | None = None
        for block in self.blocks:
            words = block.words
            if words[0] == "access-group" and len(words) >= 5 and words[2] == "in" and words[3] == "interface":
                bound[words[4]] = (words[1], block.line)
            elif words[0] == "access-group" and len(words) >= 3 and words[2] == "global":
                global_list = (words[1], block.line)
        zones = [s for s in self.sides.values() if s.kind == "zone"]
        self.outside_interfaces = sum(1 for s in self.sides.values() if s.kind == "internet")
        for nameif, interface in self.interfaces.items():
            side = self.sides[nameif]
            applied = [bound[nameif]] if nameif in bound else []
            if global_list is not None:
                applied.append(global_list)
            for list_name, _ in applied:
                for words, line in lists.get(list_name, []):
                    self.access_entry(words, line, side, zones)
            if not applied:
                self._security_levels(interface, side)
        # Each interface's implicit deny is the firewall's default deny: every rule above names its own side.

    def _security_levels(self, interface: _Interface, side: Side) -> None:
        """Without an access list, traffic may go to interfaces of a lower security level."""
        src = side.zone if side.kind == "zone" else INTERNET if side.kind == "internet" else ANY
        targets: list[str] = []
        for other in self.interfaces.values():
            lower = other.level < interface.level or (other.level == interface.level and self.same_security)
            if other is interface or not lower:
                continue
            target = self.sides[other.nameif]
            targets.append(target.zone if target.kind == "zone" else INTERNET if target.kind == "internet" else ANY)
        self._push(interface.line, f"{interface.nameif} security level {interface.level} to lower levels", [src], targets, None, True)

    # -- NAT ---------------------------------------------------------------------------------

    def read_nat(self) -> None:
        for block in self.blocks:
            if block.words[0] == "object" and block.words[1:2] == ["network"]:
                for words, line in block.children:
                    if words[0] == "nat" and "static" in words:
                        self._static(words, line, self._object(block.words[2], 0))
            elif block.words[0] == "nat" and "static" in block.words[:6] and "inactive" not in block.words:
                words = block.words
                at = words.index("static")
                real = self._address_name(words[at + 1]) if at + 1 < len(words) else None
                self._static(words, block.line, real)

    def _address_name(self, name: str) -> list[IPNetwork] | None:
        if name in ("any", "any4", "any6"):
            return [ALL_V4, ALL_V6]
        return self._object(name, 0) if name in self.objects or name in self.groups else _address_words([name], self.names)

    def _static(self, words: list[str], line: int, real: list[IPNetwork] | None) -> None:
        match = re.fullmatch(r"\(([^,]+),([^)]+)\)", words[1]) if len(words) > 1 else None
        # No interfaces named, or 'any': every interface, the outside too.
        mapped_side = Side("any") if match is None or match.group(2) == "any" else self.sides.get(match.group(2), Side("unknown"))
        if mapped_side.kind not in ("internet", "any", "unknown"):
            return  # translated towards an inside interface only: the internet never sees it
        if match is not None and self.sides.get(match.group(1), Side("unknown")).kind == "internet":
            return  # the real addresses are outside already
        ports: list[str] | None = None
        if "service" in words:
            at = words.index("service")
            if at + 3 < len(words) and words[at + 1] in ("tcp", "udp", "sctp"):
                span = _named_span(words[at + 1], words[at + 2], words[at + 2])
                ports = [span] if span else None
        pos = (line, 1)
        targets = [ANY] if real is None or any(n.prefixlen == 0 for n in real) else list(dict.fromkeys(str(n) for n in real))
        for target in targets:
            fields: list[tuple[str, object, Pos]] = [("name", f"static NAT line {line}", pos), ("from", INTERNET, pos), ("to", target, pos)]
            if ports is not None:
                fields.append(("ports", sequence(pos, [(p, pos) for p in ports]), pos))
            fields.append(("action", "allow", pos))
            self.nat.push(entry(pos, *fields), pos)

    def firewall(self) -> LocatedMap:
        pos = (1, 1)
        return entry(pos, ("id", self.id, pos), ("name", self.hostname, pos), ("default", "deny", pos),
                     ("rules", self.rules, pos), ("nat", self.nat, pos))


def _looks_like_mask(word: str) -> bool:
    try:
        return ipaddress.ip_address(word).version == 4 and word.count(".") == 3
    except ValueError:
        return False


def _address_words(words: list[str], names: dict[str, str]) -> list[IPNetwork] | None:
    """``host A``, ``A MASK``, ``subnet A MASK``, ``range A B`` or an IPv6 prefix, with ``name`` aliases."""
    parts = [names.get(w, w) for w in words]
    try:
        if parts[0] in ("host", "subnet") and len(parts) >= 2:
            parts = parts[1:]
        if parts and parts[0] == "range" and len(parts) >= 3:
            low, high = ipaddress.ip_address(parts[1]), ipaddress.ip_address(parts[2])
            return list(ipaddress.summarize_address_range(low, high))
        if len(parts) >= 2 and _looks_like_mask(parts[1]):
            return [ipaddress.ip_network(f"{parts[0]}/{parts[1]}", strict=False)]
        return [ipaddress.ip_network(parts[0], strict=False)]
    except (ValueError, TypeError, IndexError):
        return None


def _port_number(word: str) -> int | None:
    return int(word) if word.isdigit() else _PORTS.get(word)


def _named_span(protocol: str, low: str, high: str) -> str | None:
    first, last = _port_number(low), _port_number(high)
    return port_span(protocol, f"{first}-{last}") if first is not None and last is not None else None


def read_asa(text: str, limit: NodeLimit | None = None) -> tuple[LocatedSeq, LocatedMap]:
    """The zones and the firewall of an ASA configuration; ``limit``: the most words read of it."""
    asa = _Asa(text, limit)
    asa.read_interfaces()
    asa.read_nat()
    asa.read_access()
    return asa.zones, asa.firewall()


class CiscoAsaLoader:
    """Cisco ASA configurations (``show running-config`` saved as ``*.cfg`` or ``*.conf``)."""

    name = FORMAT
    suffixes: Sequence[str] = (".cfg", ".conf")

    def resembles(self, source: SourceFile) -> bool:
        from vmspolicy.loading.manifest_signs import lenient_text

        return bool(_SIGNATURE.match(lenient_text(source.raw[:8192])))

    def load(self, source: SourceFile) -> list[Document] | None:
        if not self.resembles(source):
            return None
        try:
            zones, firewall = read_asa(source.text, source.node_limit)
        except RecursionError:
            raise ParseError("object groups nested too deeply") from None
        return [manifest_document(source, self.name, {"zones": (zones, zones.pos), "firewalls": (sequence((1, 1), [(firewall, (1, 1))]), (1, 1))})]


CISCO_ASA_LOADER: Loader = CiscoAsaLoader()
