"""Verdicts: family, confidence, evidence located at the field it came from; relabels, windows, contradictions."""

from __future__ import annotations

import datetime as dt

import pytest

from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify import identify, identify_device, verdicts
from vmspolicy.analysis.identify.builtin import builtin_fragments
from vmspolicy.core.model import Device, Estate, Origin
from vmspolicy.core.source import LocatedMap


def device(device_id: str, **fields: object) -> Device:
    return Device(id=device_id, kind="camera", type="camera", site="hq", origin=Origin("estate.yaml", LocatedMap()), **fields)  # type: ignore[arg-type]


def test_strong_evidence_without_a_vendor() -> None:
    verdict = identify(model="IPC-HDW2431T-AS-S2", mac="3c:ef:8c:00:00:01", urls=["rtsp://h/x", "rtsp://h/cam/realmonitor?channel=1"])
    assert verdict.family == "Dahua" and verdict.restricted
    assert not verdict.known_vendor and verdict.declared_family is None
    assert [(e.kind, e.field, e.index) for e in verdict.evidence] == [("oui", "mac", None), ("model", "model", None), ("stream", "streams", 1)]
    assert verdict.confidence > 0.99


def test_declared_vendor_contradicting_strong_evidence() -> None:
    verdict = identify(vendor="Bosch", mac="44:19:B6:00:00:01")
    assert verdict.family == "Hikvision" and verdict.known_vendor and verdict.declared_family is None
    assert verdict.relabel is None


def test_brand_names_its_family() -> None:
    verdict = identify(vendor="EZVIZ")
    assert (verdict.family, verdict.declared_family, verdict.evidence[0].kind) == ("Hikvision", "Hikvision", "brand")
    assert "subsidiary" in verdict.evidence[0].detail


def test_relabel_evidence_and_confidence_levels() -> None:
    amcrest = identify(vendor="Amcrest Technologies")
    assert amcrest.family == "Dahua" and amcrest.relabel is not None and amcrest.declared_family is None
    lts = identify(vendor="LTS")  # community-sourced relabel: reported (VP105) but not enough to establish the family
    assert lts.family is None and lts.relabel is not None and lts.relabel.family == "Hikvision"


@pytest.mark.parametrize(
    ("installed", "family", "has_relabel"),
    [(dt.date(2020, 6, 1), "Dahua", True), (dt.date(2018, 2, 1), "Dahua", True), (dt.date(2022, 11, 30), "Dahua", True),
     (dt.date(2017, 12, 31), None, False), (dt.date(2023, 1, 1), None, False), (None, None, True)],
)
def test_lorex_window(installed: dt.date | None, family: str | None, has_relabel: bool) -> None:
    for verdict in (identify(vendor="Lorex", installed=installed), identify(mac="00:1F:54:00:00:01", installed=installed)):
        assert verdict.family == family
        assert bool(verdict.evidence) is has_relabel


def test_indigovision_until_2021_04() -> None:
    assert identify(vendor="IndigoVision", installed=dt.date(2019, 1, 1)).family == "Dahua"
    assert identify(vendor="IndigoVision", installed=dt.date(2021, 5, 1)).family is None


def test_brand_oui_names_the_brand() -> None:
    verdict = identify(mac="0C:A6:4C:00:00:01")
    assert verdict.family == "Hikvision"
    assert verdict.evidence[0].detail == "MAC 0C:A6:4C is registered to Hangzhou Ezviz Software Co.,Ltd., EZVIZ, a Hikvision subsidiary"


@pytest.mark.parametrize(("mac", "family"), [("00:E0:FC:00:00:01", "Huawei"), ("9C:06:6E:00:00:01", "Hytera"), ("A8:CA:87:00:00:01", "Dahua")])
def test_other_families_by_oui(mac: str, family: str) -> None:
    assert identify(mac=mac).family == family


def test_nothing_known() -> None:
    verdict = identify(vendor="Acme Vision")
    assert (verdict.family, verdict.confidence, verdict.evidence, verdict.known_vendor) == (None, 0.0, (), False)
    assert identify(vendor="Axis").known_vendor


def test_identify_device_reads_every_field_and_the_install_date() -> None:
    cam = device("cam-1", vendor="Lorex", mac="00:1f:54:00:00:01", installed=dt.date(2019, 3, 1),
                 streams=("rtsp://10.0.0.1/live", "rtsp://10.0.0.1/cam/realmonitor?channel=1&subtype=0"))
    verdict = identify_device(cam)
    assert verdict.family == "Dahua"
    assert {(e.kind, e.field, e.index) for e in verdict.evidence} == {("relabel", "vendor", None), ("oui", "mac", None), ("stream", "streams", 1)}


