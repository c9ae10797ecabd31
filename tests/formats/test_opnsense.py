"""OPNsense and pfSense config.xml: zones from interfaces, ordered rules and port forwards, safe XML."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.formats.helpers import SAMPLES, check_json, entries, source, text_source, where
from vmspolicy.estate import build_estate
from vmspolicy.loading.opnsense import OPNSENSE_LOADER, zone_purpose
from vmspolicy.loading.text import ParseError
from vmspolicy.source import Document

FIXTURES = Path(__file__).parent / "fixtures"


def _load(path: Path) -> Document:
    docs = OPNSENSE_LOADER.load(source(path))
    assert docs is not None
    return docs[0]


def _rules(doc: Document, section: str = "rules") -> list[tuple[int, dict[str, Any]]]:
    firewall = entries(doc, "firewalls")[0]
    return [(r.pos[0], dict(r)) for r in firewall[section]]


def test_opnsense_factory_config() -> None:
    doc = _load(SAMPLES / "opnsense__core__config.xml")
    zones = entries(doc, "zones")
    assert [(z["id"], z["cidr"], z["purpose"], z.pos) for z in zones] == [("opnsense-lan", ["192.168.1.0/24"], "corporate", (64, 5))]
    # The wan (DHCP) is the internet, not a zone; both default rules (IPv4 and IPv6) let the LAN reach anything.
    assert _rules(doc) == [
        (118, {"name": "Default allow LAN to any rule", "from": "opnsense-lan", "to": "any", "action": "allow"}),
        (144, {"name": "Default allow LAN IPv6 to any rule", "from": "opnsense-lan", "to": "any", "action": "allow"}),
    ]
    assert entries(doc, "firewalls")[0]["id"] == "opnsense"


def test_pfsense_zones_vlans_and_purposes() -> None:
    doc = _load(FIXTURES / "pfsense-config.xml")
    assert [(z["id"], z.get("vlan"), z["cidr"], z["purpose"], z.pos[0]) for z in entries(doc, "zones")] == [
        ("fw-depot-lan", None, ["10.50.0.0/24"], "corporate", 16),
        ("fw-depot-cctv-legacy", 130, ["10.50.130.0/24"], "legacy-cameras", 23),
        ("fw-depot-vms", 140, ["10.50.140.0/24"], "vms", 30),
    ]


def test_pfsense_rules_in_evaluation_order() -> None:
    rules = _rules(_load(FIXTURES / "pfsense-config.xml"))
    assert [(line, r["from"], r["to"], r.get("ports"), r["action"]) for line, r in rules] == [
        # floating rules first; the wan side of "any" is the internet
        (129, "internet", "any", ["icmp"], "allow"),
        (129, "fw-depot-lan", "any", ["icmp"], "allow"),
        # a host alias becomes one rule per address; a port alias its ports
        (63, "10.50.140.5/32", "fw-depot-cctv-legacy", ["tcp/554", "tcp/8000-8002"], "allow"),
        (63, "10.50.140.6/32", "fw-depot-cctv-legacy", ["tcp/554", "tcp/8000-8002"], "allow"),
        (77, "fw-depot-cctv-legacy", "any", None, "deny"),
        # the disabled rule (line 89) is skipped; a negated destination in an allow rule counts as any
        (102, "fw-depot-lan", "any", ["tcp/443", "udp/443"], "allow"),
        # the rule to the firewall itself (line 116) joins no two zones
    ]


def test_pfsense_port_forwards() -> None:
    assert _rules(_load(FIXTURES / "pfsense-config.xml"), "nat") == [
        (145, {"name": "installer remote access", "from": "internet", "to": "10.50.130.11/32", "ports": ["tcp/443"], "action": "allow"}),
    ]


def test_pfsense_export_validates_and_builds(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pfsense-config.xml", tmp_path / "config.xml")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: depot}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert not where(findings, "VP001") and not where(findings, "VP002") and not where(findings, "VP003")
    assert code in (0, 1)
    doc = _load(FIXTURES / "pfsense-config.xml")
    estate, problems = build_estate([doc])
    assert not problems
    assert estate.firewalls[0].site == "imported"
    assert [r.origin.loc().line for r in estate.firewalls[0].rules][:3] == [129, 129, 63]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE opnsense [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
]>
<opnsense><system><hostname>&b;</hostname></system></opnsense>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE pfsense [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<pfsense><system><hostname>&secret;</hostname></system></pfsense>
"""


