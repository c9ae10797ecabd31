"""VP501-VP502: drift between the paperwork and what a network scan finds."""

from __future__ import annotations

import ipaddress
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Iterable, Iterator, Mapping, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify import Verdict, identify, verdicts
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.model import Device, Estate
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.core.source import Pos
from vmspolicy.hookspecs import hookimpl

if TYPE_CHECKING:
    from vmspolicy.loading.nmap import ObservedHost, ScanDocument


def scans(ctx: CheckContext, code: str) -> Iterator[tuple[ScanDocument, ObservedHost]]:
    """Every host of every scan that rule ``code`` reports on (its findings lie in the scan: see CheckContext.documents_reported)."""
    documents = ctx.documents_reported(code)
    if not any(doc.format == "nmap" for doc in documents):
        return  # no scan: the nmap reader need not be loaded at all
    from vmspolicy.loading.nmap import ScanDocument

    for doc in documents:
        if isinstance(doc, ScanDocument):
            for host in doc.hosts:
                yield doc, host


def declared_device(estate: Estate, host: ObservedHost) -> Device | None:
    """The device of the estate that is this host: same MAC address, else same IP address."""
    by_ip: Device | None = None
    for device in estate.devices.values():
        if host.mac is not None and device.mac == host.mac:
            return device
        if by_ip is None and device.ip is not None and str(device.ip) == _canonical(host.address):
            by_ip = device
    return by_ip


def _canonical(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


class UndeclaredDevice(Rule):
    """A device answers on the network but no file of the estate declares it.

    What it checks
        Every host that is up in an nmap XML scan of the run (``nmap -sV -oX``)
        against the estate's devices, by MAC address and by IP address,
        whichever file declared them (a manifest, a Frigate config, a NetBox
        export). A host that no device matches is reported at its
        ``<address>`` in the scan; so is a host that matches a device declared
        ``decommissioned`` (it should not answer any more).

    Why
        Auditors compare the paperwork with reality first. A camera that is on
        the network but on no list is judged by no rule: nobody checked its
        vendor, its zone or its isolation, and it is exactly where a
        restricted device hides.

    Example (fails)
        .. code-block:: xml

            <host><status state="up"/>
              <address addr="10.20.30.99" addrtype="ipv4"/>   <!-- on no manifest -->
            </host>

    Use instead
        Declare the device (with its vendor, model and MAC) in a manifest, or
        remove it from the network; list addresses that are not devices of the
        estate (the firewall's own interfaces, the scanner) in ``ignore``.

    Options
        ``ignore``: addresses or networks (CIDR) never reported, e.g.
        ``["10.20.30.1", "10.99.0.0/16"]`` (default: none).
    """

    code = "VP501"
    slug = "undeclared-device"
    severity = Severity.WARNING
    summary = "a device answers on the network but is absent from every manifest"
    options: ClassVar[Mapping[str, Any]] = {"ignore": ()}
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"ignore": Looser.MORE})  # more addresses go unreported
    waivable = True
    inline_suppressible = True

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        ignored = _networks(ctx.options_for(UndeclaredDevice).get("ignore") or ())
        for doc, host in scans(ctx, self.code):
            if _ignored(host.address, ignored):
                continue
            device = declared_device(ctx.estate, host)
            seen = _described(host)
            if device is None:
                yield self.finding(
                    doc.at(host.pos),
                    f"{host.address}{seen} answers on the network but no manifest declares it; "
                    "declare it (vendor, model, MAC) or take it off the network",
                    subject=host.address,
                    evidence=f"undeclared:{host.mac or host.address}",
                )
            elif not device.active:
                yield self.finding(
                    doc.at(host.pos),
                    f"{host.address}{seen} answers on the network but {device.id} is declared decommissioned "
                    f"at {device.origin.loc('status')}; remove it or correct its status",
                    subject=device.id,
                    evidence=f"decommissioned:{device.id}",
                )