def test_verdicts_are_computed_once_per_run() -> None:
    devices = {d.id: d for d in (device("a", vendor="Dahua"), device("b", vendor="Axis"), device("c"))}
    estate = Estate(sites={}, zones={}, devices=devices, firewalls=(), waivers={})
    ctx = CheckContext(estate=estate, documents=(), as_of=dt.date(2026, 1, 1), vendor_data=list(builtin_fragments()))
    first = verdicts(ctx)
    assert verdicts(ctx) is first
    assert {k: v.family for k, v in first.items()} == {"a": "Dahua", "b": None, "c": None}


def test_model_field_naming_the_maker() -> None:
    verdict = identify(vendor="Acme", model="HIKVISION 4MP dome")
    assert verdict.family == "Hikvision" and verdict.evidence[0].field == "model"
    assert identify(model="Dahuangshan pump").evidence == ()
    assert identify(model="Hikvison 4MP").evidence == ()  # misspellings count only where a vendor is declared


@pytest.mark.parametrize(("banner", "family"), [("Manufacturer: HIKVISION", "Hikvision"), ("Dahua", "Dahua"), ("Server: App-webs/", "Hikvision"),
                                                ("Dahua Rtsp Server", "Dahua"), ("1.3.6.1.4.1.39165.1.1", "Hikvision")])
def test_scan_strings(banner: str, family: str) -> None:
    verdict = identify(banners=[banner])
    assert verdict.family == family and verdict.evidence[0].field == "banners" and verdict.evidence[0].index == 0


@pytest.mark.parametrize("banner", ["Dahuangshan", "Server: lighttpd", "Manufacturer: AXIS", "1.3.6.1.4.1.391650"])
def test_scan_strings_false_friends(banner: str) -> None:
    assert identify(banners=[banner]).evidence == ()


def test_planned_device_is_placed_by_the_run_date() -> None:
    devices = {d.id: d for d in (device("old", vendor="Lorex", status="planned"), device("new", vendor="Lorex", installed=dt.date(2019, 1, 1)))}
    estate = Estate(sites={}, zones={}, devices=devices, firewalls=(), waivers={})
    in_window = verdicts(CheckContext(estate=estate, documents=(), as_of=dt.date(2020, 1, 1)))
    after = verdicts(CheckContext(estate=estate, documents=(), as_of=dt.date(2026, 1, 1)))
    assert (in_window["old"].family, after["old"].family) == ("Dahua", None)
    assert in_window["new"].family == after["new"].family == "Dahua"


# Amcrest model numbers: netbox-community/devicetype-library tests/known-slugs.json
# (commit 0018485025713d4e67fc14ce310718b3e5909c5b), entries device-types/amcrest/*.
AMCREST = ("IP4M-1055E", "IP5M-B1186EW", "IP5M-D1188EW-AI-V3", "IP5M-T1273EW-AI", "IP8M-2493EW-AI-V3", "IP8M-2693EW",
           "IP8M-2899EW-AI", "IP8M-2899EW-AI-V2", "IP8M-FCT2999EW-AI", "IP8M-T2599EW", "IP8M-VT2779EW", "IP8M-VT2879EW-AI")


@pytest.mark.parametrize("model", AMCREST)
def test_relabel_model_numbers(model: str) -> None:
    verdict = identify(model=model)
    assert verdict.family == "Dahua"
    assert verdict.evidence[0].detail.startswith(f"model {model} matches the Amcrest (Dahua) pattern IP")


def test_brand_model_patterns_name_the_brand() -> None:
    assert "HiLook (Hikvision) pattern IPC-B" in identify(model="IPC-B140HA-LU").evidence[0].detail
    weak = identify(model="HEN28103")  # Honeywell Performance: community-sourced, weak alone
    assert weak.family is None and weak.evidence[0].family == "Dahua"


@pytest.mark.parametrize(
    ("model", "family"),
    [("CloudEngine S5735-L24P4S-A", "Huawei"), ("AirEngine 5761-11", "Huawei"), ("HoloSens SDC C2150-10-SIU", "Huawei"),
     ("ZXR10 5960-56QU-HF", "ZTE"), ("ZXHN F670L", "ZTE"), ("DS-1H18S/E", "Hikvision")],
)
def test_other_families_by_model(model: str, family: str) -> None:
    assert identify(model=model).family == family


# S5735-L24P4S-A alone is Huawei's campus-switch numbering (medium weight, ambiguous); HPE's H3C-built S5120-28C-EI is not.
@pytest.mark.parametrize("model", ["CloudEngineer Kit", "ZXRT-100", "S5120-28C-EI"])
def test_other_families_model_false_friends(model: str) -> None:
    assert identify(model=model).evidence == ()
