"""FortiGate configuration backups: zones from interfaces, policies in file order, VIPs, fail-closed objects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.formats.helpers import SAMPLES, check_json, entries, firewall_rules, legacy_site_isolation, source, text_source
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.source import Document
from vmspolicy.core.text import ParseError
from vmspolicy.loading.fortigate import FORTIGATE_LOADER

FIXTURES = Path(__file__).parent / "fixtures"
POLICY_SAMPLE = SAMPLES / "batfish__batfish__fortios_firewall_policy.conf"
ADDRESS_SAMPLE = SAMPLES / "batfish__batfish__fortios_address.conf"


def _load(path: Path | None = None, text: str | None = None) -> Document:
    docs = FORTIGATE_LOADER.load(source(path) if path is not None else text_source("fw.conf", text or ""))
    assert docs is not None
    return docs[0]


def test_batfish_policy_sample_in_file_order() -> None:
    doc = _load(POLICY_SAMPLE)
    assert [(z["id"], z["cidr"], z.pos[0]) for z in entries(doc, "zones")] == [
        (f"firewall_policy-port{n}", [f"10.0.{n}.0/24"], 5 * n) for n in range(1, 6)
    ]
    p = "firewall_policy-port"
    assert firewall_rules(doc) == [
        # edit 0 is disabled; edit 4294967294 denies (no action) only from source port 11: a deny it cannot narrow, skipped.
        # edit 1: appended interfaces, addresses and services; traffic inside one interface is never filtered.
        (86, "Permit Custom TCP Traffic", f"{p}1", f"{p}2", ["tcp/11", "tcp/12"], "allow"),
        (86, "Permit Custom TCP Traffic", f"{p}2", f"{p}1", ["tcp/11", "tcp/12"], "allow"),
        (101, "policy 2", "any", "any", None, "allow"),
        # edit 3: system zones stand for their interfaces; a later 'set' replaces, 'append' adds.
        (109, "policy 3", f"{p}3", f"{p}5", None, "allow"),
        (109, "policy 3", f"{p}2", f"{p}3", None, "allow"),
        (109, "policy 3", f"{p}2", f"{p}5", None, "allow"),
        (109, "policy 3", f"{p}5", f"{p}3", None, "allow"),
        (109, "policy 3", f"{p}4", f"{p}3", None, "allow"),
        (109, "policy 3", f"{p}4", f"{p}5", None, "allow"),
    ]


ADDRESS_POLICIES = """
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "any"
        set action accept
        set srcaddr "all"
        set dstaddr "ipmask" "iprange" "interface-subnet"
        set service "ALL"
    next
    edit 5
        set srcintf "port2"
        set dstintf "any"
        set action accept
        set srcaddr "all"
        set dstaddr "ipmask-default"
        set service "ALL"
    next
    edit 2
        set srcintf "port2"
        set dstintf "any"
        set action accept
        set srcaddr "all"
        set dstaddr "fqdn"
        set service "ALL"
    next
    edit 3
        set srcintf "port2"
        set dstintf "any"
        set srcaddr "all"
        set dstaddr "wildcard"
        set service "ALL"
    next
    edit 4
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "iprange"
        set service "HTTPS"
    next
end
"""


def test_address_objects_of_the_batfish_sample() -> None:
    doc = _load(text=ADDRESS_SAMPLE.read_text(encoding="utf-8") + ADDRESS_POLICIES)
    assert firewall_rules(doc) == [
        # an ipmask (mask or prefix), an iprange and an interface's subnet, all 1.1.1.0/24: one destination
        (93, "policy 1", "address-port2", "1.1.1.0/24", None, "allow"),
        # an ipmask left at its default is 0.0.0.0/0: on the 'any' interface, every address
        (101, "policy 5", "address-port2", "any", None, "allow"),
        # an FQDN cannot be resolved from the file: the allow reaches everything behind its interface
        (109, "policy 2", "address-port2", "any", None, "allow"),
        # edit 3 denies a wildcard address it cannot express: skipped, never widened
        (124, "policy 4", "address-port2", "address-port1", ["tcp/443"], "deny"),
    ]


def test_depot_zones_and_policies() -> None:
    doc = _load(FIXTURES / "fortigate-depot.conf")
    assert [(z["id"], z.get("vlan"), z["cidr"], z["purpose"], z.pos[0]) for z in entries(doc, "zones")] == [
        ("fw-depot-internal1", None, ["10.60.0.0/24"], "corporate", 18),
        ("fw-depot-cctv-legacy", 130, ["10.60.130.0/24"], "legacy-cameras", 25),
        ("fw-depot-vms", 140, ["10.60.140.0/24"], "vms", 33),
    ]
    assert entries(doc, "firewalls")[0]["id"] == "fw-depot"
    streams = ["tcp/554", "tcp/80", "tcp/8000-8002"]
    assert firewall_rules(doc) == [
        # an address group of a host and a one-address range; a service group of two custom services
        (90, "recorders pull streams", "10.60.140.5/32", "fw-depot-cctv-legacy", streams, "allow"),
        (90, "recorders pull streams", "10.60.140.6/32", "fw-depot-cctv-legacy", streams, "allow"),
        # edit 3 (line 100) is disabled; edit 2 denies with no action set; the WAN side of 'all' is the internet
        (111, "no legacy egress", "fw-depot-cctv-legacy", "internet", None, "deny"),
        (120, "office out", "fw-depot-internal1", "internet", None, "allow"),
    ]
    # The virtual IP's policy: the internet reaches the mapped camera on the mapped port.
    assert firewall_rules(doc, "nat") == [
        (131, "installer remote view (virtual IP)", "internet", "10.60.130.11/32", ["tcp/443"], "allow"),
    ]


FAIL_CLOSED = """config system global
    set hostname "fw"
