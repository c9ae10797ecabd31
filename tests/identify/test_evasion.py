"""Evasion: a restricted vendor written so that a plain string comparison misses it, and false friends.

One test group per evasion technique: confusables, fullwidth forms,
zero-width and format characters, punctuation and spacing, corporate
suffixes, near-misses (weaker evidence), false friends, MAC notations.
"""

from __future__ import annotations

import pytest

from vmspolicy.analysis.identify import identify
from vmspolicy.analysis.identify.normalise import CONFUSABLES, skeleton

# Well-known look-alikes, each with the Latin letter it imitates.
CYRILLIC = {"і": "i", "а": "a", "о": "o", "е": "e", "с": "c", "р": "p", "х": "x", "у": "y", "к": "k", "м": "m", "н": "h", "т": "t"}
GREEK = {"ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u"}
# Names the catalog knows, to hide a look-alike in (each Latin letter above occurs in one of them).
NAMES = {
    "Hikvision": "Hikvision", "Dahua": "Dahua", "Hytera": "Hytera", "Huawei": "Huawei",
    "Imou": "Dahua", "HiWatch": "Hikvision", "prama hikvision": "Hikvision", "Amcrest": "Dahua",
}


@pytest.mark.parametrize(("lookalike", "latin"), sorted({**CYRILLIC, **GREEK}.items()))
def test_skeleton_maps_each_lookalike(lookalike: str, latin: str) -> None:
    assert skeleton(lookalike) == latin
    assert CONFUSABLES[lookalike] == latin


@pytest.mark.parametrize("lookalike", sorted(CONFUSABLES))
def test_every_mapped_lookalike_survives_compatibility_folding(lookalike: str) -> None:
    # NFKC turns some look-alikes into letters that no longer look Latin (ϲ, a lunate sigma that reads
    # as c, becomes σ): the mapping must apply to what was written, not only to what NFKC leaves.
    assert skeleton(lookalike) == CONFUSABLES[lookalike].casefold()


def test_lunate_sigma_in_a_name_and_a_model() -> None:
    assert identify(vendor="Huaϲheng").family == "Dahua"  # an Imou (Dahua) alias
    assert identify(vendor="HikϹentral Professional").family == "Hikvision"
    assert identify(model="DS-2ϹD2143G0-I").family == "Hikvision"


def _disguise(lookalike: str, latin: str) -> tuple[str, str]:
    for name, family in NAMES.items():
        if latin in name:
            return name.replace(latin, lookalike, 1), family
    raise AssertionError(f"no catalog name holds {latin!r}")


@pytest.mark.parametrize(("lookalike", "latin"), sorted(set(CYRILLIC.items()) - {("х", "x")} | set(GREEK.items())))
def test_confusable_in_a_vendor_name(lookalike: str, latin: str) -> None:
    disguised, family = _disguise(lookalike, latin)
    verdict = identify(vendor=disguised)
    assert verdict.family == family, disguised
    assert "look-alike or invisible characters" in verdict.evidence[0].detail


def test_cyrillic_x_in_a_name() -> None:
    # No built-in name holds an x, so a plugin brand does: the skeleton is applied to every catalog name alike.
    fragment = {"version": 1, "families": [{"family": "Hikvision", "names": ["Hikvision"], "confidence": "owner", "source": "test"}],
                "brands": [{"name": "Xvision", "family": "Hikvision", "relation": "brand", "confidence": "high", "source": "test"}]}
    assert identify(vendor="хvision", vendor_data=[fragment]).family == "Hikvision"


@pytest.mark.parametrize("vendor", ["ΗΙΚVΙЅΙΟΝ", "ZТЕ Corporation", "Hikvisiоn", "Dahuа Technology"])
def test_mixed_scripts_and_capitals(vendor: str) -> None:
    assert identify(vendor=vendor).family is not None


@pytest.mark.parametrize(
    ("vendor", "family"),
    [("Ｄａｈｕａ", "Dahua"), ("ＨＩＫＶＩＳＩＯＮ", "Hikvision"), ("𝐇𝐢𝐤𝐯𝐢𝐬𝐢𝐨𝐧", "Hikvision"), ("Ｈｕａｗｅｉ", "Huawei")],
)
def test_fullwidth_and_compatibility_forms(vendor: str, family: str) -> None:
    assert identify(vendor=vendor).family == family


