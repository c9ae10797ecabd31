"""Semantics of the reachability engine, case by case, and how its cost grows."""

from __future__ import annotations

import gc
import time
from typing import Any

from tests.reach.estates import device, estate, firewall, forward, rule, zone
from vmspolicy.analysis.reach import analyse, device_flows
from vmspolicy.analysis.reach.engine import CompiledFirewall, Reachability
from vmspolicy.analysis.reach.intervals import contains, intersect, normalise, subtract, union
from vmspolicy.analysis.reach.ports import code, describe, port_set
from vmspolicy.core.model import Estate, parse_ports


def _allowed(analysis: Reachability, src: str, dst: str, protocol: str = "tcp", port: int = 443) -> bool:
    import ipaddress

    space = analysis.space
    a = space.atom_of_address(ipaddress.ip_address(src))
    b = space.atom_of_address(ipaddress.ip_address(dst))
    return analysis.allows("out", a, b, code(protocol, port)) is not None


def _hq(*rules_: object, default: str = "deny", nat: tuple[object, ...] = ()) -> Estate:
    return estate(
        [
            zone("hq-legacy", "hq", "10.20.30.0/24", purpose="legacy-cameras"),
            zone("hq-vms", "hq", "10.20.40.0/24", purpose="vms"),
            zone("hq-corp", "hq", "10.20.50.0/24", purpose="corporate"),
        ],
        [device("cam-1", "hq", "hq-legacy", "10.20.30.11"), device("nvr-1", "hq", "hq-vms", "10.20.40.5", kind="recorder")],
        [firewall("hq-fw", "hq", list(rules_), default, list(nat))],  # type: ignore[arg-type]
    )


def test_interval_sets() -> None:
    a = normalise([(0, 10), (10, 12), (20, 30)])
    assert a == ((0, 12), (20, 30))
    assert subtract(a, ((5, 25),)) == ((0, 5), (25, 30))
    assert intersect(a, ((5, 25),)) == ((5, 12), (20, 25))
    assert union(((0, 1),), ((1, 2),)) == ((0, 2),)
    assert contains(a, 11) and not contains(a, 12) and not contains(a, 31)


def test_ports_are_described_as_written() -> None:
    assert describe(port_set(parse_ports(["tcp/443", "udp/123", "tcp/8000-8100"]))) == "tcp/443, tcp/8000-8100, udp/123"
    assert describe(port_set(None)) == "any port"
    assert describe(port_set(parse_ports(["icmp", "tcp"]))) == "tcp, icmp"


def test_first_match_wins_and_the_default_applies_to_the_rest() -> None:
    analysis = analyse(_hq(rule("no-web", "hq-corp", "hq-legacy", "deny", ["tcp/80"]), rule("corp-in", "hq-corp", "hq-legacy")))
    assert not _allowed(analysis, "10.20.50.1", "10.20.30.11", "tcp", 80)
    assert _allowed(analysis, "10.20.50.1", "10.20.30.11", "tcp", 81)
    assert not _allowed(analysis, "10.20.30.11", "10.20.50.1", "tcp", 81)  # default deny; replies are not new flows


def test_inside_one_zone_nothing_is_filtered() -> None:
    analysis = analyse(_hq(rule("deny-all", "any", "any", "deny")))
    assert _allowed(analysis, "10.20.30.11", "10.20.30.12")
    assert not _allowed(analysis, "10.20.30.11", "10.20.40.5")


def test_explanations_name_the_rule_and_its_line() -> None:
    subject = _hq(rule("cams-update", "hq-legacy", "internet", "allow", ["tcp/443"], line=23))
    flows = device_flows(analyse(subject), "out", subject.devices["cam-1"])
    assert [f.explain() for f in flows] == ["hq-fw rule 'cams-update' (estate.yaml:23) allows cam-1 → internet tcp/443"]
    assert flows[0].evidence == "cam-1->internet tcp/443 via hq-fw:cams-update"


def test_a_default_allow_is_named_as_such() -> None:
    subject = _hq(rule("legacy-to-vms", "hq-legacy", "hq-vms", "deny"), default="allow")
    flows = device_flows(analyse(subject), "out", subject.devices["cam-1"])
    assert {(f.peer_label, str(f.decisions[0])) for f in flows} == {
        ("internet", "hq-fw default allow (estate.yaml:1)"),
        ("hq-corp", "hq-fw default allow (estate.yaml:1)"),
    }


def test_port_forwards_come_from_the_internet_before_the_rules() -> None:
    subject = _hq(rule("deny-all", "any", "any", "deny"), nat=(forward("remote-view", "cam-1", ["tcp/554"]),))
    analysis = analyse(subject)
    inbound = device_flows(analysis, "in", subject.devices["cam-1"])
    assert [f.explain() for f in inbound] == ["hq-fw port forward 'remote-view' (estate.yaml:1) allows internet → cam-1 tcp/554"]
    assert device_flows(analysis, "out", subject.devices["cam-1"]) == []


