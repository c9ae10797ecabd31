"""Frigate and go2rtc files: cameras, real URLs behind restreams, placeholders, sites and zones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.formats.helpers import SAMPLES, check_json, entries, source, text_source, where
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.source import Document
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.frigate import FRIGATE_LOADER
from vmspolicy.loading.go2rtc import GO2RTC_LOADER
from vmspolicy.loading.imported import IMPORTED_SITE
from vmspolicy.loading.manifest import MANIFEST_LOADER
from vmspolicy.loading.streams import is_placeholder, parse_source


def _load(loader: object, src: SourceFile) -> Document:
    docs = loader.load(src)  # type: ignore[attr-defined]
    assert docs is not None and len(docs) == 1
    return docs[0]


def _cameras(doc: Document) -> dict[str, dict[str, object]]:
    return {c["id"]: dict(c) for c in entries(doc, "cameras")}


def test_restreams_are_followed_back_to_the_camera() -> None:
    doc = _load(FRIGATE_LOADER, source(SAMPLES / "RedFoxy__HA-MyConf.yml"))
    cameras = _cameras(doc)
    assert list(cameras) == ["Soggiorno", "Massimo", "Mamma", "Cancello", "Cancello_Salita", "Posteggio", "Portico"]
    streams = cameras["Soggiorno"]["streams"]
    assert isinstance(streams, list)
    # The camera's own URLs (from go2rtc.streams), not Frigate's 127.0.0.1:8554 restream.
    assert streams[0] == "rtsp://{FRIGATE_CAM_USER}:{FRIGATE_CAM_PASS}@{FRIGATE_SOGGIORNO}:554/h264Preview_01_main"
    assert not any("127.0.0.1" in s for c in cameras.values() for s in c.get("streams", []))  # type: ignore[attr-defined]
    # The host is a placeholder: the address comes from the ONVIF block, located there.
    assert cameras["Soggiorno"]["ip"] == "192.168.1.31"
    soggiorno = entries(doc, "cameras")[0]
    assert soggiorno.where("ip") == (157, 13)
    assert soggiorno["streams"].where(0) == (64, 10)  # inside the quotes of the go2rtc source
    assert "ip" not in cameras["Cancello"]  # neither a literal host nor an ONVIF block


def test_placeholder_sample_has_no_plaintext_credentials(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "RedFoxy__HA-MyConf.yml", tmp_path / "config.yml")
    code, findings = check_json(tmp_path)
    assert code in (0, 1)
    assert not where(findings, "VP401")
    assert not where(findings, "VP001") and not where(findings, "VP002")


def test_scrubbed_passwords_are_literal_credentials(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "mitchross__docker-configs.yml", tmp_path / "config.yml")
    _, findings = check_json(tmp_path)
    assert where(findings, "VP401") == {
        ("config.yml", 81, 17, "frontdoor"),
        ("config.yml", 113, 17, "driveway"),
        ("config.yml", 145, 17, "shed"),
    }
    messages = [f["message"] for f in findings if f["rule"] == "VP401"]
    assert all("REDACTED" not in m and "admin:****@" in m for m in messages)


def test_a_restream_from_another_host_is_not_the_camera_address() -> None:
    cameras = _cameras(_load(FRIGATE_LOADER, source(SAMPLES / "mitchross__docker-configs.yml")))
    assert "ip" not in cameras["garage"]  # rtsp://192.168.1.10:8554/garage is a restreamer
    assert cameras["frontdoor"]["ip"] == "192.168.1.157"
    assert cameras["dog"]["ip"] == "192.168.1.154"
    assert cameras["frontdoor"]["streams"] == ["rtsp://admin:REDACTED@192.168.1.157:554/cam/realmonitor?channel=1&subtype=0"]


def test_direct_inputs_and_placeholders() -> None:
    doc = _load(FRIGATE_LOADER, source(SAMPLES / "sooksun__cctvbot-.yml"))
    cameras = _cameras(doc)
    assert list(cameras) == ["gate_front", "yard_1", "building_a", "hall_1"]
    assert cameras["building_a"]["ip"] == "192.168.1.50"
    assert cameras["building_a"]["streams"] == ["rtsp://user:{FRIGATE_RTSP_PASSWORD}@192.168.1.50:554/Streaming/Channels/101"]
    building = entries(doc, "cameras")[2]
    assert building.where("ip") == (109, 53)  # the host inside the URL


def test_go2rtc_sample_with_dollar_placeholders(tmp_path: Path) -> None:
    doc = _load(GO2RTC_LOADER, source(SAMPLES / "PKort__HA_HikVision.yaml"))
    cameras = _cameras(doc)
    assert list(cameras) == ["hikvision"]
    assert cameras["hikvision"]["streams"] == [
        "rtsp://admin:$DORRBELL_ADMIN_PASSWORD@$DOORBELL_STATIC_IP_ADDRESS:554/Streaming/Channels/101",
        "isapi://admin:$DORRBELL_ADMIN_PASSWOR@$DOORBELL_STATIC_IP_ADDRESS:80/",
    ]
    shutil.copy(SAMPLES / "PKort__HA_HikVision.yaml", tmp_path / "go2rtc.yaml")
    _, findings = check_json(tmp_path)
    assert not where(findings, "VP401") and not where(findings, "VP002")


GO2RTC = """\
streams:
  gate: rtsp://admin:{pw}@10.1.2.3:554/cam/realmonitor?channel=1&subtype=0
  gate_sub:
    - rtsp://admin:{pw}@10.1.2.3:554/cam/realmonitor?channel=1&subtype=1
    - ffmpeg:gate_sub#audio=opus
  xm: dvrip://admin:@10.1.2.4:34567?channel=0&subtype=0
  hik: isapi://admin:${{HIK_PASS}}@10.1.2.5:80/
  hik_view: ffmpeg:hik#video=h264
  onv: onvif://admin:${{ONVIF_PASS}}@10.1.2.6:80
  exec_cam: exec:ffmpeg -hide_banner -i rtsp://10.1.2.7/live -c copy -f rtsp {{output}}
  secret_cam: !secret camera_url
  loop: ffmpeg:loop
