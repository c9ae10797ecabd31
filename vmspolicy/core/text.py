"""Turning bytes into text, and failures into located parse errors.

Manifests are UTF-8 (with or without a byte-order mark) or UTF-16/UTF-32 with
a byte-order mark. Anything else is refused with the byte offset of the first
bad byte, because guessing an encoding (Latin-1 would decode anything) could
silently change a vendor name.
"""

from __future__ import annotations

import codecs

from vmspolicy.core.records import record

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class ParseError(Exception):
    """A file that cannot be read as data. Becomes a VP001 finding at ``line``:``column`` (and ``cell``, in a table)."""

    def __init__(self, message: str, line: int = 1, column: int = 1, *, cell: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.cell = cell


@record(frozen=True, slots=True)
class DecodedText:
    """Text decoded from a file, and which encoding it was in."""

    text: str
    encoding: str


def decode(raw: bytes) -> DecodedText:
    """Decode ``raw`` as UTF-8 (optionally with BOM) or BOM-marked UTF-16/32; raise :class:`ParseError`."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                return DecodedText(body.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                offset = exc.start + len(bom)
                raise ParseError(
                    f"invalid {encoding.upper()} at byte offset {offset}: {exc.reason}",
                    *_line_col_of_byte(raw, offset),
                ) from None
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col_of_byte(raw, exc.start)
        raise ParseError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} is invalid "
            "(save the file as UTF-8; UTF-16/32 need a byte-order mark)",
            line,
            column,
        ) from None


def _line_col_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    start = before.rfind(b"\n") + 1
    column = len(before[start:].decode("utf-8", errors="replace")) + 1
    return line, column


def line_col_of_index(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column
