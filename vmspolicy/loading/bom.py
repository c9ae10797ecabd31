"""Bills of materials: CSV, TSV and ``.xlsx`` lists of equipment, read as planned devices.

Vendors and integrators check a submission before they send it::

    vmspolicy check bom.csv --profile us-ndaa-889

Every row becomes a ``planned`` device of a site the file implies (not
sensitive unless the configuration's ``bom: {sensitive: true}`` says so), so
the packs' new-install rule (VP102) judges it. Each value keeps the line and
column of its cell, so a finding points at the row and at the offending cell.

Header names are matched case-insensitively with the synonyms spreadsheets
use (manufacturer / make / vendor / brand, model / part number / SKU, ...). A
header may sit below a few title rows. Delimited text may use ``,`` ``;`` or
tab (sniffed from the header), UTF-8 with or without a byte-order mark. A
file without a manufacturer or a model column, a quote left open, or a row
with more cells than the header (an unquoted delimiter that would shift every
later column) is VP001 at its line: a BOM that cannot be read exactly must
not pass.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from typing import Any, Final, Sequence

from vmspolicy.core.records import record
from vmspolicy.core.source import CellGrid, Document, GridRow, LocatedMap, LocatedSeq, Pos, cell_name, sheet_prefix
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import Loader, SourceFile

FORMAT: Final = "bom"

# Column roles and the header names that mean them (normalised: lower case,
# runs of space, '_', '.', '-' and ':' read as one space). The first name of a
# role wins when a sheet has several of its columns; the others become notes.
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "vendor": ("manufacturer", "manufacturer name", "mfr", "mfg", "make", "vendor", "vendor name", "brand", "brand name"),
    "model": (
        "model", "model number", "model no", "model #", "part number", "part no", "part #", "manufacturer part number",
        "mpn", "sku", "product code",
    ),
    "mac": ("mac", "mac address", "mac addr"),
    "quantity": ("quantity", "qty"),
    "description": ("description", "desc", "item description", "product description"),
    "serial": ("serial", "serial number", "serial no", "s/n", "sn"),
    "type": ("type", "device type", "category", "item type"),
}
_ROLE_OF: Final = {name: role for role, names in HEADERS.items() for name in names}
# How far down a header may sit below title rows ("Quotation 2026-114 for ...").
HEADER_SEARCH_ROWS: Final = 20
DELIMITERS: Final = (",", ";", "\t")
# A workbook is compressed: a few kilobytes can claim a million rows. A bill of materials is far smaller.
# Each limit is VP001 naming it, checked before the memory it guards is spent.
MAX_ROWS: Final = 100_000
MAX_CELLS: Final = 2_000_000
"""Cells of a file, empty ones inside a row included (a sheet of 100,000 rows by 20 columns)."""
MAX_CELL_CHARS: Final = 32_767
"""Characters in one cell: what a spreadsheet application lets a cell hold."""
MAX_UNPACKED_BYTES: Final = 256 * 1024 * 1024
"""What the parts of a workbook may add up to once decompressed, as its archive declares them."""
# Rows that describe a recorder go to ``recorders:`` so that VP107 judges them.
_RECORDER = re.compile(r"\b(nvr|dvr|xvr|recorder|vms)\b", re.IGNORECASE)
# Totals and subtotals at the foot of a quotation are not equipment.
_TOTAL = re.compile(r"^\s*(sub\s*-?\s*)?totals?\b", re.IGNORECASE)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:/@-]+")


@record(frozen=True, slots=True)
class Cell:
    """One cell's text and where it starts (1-based line and column; for a workbook, row and column)."""

    value: str
    line: int
    column: int

    @property
    def pos(self) -> Pos:
        return (self.line, self.column)


Row = list[Cell]


