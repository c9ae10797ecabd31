"""Bills of materials: CSV/TSV/xlsx read into located planned devices; unreadable ones are VP001 at their line."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest

from tests.policy.helpers import check_json
from vmspolicy.core.source import LocatedMap
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.bom import BOM_LOADER, normalise_header, split_rows


def load(name: str, raw: bytes) -> LocatedMap:
    documents = BOM_LOADER.load(SourceFile(name, raw))
    assert documents is not None and len(documents) == 1
    assert documents[0].format == "bom"
    return documents[0].data


def rows(data: LocatedMap, section: str = "cameras") -> list[LocatedMap]:
    return list(data.get(section) or [])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_and_cells_are_located(delimiter: str) -> None:
    text = delimiter.join(["Make", "Model Number", "MAC_Address", "QTY", "Serial No."]) + "\n"
    text += delimiter.join(["Hikvision", "DS-2CD2143G0-I", "44:19:b6:12:34:56", "4", "SN-1"]) + "\n"
    data = load("bom.csv", text.encode())
    [row] = rows(data)
    assert {k: row[k] for k in ("id", "site", "status", "vendor", "model", "mac", "serial")} == {
        "id": "bom.csv:2",
        "site": "bom-bom.csv",
        "status": "planned",
        "vendor": "Hikvision",
        "model": "DS-2CD2143G0-I",
        "mac": "44:19:b6:12:34:56",
        "serial": "SN-1",
    }
    assert row.where("vendor") == (2, 1)
    assert row.where("model") == (2, 11)
    assert row.where("mac") == (2, 26)
    assert list(row["tags"]) == ["quantity:4"]
    assert [s["id"] for s in data["sites"]] == ["bom-bom.csv"]


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Manufacturer", "vendor"), ("BRAND", "vendor"), ("vendor name", "vendor"), ("Part No.", "model"), ("Part Number", "model"),
        ("SKU", "model"), ("model #", "model"), ("MAC Address", "mac"), ("Qty", "quantity"), ("Description", "description"),
        ("S/N", "serial"),
    ],
)
def test_header_synonyms(header: str, role: str) -> None:
    from vmspolicy.loading.bom import HEADERS

    assert normalise_header(f" {header} ") in HEADERS[role]


def test_bom_utf8_with_byte_order_mark_crlf_and_title_rows() -> None:
    raw = "\ufeffQuotation Q-1;;\r\n\r\nVendor;Model;Description\r\nDahua;IPC-HFW2431S;Bullet\r\n".encode()
    [row] = rows(load("q.csv", raw))
    assert (row["vendor"], row.where("vendor"), row["notes"], row.where("notes")) == ("Dahua", (4, 1), "Bullet", (4, 20))


def test_quoted_cells_keep_delimiters_quotes_and_line_breaks() -> None:
    text = 'vendor,model,description\nAxis,P3245-V,"dome, ""outdoor""\nIR"\nBosch,FLEXIDOME,"x"\n'
    first, second = rows(load("b.csv", text.encode()))
    assert first["notes"] == 'dome, "outdoor"\nIR'
    assert (second["id"], second.where("vendor")) == ("b.csv:4", (4, 1))


def test_description_and_extra_maker_columns_become_notes_and_recorders_are_recorders() -> None:
    text = "Manufacturer,Brand,Model,Description\nZhejiang Dahua,Lorex,N841A,8-channel NVR\n"
    data = load("r.csv", text.encode())
    assert rows(data) == []
    [recorder] = rows(data, "recorders")
    assert recorder["vendor"] == "Zhejiang Dahua" and recorder["notes"] == "8-channel NVR | Lorex"


def test_totals_and_empty_rows_are_not_equipment() -> None:
    text = "Vendor,Model,Qty\nAxis,P3245-V,2\n,,\nTotal,,2\nSubtotal,,2\n"
    assert [r["id"] for r in rows(load("t.csv", text.encode()))] == ["t.csv:2"]


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("Qty,Description\n1,dome\n", (1, 1), "no header row"),
        ('Vendor,Model\nAxis,"P3245\n', (2, 6), "never closed"),
        ("Vendor,Model\nAxis,P3245,dome, IR\n", (2, 12), "header has 2"),
        ("", (1, 1), "no header row"),
    ],
)
def test_unreadable_bom_is_a_located_parse_error(text: str, position: tuple[int, int], words: str) -> None:
    with pytest.raises(ParseError, match=words) as caught:
        BOM_LOADER.load(SourceFile("x.csv", text.encode()))
    assert (caught.value.line, caught.value.column) == position


def test_split_rows_positions_across_quoted_newlines() -> None:
    [[a, b, c], [d]] = split_rows('a,"x\r\ny",c\r\nd', ",")
    assert (a.pos, b.pos, c.pos, d.pos) == ((1, 1), (1, 3), (2, 4), (3, 1))
    assert b.value == "x\r\ny"


def test_tsv_is_tab_separated_only() -> None:
    [row] = rows(load("t.tsv", b"vendor\tmodel\nHanwha, Techwin\tXNV-8080R\n"))
    assert row["vendor"] == "Hanwha, Techwin"


def workbook(tmp_path: Path, sheets: dict[str, list[list[Any]]]) -> bytes:
    """Write ``tmp_path/bom.xlsx`` with ``sheets`` and return its bytes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, values in sheets.items():
        sheet = book.create_sheet(title)
        for line in values:
            sheet.append(line)
    path = tmp_path / "bom.xlsx"
    book.save(path)
    return path.read_bytes()