"""


def test_go2rtc_sources_grouped_by_camera() -> None:
    doc = _load(GO2RTC_LOADER, text_source("go2rtc.yaml", GO2RTC.format(pw="${PW}")))
    cameras = _cameras(doc)
    assert list(cameras) == ["gate", "xm", "hik", "onv", "exec_cam"]
    assert cameras["gate"]["streams"] == [
        "rtsp://admin:${PW}@10.1.2.3:554/cam/realmonitor?channel=1&subtype=0",
        "rtsp://admin:${PW}@10.1.2.3:554/cam/realmonitor?channel=1&subtype=1",
    ]
    assert cameras["xm"]["streams"] == ["dvrip://admin:@10.1.2.4:34567?channel=0&subtype=0"]
    assert cameras["hik"]["streams"] == ["isapi://admin:${HIK_PASS}@10.1.2.5:80/"]
    assert cameras["exec_cam"]["ip"] == "10.1.2.7"


def test_go2rtc_literal_password_found_and_masked(tmp_path: Path) -> None:
    (tmp_path / "go2rtc.yaml").write_text(GO2RTC.format(pw="Sup3r"), encoding="utf-8")
    _, findings = check_json(tmp_path)
    assert where(findings, "VP401") == {("go2rtc.yaml", 2, 9, "gate"), ("go2rtc.yaml", 4, 7, "gate")}
    assert all("Sup3r" not in f["message"] and "Sup3r" not in str(f) for f in findings)


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("{FRIGATE_RTSP_PASSWORD}", True), ("${CAM_PASS}", True), ("$CAM_PASS", True), ("<PASSWORD>", True),
        ("!secret cam_pw", True), ("{{ cam_pw }}", True), ("%CAM_PW%", True), ("****", True),
        ("REDACTED", False), ("12345", False), ("hunter2$", False), ("{not_frigate}", False),
    ],
)
def test_placeholders(text: str, placeholder: bool) -> None:
    assert is_placeholder(text) is placeholder


def test_source_parts() -> None:
    src = parse_source("ffmpeg:rtsp://user:p@ss@[2001:db8::5]:554/live#video=copy")
    assert (src.scheme, src.user, src.password, src.host, src.port, src.path) == ("rtsp", "user", "p@ss", "2001:db8::5", 554, "/live")
    assert str(src.ip) == "2001:db8::5"
    assert parse_source("rtsp://127.0.0.1:8554/front").restream_name == "front"
    assert parse_source("ffmpeg:front#audio=opus").reference == "front"


def test_not_frigate_or_go2rtc() -> None:
    other = text_source("other.yaml", "cameras: [a, b]\nstreams: {a: 1}\nfoo: bar\n")
    assert FRIGATE_LOADER.load(other) is None
    assert GO2RTC_LOADER.load(other) is None
    manifest = text_source("m.yaml", "vmspolicy: 1\n")
    assert FRIGATE_LOADER.load(manifest) is None and GO2RTC_LOADER.load(manifest) is None


def test_broken_frigate_file_is_a_located_parse_error(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text("cameras:\n  porch:\n    ffmpeg: [\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"]) for f in findings] == [("VP001", "config.yml")]


FRIGATE = "cameras:\n  porch:\n    ffmpeg:\n      inputs:\n        - path: rtsp://10.20.30.21:554/stream1\n"


def _estate(*docs: Document, import_site: str | None = None):  # type: ignore[no-untyped-def]
    return build_estate(list(docs), import_site=import_site)


def _manifest(text: str) -> Document:
    docs = MANIFEST_LOADER.load(text_source("site.yaml", text))
    assert docs
    return docs[0]


def test_imported_cameras_get_the_only_site_and_are_placed_by_address() -> None:
    frigate = _load(FRIGATE_LOADER, text_source("config.yml", FRIGATE))
    manifest = _manifest(
        "vmspolicy: 1\nsites: [{id: hq, sensitive: true}]\n"
        "zones:\n  - {id: cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}\n"
        "  - {id: cctv-small, site: hq, purpose: legacy-cameras, cidr: 10.20.30.16/28}\n"
    )
    estate, findings = _estate(manifest, frigate)
    assert not findings
    porch = estate.devices["porch"]
    assert (porch.site, porch.zone) == ("hq", "cctv-small")  # the most specific network wins


def test_import_site_from_configuration_wins() -> None:
    frigate = _load(FRIGATE_LOADER, text_source("config.yml", FRIGATE))
    manifest = _manifest("vmspolicy: 1\nsites: [{id: hq}, {id: depot}]\n")
    estate, findings = _estate(manifest, frigate, import_site="depot")
    assert not findings
    assert estate.devices["porch"].site == "depot"


def test_several_sites_the_zone_holding_the_address_decides() -> None:
    frigate = _load(FRIGATE_LOADER, text_source("config.yml", FRIGATE))
    manifest = _manifest(
        "vmspolicy: 1\nsites: [{id: hq}, {id: depot}]\n"
        "zones:\n  - {id: depot-cctv, site: depot, purpose: cameras, cidr: 10.20.30.0/24}\n"
        "  - {id: hq-cctv, site: hq, purpose: cameras, cidr: 10.9.0.0/16}\n"
    )
    estate, findings = _estate(manifest, frigate)
    assert not findings
    assert (estate.devices["porch"].site, estate.devices["porch"].zone) == ("depot", "depot-cctv")


def test_no_site_anywhere_gives_the_imported_site() -> None:
    frigate = _load(FRIGATE_LOADER, text_source("config.yml", FRIGATE))
    estate, findings = _estate(frigate)
    assert not findings
    assert estate.devices["porch"].site == IMPORTED_SITE
    assert not estate.sites[IMPORTED_SITE].sensitive
    assert estate.sites[IMPORTED_SITE].origin.path == "config.yml"


def test_several_sites_and_no_matching_zone_is_a_located_schema_violation() -> None:
    frigate = _load(FRIGATE_LOADER, text_source("config.yml", FRIGATE))
    manifest = _manifest("vmspolicy: 1\nsites: [{id: hq}, {id: depot}]\n")
    _, findings = _estate(manifest, frigate)
    assert [(f.rule, f.path, f.line) for f in findings] == [("VP002", "config.yml", 2)]


def test_placement_stays_within_the_device_site() -> None:
    manifest = _manifest(
        "vmspolicy: 1\nsites: [{id: hq}, {id: depot}]\n"
        "zones:\n  - {id: depot-lan, site: depot, purpose: corporate, cidr: 192.168.1.0/24}\n"
        "  - {id: hq-lan, site: hq, purpose: corporate, cidr: 192.168.1.0/24}\n"
        "cameras:\n  - {id: cam-1, site: hq, ip: 192.168.1.20}\n"
        "  - {id: cam-2, site: hq, zone: hq-lan}\n"
        "  - {id: cam-3, site: hq, ip: 10.0.0.1}\n"
    )
    estate, findings = _estate(manifest)
    assert not findings
    assert estate.devices["cam-1"].zone == "hq-lan"
    assert estate.devices["cam-3"].zone is None  # no zone holds it: isolation cannot be shown (VP206)


def test_whole_url_placeholder_is_no_stream() -> None:
    text = "cameras:\n  porch:\n    ffmpeg:\n      inputs:\n        - path: '{FRIGATE_RTSP_URL}'\n"
    cameras = _cameras(_load(FRIGATE_LOADER, text_source("config.yml", text)))
    assert cameras == {"porch": {"id": "porch", "name": "porch"}}


def test_import_site_is_a_valid_configuration_key(tmp_path: Path) -> None:
    from vmspolicy.core.config import ConfigError, load_config

    good = tmp_path / ".vmspolicy.yaml"
    good.write_text("import:\n  site: hq\n", encoding="utf-8")
    assert load_config(good).settings["import"] == {"site": "hq"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("import:\n  site: 'not an id!'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml:2"):
        load_config(bad)


def test_vendor_families_from_go2rtc_sources() -> None:
    from vmspolicy.analysis.identify import identify_device

    doc = _load(GO2RTC_LOADER, text_source("go2rtc.yaml", GO2RTC.format(pw="${PW}")))
    estate, findings = build_estate([doc])
    assert not findings
    families = {d.id: identify_device(d).family for d in estate.devices.values()}
    # isapi:// is Hikvision, /cam/realmonitor Dahua; dvrip:// is Xiongmai (XMeye), which no pack restricts.
    assert families == {"gate": "Dahua", "xm": None, "hik": "Hikvision", "onv": None, "exec_cam": None}


def test_mqtt_and_api_logins(tmp_path: Path) -> None:
    text = (
        "mqtt:\n  host: 10.0.0.2\n  user: frigate\n  password: MqttPass1\n"
        "go2rtc:\n  api:\n    password: '{FRIGATE_API_PASSWORD}'\n  streams: {}\n"
        "cameras:\n  porch:\n    ffmpeg:\n      inputs:\n        - path: rtsp://10.0.0.21:554/stream1\n"
    )
    (tmp_path / "config.yml").write_text(text, encoding="utf-8")
    _, findings = check_json(tmp_path)
    assert where(findings, "VP401") == {("config.yml", 4, 13, None)}
    for sample in ("RedFoxy__HA-MyConf.yml", "PKort__HA_HikVision.yaml"):
        loader = FRIGATE_LOADER if sample.endswith(".yml") else GO2RTC_LOADER
        doc = _load(loader, source(SAMPLES / sample))
        assert doc.credentials  # type: ignore[attr-defined]  # the logins are read, and they are placeholders
