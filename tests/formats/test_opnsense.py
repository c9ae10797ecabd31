"""OPNsense and pfSense config.xml: zones from interfaces, ordered rules and port forwards, safe XML."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.formats.helpers import SAMPLES, check_json, entries, source, text_source, where
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.source import Document
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.opnsense import OPNSENSE_LOADER, zone_purpose

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


ONE_TO_ONE = """<?xml version="1.0"?>
<pfsense>
  <system><hostname>fw-branch</hostname></system>
  <interfaces>
    <wan><if>igb0</if><ipaddr>203.0.113.10</ipaddr><subnet>28</subnet><gateway>WANGW</gateway></wan>
    <lan><if>igb1</if><descr>LAN</descr><ipaddr>10.1.0.1</ipaddr><subnet>24</subnet></lan>
    <opt1><if>igb1.130</if><descr>CCTV_LEGACY</descr><ipaddr>10.1.30.1</ipaddr><subnet>24</subnet></opt1>
  </interfaces>
  <aliases>
    <alias><name>LEGACY_CAMS</name><type>host</type><address>10.1.30.21 10.1.30.22</address></alias>
  </aliases>
  <nat>
    <onetoone><external>203.0.113.11</external><descr>remote view of the Hikvision</descr><interface>wan</interface>
      <source><address>10.1.30.11</address></source><destination><any/></destination></onetoone>
    <onetoone><disabled/><external>203.0.113.12</external><interface>wan</interface>
      <source><address>10.1.30.12</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.0</external><descr>whole camera VLAN</descr>
      <source><network>opt1</network></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.16</external><interface>wan</interface>
      <source><address>10.1.30.16/28</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.13</external><interface>wan</interface>
      <source><address>LEGACY_CAMS</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.14</external><descr>unknown alias</descr><interface>wan</interface>
      <source><address>NOT_DEFINED</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.15</external><descr>negated</descr><interface>wan</interface>
      <source><address>10.1.0.0/24</address><not/></source><destination><any/></destination></onetoone>
    <onetoone><external>10.1.0.200</external><descr>inside only</descr><interface>lan</interface>
      <source><address>10.1.30.12</address></source><destination><any/></destination></onetoone>
    <onetoone><nobinat/><external>203.0.113.17</external><interface>wan</interface>
      <source><address>10.1.30.12</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.18</external><descr>on an interface group</descr><interface>WANGROUP</interface>
      <source><address>10.1.30.18</address></source><destination><any/></destination></onetoone>
    <onetoone><external>203.0.113.1</external><interface>wan</interface>
      <source><network>lanip</network></source><destination><any/></destination></onetoone>
  </nat>
