"""Issue 14, item 2: other makers' models are not restricted, and a declared maker outweighs a short prefix."""

from __future__ import annotations

import pytest

from vmspolicy.identify import identify


@pytest.mark.parametrize("model", ["ASA5505", "ASA5506-X", "ASA5508-X", "ASA5516-X", "ASA5545-X", "ASA5585-X"])
def test_cisco_asa_firewalls_are_not_dahua_access_control(model: str) -> None:
    assert identify(model=model).evidence == ()
    assert identify(model="ASA1222E").family == "Dahua"  # Dahua's attendance terminals keep their pattern


def test_geovision_hwk_is_not_hiwatch() -> None:
    assert identify(model="HWK-2008-DVR").evidence == ()  # HiWatch numbers HWI-, HWN-, HWT-, HWD-, HWP-


@pytest.mark.parametrize(("vendor", "model"), [("Geovision", "HWI-B121H"), ("GeoVision Inc.", "HWN-2104MH"), ("Axis", "SD49225XA-HNR"),
                                               ("Cisco", "NVR4108HS"), ("Bosch", "VTO2111D")])
def test_a_declared_maker_outweighs_a_short_ambiguous_pattern(vendor: str, model: str) -> None:
    verdict = identify(vendor=vendor, model=model)
    assert verdict.family is None and verdict.evidence == () and verdict.known_vendor
    assert identify(model=model).family is not None  # the pattern itself still identifies an undeclared device


@pytest.mark.parametrize(("vendor", "model", "family"), [("GeoVision", "DS-2CD2143G0-I", "Hikvision"), ("Axis", "DH-IPC-HFW2431S", "Dahua"),
                                                         ("Cisco", "DS2CD2143G0I", "Hikvision")])
def test_a_distinctive_pattern_still_wins(vendor: str, model: str, family: str) -> None:
    verdict = identify(vendor=vendor, model=model)
    assert verdict.family == family and verdict.evidence[0].kind == "model"


def test_an_unknown_or_restricted_declaration_does_not_outweigh_a_short_pattern() -> None:
    assert identify(vendor="Acme Vision", model="SD49225XA-HNR").family == "Dahua"
    assert identify(vendor="Hikvision", model="HWI-B121H").family == "Hikvision"


@pytest.mark.parametrize(
    ("facts", "maker"),
    [({"urls": ["rtsp://u:p@10.0.0.5:554/h264Preview_01_main"]}, "Reolink"),
     ({"urls": ["ffmpeg:http://10.0.0.5/flv?port=1935&app=bcs&stream=channel0_main.bcs&user=admin#video=copy"]}, "Reolink"),
     ({"urls": ["rtsp://10.0.0.5/axis-media/media.amp?videocodec=h264"]}, "Axis"),
     ({"urls": ["rtsp://10.0.0.5/profile2/media.smp"]}, "Hanwha"),
     ({"urls": ["rtsp://10.0.0.5/unicast/c1/s0/live"]}, "Uniview"),
     ({"urls": ["rtsp://10.0.0.5/live1s1.sdp"]}, "Vivotek"),
     ({"mac": "00:40:8c:12:34:56"}, "Axis"), ({"mac": "EC71.DB12.3456"}, "Reolink"),
     ({"model": "RLC-810A"}, "Reolink"), ({"model": "XNV-6080R"}, "Hanwha"), ({"model": "P3245-V"}, "Axis")],
)
def test_common_makers_are_known_from_their_technical_evidence(facts: dict[str, object], maker: str) -> None:
    verdict = identify(**facts)  # type: ignore[arg-type]
    assert verdict.family is None and verdict.known_vendor and verdict.maker == maker


def test_a_known_makers_evidence_never_outweighs_a_restricted_family() -> None:
    verdict = identify(mac="EC:71:DB:12:34:56", urls=["rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0"])
    assert verdict.family == "Dahua" and verdict.maker is None
