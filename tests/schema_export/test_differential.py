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


def _estate(folder: Path) -> tuple[Path, dict[tuple[str, int], str]]:
    """The estate file: one non-sensitive site and zone around every entry; (section, index) -> entry id."""
    manifest: dict[str, Any] = {
        "vmspolicy": 1,
        "sites": [{"id": "depot", "name": "Depot"}],
        "zones": [{"id": "depot-cctv", "site": "depot", "purpose": "legacy-cameras", "cidr": "10.9.0.0/24"}],
        "firewalls": [{"id": "depot-fw", "site": "depot", "default": "deny"}],
    }
    where: dict[tuple[str, int], str] = {}
    for section, items in _entries().items():
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
