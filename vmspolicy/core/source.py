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

from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Sequence

from vmspolicy.core.records import record

Pos = tuple[int, int]
"""A 1-based ``(line, column)`` position inside one file."""


@record(frozen=True, slots=True, order=True)
class Location:
    """Where something is: a path (as given or relative to the repository) and a 1-based position."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


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

    def at(self, pos: Pos) -> Location:
        """A :class:`Location` in this document."""
        return Location(self.path, pos[0], pos[1])


def iter_items(seq: Any) -> Iterator[tuple[int, LocatedMap]]:
    """The mapping items of a located sequence, with their index; anything else is skipped."""
    if isinstance(seq, list):
        for index, item in enumerate(seq):
            if isinstance(item, LocatedMap):
                yield index, item


def display_path(path: Path | str) -> str:
    """How a file is named in findings: relative to the working directory when below it, with '/'."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve())
        return PurePosixPath(rel).as_posix()
    except (ValueError, RuntimeError, OSError):
        return PurePosixPath(p).as_posix() if not p.is_absolute() else p.as_posix()