@pytest.mark.parametrize(("text", "line"), [(BOMB, 3), (XXE, 2), ("<opnsense>\n  <system>\n</opnsense>\n", 3)])
def test_unsafe_or_broken_xml_is_a_located_parse_error(text: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        OPNSENSE_LOADER.load(text_source("config.xml", text))
    assert caught.value.line == line


def test_broken_export_is_vp001_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "config.xml").write_text(BOMB, encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "config.xml", 3)]


def test_other_xml_is_not_claimed() -> None:
    assert OPNSENSE_LOADER.load(text_source("pom.xml", "<?xml version='1.0'?>\n<project><a/></project>")) is None
    assert OPNSENSE_LOADER.load(text_source("notes.xml", "not xml at all")) is None


@pytest.mark.parametrize(
    ("name", "purpose"),
    [("CCTV_LEGACY", "legacy-cameras"), ("Cameras", "cameras"), ("VMS", "vms"), ("MGMT", "management"),
     ("Guest WiFi", "guest"), ("DMZ", "dmz"), ("LAN", "corporate"), ("opt7", "other")],
)
def test_zone_purpose_from_the_interface_name(name: str, purpose: str) -> None:
    assert zone_purpose(name) == purpose


MVC = """<?xml version="1.0"?>
<opnsense>
  <system><hostname>fw-hq</hostname></system>
  <interfaces>
    <lan><if>vtnet1</if><descr>Cameras</descr><ipaddr>10.1.20.1</ipaddr><subnet>24</subnet></lan>
  </interfaces>
  <OPNsense><Firewall>
    <Alias><aliases>
      <alias uuid="a1"><enabled>1</enabled><name>NVRS</name><type>host</type><content>10.1.40.5
10.1.40.6</content></alias>
    </aliases></Alias>
    <Filter><rules>
      <rule uuid="r3"><enabled>1</enabled><sequence>30</sequence><action>pass</action><interface>lan</interface>
        <protocol>TCP</protocol><source_net>lan</source_net><destination_net>NVRS</destination_net><destination_port>554</destination_port>
        <description>third by sequence</description></rule>
      <rule uuid="r1"><enabled>1</enabled><sequence>10</sequence><action>block</action><interface>lan</interface>
        <source_net>lan</source_net><destination_net>10.0.0.0/8</destination_net><destination_not>1</destination_not>
        <description>negated deny: skipped</description></rule>
      <rule uuid="r2"><enabled>0</enabled><sequence>20</sequence><action>pass</action><interface>lan</interface>
        <source_net>any</source_net><destination_net>any</destination_net><description>disabled</description></rule>
      <rule uuid="r0"><enabled>1</enabled><sequence>5</sequence><action>reject</action><interface>lan</interface>
        <protocol>UDP</protocol><source_net>any</source_net><destination_net>UNKNOWN_ALIAS</destination_net>
        <description>deny to an unknown alias: skipped</description></rule>
    </rules></Filter>
  </Firewall></OPNsense>
</opnsense>
"""


def test_opnsense_automation_rules_by_sequence() -> None:
    docs = OPNSENSE_LOADER.load(text_source("config.xml", MVC))
    assert docs is not None
    rules = _rules(docs[0])
    assert [(line, r["name"], r["from"], r["to"], r.get("ports"), r["action"]) for line, r in rules] == [
        (13, "third by sequence", "fw-hq-cameras", "10.1.40.5/32", ["tcp/554"], "allow"),
        (13, "third by sequence", "fw-hq-cameras", "10.1.40.6/32", ["tcp/554"], "allow"),
    ]
    assert entries(docs[0], "zones")[0]["purpose"] == "cameras"
