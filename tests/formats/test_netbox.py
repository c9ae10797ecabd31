"""NetBox REST exports: devices by role, MACs before and after 4.2, VLANs and prefixes as zones."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.formats.helpers import SAMPLES, check_json, entries, source, text_source, where
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.source import Document
from vmspolicy.loading.manifest import MANIFEST_LOADER
from vmspolicy.loading.netbox import NETBOX_LOADER

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_FILES = ("dcim_devices.json", "dcim_interfaces.json", "ipam_vlans.json", "ipam_prefixes.json")


def _load(path: Path) -> Document:
    docs = NETBOX_LOADER.load(source(path))
    assert docs is not None
    return docs[0]


def _by_id(doc: Document, section: str) -> dict[str, Any]:
    return {e["id"]: e for e in entries(doc, section)}


def test_pynetbox_device_list() -> None:
    devices = _by_id(_load(SAMPLES / "dcim_devices.json"), "devices")
    assert len(devices) == 11
    core = devices["test1-core1"]
    assert (core["vendor"], core["model"], core["site"], core["ip"], core["type"]) == ("Juniper", "EX9214", "test1", "10.0.254.1", "switch")
    assert core.where("ip") == (69, 28) and core.where("vendor") == (16, 29)
    assert devices["test1-pdu1"]["type"] == "other"
    assert "ip" not in devices["test1-leaf1"]


def test_vlans_and_prefixes_in_separate_files_are_separate_zones() -> None:
    vlans = _by_id(_load(SAMPLES / "ipam_vlans.json"), "zones")
    assert {z: (v["vlan"], v.get("cidr")) for z, v in vlans.items()} == {
        "test1-vlan999": (999, None), "test1-vlan2069": (2069, None), "test1-vlan1210": (1210, None),
    }
    prefixes = _by_id(_load(SAMPLES / "ipam_prefixes.json"), "zones")
    assert {z: v["cidr"] for z, v in prefixes.items()} == {"test1-10.0.255.0-24": ["10.0.255.0/24"], "test1-10.1.1.0-24": ["10.1.1.0/24"]}


def test_interfaces_alone_declare_nothing_but_are_read() -> None:
    doc = _load(SAMPLES / "dcim_interfaces.json")
    assert doc.format == "netbox" and set(doc.data) == {"vmspolicy"}


def test_samples_check_cleanly_with_their_site_declared(tmp_path: Path) -> None:
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, tmp_path / name)
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: test1, name: TEST1}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code in (0, 1)
    assert not [f for f in findings if f["rule"] in ("VP001", "VP002", "VP003", "VP004", "VP005")], findings
    docs = [d for name in SAMPLE_FILES if (d := NETBOX_LOADER.load(source(tmp_path / name)))]
    manifest = MANIFEST_LOADER.load(source(tmp_path / "site.yaml"))
    assert manifest
    estate, _ = build_estate([*manifest, *(d[0] for d in docs)])
    assert estate.devices["test1-edge1"].zone == "test1-10.0.255.0-24"  # placed by address


def test_undeclared_netbox_site_is_an_unknown_reference(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "ipam_vlans.json", tmp_path / "vlans.json")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    _, findings = check_json(tmp_path)
    assert where(findings, "VP003") == {
        ("vlans.json", 12, 25, "test1-vlan999"), ("vlans.json", 38, 25, "test1-vlan2069"), ("vlans.json", 64, 25, "test1-vlan1210"),
    }


def test_netbox_42_bundle() -> None:
    doc = _load(FIXTURES / "netbox-4.2-bundle.json")
    cameras, recorders, devices = (_by_id(doc, s) for s in ("cameras", "recorders", "devices"))
    cam = cameras["cam-gate-01"]
    assert (cam["vendor"], cam["model"], cam["mac"], cam["ip"]) == ("Hikvision", "DS-2CD2143G2-I", "C0:56:E3:11:22:33", "10.60.30.11")
    assert cam["serial"] == "DS2143-0001"
    assert cam.where("mac") == (46, 56)  # primary_mac_address (4.2+)
    nvr = recorders["nvr-depot-1"]
    assert (nvr["mac"], nvr["status"]) == ("00:0F:7C:00:00:05", "planned")  # a MAC object
    switch = devices["sw-depot-1"]
    assert (switch["type"], switch["mac"]) == ("switch", "00:1B:54:AA:BB:01")  # device_role and mac_address (before 4.x)
    zones = _by_id(doc, "zones")
    assert {z: (v.get("vlan"), v.get("cidr"), v["purpose"]) for z, v in zones.items()} == {
        "depot-vlan130": (130, ["10.60.30.0/24"], "legacy-cameras"),
        "depot-vlan140": (140, ["10.60.40.0/24"], "vms"),
        "depot-10.60.99.0-24": (999, ["10.60.99.0/24"], "management"),
    }


def test_bundle_builds_an_estate_with_placement() -> None:
    doc = _load(FIXTURES / "netbox-4.2-bundle.json")
    manifest = MANIFEST_LOADER.load(text_source("site.yaml", "vmspolicy: 1\nsites: [{id: depot, sensitive: true}]\n"))
    assert manifest
    estate, findings = build_estate([manifest[0], doc])
    assert not findings
    assert estate.devices["cam-gate-01"].zone == "depot-vlan130"
    assert estate.devices["cam-gate-01"].mac == "c0:56:e3:11:22:33"


def test_single_object_and_plain_list() -> None:
    single = '{"id": 7, "name": "cam-7", "device_type": {"manufacturer": {"name": "Dahua"}, "model": "IPC-HFW2431S"}, "role": {"slug": "camera"}}'
    doc = NETBOX_LOADER.load(text_source("cam.json", single))
    assert doc is not None and _by_id(doc[0], "cameras")["cam-7"]["vendor"] == "Dahua"
    listed = '[{"id": 1, "vid": 20, "name": "Cameras", "site": {"slug": "hq"}}]'
    doc = NETBOX_LOADER.load(text_source("vlans.json", listed))
    assert doc is not None and _by_id(doc[0], "zones")["hq-vlan20"]["purpose"] == "cameras"


def test_other_json_is_not_claimed() -> None:
    for text in ('{"name": "pkg", "version": "1.0"}', '[1, 2, 3]', '{"config": {"prefix": "x", "id": 1}}', '{"vmspolicy": 1}'):
        assert NETBOX_LOADER.load(text_source("other.json", text)) is None


def test_interface_macs_from_another_export_join_their_device() -> None:
    devices = '{"results": [{"id": 41, "name": "cam-gate-01", "device_type": {"manufacturer": {"name": "Axis"}, "model": "P3245-V"},'
    devices += ' "role": {"slug": "camera"}, "site": {"slug": "depot"}}]}'
    interfaces = '{"results": [{"id": 501, "device": {"id": 41, "name": "cam-gate-01"}, "name": "eth0", "type": {"value": "1000base-t"},'
    interfaces += ' "primary_mac_address": {"id": 77, "mac_address": "C0:56:E3:11:22:33"}}]}'
    site = MANIFEST_LOADER.load(text_source("site.yaml", "vmspolicy: 1\nsites: [{id: depot}]\n"))
    loaded = [NETBOX_LOADER.load(text_source(name, text)) for name, text in (("devices.json", devices), ("interfaces.json", interfaces))]
    assert site and all(loaded)
    estate, findings = build_estate([site[0], *(d[0] for d in loaded if d)])
    assert not findings
    camera = estate.devices["cam-gate-01"]
    assert camera.mac == "c0:56:e3:11:22:33"
    assert camera.origin.loc("mac") == camera.origin.loc()  # at the device: the MAC's own line is in the other file
