"""Milestone XProtect exports: the camera report of an installed estate, and hardware import lists.

``Get-VmsCameraReport | Export-Csv`` (MilestonePSTools) writes one row per
camera channel, recognised by its header (``HardwareId``, ``Address``, a
driver and a recording server column). Delimited by ``,``, ``;`` or tab, with
or without a byte-order mark, a ``#TYPE`` line (Windows PowerShell) or a
``sep=`` line (Excel) above the header; ``.xlsx`` workbooks are read like a
bill of materials' (:mod:`vmspolicy.loading.bom`).

- **Cameras**: one per hardware (``HardwareId``): the channels of an encoder
  are one device. Its id is the hardware's name (``HardwareName``; the
  hardware id is added when two share a name), its address the host of
  ``Address``, vendor evidence the driver family (``DriverFamily``, else
  ``Driver``) unless the driver is generic (ONVIF, Universal, Milestone's own
  push and test drivers), then ``Model``, ``MAC`` (bare hex; the leading zeros
  Excel strips from an all-digit MAC are put back) and ``Firmware``. A report
  lists installed cameras: they are active, and without an installation date
  a restricted one is a new install until a manifest record of the same id
  says when it was installed (as for Frigate cameras; it may add ``installed``,
  ``zone``, ``site``, ``services``).
- **Recorders**: each recording server (``RecorderName``, ``RecorderUri``), a
  Milestone XProtect recorder.
- **Passwords**: a ``Password`` cell (``-IncludePlainTextPasswords``) is a
  credential, judged by VP401 at its cell.

A **hardware import list** (``Import-VmsHardware``'s CSV, in the layout of
before 24.1.9 and the current one, and the common ``Add-CamerasFromCsv``
variant; recognised by an address, a password and a recording-server or
driver column, and no ``HardwareId``) is what an integrator is about to add:
one ``planned`` camera per hardware address, its vendor from ``DriverFamily``
(``Axis;Bosch`` lists the families to scan), and every ``Password`` cell
(``Password2``, ``Password3`` too) a credential that VP401 judges at its cell.

Every value keeps the line and column of its cell. Neither file names a site:
the estate gives one (see :mod:`vmspolicy.loading.imported`).
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from typing import Final, Sequence
from urllib.parse import urlsplit

from vmspolicy.core.source import CellGrid, Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.bom import Cell, Row, check_width, grid_of, read_workbook, split_rows
from vmspolicy.loading.imported import Credential, entry, manifest_document, slug_id

FORMAT: Final = "milestone"

# How far below title lines (#TYPE, sep=, a report title) a header may sit.
_HEADER_ROWS: Final = 5
_DELIMITERS: Final = (",", ";", "\t")
# Driver families and drivers that say which protocol the recorder speaks, not who made the camera.
_GENERIC_DRIVER: Final = re.compile(r"onvif|universal|generic|milestone|video ?push|stable ?fps|virtual|rtsp|mjpeg", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"[\s_.\-:]+", "", text.removeprefix("\ufeff").strip().strip('"').casefold())


_CAMERA_REPORT: Final = ({"hardwareid"}, {"address"}, {"driverfamily", "driver", "drivernumber"}, {"recordername", "recorderuri", "recorderid"})
_HARDWARE_IMPORT: Final = (
    {"address", "hardwareaddress", "ip"},
    {"password", "hardwarepassword"},
    {"recordingserver", "recordingservername", "driverfamily", "drivernumber", "hardwaredriverid", "storagename"},
)
REPORT: Final = "camera report"
IMPORT: Final = "hardware import"


def header_kind(row: Row) -> str | None:
    """Which Milestone export ``row`` is the header of: a camera report, a hardware import list, or neither."""
    keys = {_key(c.value) for c in row}
    if all(keys & wanted for wanted in _CAMERA_REPORT):
        return REPORT
    if "hardwareid" not in keys and all(keys & wanted for wanted in _HARDWARE_IMPORT):
        return IMPORT
    return None


def find_header(rows: Sequence[Row]) -> tuple[int, str] | None:
    """The index of a Milestone export's header row among the first rows, and its kind; or None."""
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        kind = header_kind(row)
        if kind is not None:
            return index, kind
    return None


def read_rows(source: SourceFile) -> tuple[list[Row], CellGrid] | None:
    """The rows of the file with the delimiter that makes a Milestone header, and where its cells are; None when none does."""
    if source.suffix == ".xlsx":
        sheets = read_workbook(source.raw)
        for _title, rows in sheets:
            if find_header(rows) is not None:
                return rows, grid_of(sheets)
        return None
    text = source.text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0].strip().strip('"')
    delimiters = (first[4:5],) if first.lower().startswith("sep=") and first[4:5] else _DELIMITERS
    failure: ParseError | None = None
    for delimiter in delimiters:
        try:
            rows = split_rows(text, delimiter)
        except ParseError as exc:
            failure = failure or exc
            continue
        if find_header(rows) is not None:
            return rows, grid_of([("", rows)])
    if failure is not None and _looks_like_export(text):
        raise failure
    return None