</pfsense>
"""


def _nat(text: str) -> list[tuple[int, dict[str, Any]]]:
    docs = OPNSENSE_LOADER.load(text_source("config.xml", text))
    assert docs is not None
    return _rules(docs[0], "nat")


def test_pfsense_one_to_one_nat_exposes_every_port_of_the_inside_side() -> None:
    assert [(line, r["name"], r["from"], r["to"], r.get("ports"), r["action"]) for line, r in _nat(ONE_TO_ONE)] == [
        # the camera's address, on all ports: no "ports" key at all
        (13, "1:1 NAT 203.0.113.11: remote view of the Hikvision", "internet", "10.1.30.11/32", None, "allow"),
        # line 15 is disabled; no <interface> means the wan; an interface network is its zone
        (17, "1:1 NAT 203.0.113.0: whole camera VLAN", "internet", "fw-branch-cctv-legacy", None, "allow"),
        (19, "fw-branch 1:1 NAT 203.0.113.16", "internet", "10.1.30.16/28", None, "allow"),
        # a host alias: one entry per address
        (21, "fw-branch 1:1 NAT 203.0.113.13", "internet", "10.1.30.21/32", None, "allow"),
        (21, "fw-branch 1:1 NAT 203.0.113.13", "internet", "10.1.30.22/32", None, "allow"),
        # what cannot be resolved is not dropped: it exposes everything behind the firewall
        (23, "1:1 NAT 203.0.113.14: unknown alias", "internet", "any", None, "allow"),
        (25, "1:1 NAT 203.0.113.15: negated", "internet", "any", None, "allow"),
        # line 27 is on the LAN only, line 29 excludes (nobinat); an undeclared interface may face the internet
        (31, "1:1 NAT 203.0.113.18: on an interface group", "internet", "10.1.30.18/32", None, "allow"),
        # line 33 maps to the firewall's own LAN address: no device
    ]


MVC_ONE_TO_ONE = """<?xml version="1.0"?>
<opnsense>
  <system><hostname>fw-hq</hostname></system>
  <interfaces>
    <wan><if>vtnet0</if><ipaddr>dhcp</ipaddr></wan>
    <opt1><if>vtnet1</if><descr>Legacy cameras</descr><ipaddr>10.2.30.1</ipaddr><subnet>24</subnet></opt1>
  </interfaces>
  <nat>
    <onetoone><disabled/><external>198.51.100.9</external><interface>wan</interface>
      <source><address>10.2.30.9</address></source><destination><any/></destination></onetoone>
    <onetoone><disabled>1</disabled><external>198.51.100.8</external><interface>wan</interface>
      <source><address>10.2.30.8</address></source><destination><any/></destination></onetoone>
  </nat>
  <OPNsense><Firewall><Filter><onetoone>
    <rule uuid="o2"><enabled>1</enabled><sequence>2</sequence><interface>wan</interface><type>nat</type>
      <source_net>opt1</source_net><source_not>0</source_not><destination_net>any</destination_net>
      <external>198.51.100.0/24</external><description>second by sequence</description></rule>
    <rule uuid="o1"><enabled>1</enabled><sequence>1</sequence><interface>wan</interface><type>binat</type>
      <source_net>10.2.30.11/32</source_net><source_not>0</source_not><destination_net>any</destination_net>
      <external>198.51.100.11</external><description>hikvision remote</description></rule>
    <rule uuid="o0"><enabled>0</enabled><sequence>0</sequence><interface>wan</interface><type>binat</type>
      <source_net>10.2.30.12/32</source_net><external>198.51.100.12</external><description>off</description></rule>
  </onetoone></Filter></Firewall></OPNsense>
</opnsense>
"""


def test_opnsense_one_to_one_nat_legacy_and_migrated() -> None:
    assert [(line, r["name"], r["to"]) for line, r in _nat(MVC_ONE_TO_ONE)] == [
        # OPNsense's migration keeps an empty <disabled/> enabled (pfSense would not); <disabled>1</disabled> is off
        (9, "fw-hq 1:1 NAT 198.51.100.9", "10.2.30.9/32"),
        # the automation model by sequence; "nat" type counts like "binat"; enabled 0 is skipped
        (18, "1:1 NAT 198.51.100.11: hikvision remote", "10.2.30.11/32"),
        (15, "1:1 NAT 198.51.100.0/24: second by sequence", "fw-hq-legacy-cameras"),
    ]


def test_one_to_one_nat_is_internet_ingress_for_a_legacy_camera(tmp_path: Path) -> None:
    (tmp_path / "config.xml").write_text(ONE_TO_ONE, encoding="utf-8")
    (tmp_path / "cameras.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: branch}]\ncameras:\n"
        "  - {id: cam-1, vendor: Hikvision, site: branch, ip: 10.1.30.11, installed: 2019-03-04}\n",
        encoding="utf-8",
    )
    code, findings = check_json(tmp_path, "--profile", "uk-gov-2022", "--as-of", "2026-01-01", ".")
    assert code == 1
    assert where(findings, "VP203") == {("cameras.yaml", 4, 10, "cam-1")}
    message = next(f["message"] for f in findings if f["rule"] == "VP203")
    assert "1:1 NAT 203.0.113.11: remote view of the Hikvision' (config.xml:13)" in message


PORT_FORWARDS = """<?xml version="1.0"?>
<pfsense>
  <system><hostname>fw-branch</hostname></system>
  <interfaces>
    <wan><if>igb0</if><ipaddr>203.0.113.10</ipaddr><subnet>28</subnet></wan>
    <opt1><if>igb1.130</if><descr>CCTV_LEGACY</descr><ipaddr>10.1.30.1</ipaddr><subnet>24</subnet></opt1>
  </interfaces>
  <nat>
    <rule><protocol>tcp</protocol><target>NVR_HOSTS</target><local-port>554</local-port><interface>wan</interface>
      <destination><network>wanip</network><port>554</port></destination><descr>alias this file does not define</descr></rule>
    <rule><protocol>tcp</protocol><target>wanip</target><local-port>443</local-port><interface>wan</interface>
      <destination><network>wanip</network><port>443</port></destination><descr>to the firewall itself</descr></rule>
  </nat>