def test_xlsx_rows_and_columns_are_positions(tmp_path: Path) -> None:
    raw = workbook(tmp_path, {"Quote": [["Quotation 7"], [], ["Qty", "Manufacturer", "Part Number"], [3, "Hikvision", "DS-2CD2143G0-I"]]})
    [row] = rows(load("bom.xlsx", raw))
    assert (row["id"], row["vendor"], row.where("vendor"), row.where("model")) == ("bom.xlsx:4", "Hikvision", (4, 2), (4, 3))
    assert list(row["tags"]) == ["quantity:3"]


def test_xlsx_every_sheet_with_a_header_is_read(tmp_path: Path) -> None:
    raw = workbook(tmp_path, {"Cover": [["Prepared for ACME"]], "Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]],
                              "Recorders": [["Vendor", "Model", "Description"], ["Hikvision", "DS-7608NI-K2", "NVR"]]})
    data = load("bom.xlsx", raw)
    assert [r["id"] for r in rows(data)] == ["bom.xlsx:Cameras:2"]
    assert [r["id"] for r in rows(data, "recorders")] == ["bom.xlsx:Recorders:2"]


def test_xlsx_damaged_or_without_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ParseError, match=r"not a readable \.xlsx workbook"):
        BOM_LOADER.load(SourceFile("bad.xlsx", b"PK\x03\x04 not really a zip"))
    raw = workbook(tmp_path, {"S": [["Vendor"], ["Axis"]]})  # written before openpyxl goes: saving imports parts of it
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ParseError, match=r"vmspolicy\[xlsx\]"):
        BOM_LOADER.load(SourceFile("bom.xlsx", raw))


# End to end: the vendor's gate.