end
config system interface
    edit "port1"
        set ip 10.1.1.1 255.255.255.0
        set alias "cameras"
    next
    edit "port9"
        set type tunnel
    next
    edit "port2"
        set ip 198.51.100.2 255.255.255.0
    next
end
config router static
    edit 1
        set device "port2"
        set gateway 198.51.100.1
    next
end
config firewall address
    edit "geo"
        set type geography
        set country "CN"
    next
end
config firewall addrgrp
    edit "not-cams"
        set member "all"
        set exclude enable
        set exclude-member "geo"
    next
end
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "geo"
        set service "ALL"
        set action deny
    next
    edit 2
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set service "ALL"
        set schedule "weekdays"
    next
    edit 3
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set service "MADE-UP"
    next
    edit 4
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "not-cams"
        set dstaddr "all"
        set service "MADE-UP"
        set action accept
    next
    edit 5
        set srcintf "port9"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set service "HTTP"
        set action accept
    next
    edit 6
        set srcintf "port9"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set service "HTTP"
        set dstaddr-negate enable
    next
end
"""


def test_what_cannot_be_resolved_widens_an_allow_and_drops_a_deny() -> None:
    assert firewall_rules(_load(text=FAIL_CLOSED)) == [
        # edits 1-3 deny a geography, on a schedule, an unknown service: skipped (denying less only over-reports);
        # the interface of the default route is the internet
        (59, "policy 4", "fw-port1", "internet", None, "allow"),
        # a tunnel without an address may carry anything; edit 6 (a negated deny) is skipped
        (67, "policy 5", "any", "fw-port1", ["tcp/80"], "allow"),
    ]


VDOMS = """#config-version=FG100F-7.4.3-FW-build2573-240201:opmode=0:vdom=1:user=admin
config vdom
edit root
next
edit cctv
next
end
config global
config system global
    set hostname "fw-hq"
end
config system interface
    edit "port1"
        set vdom "root"
        set ip 10.9.0.1 255.255.255.0
    next
    edit "cams"
        set vdom "cctv"
        set ip 10.9.30.1 255.255.255.0
        set vlanid 30
        set interface "port3"
    next
    edit "nvr"
        set vdom "cctv"
        set ip 10.9.40.1 255.255.255.0
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "any"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
    next
end
next
edit cctv
config firewall policy
    edit 1
        set srcintf "nvr"
        set dstintf "cams"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "RTSP"
    next
