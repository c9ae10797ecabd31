"""PAN-OS and Panorama XML: zones from layer-3 interfaces, security rules in order, destination NAT, safe XML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.formats.helpers import SAMPLES, entries, firewall_rules, legacy_site_isolation, source, text_source
from vmspolicy.core.source import Document
from vmspolicy.core.text import ParseError
from vmspolicy.loading.panos import PANOS_LOADER

FIXTURES = Path(__file__).parent / "fixtures"
IRON_SKILLET = SAMPLES / "PaloAltoNetworks__iron-skillet__iron_skillet_panos_full.xml"


def _load(path: Path | None = None, text: str | None = None) -> Document:
    docs = PANOS_LOADER.load(source(path) if path is not None else text_source("running-config.xml", text or ""))
    assert docs is not None
    return docs[0]


def test_iron_skillet_baseline() -> None:
    doc = _load(IRON_SKILLET)
    # Palo Alto's day-1 baseline has no zones and no security rules: interzone traffic is dropped by default.
    assert entries(doc, "zones") == []
    assert [(f["id"], f["default"], f["rules"], f.pos) for f in entries(doc, "firewalls")] == [("panos-01", "deny", [], (733, 9))]


def test_depot_zones_rules_and_nat() -> None:
    doc = _load(FIXTURES / "panos-depot.xml")
    assert [(z["id"], z.get("vlan"), z["cidr"], z["purpose"], z.pos[0]) for z in entries(doc, "zones")] == [
        ("pa-depot-office", None, ["10.70.0.0/24"], "corporate", 43),
        ("pa-depot-cctv-legacy", 130, ["10.70.130.0/24"], "legacy-cameras", 44),
        ("pa-depot-vms", 140, ["10.70.140.0/24"], "vms", 45),
    ]
    streams = ["tcp/554", "tcp/80", "tcp/8000-8002"]
    assert firewall_rules(doc) == [
        # a static group of a shared address and a one-address range; a service group
        (66, "recorders pull streams", "10.70.140.5/32", "pa-depot-cctv-legacy", streams, "allow"),
        (66, "recorders pull streams", "10.70.140.6/32", "pa-depot-cctv-legacy", streams, "allow"),
        # line 75 is disabled; drop denies; 'any' zone with 'any' address is every address
        (85, "no legacy egress", "pa-depot-cctv-legacy", "any", None, "deny"),
        # application-default is any port; the zone with the DHCP interface is the internet
        (94, "office web", "pa-depot-office", "internet", None, "allow"),
        # line 103 denies one application only: skipped
    ]
    assert firewall_rules(doc, "nat") == [
        (116, "installer remote view", "internet", "10.70.130.11/32", ["tcp/443"], "allow"),
    ]


PANORAMA = """<?xml version="1.0"?>
<config version="10.2.0">
  <shared>
    <pre-rulebase><security><rules>
      <entry name="shared deny cams out">
        <from><member>cams</member></from><to><member>outside</member></to>
        <source><member>any</member></source><destination><member>any</member></destination>
        <service><member>any</member></service><action>deny</action>
      </entry>
    </rules></security></pre-rulebase>
    <post-rulebase><default-security-rules><rules>
      <entry name="interzone-default"><action>allow</action></entry>
    </rules></default-security-rules></post-rulebase>
  </shared>
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig><system><hostname>panorama</hostname></system></deviceconfig>
      <template><entry name="branch-template"><config><devices><entry name="localhost.localdomain">
        <network><interface><ethernet>
          <entry name="ethernet1/3"><layer3><ip><entry name="10.9.30.1/24"/></ip></layer3></entry>
        </ethernet></interface></network>
        <vsys><entry name="vsys1"><zone>
          <entry name="cams"><network><layer3><member>ethernet1/3</member></layer3></network></entry>
          <entry name="outside"><network><layer3><member>ethernet1/4</member></layer3></network></entry>
        </zone></entry></vsys>
      </entry></devices></config></entry></template>
      <device-group><entry name="branches">
        <pre-rulebase><security><rules>
          <entry name="dg camera updates">
            <from><member>cams</member></from><to><member>outside</member></to>
            <source><member>any</member></source><destination><member>any</member></destination>
            <service><member>service-https</member></service><action>allow</action>
          </entry>
        </rules></security></pre-rulebase>
        <post-rulebase><security><rules>
          <entry name="dg post">
            <from><member>any</member></from><to><member>cams</member></to>
            <source><member>10.9.0.0/16</member></source><destination><member>any</member></destination>
            <service><member>any</member></service><action>allow</action>
          </entry>
        </rules></security></post-rulebase>
      </entry></device-group>
    </entry>
  </devices>
