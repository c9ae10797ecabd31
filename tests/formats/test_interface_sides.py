"""How firewall ports and interface-bound addresses become manifest rule endpoints."""

from __future__ import annotations

import ipaddress

import pytest

from vmspolicy.loading.interface_sides import ALL_V4, ALL_V6, Side, endpoints, port_span


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("554", "tcp/554"), ("8000-8002", "tcp/8000-8002"), (" 8002 - 8000 ", "tcp/8000-8002"),
        # firewalls count from 0, the manifest from 1 (a port 0 or above 65535 would be VP002 in the manifest)
        ("0-65535", "tcp"), ("1-65535", "tcp"), ("0-1023", "tcp/1-1023"), ("0", None), ("70000", None), ("http", None),
    ],
)
def test_port_span(written: str, expected: str | None) -> None:
    assert port_span("tcp", written) == expected


CAMS = Side("zone", "fw-cams", (ipaddress.ip_network("10.1.30.0/24"),))
OFFICE = Side("zone", "fw-office", (ipaddress.ip_network("10.1.0.0/24"),))
ZONES = [CAMS, OFFICE]


@pytest.mark.parametrize(
    ("side", "networks", "allow", "expected"),
    [
        # 'all' on an interface is what is behind that interface
        (CAMS, [ALL_V4], True, ["fw-cams"]),
        (Side("internet"), [ALL_V4, ALL_V6], False, ["internet"]),
        (Side("any"), [ALL_V4, ALL_V6], False, ["any"]),
        # one camera of the zone; another zone's network arrives elsewhere, so it is left out
        (CAMS, [ipaddress.ip_network("10.1.30.11/32"), ipaddress.ip_network("10.1.0.0/24")], True, ["10.1.30.11/32"]),
        # a network routed behind the interface: an allow reaches it, a deny cannot be sure of it
        (CAMS, [ipaddress.ip_network("172.16.0.0/16")], True, ["172.16.0.0/16"]),
        (CAMS, [ipaddress.ip_network("172.16.0.0/16")], False, []),
        # what cannot be resolved: the whole side for an allow, nothing for a deny
        (CAMS, None, True, ["fw-cams"]),
        (CAMS, None, False, []),
        (Side("unknown"), None, True, ["any"]),
        (Side("unknown"), [ALL_V4], False, []),
        # from the internet: never the firewall's own networks; a deny only of global addresses
        (Side("internet"), [ipaddress.ip_network("10.1.0.0/16")], True, []),
        (Side("internet"), [ipaddress.ip_network("192.168.9.0/24")], False, []),
        (Side("internet"), [ipaddress.ip_network("8.8.8.0/24")], False, ["8.8.8.0/24"]),
    ],
)
def test_endpoints(side: Side, networks: list[ipaddress.IPv4Network] | None, allow: bool, expected: list[str]) -> None:
    assert endpoints(side, list(networks) if networks is not None else None, allow, ZONES) == expected