class BomLoader:
    """Bills of materials in CSV/TSV (``,`` ``;`` or tab) and ``.xlsx`` (needs the ``xlsx`` extra)."""

    name = FORMAT
    suffixes: Sequence[str] = (".csv", ".tsv", ".xlsx")

    def load(self, source: SourceFile) -> list[Document] | None:
        if source.suffix not in self.suffixes:
            return None
        is_workbook = source.suffix == ".xlsx"
        sheets = read_workbook(source.raw) if is_workbook else [("", read_delimited(source.text, tab_only=source.suffix == ".tsv"))]
        return [build_document(source.path, source.sha256, sheets)]

    def resembles(self, source: SourceFile) -> bool:
        """A header row naming a maker or model column; a workbook that cannot be opened cannot be told apart."""
        if source.suffix == ".xlsx":
            try:
                return any(find_header(rows) is not None for _, rows in read_workbook(source.raw))
            except ParseError:
                return True
        from vmspolicy.loading.manifest_signs import lenient_text

        lines = lenient_text(source.raw).splitlines()[:HEADER_SEARCH_ROWS]
        return find_header([[Cell(cell.strip().strip('"'), 1, 1) for cell in re.split(r"[,;\t]", line)] for line in lines]) is not None


def read_delimited(text: str, *, tab_only: bool = False) -> list[Row]:
    """Rows of delimited text, with the delimiter that makes the best header; raises :class:`ParseError`."""
    text = text.removeprefix("\ufeff")
    best: tuple[int, int, list[Row]] | None = None
    failure: ParseError | None = None
    for delimiter in ("\t",) if tab_only else DELIMITERS:
        try:
            rows = split_rows(text, delimiter)
        except ParseError as exc:
            failure = failure or exc
            continue
        header = find_header(rows)
        recognised = len(header[1]) if header else 0
        widest = max((len(r) for r in rows[:HEADER_SEARCH_ROWS]), default=0)
        if best is None or (recognised, widest) > best[:2]:
            best = (recognised, widest, rows)
    if failure is not None and (best is None or best[0] == 0):
        # Only a delimiter that broke the file could have read a header: the break is the problem to report.
        raise failure
    assert best is not None
    return best[2]


def split_rows(text: str, delimiter: str) -> list[Row]:
    """Split ``text`` into rows of located cells (RFC 4180 quoting, lenient about stray quotes)."""
    rows: list[Row] = []
    row: Row = []
    buf: list[str] = []
    line, column = 1, 1
    start: Pos = (1, 1)
    quoted = False  # the current cell was quoted
    open_quote: Pos | None = None  # inside quotes, opened here
    i, n = 0, len(text)

    cells = 0

    def here() -> str:
        return cell_name("", len(row), len(rows) + 1)

    def end_cell() -> None:
        nonlocal cells
        value = "".join(buf)
        _check_cell(value, *start, "", len(row), len(rows) + 1)
        cells += 1
        if cells > MAX_CELLS:
            raise ParseError(f"more than {MAX_CELLS:,} cells (the cell limit): not a bill of materials", *start, cell=here())
        row.append(Cell(value if quoted else value.strip(), *start))
        buf.clear()

    while i < n:
        ch = text[i]
        if open_quote is not None:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    buf.append('"')
                    i += 2
                    column += 2
                    continue
                open_quote = None
            else:
                buf.append(ch)
                if ch == "\n" or (ch == "\r" and text[i + 1 : i + 2] != "\n"):
                    line, column = line + 1, 0
            i += 1
            column += 1
            continue
        if ch == '"' and not quoted and not "".join(buf).strip():
            buf.clear()
            quoted = True
            open_quote = (line, column)
        elif ch == delimiter:
            end_cell()
            quoted = False
            start = (line, column + 1)
        elif ch in "\r\n":
            end_cell()
            rows.append(row)
            row, quoted = [], False
            if ch == "\r" and text[i + 1 : i + 2] == "\n":
                i += 1
            i += 1
            line, column = line + 1, 1
            start = (line, column)
            continue
        else:
            buf.append(ch)
        i += 1
        column += 1
    if open_quote is not None:
        raise ParseError("a quoted cell opened here is never closed (a missing '\"')", *open_quote, cell=here())
    if buf or row or quoted:
        end_cell()
        rows.append(row)
    return rows


