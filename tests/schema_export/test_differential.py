"""The exported schema and `vmspolicy check` agree on every entry a schema can judge.

Per entry, the codes a schema can establish from the entry alone — VP102 (new
install), VP104 (vendor mismatch), VP107 (restricted recorder) and VP205 (cloud
services on a legacy device) — must be exactly those `vmspolicy check` reports
for it. The other codes are cross-entry or cross-file (VP101 the site's
sensitivity, VP103/VP105 waivers, VP201-VP206 isolation) and are not compared;
the schema's VP206 (a legacy device names no zone) is only one condition of
`vmspolicy check`'s, which also places a device by its address and needs a
firewall, so every entry here names its zone. The entries are data:
fixtures/differential.yaml.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.schema_export.helpers import FIXTURES, PATH, check_jsonschema, code_of, pack_schema, vmspolicy_check

CODES = frozenset({"VP102", "VP104", "VP107", "VP205"})
PACKS = ("uk-gov-2022", "us-ndaa-889", "au-gov-2023")
AS_OF = "2026-06-01"


def _entries() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load((FIXTURES / "differential.yaml").read_text(encoding="utf-8"))
    return data


def _estate(folder: Path, entries: dict[str, list[dict[str, Any]]] | None = None) -> tuple[Path, dict[tuple[str, int], str]]:
    """The estate file: one non-sensitive site and zone around every entry; (section, index) -> entry id."""
    manifest: dict[str, Any] = {
        "vmspolicy": 1,
        "sites": [{"id": "depot", "name": "Depot"}],
        "zones": [{"id": "depot-cctv", "site": "depot", "purpose": "legacy-cameras", "cidr": "10.9.0.0/24"}],
        "firewalls": [{"id": "depot-fw", "site": "depot", "default": "deny"}],
    }
    where: dict[tuple[str, int], str] = {}
    for section, items in (entries if entries is not None else _entries()).items():
        manifest[section] = []
        for index, item in enumerate(items):
            entry = {"site": "depot", "zone": "depot-cctv", **item["entry"]}
            manifest[section].append(entry)
            where[(section, index)] = entry["id"]
    path = folder / "estate.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, where


def _schema_codes(pack: str, estate: Path, where: dict[tuple[str, int], str]) -> dict[str, set[str]]:
    _, errors = check_jsonschema(pack_schema(pack), estate)
    found: dict[str, set[str]] = {entry: set() for entry in where.values()}
    for error in errors:
        located = PATH.match(error["path"])
        code = code_of(error["message"])
        assert located and code, f"a rejection that names no entry or no rule: {error}"
        found[where[(located.group(1), int(located.group(2)))]].add(code)
    return found


def _check_codes(pack: str, folder: Path, where: dict[tuple[str, int], str]) -> dict[str, set[str]]:
    report = vmspolicy_check("--profile", pack, "--as-of", AS_OF, str(folder))
    found: dict[str, set[str]] = {entry: set() for entry in where.values()}
    for finding in report["findings"]:
        if finding["rule"] in CODES and finding.get("subject") in found:
            found[finding["subject"]].add(finding["rule"])
    return found


@pytest.mark.parametrize("pack", PACKS)
def test_schema_and_check_agree_on_every_entry(pack: str, tmp_path: Path) -> None:
    estate, where = _estate(tmp_path)
    by_schema = _schema_codes(pack, estate, where)
    by_check = _check_codes(pack, tmp_path, where)
    disagreements = {
        entry: {"schema": sorted(by_schema[entry]), "vmspolicy check": sorted(by_check[entry])}
        for entry in where.values()
        if by_schema[entry] != by_check[entry]
    }
    assert not disagreements, disagreements
    # Agreement on nothing would prove nothing: both sides reject some entries and accept others.
    rejected = [e for e in where.values() if by_schema[e]]
    assert len(rejected) >= 10
    assert len(where) - len(rejected) >= 5


def test_uk_verdicts_are_the_documented_ones(tmp_path: Path) -> None:
    estate, where = _estate(tmp_path)
    by_schema = _schema_codes("uk-gov-2022", estate, where)
    expected = {item["entry"]["id"]: set(item["uk"]) for items in _entries().values() for item in items}
    wrong = {e: {"expected": sorted(expected[e]), "schema": sorted(by_schema[e])} for e in expected if expected[e] != by_schema[e]}
    assert not wrong, wrong


# Evidence of one family at a time: with two restricted families on one entry, `vmspolicy check`
# judges the heavier one only, while a schema judges each on its own (see the README).
FAMILY_EVIDENCE: dict[str, dict[str, list[Any]]] = {
    "Hikvision": {
        "vendor": ["Hikvision", "HIKVISION DIGITAL TECHNOLOGY CO., LTD.", "Ηіkvіsіоn", "Hik Vision", "EZVIZ", "HiLook", "HiWatch", "Annke", "LTS"],
        "model": ["DS-2CD2143G0-I", "ds 2cd2043g0 i", "DS-7608NI-K2", "HWI-B121H", "DS-KV6113-WPE1", "Hikvision 4MP dome"],
        "mac": ["44:19:b6:12:34:56", "4419.b612.3456", "C0-56-E3-00-00-01"],
        "streams": [["rtsp://10.9.0.2:554/Streaming/Channels/101"], ["http://10.9.0.2/ISAPI/System/deviceInfo"]],
    },
    "Dahua": {
        "vendor": ["Dahua", "Zhejiang Dahua Technology Co., Ltd.", "dahua technology", "Amcrest", "Lorex", "Loryta", "IndigoVision",
                   "Imou", "CP Plus"],
        "model": ["IPC-HFW2431S-S-S2", "NVR4108HS-4KS2", "DH-IPC-HDBW2431E", "IP8M-2496EB", "SD49225XA-HNR"],
        "mac": ["3C-EF-8C-00-00-01", "3cef8c000001"],
        "streams": [["rtsp://10.9.0.3/cam/realmonitor?channel=1"]],
    },
    "Huawei": {
        "vendor": ["Huawei", "HUAWEI TECHNOLOGIES CO.,LTD", "HoloSens"], "model": [], "mac": ["00e0fc123456", "00-E0-FC-AB-CD-EF"], "streams": [],
    },
    "ZTE": {"vendor": ["ZTE", "ZTE Corporation"], "model": [], "mac": [], "streams": []},
    "Hytera": {"vendor": ["Hytera", "Hytera Communications"], "model": [], "mac": [], "streams": []},
}
NEUTRAL: dict[str, list[Any]] = {
    "vendor": ["Axis", "Bosch", "Hikari Lighting", "Shanghai Dahua Scale Factory", "Milestone", "Uniview", "Xiongmai"],
    "model": ["P3268-LVE", "XND-8082RV", "WV-S2536LTN"],
    "mac": ["b8:a4:4f:10:20:01", "00:07:5f:aa:01:01"],
    "streams": [["rtsp://10.9.0.4/axis-media/media.amp"], ["dvrip://u@10.9.0.5:34567"]],
}
DATES = ["2017-05-01", "2019-08-12", "2019-08-13", "2020-06-01", "2021-04-30", "2022-11-23", "2022-11-24", "2023-02-08", "2023-02-09", "2024-01-01"]
SERVICES = [{"p2p_cloud": True}, {"upnp": True, "p2p_cloud": False}, {"ddns": True}, {"p2p_cloud": False, "upnp": False, "ddns": False}]


def _random_entries(seed: int, count: int) -> dict[str, list[dict[str, Any]]]:
    """Entries mixing one family's evidence with unrelated facts, every field present or not: a fixed seed, so the same each run."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {"cameras": [], "recorders": [], "devices": []}
    for index in range(count):
        family = FAMILY_EVIDENCE[rng.choice(sorted(FAMILY_EVIDENCE))]
        entry: dict[str, Any] = {"id": f"r{seed}-{index}"}
        for field in ("vendor", "model", "mac", "streams"):
            pool = rng.choice([family[field], NEUTRAL[field], []])
            if pool:
                entry[field] = rng.choice(pool)
        if rng.random() < 0.8:
            entry["installed"] = rng.choice(DATES)
        if rng.random() < 0.3:
            entry["status"] = rng.choice(["active", "planned", "planned", "decommissioned"])
        if rng.random() < 0.5:
            entry["services"] = rng.choice(SERVICES)
        section = rng.choice(["cameras", "cameras", "recorders", "devices"])
        if section == "devices":
            entry["type"] = rng.choice(["switch", "encoder", "nvr", "intercom", "other"])
        out[section].append(entry)
    return {section: [{"entry": e} for e in entries] for section, entries in out.items()}


@pytest.mark.parametrize(("pack", "seed"), [("uk-gov-2022", 1), ("au-gov-2023", 2), ("us-ndaa-889", 3)])
def test_schema_and_check_agree_on_random_entries(pack: str, seed: int, tmp_path: Path) -> None:
    entries = _random_entries(seed, 160)
    estate, where = _estate(tmp_path, entries)
    by_schema = _schema_codes(pack, estate, where)
    by_check = _check_codes(pack, tmp_path, where)
    facts = {item["entry"]["id"]: item["entry"] for items in entries.values() for item in items}
    disagreements = [(e, sorted(by_schema[e]), sorted(by_check[e]), facts[e]) for e in where.values() if by_schema[e] != by_check[e]]
    assert not disagreements, disagreements
    assert sum(1 for e in where.values() if by_schema[e]) >= 40
