"""Located data: what loaders hand to the rest of the pipeline.

A loader turns a file into plain Python data (dicts, lists, str, int, float,
bool, None) shaped like manifest format v1. Mappings and sequences are
:class:`LocatedMap` and :class:`LocatedSeq`: ordinary ``dict``/``list``
subclasses (so JSON Schema validators and rules treat them as plain data)
that also remember where each key and value stood in the source file.

Positions are 1-based ``(line, column)`` pairs; the file's path is held once
per :class:`Document` rather than once per value, because a 10,000-camera
estate holds hundreds of thousands of values.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Sequence

from vmspolicy.core.records import record

Pos = tuple[int, int]
"""A 1-based ``(line, column)`` position inside one file."""


@record(frozen=True, slots=True, order=True)
class Location:
    """Where something is: a path (as given or relative to the repository) and a 1-based position.

    ``cell`` is the spreadsheet reference of the position in a table read
    from a CSV file or a workbook (``C6``, ``'Price list'!C6``): what the user
    finds in a spreadsheet application, where the line and column of a CSV
    file are not shown and a workbook has several sheets.
    """

    path: str
    line: int = 1
    column: int = 1
    cell: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def described(self) -> str:
        """``path:line:column``, followed by the cell when there is one: ``bom.csv:7:12 (cell C6)``."""
        return f"{self}{f' (cell {self.cell})' if self.cell else ''}"


class LocatedMap(dict[str, Any]):
    """A mapping that knows the position of itself, of each key and of each value."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self, pos: Pos = (1, 1)) -> None:
        super().__init__()
        self.pos: Pos = pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}

    def put(self, key: str, value: Any, key_pos: Pos, value_pos: Pos) -> None:
        """Set ``key`` with the positions of the key and of its value."""
        self[key] = value
        self.key_pos[key] = key_pos
        self.value_pos[key] = value_pos

    def where(self, key: str) -> Pos:
        """Position of the value of ``key``, else of the key, else of the mapping."""
        return self.value_pos.get(key) or self.key_pos.get(key) or self.pos

    def where_key(self, key: str) -> Pos:
        """Position of ``key`` itself (for 'unknown key' and 'duplicate key' findings)."""
        return self.key_pos.get(key) or self.pos


class LocatedSeq(list[Any]):
    """A sequence that knows the position of itself and of each item."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos = (1, 1)) -> None:
        super().__init__()
        self.pos: Pos = pos
        self.item_pos: list[Pos] = []

    def push(self, value: Any, pos: Pos) -> None:
        """Append ``value`` found at ``pos``."""
        self.append(value)
        self.item_pos.append(pos)

    def where(self, index: int) -> Pos:
        """Position of item ``index``, else of the sequence."""
        if 0 <= index < len(self.item_pos):
            return self.item_pos[index]
        return self.pos


def position_of(root: Any, pointer: Sequence[str | int], *, key: bool = False) -> Pos:
    """Follow a JSON-pointer-like path into located data; return the deepest known position.

    With ``key=True`` and a path ending in a mapping key, the key's own position
    is returned (what an 'unknown property' finding should point at).
    """
    node = root
    pos: Pos = getattr(root, "pos", (1, 1))
    for depth, step in enumerate(pointer):
        last = depth == len(pointer) - 1
        if isinstance(node, LocatedMap) and isinstance(step, str) and step in node:
            pos = node.where_key(step) if (last and key) else node.where(step)
            node = node[step]
        elif isinstance(node, LocatedSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.where(step)
            node = node[step]
        else:
            break
    return pos


@record(frozen=True, slots=True)
class Document:
    """One loaded document: located data in manifest-v1 shape, and the file it came from.

    ``path`` is how findings name the file. ``format`` names the loader that
    produced it (``manifest``, ``bom``, ``frigate``...). ``sha256`` is the
    digest of the bytes read, for reports and attestations.
    """

    path: str
    data: LocatedMap
    format: str = "manifest"
    sha256: str = ""
    # The decoded text, for stages that read what data cannot hold (comments: inline suppressions).
    text: str | None = field(default=None, repr=False, compare=False)
    # For a table (CSV, TSV, a workbook): the spreadsheet row at each line, so that a run names each finding's cell.
    grid: CellGrid | None = field(default=None, repr=False, compare=False)

    def at(self, pos: Pos) -> Location:
        """A :class:`Location` in this document (the run adds the cell in a table, as for every finding)."""
        return Location(self.path, pos[0], pos[1])


@record(frozen=True, slots=True)
class GridRow:
    """One row of a table as a spreadsheet numbers it."""

    row: int  # the row number a spreadsheet shows (records, not lines: a quoted cell may span lines)
    starts: tuple[int, ...] = ()  # the column at which each cell on this line starts; empty when cell n is column n
    first: int = 0  # the index in its row of the first cell on this line (a row continues after a quoted line break)
    sheet: str = ""  # the workbook's sheet, written as a reference prefix ("'Price list'!"); "" for a file of one table


class CellGrid(dict[int, GridRow]):
    """The rows of a table by the line their first cell is on: how a position becomes a cell reference.

    A row, not every cell, is stored: a table may hold two million cells.
    """

    __slots__ = ()

    def cell_at(self, pos: Pos) -> str | None:
        """The reference of the cell at ``pos`` (``C6``), or None when no row of the table starts on its line."""
        row = self.get(pos[0])
        if row is None:
            return None
        if row.starts:
            index = bisect_right(row.starts, pos[1]) - 1
            if index < 0:
                return None
            index += row.first
        else:
            index = pos[1] - 1
        return cell_name(row.sheet, index, row.row)


def cell_name(sheet: str, index: int, row: int) -> str:
    """``'Price list'!C6``: 0-based column ``index`` of ``row``, after ``sheet`` (a :func:`sheet_prefix`, or ``""``)."""
    return f"{sheet}{column_letters(index)}{row}"


def column_letters(index: int) -> str:
    """A 0-based column index as a spreadsheet names it: 0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def sheet_prefix(title: str) -> str:
    """How a reference names a sheet: ``Sheet2!``, or ``'Price list'!`` when the name needs quoting."""
    if title.replace("_", "").isalnum() and not title[0].isdigit():
        return f"{title}!"
    return "'" + title.replace("'", "''") + "'!"


def iter_items(seq: Any) -> Iterator[tuple[int, LocatedMap]]:
    """The mapping items of a located sequence, with their index; anything else is skipped."""
    if isinstance(seq, list):
        for index, item in enumerate(seq):
            if isinstance(item, LocatedMap):
                yield index, item


def display_path(path: Path | str) -> str:
    """How a file is named in findings: relative to the working directory when below it, with '/'.

    A link to a file is named as the file, so that a file reached twice is judged once; a link
    that leads nowhere (dangling, or a loop) is named as itself, since it is all there is to fix.
    """
    p = Path(path)
    try:
        real = p.parent.resolve() / p.name if p.is_symlink() and not p.exists() else p.resolve()
        rel = real.relative_to(Path.cwd().resolve())
        return PurePosixPath(rel).as_posix()
    except (ValueError, RuntimeError, OSError):
        return PurePosixPath(p).as_posix() if not p.is_absolute() else p.as_posix()
