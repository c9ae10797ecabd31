"""The OUI extract is regenerated from the IEEE registry's CSV files, offline."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

from vmspolicy.analysis.identify import identify
from vmspolicy.analysis.identify.builtin import builtin_fragments, oui_fragment
from vmspolicy.analysis.identify.catalog import catalog_for
from vmspolicy.analysis.identify.registry import read_registry, render, restricted_rows

OUI_CSV = """Registry,Assignment,Organization Name,Organization Address
MA-L,4419B6,"Hangzhou Hikvision Digital Technology Co.,Ltd.","No.555 Qianmo Road, Hangzhou CN"
MA-L,00D0D0,Zhongxing Telecom,Shenzhen CN
MA-L,302FAC,"Zhejiang HuaRay Technology Co.,Ltd",Hangzhou CN
MA-L,00408C,Axis Communications AB,Lund SE
MA-L,3C1BF9,Hikvisoin Typo Ltd,Nowhere
"""
MAM_CSV = """Registry,Assignment,Organization Name,Organization Address
MA-M,402C761,Shanghai Dahua Scale Factory,Shanghai CN
MA-M,B0B3536,"Hangzhou Hikrobot Technology Co.,Ltd",Hangzhou CN
"""
OUI36_CSV = """Registry,Assignment,Organization Name,Organization Address
MA-S,8C1F64F4B,Jorex Lorex India Private Limited,IN
"""


def _rows() -> list[tuple[str, str, str]]:
    return restricted_rows(catalog_for(()), read_registry([io.StringIO(OUI_CSV), io.StringIO(MAM_CSV), io.StringIO(OUI36_CSV)]))


def test_only_the_families_their_brands_and_relabels_are_extracted() -> None:
    assert _rows() == [
        ("00D0D0", "ZTE", "Zhongxing Telecom"),
        ("302FAC", "HuaRay", "Zhejiang HuaRay Technology Co.,Ltd"),
        ("4419B6", "Hikvision", "Hangzhou Hikvision Digital Technology Co.,Ltd."),
        ("B0B3536", "Hikrobot", "Hangzhou Hikrobot Technology Co.,Ltd"),
    ]  # not Axis, not a misspelling, not the scale factory, not Jorex Lorex India


def test_the_extract_loads_as_the_builtin_one_does() -> None:
    text = render(_rows(), ["oui.csv", "mam.csv"], dt.date(2026, 12, 1))
    fragment = oui_fragment(text, "test extract")
    assert [o["prefix"] for o in fragment["ouis"]] == ["00D0D0", "302FAC", "4419B6", "B0B3536"]
    assert identify(mac="b0:b3:53:61:23:45", vendor_data=[builtin_fragments()[0], fragment]).family == "Hikvision"


def test_the_command_and_a_file_that_is_not_the_registrys(tmp_path: Path) -> None:
    (tmp_path / "oui.csv").write_text(OUI_CSV, encoding="utf-8")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    run = [sys.executable, "-m", "vmspolicy.analysis.identify.registry"]
    done = subprocess.run([*run, str(tmp_path / "oui.csv")], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "00D0D0\tZTE\tZhongxing Telecom" in done.stdout and done.stdout.startswith("# Restricted-family")
    bad = subprocess.run([*run, str(tmp_path / "other.csv")], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "not an IEEE registry CSV" in bad.stderr and "Traceback" not in bad.stderr
    missing = subprocess.run([*run, str(tmp_path / "absent.csv")], capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "absent.csv" in missing.stderr


def test_subsidiary_and_relabel_blocks_that_the_first_extract_lacked() -> None:
    assert [e.family for e in identify(mac="30:2F:AC:12:34:56").evidence] == ["Dahua"]  # HuaRay (low confidence: weak evidence)
    assert identify(mac="B0:B3:53:61:23:45").family == "Hikvision"  # Hikrobot, MA-M
    assert identify(mac="AC:64:DD:51:23:45").family == "ZTE"  # Shanghai ZTE Technologies, MA-M
    assert identify(mac="8C:1F:64:F4:B1:23").evidence == ()  # Jorex Lorex India is not Lorex
