"""A workbook sheet without a header row is left out only when it shows no sign of restricted equipment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.bom.test_bom import workbook
from tests.policy.helpers import check_json
from vmspolicy import RunOptions, hookimpl
from vmspolicy import check as run_check
from vmspolicy.run import pipeline
from vmspolicy.run.plugins import load_plugins


class _AcmeRelabels:
    """A plugin whose vendor data knows a relabel the built-in catalog does not."""

    __name__ = "acme-relabels"

    @staticmethod
    @hookimpl
    def vmspolicy_vendor_data() -> list[dict[str, object]]:
        return [{"version": 1, "source": "ACME procurement list 2026",
                 "relabels": [{"name": "Acme Secure", "family": "Hikvision", "confidence": "high"}]}]


def test_a_headerless_sheet_naming_a_plugins_relabel_is_vp001(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook(tmp_path, {"Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]], "Extra": [["Lobby", "2"], ["Yard", "Acme Secure"]]})
    monkeypatch.chdir(tmp_path)
    options = RunOptions(["bom.xlsx"], as_of=dt.date(2026, 3, 1),
                         plugins=load_plugins(entry_points_enabled=False, extra=[_AcmeRelabels]))
    found = [(f.rule, f.location.cell) for f in run_check(options).findings]
    assert found == [("VP001", "Extra!B2")]
    # Without the plugin the name means nothing: the sheet is a cover sheet like any other.
    assert run_check(RunOptions(["bom.xlsx"], as_of=dt.date(2026, 3, 1), plugins=load_plugins(entry_points_enabled=False))).findings == []


def test_headerless_sheets_too_large_to_search_are_vp001(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_SHEET_CELLS_IDENTIFIED", 3)
    terms = [["Payment in 30 days"], ["Delivery", "ex works"], ["Warranty"]]
    workbook(tmp_path, {"Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]], "Terms": terms})
    code, found, raw = check_json(tmp_path, "bom.xlsx")
    assert code == 1, raw
    assert [(f["rule"], f["cell"]) for f in found] == [("VP001", "Terms!A3")]
    assert "more than 3 filled cells" in found[0]["message"] and "add the header row" in found[0]["message"]


def test_a_small_cover_sheet_is_still_left_out(tmp_path: Path) -> None:
    workbook(tmp_path, {"Cover": [["Prepared for ACME"], ["Terms: 30 days"]], "Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx")
    assert (code, found) == (0, []), raw