def test_a_rule_narrower_than_a_zone_is_honoured_per_device() -> None:
    subject = _hq(rule("upper-half", "10.20.30.128/25", "internet", "allow", ["udp/123"]))
    subject = estate(list(subject.zones.values()), [*subject.devices.values(), device("cam-2", "hq", "hq-legacy", "10.20.30.200")],
                     subject.firewalls)
    analysis = analyse(subject)
    assert device_flows(analysis, "out", subject.devices["cam-1"]) == []
    assert [f.peer_label for f in device_flows(analysis, "out", subject.devices["cam-2"])] == ["internet"]


def test_cross_site_flows_need_both_sites() -> None:
    zones = [zone("hq-legacy", "hq", "10.20.30.0/24"), zone("br-corp", "branch", "10.1.50.0/24")]
    open_hq = firewall("hq-fw", "hq", [rule("in", "any", "hq-legacy", "allow")])
    closed_branch = firewall("br-fw", "branch", [], "deny")
    open_branch = firewall("br-fw", "branch", [rule("out", "br-corp", "any", "allow")])
    assert not _allowed(analyse(estate(zones, [], [open_hq, closed_branch])), "10.1.50.1", "10.20.30.1")
    both = analyse(estate(zones, [], [open_hq, open_branch]))
    assert _allowed(both, "10.1.50.1", "10.20.30.1")
    space = both.space
    decisions = both.allows("out", space.atom_of_address(__import__("ipaddress").ip_address("10.1.50.1")),
                            space.atom_of_address(__import__("ipaddress").ip_address("10.20.30.1")), code("tcp", 1))
    assert [d.key for d in decisions or ()] == ["br-fw:out", "hq-fw:in"]


def test_several_firewalls_on_one_site_allow_what_any_of_them_allows() -> None:
    zones = [zone("a", "hq", "10.0.1.0/24"), zone("b", "hq", "10.0.2.0/24")]
    first = firewall("fw-1", "hq", [rule("a-b", "a", "b", "allow", ["tcp/22"])])
    second = firewall("fw-2", "hq", [rule("a-b-web", "a", "b", "allow", ["tcp/443"])])
    analysis = analyse(estate(zones, [], [first, second]))
    assert _allowed(analysis, "10.0.1.1", "10.0.2.1", "tcp", 22)
    assert _allowed(analysis, "10.0.1.1", "10.0.2.1", "tcp", 443)
    assert not _allowed(analysis, "10.0.1.1", "10.0.2.1", "tcp", 80)


def test_a_site_without_firewall_filters_nothing() -> None:
    analysis = analyse(estate([zone("a", "depot", "10.9.1.0/24"), zone("b", "depot", "10.9.2.0/24")]))
    assert _allowed(analysis, "10.9.1.1", "10.9.2.1")
    assert _allowed(analysis, "10.9.1.1", "8.8.8.8")


def test_unknown_endpoints_fail_closed() -> None:
    subject = _hq(rule("typo-deny", "hq-legcy", "internet", "deny"), rule("typo-allow", "hq-vsm", "hq-legacy", "allow"))
    analysis = analyse(subject)
    assert [(u.rule, u.field, u.value) for u in analysis.unresolved] == [("typo-deny", "from", "hq-legcy"), ("typo-allow", "from", "hq-vsm")]
    assert _allowed(analysis, "10.20.50.1", "10.20.30.11")  # the allow with an unknown source matches every source
    assert not _allowed(analysis, "10.20.30.11", "8.8.8.8")  # the deny matched nothing; the default denies


def test_devices_without_address_are_anywhere_in_their_zone() -> None:
    subject = _hq(rule("upper-half", "10.20.30.128/25", "internet", "allow"))
    subject = estate(list(subject.zones.values()), [device("cam-x", "hq", "hq-legacy", None)], subject.firewalls)
    flows = device_flows(analyse(subject), "out", subject.devices["cam-x"])
    assert [f.peer_label for f in flows] == ["internet"]


def test_a_zone_without_cidr_is_its_members_addresses() -> None:
    zones = [zone("legacy", "hq"), zone("corp", "hq", "10.0.2.0/24")]
    devices = [device("cam-1", "hq", "legacy", "192.168.1.5")]
    analysis = analyse(estate(zones, devices, [firewall("fw", "hq", [rule("legacy-out", "legacy", "internet", "allow")])]))
    assert _allowed(analysis, "192.168.1.5", "8.8.8.8")
    assert not _allowed(analysis, "192.168.1.6", "8.8.8.8")  # not a member: the internet, which is not filtered here... by hq
    assert not _allowed(analysis, "192.168.1.5", "10.0.2.1")