def _check_cell(value: str, line: int, column: int, sheet: str, index: int, row: int) -> None:
    """A cell over the cell-size limit is a :class:`ParseError` at it; its name is built only then (every cell passes here)."""
    if len(value) > MAX_CELL_CHARS:
        raise ParseError(
            f"this cell holds {len(value):,} characters, more than the {MAX_CELL_CHARS:,} a cell may (the cell-size limit)",
            line, column, cell=cell_name(sheet, index, row),
        )



def _check_archive(raw: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than :data:`MAX_UNPACKED_BYTES`, before anything is unpacked.

    The sizes are the ones the archive declares; Python's zip reader never
    unpacks more than a part declares, so the declaration bounds the memory.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not an archive at all: openpyxl says so below
    if total > MAX_UNPACKED_BYTES:
        raise ParseError(
            f"this workbook unpacks to {total:,} bytes, more than the {MAX_UNPACKED_BYTES:,} a bill of materials may "
            "(the decompressed-size limit); save the equipment list on its own, or as CSV"
        )


def normalise_header(text: str) -> str:
    """``' Part No. '`` → ``'part no'``; ``'MAC_Address'`` → ``'mac address'``."""
    return re.sub(r"[\s_.\-:]+", " ", text.removeprefix("\ufeff").casefold()).strip()


def find_header(rows: Sequence[Row]) -> tuple[int, dict[str, list[Cell]]] | None:
    """The index of the header row and its recognised columns by role, or None when no row names a vendor or model."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        roles: dict[str, list[Cell]] = {}
        for cell in row:
            role = _ROLE_OF.get(normalise_header(cell.value))
            if role is not None:
                roles.setdefault(role, []).append(cell)
        if "vendor" in roles or "model" in roles:
            return index, roles
    return None


def read_workbook(raw: bytes) -> list[tuple[str, list[Row]]]:
    """Every sheet of an ``.xlsx`` workbook as rows of cells; values as saved, no formula evaluated, no macro run."""
    try:
        import openpyxl
    except ImportError:
        raise ParseError("reading .xlsx needs openpyxl: install vmspolicy[xlsx], or save the sheet as CSV UTF-8") from None
    _check_archive(raw)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it does not keep (data validation, styles): not ours to report.
            warnings.simplefilter("ignore")
            # Saved values only: formulas are never evaluated. The formulas themselves are read too, to
            # refuse a formula whose value was never saved (a generated file): it would read as blank.
            values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
            formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
            sheets: list[tuple[str, list[Row]]] = []
            cells = 0
            base = 0  # rows of the sheets before: a workbook's lines run on from sheet to sheet, so each position is one cell
            named = len(values.worksheets) > 1
            for sheet, written in zip(values.worksheets, formulas.worksheets, strict=True):
                prefix = sheet_prefix(str(sheet.title)) if named else ""
                # Every cell, as a spreadsheet application shows it: a sheet's <dimension> may claim less than it holds.
                sheet.reset_dimensions()
                written.reset_dimensions()
                rows: list[Row] = []
                saved_rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
                written_rows = written.iter_rows(min_row=1, min_col=1, values_only=True)
                for number, (saved, source) in enumerate(zip(saved_rows, written_rows, strict=False), start=1):
                    line = base + number
                    if number > MAX_ROWS:
                        raise ParseError(f"sheet {sheet.title!r} has more than {MAX_ROWS} rows: not a bill of materials", line,
                                         cell=cell_name(prefix, 0, number))
                    cells += len(saved)
                    if cells > MAX_CELLS:
                        raise ParseError(f"more than {MAX_CELLS:,} cells (the cell limit): not a bill of materials", line,
                                         cell=cell_name(prefix, 0, number))
                    for column, (value, formula) in enumerate(zip(saved, source, strict=False), start=1):
                        if isinstance(value, str):
                            _check_cell(value, line, column, prefix, column - 1, number)
                        if value is None and isinstance(formula, str) and formula.startswith("="):
                            raise ParseError(
                                f"sheet {sheet.title!r}: this cell holds the formula {formula[:60]!r} with no saved value; "
                                "open and save the workbook in a spreadsheet application, or paste the values",
                                line,
                                column,
                                cell=cell_name(prefix, column - 1, number),
                            )
                    width = len(saved)
                    while width and saved[width - 1] is None:
                        width -= 1  # empty cells after the last value hold nothing
                    rows.append([Cell(_cell_text(v), line, column) for column, v in enumerate(saved[:width], start=1)])
                base += len(rows)
                sheets.append((str(sheet.title), rows))
            values.close()
            formulas.close()
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file raises many types; each must be VP001, not a crash
        raise ParseError(f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from None
    return sheets


def headerless_sheets(raw: bytes) -> tuple[list[tuple[str, list[Cell]]], CellGrid]:
    """The sheets of a workbook that have no header row, each with its non-empty cells (what :func:`build_document` leaves out).

    A cover sheet or terms and conditions are left out rightly; a sheet of
    equipment whose header is missing is not, and only the run, which can
    identify makers, can tell the two apart.
    """
    sheets = read_workbook(raw)
    return [(title, [c for r in rows for c in r if c.value]) for title, rows in sheets if find_header(rows) is None], grid_of(sheets)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def grid_of(sheets: Sequence[tuple[str, list[Row]]]) -> CellGrid:
    """Where each row of ``sheets`` lies, so that a position can be named as a cell (with its sheet, when there are several)."""
    grid = CellGrid()
    named = len(sheets) > 1
    for title, rows in sheets:
        prefix = sheet_prefix(title) if named else ""
        for number, row in enumerate(rows, start=1):
            first = 0
            while first < len(row):
                line = row[first].line
                end = first
                while end < len(row) and row[end].line == line:
                    end += 1
                on_line = row[first:end]
                plain = all(cell.column == first + offset + 1 for offset, cell in enumerate(on_line))
                starts = () if plain else tuple(cell.column for cell in on_line)
                grid[line] = GridRow(number, starts, 0 if plain else first, prefix)
                first = end
    return grid


def build_document(path: str, sha256: str, sheets: Sequence[tuple[str, list[Row]]]) -> Document:
    """Located manifest-v1 data for the rows of ``sheets``: one implied site, one planned device per row."""
    grid = grid_of(sheets)
    found = [(title, rows, header) for title, rows in sheets if (header := find_header(rows)) is not None]
    if not found:
        first = next((c for _, rows in sheets for r in rows for c in r if c.value), None)
        names = "manufacturer/make/vendor/brand or model/part number/SKU"
        raise ParseError(
            f"no header row with a {names} column in the first {HEADER_SEARCH_ROWS} rows: "
            "vmspolicy cannot tell what equipment this bill of materials lists",
            *(first.pos if first else (1, 1)),
            cell=grid.cell_at(first.pos) if first else None,
        )
    # Ids name the file as the run shows it, so two suppliers' quote.csv in different folders stay apart.
    name = _ID_UNSAFE.sub("-", path)[-100:].strip("-._:/@") or "bom"
    site_id = f"bom-{name}"[:128]
    top = found[0][2]
    header_row = found[0][1][top[0]]
    data = LocatedMap((1, 1))
    data.put("vmspolicy", 1, (1, 1), (1, 1))
    site = LocatedMap(header_row[0].pos)
    site.put("id", site_id, header_row[0].pos, header_row[0].pos)
    site.put("name", f"bill of materials {path}", header_row[0].pos, header_row[0].pos)
    sites = LocatedSeq(header_row[0].pos)
    sites.push(site, header_row[0].pos)
    data.put("sites", sites, (1, 1), header_row[0].pos)
    sections = {"cameras": LocatedSeq(header_row[0].pos), "recorders": LocatedSeq(header_row[0].pos)}
    for title, rows, (index, _) in found:
        prefix = f"{name}:{_ID_UNSAFE.sub('-', title)}" if len(found) > 1 else name
        columns = _columns(rows[index])
        width = len(rows[index])
        body = [r for r in rows[index + 1 :] if any(c.value for c in r)]
        headers = {position for position, r in enumerate(body) if find_header([r]) is not None}
        for position, row in enumerate(body):
            if position in headers:
                # A second table below the first (cameras, then recorders) brings its own header.
                columns, width = _columns(row), len(row)
                continue
            if position + 1 in headers and sum(1 for c in row if c.value) == 1:
                continue  # that table's title ("Recorders")
            check_width(row, width, grid)
            # Ids name the row as the sheet numbers it (a workbook's lines run on across sheets), so waivers keep matching.
            number = grid[row[0].line].row if row and len(sheets) > 1 else (row[0].line if row else 0)
            device = _device(row, columns, f"{prefix}:{number}"[:128] if row else prefix, site_id)
            if device is not None:
                section, entry = device
                sections[section].push(entry, entry.pos)
    for section, entries in sections.items():
        if entries:
            data.put(section, entries, entries.pos, entries.pos)
    return Document(path, data, FORMAT, sha256, grid=grid)


def _columns(header: Row) -> dict[str, list[int]]:
    """Column indexes per role, in the order of each role's synonyms (the first is the main one)."""
    by_role: dict[str, list[tuple[int, int]]] = {}
    for index, cell in enumerate(header):
        key = normalise_header(cell.value)
        role = _ROLE_OF.get(key)
        if role is not None:
            by_role.setdefault(role, []).append((HEADERS[role].index(key), index))
    return {role: [index for _, index in sorted(found)] for role, found in by_role.items()}


def check_width(row: Row, width: int, grid: CellGrid) -> None:
    """A row with values beyond the header's width is a :class:`ParseError` at the first of them."""
    extra = [c for c in row[width:] if c.value]
    if extra:
        raise ParseError(
            f"this row has {len(row)} cells but the header has {width}: a cell holding the delimiter must be quoted, "
            "or every later column shifts",
            *extra[0].pos,
            cell=grid.cell_at(extra[0].pos),
        )


def _device(row: Row, columns: dict[str, list[int]], device_id: str, site_id: str) -> tuple[str, LocatedMap] | None:
    def cells(role: str) -> list[Cell]:
        return [row[i] for i in columns.get(role, ()) if i < len(row) and row[i].value]

    vendors, models, macs = cells("vendor"), cells("model"), cells("mac")
    descriptions, serials, types, quantities = cells("description"), cells("serial"), cells("type"), cells("quantity")
    if not (vendors or models or macs or descriptions or serials):
        return None
    first = next(c for c in row if c.value)
    if _TOTAL.match(first.value) and not (models or macs):
        return None
    start = row[0].pos
    entry = LocatedMap(start)
    entry.put("id", device_id, start, start)
    entry.put("site", site_id, start, start)
    entry.put("status", "planned", start, start)
    for key, found in (("vendor", vendors), ("model", models), ("mac", macs), ("serial", serials)):
        if found:
            entry.put(key, found[0].value, found[0].pos, found[0].pos)
    # A second manufacturer or model column (a brand beside the maker) is evidence too: keep it in the notes.
    notes = [c for c in descriptions[:1]] + [c for c in (*vendors[1:], *models[1:])]
    if notes:
        entry.put("notes", " | ".join(c.value for c in notes), notes[0].pos, notes[0].pos)
    if quantities:
        tags = LocatedSeq(quantities[0].pos)
        tags.push(f"quantity:{quantities[0].value}", quantities[0].pos)
        entry.put("tags", tags, quantities[0].pos, quantities[0].pos)
    kind_text = " ".join(c.value for c in (*types, *descriptions[:1]))
    return ("recorders" if _RECORDER.search(kind_text) else "cameras"), entry


BOM_LOADER: Loader = BomLoader()