end
next
end
"""


def test_each_vdom_is_a_firewall_of_its_own() -> None:
    doc = _load(text=VDOMS)
    assert [(z["id"], z["purpose"]) for z in entries(doc, "zones")] == [
        ("fw-hq-port1", "other"), ("fw-hq-cams", "cameras"), ("fw-hq-nvr", "vms"),
    ]
    assert [(f["id"], f["name"]) for f in entries(doc, "firewalls")] == [("fw-hq-root", "fw-hq VDOM root"), ("fw-hq-cctv", "fw-hq VDOM cctv")]
    assert firewall_rules(doc, firewall=0) == [(32, "policy 1", "fw-hq-port1", "any", None, "allow")]
    # RTSP is not a predefined service this file defines: an allow of it allows every port
    assert firewall_rules(doc, firewall=1) == [(44, "policy 1", "fw-hq-nvr", "fw-hq-cams", None, "allow")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("config system interface\n    edit port1\n        set ip 10.0.0.1/24\n    next\n", 1, "never closed"),
        ("config firewall policy\n    edit 1\n        set name \"open\n    next\nend\n", 3, "quoted value"),
        ("config firewall policy\n    show\nend\n", 2, "not a FortiOS configuration command"),
        ("config system global\nend\nend\n", 3, "without an open 'config'"),
        ("config firewall policy\n    move 9 before 1\nend\n", 2, "cannot be applied"),
    ],
)
def test_broken_configuration_is_a_located_parse_error(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        FORTIGATE_LOADER.load(text_source("fw.conf", text))
    assert caught.value.line == line
    assert message in caught.value.message


def test_script_commands_reorder_and_delete() -> None:
    text = FAIL_CLOSED + "config firewall policy\n    move 5 before 4\n    delete 3\n    rename 6 to 60\nend\n"
    assert [line for line, *_ in firewall_rules(_load(text=text))] == [67, 59]


def test_other_conf_files_are_not_claimed() -> None:
    nginx = text_source("nginx.conf", "worker_processes 1;\nevents { worker_connections 1024; }\n")
    assert FORTIGATE_LOADER.load(nginx) is None
    assert not FORTIGATE_LOADER.resembles(nginx)  # type: ignore[attr-defined]
    assert FORTIGATE_LOADER.resembles(text_source("fw.conf", "#config-version=FGT60F-7.2.8\nbroken"))  # type: ignore[attr-defined]


def test_depot_backup_judged_with_a_site(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "fortigate-depot.conf", tmp_path / "fw-depot.conf")
    code, found = legacy_site_isolation(tmp_path, "10.60.130")
    assert code == 1
    # Only the camera behind the virtual IP is exposed; the legacy zone has no egress (the deny comes first).
    assert {rule: at for rule, at in found.items() if at} == {"VP203": {("site.yaml", 4, 10, "cam-11")}}
    estate, problems = build_estate([_load(FIXTURES / "fortigate-depot.conf")])
    assert not problems
    assert [r.origin.loc().line for r in estate.firewalls[0].rules] == [90, 90, 111, 120]


def test_broken_backup_is_vp001_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "fw.conf").write_text("#config-version=FGT60F-7.2.8\nconfig firewall policy\n    edit 1\n", encoding="utf-8")
    (tmp_path / "nginx.conf").write_text("worker_processes 1;\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "fw.conf", 3)]


PROXY_POLICIES = """config firewall proxy-policy
    edit 1
        set name "legacy web proxy"
        set proxy explicit-web
        set srcintf "cctv-legacy"
        set dstintf "wan1"
        set srcaddr "all"
        set dstaddr "all"
        set service "webproxy"
        set action accept
        set schedule "always"
    next
    edit 2
        set proxy transparent-web
        set srcintf "internal1"
        set dstintf "wan1"
        set srcaddr "all"
        set dstaddr "all"
        set action deny
    next
    edit 3
        set proxy explicit-web
        set dstintf "wan1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set status disable
    next
end
"""


def test_a_proxy_policy_opens_what_no_firewall_policy_shows(tmp_path: Path) -> None:
    # The explicit web proxy's onward connection is the FortiGate's own: the "no legacy egress" deny does not stop it,
    # so the legacy cameras reach the internet through the proxy (on any port: CONNECT tunnels them).
    text = (FIXTURES / "fortigate-depot.conf").read_text(encoding="utf-8") + PROXY_POLICIES
    first = text.count("\n", 0, text.index('edit 1\n        set name "legacy web proxy"')) + 1
    assert firewall_rules(_load(text=text))[0] == (first, "legacy web proxy", "fw-depot-cctv-legacy", "internet", None, "allow")
    # The denying and the disabled proxy policies add nothing.
    assert len(firewall_rules(_load(text=text))) == len(firewall_rules(_load(FIXTURES / "fortigate-depot.conf"))) + 1
    (tmp_path / "fw-depot.conf").write_text(text, encoding="utf-8")
    code, found = legacy_site_isolation(tmp_path, "10.60.130")
    assert code == 1
    assert found["VP202"] == {("site.yaml", 4, 10, "cam-11"), ("site.yaml", 5, 10, "cam-12")}


def test_an_explicit_proxy_without_source_interfaces_listens_where_it_is_enabled() -> None:
    # Older releases name no srcintf in a proxy policy: the explicit proxy serves the interfaces it is enabled on.
    text = (FIXTURES / "fortigate-depot.conf").read_text(encoding="utf-8")
    text = text.replace('        set alias "office"\n', '        set alias "office"\n        set explicit-web-proxy enable\n')
    text += PROXY_POLICIES.replace('        set srcintf "cctv-legacy"\n', "")
    rules = firewall_rules(_load(text=text))
    assert rules[0][1:] == ("legacy web proxy", "fw-depot-internal1", "internet", None, "allow")
    # With no interface enabling it either, the source is unknown: anything, fail closed.
    unknown = firewall_rules(_load(text=text.replace("        set explicit-web-proxy enable\n", "")))
    assert unknown[0][1:] == ("legacy web proxy", "any", "internet", None, "allow")