def _looks_like_export(text: str) -> bool:
    lines = text.splitlines()[:_HEADER_ROWS]
    return any(header_kind([Cell(part, 1, 1) for part in re.split(r"[,;\t]", line)]) is not None for line in lines)


class _Columns:
    """A header's columns by normalised name."""

    def __init__(self, header: Row) -> None:
        self.index: dict[str, int] = {}
        for position, cell in enumerate(header):
            self.index.setdefault(_key(cell.value), position)
        self.width = len(header)

    def cell(self, row: Row, *names: str) -> Cell | None:
        """The first non-empty cell of ``names`` in ``row``, with Excel's ``="…"`` text wrapper removed."""
        for name in names:
            position = self.index.get(name)
            if position is not None and position < len(row):
                cell = row[position]
                value = cell.value.strip()
                if value.startswith('="') and value.endswith('"'):
                    value = value[2:-1]
                if value:
                    return Cell(value, cell.line, cell.column)
        return None


def host_of(address: str) -> str:
    """The host of a hardware address: ``http://10.0.0.5:80/`` and ``10.0.0.5`` are both ``10.0.0.5``."""
    text = address.strip()
    if "://" not in text:
        text = "//" + text
    try:
        return urlsplit(text).hostname or ""
    except ValueError:
        return ""


def ip_of(address: str) -> str | None:
    host = host_of(address)
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def mac_text(written: str) -> str:
    """A MAC as Milestone writes it (bare hex), with the leading zeros Excel drops from an all-digit one put back."""
    text = written.strip()
    if text.isdigit() and len(text) < 12:
        return text.rjust(12, "0")
    return text


def vendor_cell(columns: _Columns, row: Row) -> Cell | None:
    """The driver family (else the driver) that names the camera's maker; None for a generic driver."""
    for name in ("driverfamily", "driver"):
        cell = columns.cell(row, name)
        if cell is not None and not _GENERIC_DRIVER.search(cell.value):
            return cell
        if cell is not None:
            return None
    return None


def read_camera_report(rows: list[Row], header_index: int, grid: CellGrid) -> tuple[LocatedSeq, LocatedSeq, list[Credential]]:
    """Cameras (one per hardware), recorders and the passwords of a camera report."""
    columns = _Columns(rows[header_index])
    header_pos = rows[header_index][0].pos if rows[header_index] else (1, 1)
    body = [row for row in rows[header_index + 1 :] if any(c.value for c in row)]
    hardware: dict[str, list[Row]] = {}
    for row in body:
        check_width(row, columns.width, grid)
        identity = columns.cell(row, "hardwareid") or columns.cell(row, "hardwarename") or columns.cell(row, "address")
        hardware.setdefault(identity.value.lower() if identity else f"row {row[0].line}", []).append(row)
    names: dict[str, int] = {}
    for rows_of in hardware.values():
        written = columns.cell(rows_of[0], "hardwarename")
        slug = slug_id(written.value) if written else ""
        names[slug] = names.get(slug, 0) + 1
    cameras, recorders = LocatedSeq(header_pos), LocatedSeq(header_pos)
    credentials: list[Credential] = []
    seen_recorders: set[str] = set()
    for key, rows_of in hardware.items():
        row = rows_of[0]
        at = row[0].pos
        name = columns.cell(row, "hardwarename")
        slug = slug_id(name.value) if name else ""
        camera_id = slug if slug and names.get(slug) == 1 else slug_id(slug, key)
        fields: list[tuple[str, object, Pos]] = [("id", camera_id, name.pos if name else at)]
        if name is not None:
            fields.append(("name", name.value, name.pos))
        vendor = vendor_cell(columns, row)
        if vendor is not None:
            fields.append(("vendor", vendor.value, vendor.pos))
        for field, column in (("model", "model"), ("firmware", "firmware")):
            cell = columns.cell(row, column)
            if cell is not None:
                fields.append((field, cell.value, cell.pos))
        mac = columns.cell(row, "mac", "macaddress")
        if mac is not None:
            fields.append(("mac", mac_text(mac.value), mac.pos))
        address = columns.cell(row, "address")
        ip = ip_of(address.value) if address is not None else None
        if address is not None and ip is not None:
            fields.append(("ip", ip, address.pos))
        fields.append(("status", "active", at))
        cameras.push(entry(at, *fields), at)
        password = columns.cell(row, "password")
        if password is not None:
            credentials.append(Credential("Password", password.value, password.pos, camera_id))
        recorder = _recorder(columns, row, seen_recorders)
        if recorder is not None:
            recorders.push(recorder, recorder.pos)
    return cameras, recorders, credentials


