"""The engine against a naive oracle, and the algebraic properties of first-match policies.

Policies are small and random: three zones of eight addresses on two sites,
an internet block, a few devices, rules over zones, devices, CIDRs (some
cutting a zone in half), ``internet`` and ``any``, with port ranges, several
firewalls per site and port forwards. Every address pair is probed on a few
protocol/port codes chosen on both sides of every rule boundary.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reach import oracle
from tests.reach.estates import device, estate, firewall, forward, rule, zone
from vmspolicy.analysis.reach import analyse
from vmspolicy.analysis.reach.ports import code
from vmspolicy.core.model import Estate, Firewall, FirewallRule

ZONES = [zone("z0", "a", "10.0.0.0/29"), zone("z1", "a", "10.0.0.8/29"), zone("z2", "b", "10.0.0.16/29")]
NESTED = zone("z3", "a", "10.0.0.4/30")  # inside z0: the most specific zone owns its addresses
V6 = zone("z6", "a", "2001:db8::/125")  # an IPv6 zone: flows never cross address families
DEVICES = [
    device("d0", "a", "z0", "10.0.0.2"), device("d1", "a", "z1", "10.0.0.9"), device("d2", "b", "z2", "10.0.0.17"),
    device("d6", "a", "z6", "2001:db8::2"),
]
ENDPOINTS = [
    "any", "internet", "z0", "z1", "z2", "d0", "d1", "d2", "d6",
    "10.0.0.0/28", "10.0.0.4/30", "10.0.0.12/31", "10.0.0.24/30", "10.0.0.0/27", "0.0.0.0/0", "10.0.0.9/32", "::/0", "2001:db8::/126",
]
PORTS = ["tcp/22", "tcp/80-90", "udp/53", "icmp", "tcp", "udp/50-60"]
PROBES = [("tcp", 22), ("tcp", 80), ("tcp", 90), ("tcp", 91), ("udp", 53), ("udp", 60), ("icmp", 0), ("sctp", 1)]
# 10.0.0.24/29 lies outside every zone: the internet; 10.0.0.40 and 8.8.8.8 are internet outside every CIDR above.
ADDRESSES = [
    ipaddress.ip_address(a)
    for a in [*(f"10.0.0.{i}" for i in range(32)), "10.0.0.40", "8.8.8.8", "2001:db8::2", "2001:db8::5", "2001:db8::9"]
]

ports_st = st.one_of(st.none(), st.lists(st.sampled_from(PORTS), min_size=1, max_size=2, unique=True))


@st.composite
def rules_st(draw: Any, prefix: str) -> list[FirewallRule]:
    count = draw(st.integers(0, 6))
    return [
        rule(f"{prefix}-{i}", draw(st.sampled_from(ENDPOINTS)), draw(st.sampled_from(ENDPOINTS)),
             draw(st.sampled_from(["allow", "deny"])), draw(ports_st))
        for i in range(count)
    ]


@st.composite
def firewall_st(draw: Any, fw_id: str, site: str) -> Firewall:
    nat = [forward(f"{fw_id}-fwd", draw(st.sampled_from(["d0", "d1", "d2", "z1"])), draw(ports_st))] if draw(st.booleans()) else []
    return firewall(fw_id, site, draw(rules_st(fw_id)), draw(st.sampled_from(["allow", "deny"])), nat)


@st.composite
def estates(draw: Any) -> Estate:
    zones = [*ZONES, NESTED] if draw(st.booleans()) else list(ZONES)
    if draw(st.booleans()):
        zones.append(V6)
    firewalls = [draw(firewall_st(f"fw-a{i}", "a")) for i in range(draw(st.integers(0, 2)))]
    firewalls += [draw(firewall_st(f"fw-b{i}", "b")) for i in range(draw(st.integers(0, 1)))]
    return estate(zones, DEVICES, firewalls)


def allowed_by_engine(subject: Estate) -> set[tuple[int, int, str, int]]:
    analysis = analyse(subject)
    space = analysis.space
    out: set[tuple[int, int, str, int]] = set()
    atoms = [space.atom_of_address(a) for a in ADDRESSES]
    codes = [code(protocol, port) for protocol, port in PROBES]
    for s, a in enumerate(atoms):
        for d, b in enumerate(atoms):
            if space.owner[a] is None and space.owner[b] is None:
                continue  # internet to internet is not the estate's traffic
            for (protocol, port), c in zip(PROBES, codes, strict=True):
                if analysis.allows("out", a, b, c) is not None:
                    out.add((s, d, protocol, port))
    return out


def allowed_by_oracle(subject: Estate) -> set[tuple[int, int, str, int]]:
    out: set[tuple[int, int, str, int]] = set()
    for s, src in enumerate(ADDRESSES):
        for d, dst in enumerate(ADDRESSES):
            if subject.zone_of_address(src) is None and subject.zone_of_address(dst) is None:
                continue
            for protocol, port in PROBES:
                if oracle.allows(subject, src, dst, protocol, port):
                    out.add((s, d, protocol, port))
    return out


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_engine_agrees_with_the_oracle(subject: Estate) -> None:
    assert allowed_by_engine(subject) == allowed_by_oracle(subject)


@SETTINGS
@given(estates())
def test_inbound_view_agrees_with_outbound_view(subject: Estate) -> None:
    analysis = analyse(subject)
    space = analysis.space
    for src in ADDRESSES[::3]:
        for dst in ADDRESSES[::2]:
            a, b = space.atom_of_address(src), space.atom_of_address(dst)
            if space.owner[a] is None and space.owner[b] is None:
                continue
            for protocol, port in PROBES:
                out = analysis.allows("out", a, b, code(protocol, port)) is not None
                assert out == (analysis.allows("in", b, a, code(protocol, port)) is not None)


def _with_rules(subject: Estate, index: int, rules: list[FirewallRule]) -> Estate:
    firewalls = list(subject.firewalls)
    firewalls[index] = replace(firewalls[index], rules=tuple(rules))
    return replace(subject, firewalls=tuple(firewalls))


@SETTINGS
@given(estates(), st.sampled_from(ENDPOINTS), st.sampled_from(ENDPOINTS), ports_st, st.data())
def test_a_deny_rule_first_never_adds_reachability(subject: Estate, src: str, dst: str, ports: list[str] | None, data: Any) -> None:
    if not subject.firewalls:
        return
    index = data.draw(st.integers(0, len(subject.firewalls) - 1))
    denied = _with_rules(subject, index, [rule("deny-first", src, dst, "deny", ports), *subject.firewalls[index].rules])
    assert allowed_by_engine(denied) <= allowed_by_engine(subject)


@SETTINGS
@given(estates(), st.data())
def test_removing_an_allow_rule_never_adds_reachability(subject: Estate, data: Any) -> None:
    candidates = [(f, r) for f, fw in enumerate(subject.firewalls) for r, item in enumerate(fw.rules) if item.action == "allow"]
    if not candidates:
        return
    f, r = data.draw(st.sampled_from(candidates))
    rules = list(subject.firewalls[f].rules)
    del rules[r]
    assert allowed_by_engine(_with_rules(subject, f, rules)) <= allowed_by_engine(subject)


def _overlap(subject: Estate, first: FirewallRule, second: FirewallRule) -> bool:
    """Whether one concrete flow matches both rules (by enumeration, as the oracle matches)."""
    single = replace(subject, firewalls=())
    both_src = [a for a in ADDRESSES if oracle._matches(single, first.source, a) and oracle._matches(single, second.source, a)]
    both_dst = [a for a in ADDRESSES if oracle._matches(single, first.destination, a) and oracle._matches(single, second.destination, a)]
    both_ports = [p for p in PROBES if oracle._port_matches(first.ports, *p) and oracle._port_matches(second.ports, *p)]
    return bool(both_src and both_dst and both_ports)


@SETTINGS
@given(estates())
def test_rules_that_do_not_overlap_can_be_reordered(subject: Estate) -> None:
    before = allowed_by_engine(subject)
    for f, fw in enumerate(subject.firewalls):
        rules = list(fw.rules)
        for i in range(len(rules) - 1):
            if _overlap(subject, rules[i], rules[i + 1]):
                continue
            swapped = [*rules[:i], rules[i + 1], rules[i], *rules[i + 2:]]
            assert allowed_by_engine(_with_rules(subject, f, swapped)) == before


@SETTINGS
@given(estates())
def test_device_flows_name_exactly_the_peers_the_oracle_reaches(subject: Estate) -> None:
    from vmspolicy.analysis.reach import device_flows

    analysis = analyse(subject)
    for item in subject.devices.values():
        assert item.ip is not None
        home = subject.zone_of_address(item.ip)
        if home is None:
            continue  # d6 without its zone: internet to internet is not the estate's traffic
        # Where the device may be: its address, and anywhere in its zone's IPv6 networks and in the networks
        # that do not hold its address (auto-configured and secondary addresses), as far as its zone owns them.
        zone = subject.zones[item.zone] if item.zone is not None else home
        places = [item.ip, *(
            a for a in ADDRESSES
            if a != item.ip and subject.zone_of_address(a) == zone
            and any(a in net and (net.version == 6 or item.ip not in net) for net in zone.cidrs if net.version == a.version)
        )]
        for direction in ("out", "in"):
            expected: set[str] = set()
            for place in places:
                mine = subject.zone_of_address(place)
                for other in ADDRESSES:
                    peer = subject.zone_of_address(other)
                    if peer is not None and peer == mine:
                        continue
                    src, dst = (place, other) if direction == "out" else (other, place)
                    if any(oracle.allows(subject, src, dst, protocol, port) for protocol, port in PROBES):
                        expected.add("internet" if peer is None else peer.id)
            flows = device_flows(analysis, direction, item)  # type: ignore[arg-type]
            assert {f.peer_label for f in flows} == expected, (item.id, direction)
