"""Positions in a bill of materials are also named as the cell a spreadsheet shows (``C6``, ``'Price list'!C6``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bom.test_bom import workbook
from tests.policy.helpers import check_json
from vmspolicy.core.source import column_letters, sheet_prefix


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")])
def test_columns_are_lettered_as_spreadsheets_letter_them(index: int, letters: str) -> None:
    assert column_letters(index) == letters


@pytest.mark.parametrize(("title", "prefix"), [("Sheet2", "Sheet2!"), ("Price_list", "Price_list!"), ("Price list", "'Price list'!"),
                                                ("2026", "'2026'!"), ("O'Brien", "'O''Brien'!")])
def test_sheet_names_are_quoted_as_references_quote_them(title: str, prefix: str) -> None:
    assert sheet_prefix(title) == prefix


def test_a_csv_finding_names_the_record_and_field_not_the_text_position(tmp_path: Path) -> None:
    # The quoted line break makes record 3 span lines 3-4, so the Dahua row (record 4) is on line 5; the
    # vendor is the second field whatever its character column.
    (tmp_path / "bom.csv").write_text(
        'Item,Manufacturer,Model\n1,Axis,P3265-LVE\n2,"Axis\nCommunications",M3106\n10,Dahua,IPC-HFW2431S\n', encoding="utf-8")
    code, found, raw = check_json(tmp_path, "bom.csv")
    assert code == 1, raw
    assert [(f["rule"], f["line"], f["column"], f["cell"]) for f in found] == [("VP102", 5, 4, "B4")]


def test_a_cell_after_a_quoted_line_break_is_named_by_its_field(tmp_path: Path) -> None:
    # The model is on the line the quoted description ends on: still column C of record 2.
    (tmp_path / "bom.csv").write_text('Description,Manufacturer,Model\n"Lobby\ndome",Hikvision,DS-2CD2143G0-I\n', encoding="utf-8")
    code, found, raw = check_json(tmp_path, "bom.csv")
    assert code == 1, raw
    assert [(f["line"], f["column"], f["cell"]) for f in found] == [(3, 7, "B2")]


def test_a_workbook_of_several_sheets_names_the_sheet(tmp_path: Path) -> None:
    workbook(tmp_path, {"Cover": [["Prepared for ACME"]],
                        "Price list": [["Qty", "Manufacturer", "Part Number"], [3, "Axis", "P3245-V"], [1, "Dahua", "IPC-HFW2431S"]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx")
    assert code == 1, raw
    # Lines run on across sheets (Cover is line 1), so every position is one cell; ids keep the sheet's own row.
    assert [(f["line"], f["column"], f["cell"], f["subject"]) for f in found] == [(4, 2, "'Price list'!B3", "bom.xlsx:3")]


def test_a_workbook_of_one_sheet_names_the_cell_alone(tmp_path: Path) -> None:
    workbook(tmp_path, {"Quote": [["Quotation 7"], [], ["Qty", "Manufacturer", "Part Number"], [3, "Hikvision", "DS-2CD2143G0-I"]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx")
    assert code == 1, raw
    assert [(f["line"], f["column"], f["cell"]) for f in found] == [(4, 2, "B4")]


def test_a_row_that_cannot_be_read_is_vp001_at_its_cell(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text("Manufacturer,Model\nAxis,P3245-V,Lobby, east\n", encoding="utf-8")
    code, found, raw = check_json(tmp_path, "bom.csv")
    assert code == 1, raw
    assert [(f["rule"], f["line"], f["column"], f["cell"]) for f in found] == [("VP001", 2, 14, "C2")]


def test_findings_in_a_manifest_name_no_cell(tmp_path: Path) -> None:
    manifest = "vmspolicy: 1\nsites:\n  - {id: hq}\ncameras:\n  - {id: c1, site: hq, vendor: Hikvision, model: DS-2CD2143G0-I}\n"
    (tmp_path / "estate.yaml").write_text(manifest, encoding="utf-8")
    code, found, raw = check_json(tmp_path, "estate.yaml")
    assert code == 1, raw
    assert found and all(f["cell"] is None for f in found)


@pytest.mark.parametrize("name", ["bom.csv", "bom.xlsx"])
def test_a_cell_over_the_size_limit_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from vmspolicy.core.text import ParseError
    from vmspolicy.loading import bom
    from vmspolicy.loading.base import SourceFile

    monkeypatch.setattr(bom, "MAX_CELL_CHARS", 5)
    values = [["Vendor", "Model"], ["Axis", "P3245-LVE"]]
    raw = workbook(tmp_path, {"S": values, "T": [["x"]]}) if name.endswith("xlsx") else b"Vendor,Model\nAxis,P3245-LVE\n"
    with pytest.raises(ParseError, match="the cell-size limit") as raised:
        bom.BOM_LOADER.load(SourceFile(name, raw))
    # The first over-long cell: "Vendor" in A1; a workbook of two sheets names the sheet.
    assert raised.value.cell == ("S!A1" if name.endswith("xlsx") else "A1")