class RestrictedDeviceDiscovered(Rule):
    """A network scan finds a device of a restricted vendor family that the paperwork does not show.

    What it checks
        For every host of an nmap XML scan: the MAC address (IEEE OUI), the
        MAC vendor nmap prints and the ``-sV`` service banners (``Hikvision
        IP camera rtspd``, ``Dahua Rtsp Server``, ``App-webs``...) are given to
        vendor identification. When they establish a restricted family and
        the host is either undeclared or declared as a device whose own
        records do not show that family, the finding points at the scan line
        that gave it away.

    Why
        Relabelled and mislabelled devices are the usual way restricted
        equipment stays in an estate: the manifest says one brand, the
        network says another. A scan is evidence the declared vendor cannot
        argue with, and it catches devices nobody wrote down at all.

    Example (fails)
        .. code-block:: xml

            <address addr="10.20.30.11" addrtype="ipv4"/>
            <address addr="44:19:B6:12:34:56" addrtype="mac" vendor="Hangzhou Hikvision Digital Technology"/>

        while the manifest declares ``10.20.30.11`` as ``vendor: Axis``, or
        not at all.

    Use instead
        Declare the device with its real vendor and model so that the policy
        rules (VP101-VP105) judge it, and replace or isolate it as the policy
        requires.

        Huawei and ZTE make phones, laptops, routers and set-top boxes too: a
        host whose only evidence is their MAC block (the OUI, or the MAC
        vendor nmap prints) and that offers no surveillance service (RTSP,
        ONVIF, a camera SDK or discovery port, a camera banner) is not
        reported. A banner, a product name or an open RTSP port still is.

    Options
        None.
    """

    code = "VP502"
    slug = "restricted-device-discovered"
    severity = Severity.ERROR
    summary = "a scan's MAC vendor, service banner or product names a restricted family"
    waivable = False
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        known: Mapping[str, Verdict] | None = None
        for doc, host in scans(ctx, self.code):
            found = _identify_host(host, ctx)
            if found is None:
                continue
            verdict, pos, detail = found
            device = declared_device(ctx.estate, host)
            if device is not None:
                known = known if known is not None else verdicts(ctx)
                own = known.get(device.id)
                if own is not None and own.family == verdict.family:
                    continue  # the estate already shows it; VP101-VP105 judge it there
            where = (
                f"declared as {device.id} (vendor {device.vendor or 'not given'}) at {device.origin.loc()}"
                if device is not None
                else "declared nowhere"
            )
            yield self.finding(
                doc.at(pos),
                f"{host.address} is a {verdict.family} device ({detail}) but is {where}; "
                "declare its real vendor so the policy judges it, and replace or isolate it",
                subject=device.id if device is not None else host.address,
                evidence=f"{verdict.family}:{host.mac or host.address}",
            )


def _identify_host(host: ObservedHost, ctx: CheckContext) -> tuple[Verdict, Pos, str] | None:
    """The restricted family the scan shows for ``host``, where the scan shows it, and why."""
    banners = host.banners()
    verdict = identify(vendor=host.mac_vendor or None, mac=host.mac, banners=[t for t, _ in banners], vendor_data=ctx.vendor_data)
    if verdict.restricted and not _mac_block_alone(host, verdict):
        return (verdict, *_strongest(host, verdict, banners))
    # nmap's product names ("Hikvision 7513 POE IP camera rtspd") name the maker the way a declared vendor does.
    for service in host.services:
        if service.product:
            by_product = identify(vendor=service.product, vendor_data=ctx.vendor_data)
            if by_product.restricted:
                detail = f'{service.protocol}/{service.port} answers as "{service.banner}"'
                return by_product, service.pos, detail
    return None


# Families that make far more than surveillance equipment (phones, laptops, home gateways): their MAC
# block alone does not make a host surveillance equipment.
MAC_BLOCK_NOT_ENOUGH: Final = frozenset({"Huawei", "ZTE"})
# Ports and service names of video surveillance: RTSP, ONVIF and WS-Discovery, the Hikvision SDK and SADP,
# Dahua's DVRIP and discovery, the XMeye DVRIP that relabelled recorders speak.
SURVEILLANCE_PORTS: Final = frozenset({554, 8554, 3702, 8000, 37020, 37777, 37778, 37810, 34567})
SURVEILLANCE_SERVICES: Final = frozenset({"rtsp", "onvif", "ws-discovery", "dvrip"})


def _mac_block_alone(host: ObservedHost, verdict: Verdict) -> bool:
    """The family is one of :data:`MAC_BLOCK_NOT_ENOUGH`, all its evidence is the MAC, and no surveillance service answers."""
    if verdict.family not in MAC_BLOCK_NOT_ENOUGH:
        return False
    if any(e.field not in ("mac", "vendor") for e in verdict.evidence if e.family == verdict.family):
        return False  # a banner
    return not any(s.port in SURVEILLANCE_PORTS or s.name.lower() in SURVEILLANCE_SERVICES for s in host.services)


def _strongest(host: ObservedHost, verdict: Verdict, banners: list[tuple[str, Pos]]) -> tuple[Pos, str]:
    for piece in verdict.evidence:
        if piece.family != verdict.family:
            continue
        if piece.field == "banners" and piece.index is not None and piece.index < len(banners):
            return banners[piece.index][1], piece.detail
        if host.mac_pos is not None:
            return host.mac_pos, piece.detail
    return host.pos, f"identified as {verdict.family}"


def _described(host: ObservedHost) -> str:
    parts = [f"MAC {host.mac}" + (f" {host.mac_vendor}" if host.mac_vendor else "")] if host.mac else []
    parts.extend(f"{s.protocol}/{s.port} {s.banner or s.name}".strip() for s in host.services[:3])
    return f" ({'; '.join(parts)})" if parts else ""


def _networks(items: Sequence[Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            continue
    return out


def _ignored(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


RULES: Sequence[type[Rule]] = (UndeclaredDevice, RestrictedDeviceDiscovered)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
