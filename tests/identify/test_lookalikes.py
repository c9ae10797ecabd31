"""Unicode's confusables (TR39) rather than a sample; bidirectional controls; dashes; stream paths.

The shipped table (vmspolicy/data/confusables-latin.tsv) is derived from
Unicode's confusables.txt; a second, newer copy of that data (the
confusable-homoglyphs distribution) must hold no Latin look-alike it lacks.
"""

from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path

import pytest

from vmspolicy.analysis.identify import identify
from vmspolicy.analysis.identify.lookalikes import latin_lookalikes, latin_table, render
from vmspolicy.analysis.identify.normalise import display_order, has_bidi, lookalike_table, model_key, skeleton, stream_key

LATIN = frozenset(string.ascii_letters + string.digits)


def test_the_table_covers_a_newer_copy_of_unicodes_data() -> None:
    import confusable_homoglyphs

    data = json.loads((Path(confusable_homoglyphs.__file__).parent / "confusables.json").read_text(encoding="utf-8"))
    table = lookalike_table()
    missing = []
    for char, homoglyphs in data.items():
        char = char.strip("\u200e\u200f")  # that copy wraps right-to-left letters in direction marks
        if len(char) != 1 or char.isascii():
            continue
        if any(h["c"] and set(h["c"]) <= LATIN for h in homoglyphs) and char not in table:
            missing.append(f"U+{ord(char):04X} {unicodedata.name(char, '?')}")
    assert not missing, missing[:20]
    assert len(latin_lookalikes()) > 1400


@pytest.mark.parametrize(
    ("vendor", "script"),
    [("Ꮋikvision", "Cherokee"), ("Ⲏikvision", "Coptic"), ("ꓧikvision", "Lisu"), ("ᗞahua", "Canadian syllabics"),
     ("Hikvisi\u0ce6n", "Kannada"), ("Hikvi\u0455i\u043en", "Cyrillic"), ("𝖧𝗂𝗄𝗏𝗂𝗌𝗂𝗈𝗇", "mathematical sans-serif"), ("Dah\u057da", "Armenian")],
)
def test_lookalikes_of_every_script(vendor: str, script: str) -> None:
    verdict = identify(vendor=vendor)
    assert verdict.family in ("Hikvision", "Dahua"), script
    assert "look-alike or invisible characters" in verdict.evidence[0].detail


def test_capital_lookalikes_of_i_read_as_i() -> None:
    # TR39 folds I and l together; a name needs the capital I back (Greek Ι, Cyrillic І, Roman numeral Ⅰ).
    assert skeleton("H\u0399KVISION") == skeleton("H\u2160KVISION") == "hikvision"


def test_the_generator_reads_unicodes_file_format() -> None:
    lines = [
        "\ufeff# confusables.txt", "# Version: 99.0.0",
        "13BB ;\t0048 ;\tMA\t# ( Ꮋ → H ) CHEROKEE LETTER MI → LATIN CAPITAL LETTER H\t#",
        "0399 ;\t006C ;\tMA\t# ( Ι → l ) GREEK CAPITAL LETTER IOTA → LATIN SMALL LETTER L\t#",
        "217F ;\t0072 006E ;\tMA\t# ( ⅿ → rn ) SMALL ROMAN NUMERAL ONE THOUSAND → LATIN SMALL LETTER R, LATIN SMALL LETTER N\t#",
        "05AD ;\t0596 ;\tMA\t# ( ֭ → ֖ ) HEBREW ACCENT DEHI → HEBREW ACCENT TIPEHA\t#",
    ]
    version, table = latin_table(lines)
    assert version == "99.0.0" and table == {"Ꮋ": "H", "Ι": "I", "ⅿ": "m"}
    text = render(version, table, "test")
    assert "version 99.0.0" in text and "13BB\tH\t# CHEROKEE LETTER MI" in text


@pytest.mark.parametrize(
    ("written", "displayed"),
    [("\u202enoisivkiH", "Hikvision"), ("Acme \u202eauhaD\u202c cam", "Acme Dahua cam"), ("\u2067Hikvision\u2069", "Hikvision"),
     ("\u202e\u202dab\u202ccd", "dcab"), ("plain", "plain")],
)
def test_display_order(written: str, displayed: str) -> None:
    assert display_order(written) == displayed


def test_a_right_to_left_override_before_a_reversed_name() -> None:
    verdict = identify(vendor="\u202enoisivkiH")
    assert verdict.family == "Hikvision"
    # Shown escaped, with what it displays as: the control itself is the evidence of tampering.
    assert '"\\u202enoisivkiH" (written with bidirectional controls: it displays as "Hikvision")' in verdict.evidence[0].detail
    assert identify(model="\u202eI-0G3412DC2-SD").family == "Hikvision"