</config>
"""


def test_panorama_pre_and_post_rulebases_around_the_device_group() -> None:
    doc = _load(text=PANORAMA)
    assert [z["id"] for z in entries(doc, "zones")] == ["panorama-cams"]
    assert [(f["id"], f["default"]) for f in entries(doc, "firewalls")] == [("panorama-branches", "allow")]
    assert firewall_rules(doc) == [
        (5, "shared deny cams out", "panorama-cams", "internet", None, "deny"),
        (29, "dg camera updates", "panorama-cams", "internet", ["tcp/443"], "allow"),
        # a source CIDR on the 'any' zone: what a deny or allow could name as is
        (36, "dg post", "10.9.0.0/16", "panorama-cams", None, "allow"),
    ]


FAIL_CLOSED = """<?xml version="1.0"?>
<config version="10.1.0">
  <devices><entry name="localhost.localdomain">
    <network><interface><ethernet>
      <entry name="ethernet1/1"><layer3><ip><entry name="198.51.100.2/24"/></ip></layer3></entry>
      <entry name="ethernet1/2"><layer3><ip><entry name="10.4.30.1/24"/></ip></layer3></entry>
    </ethernet></interface>
    <virtual-router><entry name="default"><routing-table><ip><static-route>
      <entry name="default"><destination>0.0.0.0/0</destination><interface>ethernet1/1</interface></entry>
    </static-route></ip></routing-table></entry></virtual-router></network>
    <vsys><entry name="vsys1">
      <zone>
        <entry name="isp"><network><layer3><member>ethernet1/1</member></layer3></network></entry>
        <entry name="cams"><network><layer3><member>ethernet1/2</member></layer3></network></entry>
      </zone>
      <address-group><entry name="dyn"><dynamic><filter>'cameras'</filter></dynamic></entry></address-group>
      <rulebase><security><rules>
        <entry name="deny to dynamic"><from><member>cams</member></from><to><member>isp</member></to>
          <source><member>any</member></source><destination><member>dyn</member></destination>
          <service><member>any</member></service><action>deny</action></entry>
        <entry name="allow negated"><from><member>cams</member></from><to><member>isp</member></to>
          <source><member>any</member></source><destination><member>10.0.0.0/8</member></destination>
          <negate-destination>yes</negate-destination>
          <service><member>unknown-svc</member></service><action>allow</action></entry>
      </rules></security>
      <nat><rules>
        <entry name="to an unknown object"><from><member>isp</member></from><to><member>isp</member></to>
          <source><member>any</member></source><destination><member>any</member></destination>
          <service>any</service>
          <destination-translation><translated-address>not-defined</translated-address></destination-translation></entry>
      </rules></nat></rulebase>
    </entry></vsys>
  </entry></devices>
</config>
"""


def test_what_cannot_be_resolved_widens_an_allow_and_drops_a_deny() -> None:
    doc = _load(text=FAIL_CLOSED)
    # the interface of the default route makes its zone the internet; a deny to a dynamic group is skipped;
    # a negated destination and an unknown service widen the allow to the whole zone and every port
    assert firewall_rules(doc) == [(21, "allow negated", "panos-cams", "internet", None, "allow")]
    assert firewall_rules(doc, "nat") == [(27, "to an unknown object", "internet", "any", None, "allow")]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE config [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
]>
<config><devices><entry name="x"><deviceconfig><system><hostname>&b;</hostname></system></deviceconfig></entry></devices></config>
"""


def test_unsafe_xml_is_a_located_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        PANOS_LOADER.load(text_source("running-config.xml", BOMB))
    assert caught.value.line == 3


def test_other_xml_and_the_set_format_are_not_claimed() -> None:
    assert PANOS_LOADER.load(text_source("app.xml", "<config><setting name='a'/></config>")) is None
    # The brace ("set") form of a configuration is not XML: not read.
    assert PANOS_LOADER.load(text_source("destination-nat.xml", "config {\n  devices {\n  }\n}\n")) is None


def test_depot_configuration_judged_with_a_site(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "panos-depot.xml", tmp_path / "running-config.xml")
    code, found = legacy_site_isolation(tmp_path, "10.70.130")
    assert code == 1
    # Only the camera behind the destination NAT is exposed; the drop rule closes the legacy zone.
    assert {rule: at for rule, at in found.items() if at} == {"VP203": {("site.yaml", 4, 10, "cam-11")}}