def test_ipv6_zones() -> None:
    subject = estate(
        [zone("v6-legacy", "hq", "2001:db8:30::/64"), zone("v6-vms", "hq", "2001:db8:40::/64")],
        [device("cam-6", "hq", "v6-legacy", "2001:db8:30::11")],
        [firewall("fw", "hq", [rule("pull", "v6-vms", "v6-legacy", "allow", ["tcp/554"]), rule("out", "::/0", "internet", "allow")])],
    )
    flows = device_flows(analyse(subject), "out", subject.devices["cam-6"])
    assert [f.explain() for f in flows] == ["fw rule 'out' (estate.yaml:1) allows cam-6 → internet any port"]


# -- cost --------------------------------------------------------------------------------------------


def _sites(count: int, cameras_per_zone: int) -> Estate:
    """Sites shaped like the benchmark generator's: ten zones, a legacy zone, twenty-odd rules."""
    zones, devices, firewalls = [], [], []
    for s in range(count):
        sid = f"s{s}"
        names = [f"{sid}-cctv-{z}" for z in range(6)] + [f"{sid}-legacy", f"{sid}-vms", f"{sid}-mgmt", f"{sid}-corp"]
        for z, name in enumerate(names):
            zones.append(zone(name, sid, f"10.{s // 16}.{(s % 16) * 16 + z}.0/24"))
        for z, name in enumerate(names[:7]):
            for c in range(cameras_per_zone):
                devices.append(device(f"{name}-cam-{c}", sid, name, f"10.{s // 16}.{(s % 16) * 16 + z}.{c + 1}"))
        rules = [rule(f"vms-pulls-{n}", f"{sid}-vms", n, "allow", ["tcp/554", "tcp/443"]) for n in names[:7]]
        rules += [
            rule("legacy-no-egress", f"{sid}-legacy", "internet", "deny"),
            rule("no-ingress", "internet", f"{sid}-legacy", "deny"),
            rule("legacy-isolated", f"{sid}-legacy", "any", "deny"),
        ]
        rules += [rule(f"mgmt-{n}", f"{sid}-mgmt", n, "allow", ["tcp/22"]) for n in names[:7]]
        rules += [rule("vms-updates", f"{sid}-vms", "internet", "allow", ["tcp/443"])]
        firewalls.append(firewall(f"{sid}-fw", sid, rules))
    return estate(zones, devices, firewalls)


def _analyse_every_camera(subject: Estate) -> float:
    # CPU time of this process: other jobs on a loaded CI machine do not count against it.
    gc.collect()
    started = time.process_time()
    analysis = analyse(subject)
    for item in subject.devices.values():
        device_flows(analysis, "out", item)
        device_flows(analysis, "in", item)
    return time.process_time() - started


def test_evaluations_do_not_grow_with_cameras(monkeypatch: object) -> None:
    calls: list[int] = []
    original = CompiledFirewall._sweep

    def counting(self: CompiledFirewall, direction: str, atom: int) -> object:
        calls.append(atom)
        return original(self, direction, atom)  # type: ignore[arg-type]

    monkeypatch.setattr(CompiledFirewall, "_sweep", counting)  # type: ignore[attr-defined]
    _analyse_every_camera(_sites(2, 5))
    few = len(calls)
    calls.clear()
    _analyse_every_camera(_sites(2, 200))
    assert len(calls) == few


def test_cost_per_camera_does_not_grow_with_the_estate() -> None:
    small = min(_analyse_every_camera(_sites(1, 143)) for _ in range(5)) / (143 * 7)
    large = min(_analyse_every_camera(_sites(30, 143)) for _ in range(2)) / (30 * 143 * 7)
    assert large < 2.5 * small, (small, large)


def _own_address_and_port(count: int) -> Estate:
    """A firewall backup whose every rule comes from its own internet address to its own port (benchmarks/hostile.py)."""
    rules = [
        rule(f"r{i}", f"198.51.{i // 256}.{i % 256}", "any", "allow" if i % 2 else "deny", [f"tcp/{1000 + i}"])
        for i in range(count)
    ]
    return estate([zone("lan", "hq", "10.50.0.0/16", purpose="legacy-cameras")], [device("cam-1", "hq", "lan", "10.50.0.11")],
                  [firewall("fw", "hq", rules)])


def _count_interval_operations(monkeypatch: object) -> list[int]:
    """Count the engine's calls of the interval operations (each costs at least one step)."""
    from vmspolicy.analysis.reach import engine

    calls = [0]

    def counted(function: Any) -> Any:
        def call(*args: Any) -> Any:
            calls[0] += 1
            return function(*args)
        return call

    for name in ("contains", "intersect", "subtract"):
        monkeypatch.setattr(engine, name, counted(getattr(engine, name)))  # type: ignore[attr-defined]
    return calls