def test_vendor_gate_on_a_csv(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text(
        "Manufacturer,Model,Qty,Description\nAxis,P3245-V,4,Dome\n,DS-2CD2143G0-I,2,Dome\n,,1,HIKVISION 4MP dome\nAmcrest,IP8M-2496EB,1,\n",
        encoding="utf-8",
    )
    code, found, raw = check_json(tmp_path, "bom.csv", "--profile", "us-ndaa-889")
    assert code == 1, raw
    got = {(f["rule"], f["line"], f["column"], f["subject"]) for f in found}
    assert ("VP102", 3, 2, "bom.csv:3") in got  # the model cell
    assert ("VP102", 4, 5, "bom.csv:4") in got  # the description cell names the maker
    assert ("VP102", 5, 1, "bom.csv:5") in got and ("VP105", 5, 1, "bom.csv:5") in got  # a relabel
    assert not any(f["subject"] == "bom.csv:2" for f in found)  # the Axis row passes
    message = next(f["message"] for f in found if f["subject"] == "bom.csv:3")
    assert "DS-2CD2143G0-I" in message and "on this bill of materials" in message and "us-ndaa-889" in message


def test_clean_bom_passes_and_config_can_make_its_site_sensitive(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text("Vendor,Model\nAxis,P3245-V\nHikvision,DS-2CD2143G0-I\n", encoding="utf-8")
    (tmp_path / "ok.csv").write_text("Vendor,Model\nAxis,P3245-V\n", encoding="utf-8")
    code, found, _ = check_json(tmp_path, "ok.csv")
    assert (code, found) == (0, [])
    (tmp_path / ".vmspolicy.yaml").write_text("bom: {sensitive: true}\n", encoding="utf-8")
    code, found, _ = check_json(tmp_path, "bom.csv")
    assert code == 1 and {(f["rule"], f["line"]) for f in found} == {("VP101", 3)}


def test_unreadable_bom_fails_the_gate_with_vp001(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes("Vendor,Model\nAxis,Caméra\n".encode("latin-1"))
    (tmp_path / "nocols.csv").write_text("Item,Qty\n1,2\n", encoding="utf-8")
    code, found, _ = check_json(tmp_path, "latin1.csv", "nocols.csv")
    assert code == 1
    # Without a maker or model column a CSV is no bill of materials: a data file, skipped...
    assert {(f["path"], f["rule"], f["line"]) for f in found} == {("latin1.csv", "VP001", 2)}
    # ... unless the configuration says it is part of the estate: then it cannot be told what it lists.
    (tmp_path / ".vmspolicy.yaml").write_text('estate: ["*.csv"]\n', encoding="utf-8")
    code, found, _ = check_json(tmp_path)
    assert code == 1
    assert {(f["path"], f["rule"], f["line"]) for f in found} == {("latin1.csv", "VP001", 2), ("nocols.csv", "VP001", 1)}


def test_broken_csv_with_a_maker_column_is_vp001_and_a_data_csv_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "quote.csv").write_text('Manufacturer,Model\n"Hikvision,DS-2CD2143G0-I\n', encoding="utf-8")
    (tmp_path / "data.csv").write_text('day,visitors\n"2026-01-01,4\n', encoding="utf-8")
    (tmp_path / "ok.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    code, found, _ = check_json(tmp_path, ".")
    assert code == 1
    assert {(f["path"], f["rule"], f["line"]) for f in found} == {("quote.csv", "VP001", 2)}


def test_xlsx_formula_without_a_saved_value_is_refused(tmp_path: Path) -> None:
    # openpyxl writes formulas without computing them, as generated workbooks do.
    raw = workbook(tmp_path, {"Quote": [["Vendor", "Model"], ['=CONCATENATE("Hik","vision")', "DS-2CD2143G0-I"]]})
    with pytest.raises(ParseError, match="no saved value") as caught:
        BOM_LOADER.load(SourceFile("bom.xlsx", raw))
    assert (caught.value.line, caught.value.column) == (2, 1)


@pytest.mark.parametrize(
    "maker",
    ["H\u0456kvision", "\uff24\uff41\uff48\uff55\uff41", "Hik-Vision", "Hik\u200bvision", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.", "EZVIZ"],
    ids=["cyrillic-i", "fullwidth", "hyphen", "zero-width", "legal-name", "subsidiary"],
)
def test_disguised_makers_in_a_bom_still_fail_the_gate(tmp_path: Path, maker: str) -> None:
    (tmp_path / "bom.csv").write_text(f"Manufacturer;Model;Qty\n{maker};X1;2\n", encoding="utf-8-sig")
    code, found, raw = check_json(tmp_path, "bom.csv")
    assert code == 1, raw
    assert {(f["rule"], f["line"], f["column"]) for f in found if f["rule"] == "VP102"} == {("VP102", 2, 1)}


def test_a_maker_hidden_in_the_description_of_an_otherwise_unknown_row(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text("Vendor,Model,Description\nGenericCo,GC-4,OEM of Dahua IPC-HDW2431T\nAxis,P3245-V,Dome\n", encoding="utf-8")
    code, found, _ = check_json(tmp_path, "bom.csv")
    assert code == 1
    assert {(f["rule"], f["line"], f["column"], f["subject"]) for f in found if f["severity"] == "error"} == {("VP102", 2, 16, "bom.csv:2")}


def test_a_second_table_with_its_own_header() -> None:
    text = "Cameras,,\nVendor,Model,Qty\nAxis,P3245-V,2\n,,\nRecorders,,\nQty,Manufacturer,Part No\n1,Hikvision,DS-7608NI-K2\n"
    cameras = rows(load("two.csv", text.encode()))
    assert [(r["id"], r["vendor"], r["model"], r.where("model")) for r in cameras] == [
        ("two.csv:3", "Axis", "P3245-V", (3, 6)),
        ("two.csv:7", "Hikvision", "DS-7608NI-K2", (7, 13)),
    ]


def test_vendor_gate_on_a_workbook(tmp_path: Path) -> None:
    workbook(tmp_path, {"Quote": [["Item", "Qty", "Brand", "SKU"], [1, 4, "Axis", "P3245-V"], [2, 2, "Dahua", "IPC-HFW2431S-S-S2"]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx", "--profile", "us-ndaa-889")
    assert code == 1, raw
    assert {(f["path"], f["rule"], f["line"], f["column"], f["subject"]) for f in found} == {("bom.xlsx", "VP102", 3, 3, "bom.xlsx:3")}


def test_openpyxl_reads_workbooks_through_defusedxml() -> None:
    # Submitted workbooks are untrusted: openpyxl guards against XML bombs only with defusedxml installed.
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_a_workbook_claiming_endless_rows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.loading import bom

    monkeypatch.setattr(bom, "MAX_ROWS", 3)
    raw = workbook(tmp_path, {"S": [["Vendor", "Model"], ["Axis", "A"], ["Axis", "B"], ["Axis", "C"]]})
    with pytest.raises(ParseError, match="more than 3 rows") as caught:
        BOM_LOADER.load(SourceFile("bom.xlsx", raw))
    assert caught.value.line == 4


# Spreadsheets read as a spreadsheet application shows them, within limits that hold before memory is spent.


def rewritten(raw: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """``raw`` with one part of the workbook's archive rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)
    return out.getvalue()


def test_rows_beyond_the_declared_dimension_are_read(tmp_path: Path) -> None:
    raw = workbook(tmp_path, {"Quote": [["Vendor", "Model"], ["Axis", "P3245-V"], ["Hikvision", "DS-2CD2143G0-I"]]})
    # The file says the sheet is A1:B2; Excel shows the third row all the same.
    raw = rewritten(raw, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:A1"', xml))
    assert [(r["vendor"], r.where("model")) for r in rows(load("bom.xlsx", raw))] == [("Axis", (2, 2)), ("Hikvision", (3, 2))]


def test_no_column_limit_in_a_workbook(tmp_path: Path) -> None:
    header: list[Any] = [None] * 299 + ["Manufacturer"]
    raw = workbook(tmp_path, {"Quote": [["Model", *header], ["X1", *([None] * 299), "Dahua"]]})
    [row] = rows(load("bom.xlsx", raw))
    assert (row["vendor"], row.where("vendor")) == ("Dahua", (2, 301))


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.loading import bom

    raw = workbook(tmp_path, {"S": [["Vendor", "Model"], ["Axis", "A"]]})
    monkeypatch.setattr(bom, "MAX_UNPACKED_BYTES", 4096)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened a workbook over the limit"))
    with pytest.raises(ParseError, match=r"more than the 4,096 .*decompressed-size limit"):
        BOM_LOADER.load(SourceFile("bom.xlsx", raw))


@pytest.mark.parametrize("name", ["bom.xlsx", "bom.csv"])
def test_a_cell_over_the_cell_size_limit_is_refused_at_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from vmspolicy.loading import bom

    monkeypatch.setattr(bom, "MAX_CELL_CHARS", 10)
    values = [["Vendor", "Model"], ["Axis", "P3245-V"], ["Axis", "x" * 11]]
    raw = workbook(tmp_path, {"S": values}) if name.endswith("xlsx") else "\n".join(",".join(r) for r in values).encode()
    with pytest.raises(ParseError, match=r"11 characters, more than the 10 .*cell-size limit") as caught:
        BOM_LOADER.load(SourceFile(name, raw))
    assert (caught.value.line, caught.value.column) == ((3, 2) if name.endswith("xlsx") else (3, 6))


@pytest.mark.parametrize("name", ["bom.xlsx", "bom.csv"])
def test_a_file_over_the_cell_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from vmspolicy.loading import bom

    monkeypatch.setattr(bom, "MAX_CELLS", 5)
    values = [["Vendor", "Model"], ["Axis", "A"], ["Axis", "B"]]
    raw = workbook(tmp_path, {"S": values}) if name.endswith("xlsx") else "\n".join(",".join(r) for r in values).encode()
    with pytest.raises(ParseError, match=r"more than 5 cells \(the cell limit\)"):
        BOM_LOADER.load(SourceFile(name, raw))


@pytest.mark.parametrize(("text", "family"), [("Hikvision", "Hikvision"), ("DS-2CD2143G0-I", "Hikvision"), ("Dahua Technology", "Dahua")])
def test_a_sheet_naming_a_restricted_maker_without_a_header_row_is_vp001(tmp_path: Path, text: str, family: str) -> None:
    workbook(tmp_path, {"Cover": [["Prepared for ACME"]], "Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]],
                        "Extra": [["Lobby", "2"], ["Yard", text]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx", "--profile", "us-ndaa-889")
    assert code == 1, raw
    # A workbook's lines run on from sheet to sheet (Cover 1, Cameras 2-3, Extra 4-5); the cell names the sheet.
    assert [(f["rule"], f["line"], f["column"], f["cell"]) for f in found] == [("VP001", 5, 2, "Extra!B2")]
    assert f"sheet 'Extra' names {family}" in found[0]["message"] and "no header row" in found[0]["message"]


def test_a_cover_sheet_without_a_header_row_is_left_out(tmp_path: Path) -> None:
    workbook(tmp_path, {"Cover": [["Prepared for ACME"], ["Terms: 30 days"]], "Cameras": [["Vendor", "Model"], ["Axis", "P3245-V"]]})
    code, found, raw = check_json(tmp_path, "bom.xlsx", "--profile", "us-ndaa-889")
    assert code == 0 and found == [], raw