</pfsense>
"""


def test_a_port_forward_to_what_cannot_be_resolved_fails_closed() -> None:
    # An unknown alias may hold any address behind the firewall: the forward counts as reaching any of them.
    assert [(line, r["name"], r["to"], r["ports"]) for line, r in _nat(PORT_FORWARDS)] == [
        (9, "alias this file does not define", "any", ["tcp/554"]),
    ]


# Expat reads UTF-8, UTF-16 and one-byte encodings; any other declared encoding used to escape the parser as a
# ValueError or LookupError, which aborted the whole run as a plugin error.
@pytest.mark.parametrize("declared", ["UTF-7", "utf-7", "UTF-32", "x-no-such-encoding", "", "base64", "shift_jis"])
@pytest.mark.parametrize("root", ["opnsense", "pfsense", "nmaprun"])
def test_an_encoding_the_parser_cannot_read_is_vp001_for_that_file(tmp_path: Path, declared: str, root: str) -> None:
    (tmp_path / "config.xml").write_bytes(f'<?xml version="1.0" encoding="{declared}"?>\n<{root}></{root}>\n'.encode("ascii"))
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in findings] == [("VP001", "config.xml", 1, 31)]
    assert f"encoding={declared!r}" in findings[0]["message"]


def test_xml_in_utf32_is_vp001(tmp_path: Path) -> None:
    (tmp_path / "config.xml").write_bytes(codecs.BOM_UTF32_LE + "<opnsense><interfaces/></opnsense>".encode("utf-32-le"))
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "config.xml", 1)]
    assert "UTF-32" in findings[0]["message"]


@pytest.mark.parametrize("bom", [True, False])
def test_a_utf16_firewall_backup_is_read_not_skipped(tmp_path: Path, bom: bool) -> None:
    text = (FIXTURES / "pfsense-config.xml").read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>', 1)
    (tmp_path / "config.xml").write_bytes((codecs.BOM_UTF16_LE if bom else b"") + text.encode("utf-16-le"))
    expected = OPNSENSE_LOADER.load(source(FIXTURES / "pfsense-config.xml"))
    loaded = OPNSENSE_LOADER.load(source(tmp_path / "config.xml"))
    assert expected is not None and loaded is not None
    assert entries(loaded[0], "firewalls")[0]["rules"] == entries(expected[0], "firewalls")[0]["rules"]


def test_a_one_byte_encoding_is_read_as_declared(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="windows-1252"?>\n<opnsense><system><hostname>caf\u00e9</hostname></system></opnsense>\n'
    docs = OPNSENSE_LOADER.load(SourceFile("config.xml", text.encode("cp1252")))
    assert docs is not None


@pytest.mark.parametrize("octets", [["0", "1", "9", "10", "99", "100", "199", "249", "250", "255"], ["00", "01", "010", "256", "300", "1a", ""]])
def test_an_address_in_a_rule_is_read_as_ipaddress_reads_it(octets: list[str]) -> None:
    """The shortcut for a plain IPv4 address gives what ipaddress gives, and refuses what it refuses."""
    import ipaddress
    import itertools

    from vmspolicy.loading.opnsense import _cidr_text

    def reference(value: str) -> str | None:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            return None

    values = [".".join(parts) for parts in itertools.product(octets, repeat=4)] + ["1.2.3", "1.2.3.4.5", "10.0.0.0/8", "::1", "١.2.3.4"]
    assert [_cidr_text(v) for v in values] == [reference(v) for v in values]