@pytest.mark.parametrize("hidden", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_and_format_characters(hidden: str) -> None:
    verdict = identify(vendor=f"Hik{hidden}vi{hidden}sion")
    assert verdict.family == "Hikvision"
    # The finding shows the hidden character instead of printing it invisibly.
    assert f"\\u{ord(hidden):04x}" in verdict.evidence[0].detail


@pytest.mark.parametrize("vendor", ["Hik-Vision", "Hik Vision", "HIK_VISION", "hik.vision", "H.I.K.V.I.S.I.O.N", "Hik / Vision", "  hikvision  "])
def test_punctuation_and_spacing(vendor: str) -> None:
    verdict = identify(vendor=vendor)
    assert verdict.family == "Hikvision" and verdict.evidence[0].kind == "declared-vendor"


@pytest.mark.parametrize(
    ("vendor", "family"),
    [
        ("Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision"),
        ("Zhejiang Dahua Technology Co.,Ltd", "Dahua"),
        ("ZHEJIANG DAHUA TECHNOLOGYCO.,LTD", "Dahua"),  # the registry's own misspelling
        ("Hikvision GmbH", "Hikvision"),
        ("Hikvision USA Inc.", "Hikvision"),
        ("Huawei Technologies Co., Ltd.", "Huawei"),
        ("ZTE Corporation", "ZTE"),
        ("Hytera Communications Corporation Limited", "Hytera"),
        ("Hangzhou Ezviz Software Co.,Ltd.", "Hikvision"),
    ],
)
def test_corporate_suffixes(vendor: str, family: str) -> None:
    assert identify(vendor=vendor).family == family


@pytest.mark.parametrize(("vendor", "family"), [("Hikvison", "Hikvision"), ("Hikvisoin", "Hikvision"), ("Hikvsion", "Hikvision"),
                                                ("Dauha", "Dahua"), ("Huawie", "Huawei"), ("Hyterra", "Hytera"), ("Hik-Vison", "Hikvision")])
def test_near_miss_is_weaker_evidence(vendor: str, family: str) -> None:
    verdict = identify(vendor=vendor)
    exact = identify(vendor=family)
    assert verdict.family == family
    assert [e.kind for e in verdict.evidence] == ["near-miss"]
    assert verdict.confidence < exact.confidence
    assert "near-miss spelling" in verdict.evidence[0].detail


@pytest.mark.parametrize(
    "vendor",
    ["Hikari Lighting", "Hikari", "Dahuangshan Steel", "Dahuangshan", "Shanghai Dahua Scale Factory", "Shanghai Dahua Scale Co., Ltd.",
     "Dahlia Systems", "Daiwa", "Hiking Gear", "Hitachi", "Hillock", "Hurray", "Zhejiang Uniview Technologies", "Xiongmai", "Axis", "Hanwha Vision"],
)
def test_false_friends_are_not_restricted(vendor: str) -> None:
    verdict = identify(vendor=vendor)
    assert verdict.family is None and verdict.evidence == ()


def test_false_friend_scale_factory_oui_block() -> None:
    # 40:2C:76:1 is the MA-M block of Shanghai Dahua Scale Factory: no evidence of Dahua.
    for mac in ("40:2C:76:1A:BC:DE", "402c761abcde", "40-2C-76-1F-00-01"):
        assert identify(mac=mac).evidence == ()


@pytest.mark.parametrize("url", ["dvrip://admin:pw@10.0.0.5:34567", "DVRIP://10.0.0.5", "dvrip://10.0.0.5/cam/realmonitor?channel=1"])
def test_false_friend_dvrip_is_xiongmai(url: str) -> None:
    assert identify(urls=[url]).evidence == ()


def test_false_friend_model_numbers() -> None:
    # Brocade/Dell Connectrix and Cisco MDS switches, Vivotek's four-digit SD speed domes, Uniview IPC, Synology DS.
    for model in ("DS-6620B", "DS-C9148S-K9", "DS-X9648-1536K9", "SD9364-EHL", "IPC3614SB-ADF28KM-I0", "DS920+", "NVR301-04S-P4"):
        assert identify(model=model).evidence == (), model


@pytest.mark.parametrize(
    "mac",
    ["44:19:B6:12:34:56", "44-19-B6-12-34-56", "4419.B612.3456", "4419B6123456", "44 19 b6 12 34 56", "0x4419b6123456",
     "44:19:b6", "4419B6", "４４:１９:Ｂ６:12:34:56", "44_19_B6_12_34_56"],
)
def test_mac_notations(mac: str) -> None:
    verdict = identify(mac=mac)
    assert verdict.family == "Hikvision"
    assert verdict.evidence[0].detail == "MAC 44:19:B6 is registered to Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert verdict.evidence[0].field == "mac" and verdict.evidence[0].value == mac


@pytest.mark.parametrize("mac", ["44:19:B6:12:34", "not-a-mac", "44:19:B6:12:34:56:78", "GG:19:B6:12:34:56", ""])
def test_malformed_macs_give_no_evidence(mac: str) -> None:
    assert identify(mac=mac).evidence == ()


@pytest.mark.parametrize(
    ("vendor", "family"),
    [("杭州海康威视数字技术股份有限公司", "Hikvision"), ("浙江大华技术股份有限公司", "Dahua"), ("华为技术有限公司", "Huawei"),
     ("中兴通讯股份有限公司", "ZTE"), ("海能达通信股份有限公司", "Hytera")],
)
def test_chinese_legal_names(vendor: str, family: str) -> None:
    assert identify(vendor=vendor).family == family


def test_chinese_false_friend() -> None:
    # 大华银行 is United Overseas Bank: "大华" alone is not Dahua.
    assert identify(vendor="大华银行").evidence == ()


def test_every_known_maker_is_known_and_not_restricted() -> None:
    from vmspolicy.analysis.identify.builtin import builtin_fragments

    for entry in builtin_fragments()[0]["vendors"]:
        for name in [entry["name"], *entry.get("aliases", ())]:
            verdict = identify(vendor=name)
            assert verdict.known_vendor and verdict.family is None and verdict.evidence == (), name


def test_every_restricted_name_is_matched_exactly() -> None:
    from vmspolicy.analysis.identify.builtin import builtin_fragments

    vendors = builtin_fragments()[0]
    for entry in vendors["families"]:
        for name in [entry["family"], *entry["names"]]:
            assert identify(vendor=name).declared_family == entry["family"], name
    for entry in vendors["brands"]:
        for name in [entry["name"], *entry.get("aliases", ())]:
            assert identify(vendor=name).evidence[0].kind == "brand", name


# Manufacturer names of netbox-community/devicetype-library (folder names under device-types/, as listed
# in tests/known-slugs.json at commit 0018485025713d4e67fc14ce310718b3e5909c5b): real makers, none restricted.
OTHER_MANUFACTURERS = (
    "3Com", "A10", "ACAR", "Accedian", "ACEMAGICIAN", "ActionTec", "ADC", "Adtran", "ADVA", "AFL", "Albis-Elcon", "Alcatel-Lucent",
    "Allied Telesis", "Allnet", "Allot", "Alpha", "AOOSTAR", "APC", "D-Link", "Datacom", "DataDirect Networks", "Datto", "Datwyler",
    "DCN", "Deciso", "Dell", "Extreme Networks", "F5", "Factor-TS", "FalconEye", "FibroLAN", "FireBrick", "Firewalla", "flir",
    "Forcepoint", "Fortinet", "Forza", "FS", "Fujitsu", "Generic", "Genexis", "ghipsystems", "GL-iNet", "Glovary", "GMKtec",
    "Good Connections", "Google", "Grandstream", "Gude", "Hanwha", "Vivotek", "Uniview", "Bosch", "i-PRO", "Mobotix",
)


@pytest.mark.parametrize("vendor", OTHER_MANUFACTURERS)
def test_other_manufacturers_are_never_restricted(vendor: str) -> None:
    verdict = identify(vendor=vendor)
    assert verdict.family is None and verdict.evidence == ()
