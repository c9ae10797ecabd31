"""Cisco ASA configurations: interfaces become zones, inbound access lists in line order, security levels, static NAT."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.formats.helpers import SAMPLES, check_json, entries, firewall_rules, legacy_site_isolation, source, text_source
from vmspolicy.core.source import Document
from vmspolicy.loading.cisco_asa import CISCO_ASA_LOADER

FIXTURES = Path(__file__).parent / "fixtures"


def _load(path: Path) -> Document:
    docs = CISCO_ASA_LOADER.load(source(path))
    assert docs is not None
    return docs[0]


def test_batfish_filters_sample() -> None:
    doc = _load(SAMPLES / "batfish__batfish__asa-filters.cfg")
    # Interfaces at security level 0 face the internet; the others are zones.
    assert [(z["id"], z["cidr"]) for z in entries(doc, "zones")] == [
        ("asa-filters-name1", ["192.168.1.0/24"]), ("asa-filters-name3", ["192.168.3.0/24"]),
    ]
    assert firewall_rules(doc) == [
        # name1's inbound list; its outbound one (line 34) is not applied, which can only over-report
        (38, "access-list FILTER_IN line 38", "asa-filters-name1", "any", None, "allow"),
        # name3 has no access list: it reaches the interfaces of a lower security level
        (17, "name3 security level 50 to lower levels", "asa-filters-name3", "internet", None, "allow"),
        (39, "access-list FILTER_IN4 line 39", "internet", "any", ["tcp/123"], "allow"),
    ]


def test_batfish_twice_nat_sample() -> None:
    doc = _load(SAMPLES / "batfish__batfish__asa-nat-twice-static.cfg")
    nat = firewall_rules(doc, "nat")
    # Every active static NAT from inside (or any interface) towards the outside exposes its real addresses;
    # the inactive one (line 39) and the one whose real side is the outside (line 41) do not.
    assert sorted({(line, to) for line, _, _, to, _, _ in nat}) == [
        (36, "1.1.1.1/32"), (37, "1.1.1.1/32"), (38, "1.1.1.1/32"), (38, "1.1.1.5/32"), (40, "1.1.1.1/32"), (40, "1.1.1.5/32"),
        (42, "5.5.5.0/24"), (43, "5.5.5.0/24"), (44, "5.5.5.0/24"),
    ]


def test_depot_access_lists_in_line_order() -> None:
    doc = _load(FIXTURES / "asa-depot.cfg")
    assert [(z["id"], z["vlan"], z["purpose"]) for z in entries(doc, "zones")] == [
        ("asa-depot-cctv-legacy", 30, "legacy-cameras"), ("asa-depot-vms", 40, "vms"), ("asa-depot-office", 10, "corporate"),
    ]
    streams = ["tcp/554", "tcp/8000-8002"]
    assert firewall_rules(doc) == [
        # a name alias; the deny of everything else; the inactive entry (line 56) is skipped
        (54, "access-list CCTV_IN line 54", "asa-depot-cctv-legacy", "10.90.40.5/32", ["udp/514"], "allow"),
        (55, "access-list CCTV_IN line 55", "asa-depot-cctv-legacy", "any", None, "deny"),
        # a network object group and a service object group
        (51, "access-list VMS_IN line 51", "10.90.40.5/32", "10.90.30.0/24", streams, "allow"),
        (51, "access-list VMS_IN line 51", "10.90.40.6/32", "10.90.30.0/24", streams, "allow"),
        (52, "access-list VMS_IN line 52", "10.90.40.5/32", "any", ["tcp/443"], "allow"),
        (52, "access-list VMS_IN line 52", "10.90.40.6/32", "any", ["tcp/443"], "allow"),
        (57, "access-list OFFICE_IN line 57", "asa-depot-office", "10.90.30.0/24", None, "deny"),
        (58, "access-list OFFICE_IN line 58", "asa-depot-office", "any", None, "allow"),
    ]
    # Object NAT of one camera, on its mapped service port.
    assert firewall_rules(doc, "nat") == [(42, "static NAT line 42", "internet", "10.90.30.11/32", ["tcp/443"], "allow")]


def test_depot_configuration_judged_with_a_site(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "asa-depot.cfg", tmp_path / "asa-depot.cfg")
    code, found = legacy_site_isolation(tmp_path, "10.90.30")
    assert code == 1
    # The static NAT exposes cam-11; its neighbour is isolated (the office's deny comes before its permit).
    assert {rule: at for rule, at in found.items() if at} == {"VP203": {("site.yaml", 4, 10, "cam-11")}}


def test_other_cfg_files_are_not_claimed(tmp_path: Path) -> None:
    other = text_source("setup.cfg", "[metadata]\nname = thing\n")
    assert CISCO_ASA_LOADER.load(other) is None
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = thing\n", encoding="utf-8")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: depot}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert (code, findings) == (0, [])
