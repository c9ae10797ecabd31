"""nmap XML scans (``nmap -sV -oX``): what really answers on the network.

A scan is an observation, not a declaration: its hosts never join the estate
(they would collide with the devices that declare them). The loader returns a
:class:`ScanDocument` — a manifest-v1 document with no sections, plus the
observed hosts, each located at its ``<address>`` element — and the drift
rules (VP501, VP502) compare them with the estate.

Read safely with defusedxml; a file whose root is ``<nmaprun>`` but that
cannot be read is a parse error (VP001) at its line.
"""

from __future__ import annotations

from typing import Sequence

from vmspolicy.core.model import normalise_mac
from vmspolicy.core.records import record
from vmspolicy.core.source import Document, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import XmlElement, manifest_document, read_xml, xml_root_tag


@record(frozen=True, slots=True)
class ObservedService:
    """An open port and what answered on it (``-sV``)."""

    protocol: str
    port: int
    name: str
    product: str
    version: str
    extrainfo: str
    pos: Pos

    @property
    def banner(self) -> str:
        """The service's identification as one string, as scanners print it."""
        return " ".join(p for p in (self.product, self.version, f"({self.extrainfo})" if self.extrainfo else "") if p)


@record(frozen=True, slots=True)
class ObservedHost:
    """A host that answered the scan, with where each fact stands in the scan file."""

    address: str
    pos: Pos  # the address element
    mac: str | None = None
    mac_vendor: str = ""
    mac_pos: Pos | None = None
    hostnames: tuple[str, ...] = ()
    services: tuple[ObservedService, ...] = ()
    os_names: tuple[str, ...] = ()

    def banners(self) -> list[tuple[str, Pos]]:
        """Service banners, each with its place, for vendor identification."""
        return [(s.banner, s.pos) for s in self.services if s.banner]


@record(frozen=True, slots=True)
class ScanDocument(Document):
    """A loaded scan: an empty manifest (nothing is declared) and the hosts observed."""

    hosts: tuple[ObservedHost, ...] = ()
    scanned: str = ""  # when, as nmap wrote it


def _host(element: XmlElement) -> ObservedHost | None:
    status = element.first("status")
    if status is not None and status.attrs.get("state", "up") != "up":
        return None
    address = mac = None
    mac_vendor = ""
    mac_pos: Pos | None = None
    pos = element.pos
    for item in element.all("address"):
        kind = item.attrs.get("addrtype", "")
        if kind in ("ipv4", "ipv6") and address is None:
            address, pos = item.attrs.get("addr", ""), item.pos
        elif kind == "mac":
            mac = normalise_mac(item.attrs.get("addr", ""))
            mac_vendor = item.attrs.get("vendor", "")
            mac_pos = item.pos
    if not address:
        return None
    hostnames = tuple(h.attrs.get("name", "") for h in (element.first("hostnames") or element).all("hostname") if h.attrs.get("name"))
    services: list[ObservedService] = []
    ports = element.first("ports")
    for port in ports.all("port") if ports is not None else []:
        state = port.first("state")
        if state is not None and state.attrs.get("state") != "open":
            continue
        service = port.first("service")
        attrs = service.attrs if service is not None else {}
        services.append(
            ObservedService(
                protocol=port.attrs.get("protocol", "tcp"),
                port=int(portid) if (portid := port.attrs.get("portid", "")).isdigit() else 0,
                name=attrs.get("name", ""),
                product=attrs.get("product", ""),
                version=attrs.get("version", ""),
                extrainfo=attrs.get("extrainfo", ""),
                pos=service.pos if service is not None else port.pos,
            )
        )
    os_element = element.first("os")
    os_names = tuple(m.attrs.get("name", "") for m in (os_element.all("osmatch") if os_element is not None else []))
    return ObservedHost(address, pos, mac, mac_vendor, mac_pos, hostnames, tuple(services), os_names)


class NmapLoader:
    """nmap XML output (``-oX``), ideally with ``-sV`` and from inside the network (MAC addresses)."""

    name = "nmap"
    suffixes: Sequence[str] = (".xml",)

    def resembles(self, source: SourceFile) -> bool:
        return xml_root_tag(source) == "nmaprun"

    def load(self, source: SourceFile) -> list[Document] | None:
        if xml_root_tag(source) != "nmaprun":
            return None
        root = read_xml(source)
        hosts = tuple(h for h in (_host(e) for e in root.all("host")) if h is not None)
        base = manifest_document(source, self.name, {})
        return [ScanDocument(base.path, base.data, base.format, base.sha256, hosts=hosts, scanned=root.attrs.get("startstr", ""))]


NMAP_LOADER: Loader = NmapLoader()

