"""A run given files with ``estate:`` (the pre-commit case) reports in them what the whole estate's run reports there.

Which of two declarations of an id, a MAC or an address is the first decides where a duplicate is
reported and which record a waiver applies to; it is the estate's file order, never the order of
the files a run was given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

SITE = """vmspolicy: 1
sites:
  - {id: depot, name: Depot, sensitive: false, policies: [uk-gov-2022]}
zones:
  - {id: cctv, site: depot, cidr: 10.0.1.0/24, purpose: cameras}
  - {id: legacy, site: depot, cidr: 10.0.2.0/24, purpose: legacy-cameras}
firewalls:
  - {id: fw, site: depot, default: deny, rules: []}
cameras:
  - {id: cam-1, site: depot, zone: cctv, vendor: Axis, model: P1465-LE, mac: "b8:a4:4f:20:20:01", ip: 10.0.1.11, installed: 2023-09-01}
  - {id: old-1, site: depot, zone: legacy, vendor: Hikvision, ip: 10.0.2.11, installed: 2020-05-18,
     services: {p2p_cloud: false, upnp: false, ddns: false}}
waivers:
  - {id: W-1, devices: [old-1], rules: [VP103], reason: "Replacement budgeted for the 2027 refresh", approved_by: "CISO",
     approved_on: 2025-10-01, expires: 2027-09-30}
"""
LATER = """vmspolicy: 1
cameras:
  - {id: cam-2, site: depot, zone: cctv, vendor: Axis, model: P1465-LE, mac: "b8:a4:4f:20:20:01", ip: 10.0.1.11, installed: 2023-09-01}
  - {id: old-1, site: depot, zone: legacy, vendor: Hikvision, ip: 10.0.2.12, installed: 2020-05-18,
     services: {p2p_cloud: false, upnp: false, ddns: false}}
"""


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path(".vmspolicy.yaml").write_text('estate: ["estate/**/*.yaml"]\n', encoding="utf-8")
    Path("estate").mkdir()
    Path("estate/a.yaml").write_text(SITE, encoding="utf-8")
    Path("estate/b.yaml").write_text(LATER, encoding="utf-8")
    return tmp_path


def _found(cli: Cli, *args: str) -> tuple[int, list[tuple[Any, ...]]]:
    code, out, err = cli("check", "--no-plugins", "--no-cache", "--as-of", "2026-01-10", "--format", "json", *args)
    assert code in (0, 1), err
    return code, [(f["rule"], f["path"], f["line"], f["subject"], f["suppressed"] is not None) for f in json.loads(out)["findings"]]


def test_a_later_file_given_alone_reports_its_duplicates_and_gets_no_earlier_waiver(estate: Path, cli: Cli) -> None:
    code, whole = _found(cli)
    in_later = [f for f in whole if f[1] == "estate/b.yaml"]
    # The second cam at cam-1's MAC and address, and a second old-1 that W-1 (written for a.yaml's) does not excuse.
    assert code == 1 and {f[0] for f in in_later} >= {"VP004", "VP103"}
    assert next(f for f in in_later if f[0] == "VP103")[4] is False
    assert _found(cli, "estate/b.yaml") == (1, in_later)


def test_standard_input_named_as_a_later_file_takes_its_place(estate: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    _, whole = _found(cli)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LATER.encode("utf-8"))))
    assert _found(cli, "--stdin-filename", "estate/b.yaml", "-") == (1, [f for f in whole if f[1] == "estate/b.yaml"])
