"""The cross-format example: Frigate + OPNsense + NetBox + nmap + a one-site manifest, checked together."""

from __future__ import annotations

from pathlib import Path

from tests.formats.helpers import check_json, text_source, where
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.source import Document
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.frigate import FRIGATE_LOADER
from vmspolicy.loading.manifest import MANIFEST_LOADER
from vmspolicy.loading.netbox import NETBOX_LOADER

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "cross-format"


def test_every_format_is_read_and_joins_the_one_site() -> None:
    code, findings = check_json(EXAMPLE)
    assert code == 1
    assert not [f for f in findings if f["rule"] in ("VP001", "VP002", "VP003", "VP004", "VP005")], findings


def test_plaintext_credentials_and_drift_at_their_own_lines() -> None:
    _, findings = check_json(EXAMPLE)
    assert where(findings, "VP401") == {("nvr/config.yml", 19, 17, "quay_gate"), ("nvr/config.yml", 30, 17, "warehouse")}
    assert where(findings, "VP501") == {("scans/scan.xml", 13, 1, "10.70.20.23")}
    assert where(findings, "VP502") == {("scans/scan.xml", 14, 1, "10.70.20.23")}
    assert not any("Harbour2019" in f["message"] or "Warehouse!1" in f["message"] for f in findings)


def test_netbox_custom_field_gives_the_legacy_install_date() -> None:
    # The legacy camera NetBox lists is the one the firewall's port forward exposes (VP203, VP204).
    docs = NETBOX_LOADER.load(SourceFile("netbox/devices.json", (EXAMPLE / "netbox" / "devices.json").read_bytes()))
    assert docs is not None
    camera = next(c for c in docs[0].data["cameras"] if c["id"] == "cam-quay-legacy")
    assert (camera["installed"], camera["vendor"], camera.where("installed")) == ("2019-06-01", "Hikvision", (14, 38))


def test_the_estate_joins_the_files() -> None:
    from vmspolicy.run.plugins import load_plugins

    host = load_plugins(entry_points_enabled=False)
    docs: list[Document] = []
    for path in sorted(EXAMPLE.rglob("*.*")):
        source = SourceFile(path.relative_to(EXAMPLE).as_posix(), path.read_bytes())
        for loader in host.loaders():
            if source.suffix in loader.suffixes and (loaded := loader.load(source)):
                docs.extend(loaded)
                break
    assert sorted({d.format for d in docs}) == ["frigate", "manifest", "netbox", "nmap", "opnsense"]
    estate, findings = build_estate(docs)
    assert not findings
    assert {d.id: (d.site, d.zone) for d in estate.devices.values()} == {
        "cam-quay-legacy": ("harbour", "fw-harbour-cctv-legacy"),
        "quay_gate": ("harbour", "fw-harbour-cctv"),
        "warehouse": ("harbour", "fw-harbour-cctv"),
        "yard": ("harbour", "fw-harbour-cctv"),
        "nvr-harbour-1": ("harbour", "fw-harbour-vms"),
        "sw-harbour-poe-1": ("harbour", "fw-harbour-lan"),
    }
    firewall = estate.firewalls[0]
    assert (firewall.id, firewall.site, len(firewall.rules), [n.destination for n in firewall.nat]) == (
        "fw-harbour", "harbour", 4, ["10.70.30.11/32"],
    )


def test_site_comes_from_the_manifests_of_the_nearest_folder() -> None:
    frigate = "cameras:\n  porch:\n    ffmpeg:\n      inputs:\n        - path: rtsp://10.20.30.21:554/stream1\n"
    docs = [
        *(MANIFEST_LOADER.load(text_source("sites/hq/site.yaml", "vmspolicy: 1\nsites: [{id: hq}]\n")) or []),
        *(MANIFEST_LOADER.load(text_source("sites/depot/site.yaml", "vmspolicy: 1\nsites: [{id: depot}]\n")) or []),
        *(FRIGATE_LOADER.load(text_source("sites/depot/nvr/config.yml", frigate)) or []),
    ]
    estate, findings = build_estate(docs)
    assert not findings
    assert estate.devices["porch"].site == "depot"