def test_bidirectional_controls_make_a_known_maker_unidentified() -> None:
    assert has_bidi("Axis\u202e") and not has_bidi("Axis\u200b")
    assert not identify(vendor="Axis \u202eeno").known_vendor
    assert identify(vendor="Axis").known_vendor


@pytest.mark.parametrize("model", ["DS2CD2143G0I", "ds2cd2143g0i", "DS 2CD2143G0 I", "DS_2CD2143G0_I", "DS-2CD2143G0I", "IPCHFW2431S-S-S2",
                                   "DHIPCHDW2431T", "NVR4108HS4KS2"])
def test_model_matching_ignores_dashes_spaces_and_case(model: str) -> None:
    verdict = identify(model=model)
    assert verdict.family in ("Hikvision", "Dahua"), model
    assert verdict.evidence[0].kind == "model"


@pytest.mark.parametrize(
    ("url", "key"),
    [("rtsp://cam//%53treaming/./Channels/101", "rtsp://cam/Streaming/Channels/101"),
     ("rtsp://cam/%2553treaming/Channels/101", "rtsp://cam/Streaming/Channels/101"),
     ("http://cam\\ISAPI\\System", "http://cam/ISAPI/System"),
     ("rtsp://cam/x/../cam/realmonitor?channel=1", "rtsp://cam/cam/realmonitor?channel=1"),
     ("ffmpeg:rtsp://u:p@cam:554//h264/ch1/main/av_stream", "ffmpeg:rtsp://u:p@cam:554/h264/ch1/main/av_stream")],
)
def test_stream_key(url: str, key: str) -> None:
    assert stream_key(url) == key
    assert identify(urls=[url]).family in ("Hikvision", "Dahua")


@pytest.mark.parametrize(
    "url",
    ["rtsp://10.0.0.5/PSIA/Streaming/channels/1", "http://10.0.0.5/PSIA/Streaming/channels/1/picture",
     "http://10.0.0.5/onvif/device_service", "rtsp://10.0.0.5/onvif/Streaming/Channels/1", "rtsp://10.0.0.5/live/cam/realmonitor"],
)
def test_standard_paths_are_nobodys(url: str) -> None:
    # Fingerprints are anchored where the path starts: PSIA and ONVIF paths are multi-vendor standards.
    assert identify(urls=[url]).evidence == ()


def test_model_key_folds_lookalikes_of_every_script() -> None:
    assert model_key("ᗞS-2CD2143G0-I") == "DS-2CD2143G0-I"


@pytest.mark.parametrize(
    ("vendor", "family"),
    [("大华", "Dahua"), ("大华股份", "Dahua"), ("海康", "Hikvision"), ("海康威视", "Hikvision"), ("Haikang Weishi", "Hikvision"),
     ("Dahua Gufen", "Dahua"), ("华为", "Huawei"), ("中兴", "ZTE"), ("Zhongxing Telecom", "ZTE"), ("海能达", "Hytera"),
     ("萤石", "Hikvision"), ("LeChange", "Dahua"), ("Le Change", "Dahua"), ("乐橙", "Dahua")],
)
def test_chinese_short_names_romanisations_and_lechange(vendor: str, family: str) -> None:
    assert identify(vendor=vendor).family == family


@pytest.mark.parametrize("vendor", ["上海大华衡器厂", "大华银行", "Wuxi Zhongxing Optoelectronics Technology"])
def test_chinese_false_friends(vendor: str) -> None:
    assert identify(vendor=vendor).evidence == ()


def test_zte_block_registered_as_zhongxing_telecom() -> None:
    verdict = identify(mac="00:D0:D0:12:34:56")
    assert verdict.family == "ZTE" and verdict.evidence[0].detail == "MAC 00:D0:D0 is registered to Zhongxing Telecom"


@pytest.mark.parametrize("serial", ["DS-2CD2143G0-I20190101AAWRC12345678", "DS2CD2143G0I20190101AAWRC1234"])
def test_a_hikvision_serial_starts_with_its_model(serial: str) -> None:
    verdict = identify(serial=serial)
    assert verdict.family == "Hikvision" and verdict.evidence[0].field == "serial"


@pytest.mark.parametrize("serial", ["4J0123PAZ1234567", "ABCDS-2CD2143", "SD49225XA-HNR2019"])
def test_other_serials_say_nothing(serial: str) -> None:
    # Only a serial that starts with a distinctive model pattern counts (never a short, ambiguous prefix).
    assert identify(serial=serial).evidence == ()