def read_hardware_import(rows: list[Row], header_index: int, grid: CellGrid) -> tuple[LocatedSeq, list[Credential]]:
    """Planned cameras (one per hardware address) and the passwords of a hardware import list."""
    columns = _Columns(rows[header_index])
    header = rows[header_index]
    header_pos = header[0].pos if header else (1, 1)
    hardware: dict[str, list[Row]] = {}
    for row in rows[header_index + 1 :]:
        if not any(c.value for c in row):
            continue
        check_width(row, columns.width, grid)
        address = columns.cell(row, "address", "hardwareaddress", "ip")
        # Rows of one address are one device (a later row may only add coordinates or a recording server).
        hardware.setdefault(host_of(address.value).lower() if address else f"row {row[0].line}", []).append(row)
    slugs = [_import_slug(columns, rows_of[0]) for rows_of in hardware.values()]
    counts = Counter(slugs)
    cameras = LocatedSeq(header_pos)
    credentials: list[Credential] = []
    for rows_of, slug in zip(hardware.values(), slugs, strict=True):
        row = rows_of[0]
        at = row[0].pos
        camera_id = slug if counts[slug] == 1 else slug_id(slug, f"row{at[0]}")
        name = columns.cell(row, "hardwarename", "name")
        fields: list[tuple[str, object, Pos]] = [("id", camera_id, name.pos if name else at)]
        if name is not None:
            fields.append(("name", name.value, name.pos))
        vendor = vendor_cell(columns, row)
        if vendor is not None and not vendor.value.replace(";", "").isdigit():  # a driver number is no maker
            fields.append(("vendor", vendor.value, vendor.pos))
        address = columns.cell(row, "address", "hardwareaddress", "ip")
        ip = ip_of(address.value) if address is not None else None
        if address is not None and ip is not None:
            fields.append(("ip", ip, address.pos))
        fields.append(("status", "planned", at))
        cameras.push(entry(at, *fields), at)
        for each in rows_of:
            for column in ("password", "password2", "password3", "hardwarepassword"):
                password = columns.cell(each, column)
                if password is not None:
                    label = header[columns.index[column]].value.strip().strip('"')
                    credentials.append(Credential(label, password.value, password.pos, camera_id))
    return cameras, credentials


def _import_slug(columns: _Columns, row: Row) -> str:
    name = columns.cell(row, "hardwarename", "name")
    address = columns.cell(row, "address", "hardwareaddress", "ip")
    return slug_id(name.value if name else f"hardware-{host_of(address.value) if address else ''}")


def _recorder(columns: _Columns, row: Row, seen: set[str]) -> LocatedMap | None:
    name = columns.cell(row, "recordername")
    uri = columns.cell(row, "recorderuri")
    named = name or uri
    if named is None:
        return None
    recorder_id = slug_id(name.value if name else host_of(uri.value if uri else ""))
    if recorder_id in seen:
        return None
    seen.add(recorder_id)
    ip = ip_of(uri.value) if uri is not None else None
    return entry(
        named.pos,
        ("id", recorder_id, named.pos),
        ("name", named.value, named.pos),
        ("vendor", "Milestone", named.pos),
        ("model", "XProtect Recording Server", named.pos),
        ("ip", ip, uri.pos if uri is not None else named.pos),
        ("status", "active", named.pos),
    )


class MilestoneLoader:
    """Milestone XProtect exports (MilestonePSTools CSV, ``.xlsx``)."""

    name = FORMAT
    suffixes: Sequence[str] = (".csv", ".tsv", ".xlsx")

    def resembles(self, source: SourceFile) -> bool:
        from vmspolicy.loading.manifest_signs import lenient_text

        if source.suffix == ".xlsx":
            return False  # a workbook that cannot be opened is the bill-of-materials loader's to report
        return _looks_like_export(lenient_text(source.raw[:65536]))

    def load(self, source: SourceFile) -> list[Document] | None:
        if source.suffix not in self.suffixes:
            return None
        read = read_rows(source)
        if read is None:
            return None
        rows, grid = read
        found = find_header(rows)
        assert found is not None
        index, kind = found
        if kind == IMPORT:
            cameras, credentials = read_hardware_import(rows, index, grid)
            return [manifest_document(source, self.name, {"cameras": (cameras, cameras.pos)}, credentials, grid=grid)]
        cameras, recorders, credentials = read_camera_report(rows, index, grid)
        sections = {"cameras": (cameras, cameras.pos), "recorders": (recorders, recorders.pos)}
        return [manifest_document(source, self.name, sections, credentials, grid=grid)]


MILESTONE_LOADER: Loader = MilestoneLoader()
