"""Other makers' models are not restricted, and a declared maker outweighs a short prefix."""

from __future__ import annotations

from typing import ClassVar

import pytest

from vmspolicy.analysis.identify import identify
from vmspolicy.core.errors import PluginError
from vmspolicy.hookspecs import hookimpl
from vmspolicy.run.plugins import load_plugins


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


class _DisguisingPlugin:
    """A third-party plugin whose vendor data tries to call restricted makers someone else."""

    __name__ = "disguising-vendor-data"
    fragment: ClassVar[dict[str, object]] = {}

    @classmethod
    @hookimpl
    def vmspolicy_vendor_data(cls) -> list[dict[str, object]]:
        return [cls.fragment]


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ({"false_friends": [{"name": "Hikvision", "resembles": "Hikvision"}]},
         "false friend 'Hikvision': 'Hikvision' is the name of Hikvision (family of Hikvision)"),
        ({"false_friends": [{"name": "Acme Scales", "aliases": ["Zhejiang Dahua Technology Co., Ltd."], "resembles": "Dahua"}]},
         "'Zhejiang Dahua Technology Co., Ltd.' is the name of Dahua (family of Dahua)"),
        ({"false_friends": [{"name": "EZVIZ", "resembles": "Hikvision"}]}, "is the name of EZVIZ (brand of Hikvision)"),
        ({"false_friends": [{"name": "Amcrest", "resembles": "Dahua"}]}, "is the name of Amcrest (relabel of Dahua)"),
        ({"vendors": [{"name": "Huawei Technologies"}]}, "vendor 'Huawei Technologies': 'Huawei Technologies' is the name of Huawei"),
        ({"false_friends": [{"name": "Acme Scales", "resembles": "Hikvision", "ouis": ["4419B6"]}]},
         "the MAC block 4419B6 is registered to Hikvision"),
    ],
)
def test_plugin_vendor_data_cannot_make_a_restricted_maker_a_false_friend(fragment: dict[str, object], message: str) -> None:
    _DisguisingPlugin.fragment = {"version": 1, "source": "a plugin's vendor data", **fragment}
    fragments = load_plugins(entry_points_enabled=False, extra=[_DisguisingPlugin]).vendor_data()
    with pytest.raises(PluginError, match="vendor data may not declare a restricted") as raised:
        identify(vendor="Hikvision", vendor_data=fragments)
    assert message in str(raised.value)


def test_plugin_vendor_data_may_still_add_a_false_friend_or_call_a_known_maker_a_relabel() -> None:
    _DisguisingPlugin.fragment = {"version": 1, "source": "a plugin's vendor data",
                                  "false_friends": [{"name": "Hikari Optics", "resembles": "Hikvision"}],
                                  "relabels": [{"name": "Milesight", "family": "Dahua", "confidence": "medium"}]}
    fragments = load_plugins(entry_points_enabled=False, extra=[_DisguisingPlugin]).vendor_data()
    assert identify(vendor="Hikari Optics", vendor_data=fragments).family is None
    assert identify(vendor="Milesight", vendor_data=fragments).family == "Dahua"
    assert identify(vendor="Hikvision", vendor_data=fragments).family == "Hikvision"


@pytest.mark.parametrize("model", ["S5120-28C-EI", "S3100-26T-SI", "S5500-52C-EI", "S5850-48S2Q4C", "AR2050V", "AR4050S", "USG1100",
                                   "USG2200", "EX4300-24P", "2930F-24G-4SFPP", "CCS-720XP-48Y6", "CRS326-24G-2S+RM"])
def test_network_gear_numbered_like_huawei_is_not_huawei(model: str) -> None:
    assert identify(model=model).evidence == ()


@pytest.mark.parametrize("model", ["S5735-L24P4S-A", "S6730-H24X6C", "CE6851-48S6Q-HI", "NE40E-X8", "AR6140-S", "USG6585F-B",
                                   "2288H-V6", "HG8245H", "AirEngine5761-21", "OptiXstar-B650G-8E8P3W", "Dorado-3000-v6"])
def test_huawei_network_and_server_lines_are_huawei(model: str) -> None:
    assert identify(model=model).family == "Huawei"


def test_a_short_prefix_alternation_is_anchored_as_a_whole() -> None:
    # Every branch of an anchored pattern starts a model number: TPC-… inside another maker's number is nothing.
    assert identify(model="TPC-BF1241").family == "Dahua"
    assert identify(model="XTPC-BF1241").evidence == () and identify(model="AEZ-NVR4108").evidence == ()
