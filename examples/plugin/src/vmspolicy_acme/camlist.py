"""The ``.camlist`` export of ACME's asset register, read as manifest data.

One record per line, a kind, an id, then ``key=value`` fields; ``#`` starts a
comment; a value has no spaces (write ``_`` for one)::

    site hq name=Head_office
    camera cam-lobby site=hq vendor=Axis model=P3245-V installed=2021-03-01 tag=AT-001234

The loader only translates: each value keeps its line and column, so vmspolicy
checks the records against the manifest schema (an unknown key is VP002) and
every finding points into the ``.camlist`` file. A line it cannot read is a
:class:`vmspolicy.ParseError`, which vmspolicy reports as VP001 there.
"""

from __future__ import annotations

from typing import Any, Sequence

from vmspolicy import Document, Loader, LocatedMap, LocatedSeq, ParseError, SourceFile

SECTIONS = {"site": "sites", "camera": "cameras", "recorder": "recorders"}


class CamlistLoader(Loader):
    name = "camlist"
    suffixes: Sequence[str] = (".camlist",)

    def load(self, source: SourceFile) -> list[Document] | None:
        data = LocatedMap((1, 1))
        data.put("vmspolicy", 1, (1, 1), (1, 1))
        for number, line in enumerate(source.text.splitlines(), start=1):
            tokens = _tokens(line.split("#", 1)[0])
            if not tokens:
                continue
            (kind, kind_column), *rest = tokens
            if kind not in SECTIONS:
                raise ParseError(f"unknown record kind {kind!r} (expected {', '.join(SECTIONS)})", number, kind_column)
            if not rest:
                raise ParseError(f"a {kind} record needs an id after {kind!r}", number, kind_column)
            record = LocatedMap((number, kind_column))
            (identifier, column), *fields = rest
            record.put("id", identifier, (number, column), (number, column))
            for token, column in fields:
                key, sep, value = token.partition("=")
                if not sep or not key:
                    raise ParseError(f"expected key=value, found {token!r}", number, column)
                where = (number, column + len(key) + 1)
                if key == "tag":
                    tags = record.get("tags")
                    if tags is None:
                        tags = LocatedSeq(where)
                        record.put("tags", tags, (number, column), where)
                    tags.push(value, where)
                else:
                    record.put(key, _value(value), (number, column), where)
            section = SECTIONS[kind]
            if section not in data:
                data.put(section, LocatedSeq((number, 1)), (number, 1), (number, 1))
            data[section].push(record, (number, kind_column))
        return [Document(source.path, data, self.name, source.sha256)]


def _tokens(text: str) -> list[tuple[str, int]]:
    """The whitespace-separated words of ``text`` with their 1-based columns."""
    out: list[tuple[str, int]] = []
    column = 0
    for word in text.split():
        column = text.index(word, column)
        out.append((word, column + 1))
        column += len(word)
    return out


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text.isdigit():
        return int(text)
    return text.replace("_", " ")