def test_rules_each_with_their_own_port_cost_rules_plus_ports_not_their_product(monkeypatch: object) -> None:
    calls = _count_interval_operations(monkeypatch)
    count = 400
    subject = _own_address_and_port(count)
    flows = device_flows(analyse(subject), "in", subject.devices["cam-1"])
    # Each allowing rule lets its own address reach the camera on its own port, and nothing else is allowed.
    assert sorted(f.evidence for f in flows) == sorted(
        f"internet->cam-1 tcp/{1000 + i} via fw:r{i}" for i in range(1, count, 2)
    )
    # Every rule is asked once whether it applies, and each slice of ports is worked out with only the rules
    # that match it: the interval operations grow with rules and ports, not with their product (was 400 x 800).
    assert calls[0] < 10 * count, calls[0]


def test_a_rule_per_camera_costs_cameras_plus_rules_not_their_product(monkeypatch: object) -> None:
    count = 300
    zones = [zone("legacy", "hq", "10.50.0.0/16", purpose="legacy-cameras"), zone("vms", "hq", "10.60.0.0/24", purpose="vms")]
    cameras = [device(f"cam-{i}", "hq", "legacy", f"10.50.{i // 256}.{i % 256}") for i in range(count)]
    rules = [rule(f"pull-{i}", "vms", f"cam-{i}", "allow", ["tcp/554"]) for i in range(count)]
    subject = estate(zones, cameras, [firewall("fw", "hq", [*rules, rule("legacy-out", "legacy", "any", "deny")])])
    analysis = analyse(subject)
    calls = _count_interval_operations(monkeypatch)
    for camera in cameras:
        assert [f.evidence for f in device_flows(analysis, "in", camera)] == [f"vms->{camera.id} tcp/554 via fw:pull-{camera.id[4:]}"]
        assert device_flows(analysis, "out", camera) == []
    # Each camera is its own class of addresses; the rules that apply to a class are looked up, not asked one by one.
    assert calls[0] < 30 * count, calls[0]


def test_cameras_of_a_dual_stack_zone_share_the_work_of_its_ipv6_network(monkeypatch: object) -> None:
    from vmspolicy.analysis.reach import space

    count = 200
    zones = [zone("legacy", "hq", "10.50.0.0/16", "2001:db8:50::/64", purpose="legacy-cameras")]
    cameras = [device(f"cam-{i}", "hq", "legacy", f"10.50.{i // 256}.{i % 256}") for i in range(count)]
    # A rule per camera's IPv6 address cuts the zone's IPv6 network into an atom per rule.
    rules = [rule(f"v6-{i}", f"2001:db8:50::{i:x}", "internet", "allow" if i == 7 else "deny", ["tcp/443"]) for i in range(1, count + 1)]
    subject = estate(zones, cameras, [firewall("fw", "hq", rules)])
    analysis = analyse(subject)
    steps = [0]
    real_points, real_flows = space.from_points, Reachability.flows

    def points(found: Any) -> Any:
        listed = list(found)
        steps[0] += len(listed)
        return real_points(listed)

    def flows(self: Reachability, direction: Any, atom: int) -> Any:
        steps[0] += 1
        return real_flows(self, direction, atom)

    monkeypatch.setattr(space, "from_points", points)  # type: ignore[attr-defined]
    monkeypatch.setattr(Reachability, "flows", flows)  # type: ignore[attr-defined]
    for camera in cameras:
        # Every camera may hold the address the one allowing rule names (its zone's IPv6 network is its too).
        assert [f.evidence for f in device_flows(analysis, "out", camera)] == [
            f"{camera.id} at 2001:db8:50::/64->internet tcp/443 via fw:v6-7"]
    # The network's atoms are found, and their flows grouped, once for all cameras (was cameras x atoms).
    assert steps[0] < 20 * count, steps[0]


def test_a_rule_naming_a_device_without_address_allows_for_its_zone_and_denies_nothing() -> None:
    zones = [zone("hq-legacy", "hq", "10.20.30.0/24"), zone("hq-corp", "hq", "10.20.50.0/24")]
    devices = [device("cam-x", "hq", "hq-legacy", None), device("cam-1", "hq", "hq-legacy", "10.20.30.11")]
    shielded = estate(zones, devices, [firewall("fw", "hq", [rule("shield", "cam-x", "internet", "deny"), rule("out", "hq-legacy", "internet")])])
    analysis = analyse(shielded)
    assert [f.peer_label for f in device_flows(analysis, "out", shielded.devices["cam-x"])] == ["internet"]
    opened = estate(zones, devices, [firewall("fw", "hq", [rule("cam-x-out", "cam-x", "internet")])])
    analysis = analyse(opened)
    assert [str(f.decisions[0]) for f in device_flows(analysis, "out", opened.devices["cam-1"])] == ["fw rule 'cam-x-out' (estate.yaml:1)"]
