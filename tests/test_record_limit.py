"""The record limit (``max_records``): a file that gives more records than the limit is VP001, and none is judged.

A record costs far more than a node (it is modelled, identified, judged and reported), so this limit,
not the node limit, bounds what a file of many small records costs. Small limits stand in for the default.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from vmspolicy.core.limits import MAX_RECORDS

FIXTURES = Path(__file__).parent / "formats" / "fixtures"

# Two sites, a zone, two cameras, a firewall with two rules and a port forward, a waiver: ten records.
ESTATE = """vmspolicy: 1
sites: [{id: hq}, {id: lab}]
zones: [{id: cctv, site: hq, cidr: [10.0.1.0/24], purpose: cameras}]
cameras:
  - {id: cam-1, site: hq, zone: cctv, vendor: Axis, ip: 10.0.1.11}
  - {id: cam-2, site: hq, zone: cctv, vendor: Axis, ip: 10.0.1.12}
firewalls:
  - id: fw
    site: hq
    default: deny
    rules:
      - {from: cctv, to: internet, action: deny}
      - {from: cctv, to: cctv, action: allow}
    nat:
      - {from: internet, to: 10.0.1.11, ports: [tcp/443], action: deny}
waivers: []
"""


def _check(cli: Cli, *paths: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = cli("check", "--format", "json", "--no-plugins", "--no-cache", "--as-of", "2026-01-01", *paths)
    return code, (json.loads(out)["findings"] if out.strip() else []), err


def test_a_file_over_the_record_limit_is_vp001_at_the_first_record_past_it(tmp_path: Path, cli: Cli,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(ESTATE, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text("max_records: 9\n", encoding="utf-8")
    unlimited = _check(cli, "estate.yaml")
    assert not [f for f in unlimited[1] if f["rule"] == "VP001"], unlimited[2]
    Path(".vmspolicy.yaml").write_text("max_records: 8\n", encoding="utf-8")
    code, findings, _ = _check(cli, "estate.yaml")
    # The ninth record is the port forward, the firewall's last entry; nothing of the file is judged.
    assert code == 1 and [(f["rule"], f["line"], f["column"]) for f in findings] == [("VP001", 15, 9)]
    assert findings[0]["message"] == (
        "the file gives more than the 8 records (sites, zones, devices, firewall rules, waivers, scanned hosts) a file may "
        "have (max_records in .vmspolicy.yaml); none of them is judged: split the file"
    )


def test_the_records_of_other_formats_count_too(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # A FortiGate backup gives zones and a firewall of rules: over the limit it is VP001 at the record past it.
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURES / "fortigate-depot.conf", "fw.conf")
    # Three zones and the firewall fit; its first rule (the policy at line 90) is the record past the limit.
    Path(".vmspolicy.yaml").write_text("max_records: 4\n", encoding="utf-8")
    code, findings, _ = _check(cli, "fw.conf")
    assert code == 1 and [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "fw.conf", 90)]
    assert "more than the 4 records" in findings[0]["message"]


def test_the_default_lets_a_100000_camera_manifest_through_and_is_named_as_the_default(tmp_path: Path, cli: Cli,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_RECORDS >= 120_000  # the benchmark's one-file estate of 100,000 cameras gives about 101,000 records
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text("vmspolicy: 1\nsites:\n" + "".join(f"  - {{id: s{n}}}\n" for n in range(MAX_RECORDS + 1)),
                                   encoding="utf-8")
    code, findings, _ = _check(cli, "estate.yaml")
    assert code == 1 and [(f["rule"], f["line"]) for f in findings] == [("VP001", MAX_RECORDS + 3)]
    assert "(the default; raise max_records in the configuration to read it)" in findings[0]["message"]


def test_the_hosts_of_a_scan_are_records(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each observed host is judged (VP501, VP502): the fourth of this scan's six hosts is past a limit of three.
    monkeypatch.chdir(tmp_path)
    shutil.copy(Path(__file__).parent / "cases" / "VP502" / "scan-finds-restricted" / "scan.xml", "scan.xml")
    Path(".vmspolicy.yaml").write_text("max_records: 3\n", encoding="utf-8")
    code, findings, _ = _check(cli, "scan.xml")
    assert code == 1 and [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "scan.xml", 21)]
