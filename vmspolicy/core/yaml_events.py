"""Build located data straight from libyaml's parse events.

Why events and not ``yaml.compose``: composing through PyYAML spends most of its
time in the pure-Python implicit-tag resolver and then needs a second walk over
the node tree; reading libyaml's events once and resolving plain scalars with a
first-character shortcut gives the same positions at a fraction of the cost
(see benchmarks/README.md). It also lets us enforce the safety limits while
reading: no tag ever constructs an object, alias expansion is budgeted (a
billion-laughs file stops at the alias that breaks the budget), nesting depth
is bounded (no recursion at all), and duplicate keys stop at the second key.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Callable, Final

import yaml
from yaml.resolver import Resolver

from vmspolicy.core.limits import NodeLimit
from vmspolicy.core.source import LocatedMap, LocatedSeq, Pos
from vmspolicy.core.text import ParseError, line_col_of_index

try:  # libyaml is what makes this fast; the pure-Python parser is the fallback.
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_DEPTH: Final = 100
"""Deepest nesting accepted; real configurations stay below 20."""

MAX_ALIAS_EXPANSION: Final = 1_000_000
"""Nodes that aliases may add beyond the document's own; a YAML bomb exceeds this at once."""

TagHandler = Callable[[str, str, Pos], Any]
"""Turns a scalar with an application tag (``!secret name``) into a value, or raises ParseError."""

_YAML = "tag:yaml.org,2002:"
_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS: Final = {
    v: flag
    for flag, words in (
        (True, ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")),
        (False, ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")),
    )
    for v in words
}
_IMPLICIT = Resolver.yaml_implicit_resolvers
# What libyaml reads differently from JSON: UTF-16 surrogate escapes (refused; the \U form means the
# same), and characters JSON allows raw inside strings but YAML's reader refuses (DEL, C1 controls,
# non-characters) or reads as line breaks (NEL, LS, PS; escaped, they mean the same).
_JSON_REWRITES = re.compile(
    "\\\\u(d[89ab][0-9a-f]{2})\\\\u(d[c-f][0-9a-f]{2})|([\x7f-\x9f\u2028\u2029\ufffe\uffff])", re.IGNORECASE
)
_CONSTRUCTOR = yaml.SafeLoader("")


def _resolve_plain(value: str, pos: Pos = (1, 1)) -> Any:
    """YAML 1.1 implicit typing of a plain scalar, as PyYAML's safe loader does it.

    Dates and times stay strings: the schema checks their format and the model
    parses them, so ``2019-03-04`` and ``"2019-03-04"`` mean the same.
    """
    if not value:
        return None
    if value.isdigit() and value.isascii() and len(value) < 19 and (value[0] != "0" or len(value) == 1):
        return int(value)  # a plain decimal, as construct_yaml_int reads it, without a node and five string scans
    if len(value) == 10 and value[4] == "-" == value[7] and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit():
        return value  # a date (kept as text, as below), without trying the number patterns first
    candidates = _IMPLICIT.get(value[0])
    if not candidates:
        return value
    for tag, pattern in candidates:
        if pattern.match(value):
            if tag.endswith(":bool"):
                return _BOOLS[value]
            if tag.endswith(":null"):
                return None
            if tag.endswith(":float") and "_" not in value and ":" not in value:
                try:
                    return float(value)  # what construct_yaml_float gives, but for .inf and .nan
                except ValueError:
                    pass
            if tag.endswith(":int") or tag.endswith(":float"):
                return _construct_number(tag, value, pos)
            return value  # timestamp, merge, value, str
    return value


def _construct_number(tag: str, value: str, pos: Pos = (1, 1)) -> Any:
    node = yaml.ScalarNode(tag, value)
    try:
        if tag.endswith(":int"):
            return _CONSTRUCTOR.construct_yaml_int(node)
        return _CONSTRUCTOR.construct_yaml_float(node)
    except ValueError as exc:  # e.g. more digits than Python converts
        raise ParseError(f"number cannot be read: {str(exc).split(';')[0]}", *pos) from None


def _resolve_json(value: str, pos: Pos = (1, 1)) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _reject_tag(tag: str, pos: Pos) -> ParseError:
    if tag.startswith(_YAML + "python/"):
        return ParseError(f"tag !!{tag[len(_YAML):]} is forbidden: it would construct a Python object", *pos)
    shown = "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
    return ParseError(f"tag {shown} is not allowed: manifests hold plain data only (no custom tags)", *pos)


def _explicit(tag: str, value: str, pos: Pos, on_tag: TagHandler | None) -> Any:
    if tag.startswith(_YAML + "python/"):
        raise _reject_tag(tag, pos)
    if tag == _YAML + "str":
        return value
    if tag in (_YAML + "int", _YAML + "float"):
        return _construct_number(tag, value, pos)
    if tag == _YAML + "bool":
        if value not in _BOOLS:
            raise ParseError(f"{value!r} is not a boolean", *pos)
        return _BOOLS[value]
    if tag == _YAML + "null":
        return None
    if tag == _YAML + "timestamp":
        return value
    if on_tag is not None and not tag.startswith(_YAML) and not tag.startswith("tag:yaml.org"):
        return on_tag(tag, value, pos)
    raise _reject_tag(tag, pos)


class _Frame:
    __slots__ = ("anchor", "key", "key_pos", "merges", "node", "pos", "start")

    def __init__(self, node: LocatedMap | LocatedSeq, anchor: str | None, start: int, pos: Pos) -> None:
        self.node = node
        self.key: Any = _NO_KEY
        self.key_pos: Pos = pos
        self.merges: list[LocatedMap] = []
        self.anchor = anchor
        self.start = start
        self.pos = pos


_NO_KEY: Final = object()
_MERGE: Final = object()


def load_documents(text: str, *, json_mode: bool = False, on_tag: TagHandler | None = None,
                   limit: NodeLimit | None = None) -> list[Any]:
    """Parse every document of ``text`` into located data.

    ``json_mode`` types plain scalars as JSON does (the caller has already
    checked the text is strict JSON). ``on_tag`` lets a loader tolerate
    application tags such as Home Assistant's ``!secret``; without it any tag
    outside the YAML core schema is a :class:`ParseError`. ``limit``: the most
    nodes (mappings, sequences, scalars and aliases, keys included) built of
    all the documents; the node past it is a :class:`ParseError` (None: no limit,
    for vmspolicy's own files).
    """
    shifts: dict[int, list[tuple[int, int]]] = {}
    if json_mode:
        text, shifts = _json_for_libyaml(text)
    resolve = _resolve_json if json_mode else _resolve_plain
    parser = _Parser(text)
    try:
        documents = _build(parser, resolve, on_tag, limit)
        if shifts:
            _unshift(documents, shifts)
        return documents
    except ParseError as exc:
        if shifts:
            exc.column = _original_column(shifts, exc.line, exc.column)
        raise
    except yaml.MarkedYAMLError as exc:
        from vmspolicy.core.yaml_errors import explain  # only for a file that does not parse

        message, line, column = explain(exc, text)
        if line is None or column is None:
            raise ParseError(message) from None
        raise ParseError(message, line, column) from None
    except yaml.reader.ReaderError as exc:
        raise ParseError(
            f"character #x{exc.character:04x} is not allowed in YAML", *line_col_of_index(text, exc.position)
        ) from None
    except yaml.YAMLError as exc:
        raise ParseError(str(exc).replace("\n", " ")) from None
    except RecursionError:  # pragma: no cover - the depth limit stops this first
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        parser.dispose()


def _json_for_libyaml(text: str) -> tuple[str, dict[int, list[tuple[int, int]]]]:
    """JSON text libyaml reads as the same data, and per line the column shifts that undo the rewrite.

    A shift ``(column, delta)`` says: from this 1-based column of the rewritten line on,
    the original column is ``delta`` smaller. Rewrites never touch line breaks.
    """
    if _JSON_REWRITES.search(text) is None:
        return text, {}
    pieces: list[str] = []
    shifts: dict[int, list[tuple[int, int]]] = {}
    last = 0
    line, line_start, delta = 1, 0, 0
    for match in _JSON_REWRITES.finditer(text):
        breaks = text.count("\n", last, match.start())
        if breaks:
            line += breaks
            line_start = text.rfind("\n", 0, match.start()) + 1
            delta = 0
        if match.group(3):
            replacement = f"\\u{ord(match.group(3)):04x}"
        else:
            high, low = int(match.group(1), 16), int(match.group(2), 16)
            replacement = f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"
        pieces.append(text[last : match.start()])
        pieces.append(replacement)
        delta += len(replacement) - (match.end() - match.start())
        end_in_new = match.end() - line_start + delta  # 0-based column after the replacement
        shifts.setdefault(line, []).append((end_in_new + 1, delta))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces), shifts


def _original_column(shifts: dict[int, list[tuple[int, int]]], line: int, column: int) -> int:
    applied = 0
    for start, delta in shifts.get(line, ()):
        if column >= start:
            applied = delta
    return column - applied


def _unshift(documents: list[Any], shifts: dict[int, list[tuple[int, int]]]) -> None:
    """Put positions back on the columns of the original JSON text."""

    def fix(pos: Pos) -> Pos:
        return (pos[0], _original_column(shifts, *pos)) if pos[0] in shifts else pos

    stack = list(documents)
    while stack:
        node = stack.pop()
        if isinstance(node, LocatedMap):
            node.pos = fix(node.pos)
            node.key_pos = {k: fix(v) for k, v in node.key_pos.items()}
            node.value_pos = {k: fix(v) for k, v in node.value_pos.items()}
            stack.extend(node.values())
        elif isinstance(node, LocatedSeq):
            node.pos = fix(node.pos)
            node.item_pos = [fix(p) for p in node.item_pos]
            stack.extend(node)


# One function, on purpose: its loop runs once per parse event (some 210,000 for a 10,000-camera
# manifest), and every call it saves shows. Split into a method per kind of event plus one that
# attaches a value to its parent, it took 0.60 CPU seconds instead of 0.51 for that manifest
# (benchmarks/parsers.py --repeat 5 on benchmarks/generate.py --cameras 10000; 7-12% more in
# alternating runs of both): a loss well above the 3% a split may cost.
def _build(parser: Any, resolve: Callable[[str, Pos], Any], on_tag: TagHandler | None, limit: NodeLimit | None) -> list[Any]:
    documents: list[Any] = []
    # Counted down as nodes are built; below zero, the node just read is the one past the limit.
    nodes_left = limit.nodes if limit is not None else sys.maxsize
    # A mapping or sequence, located, costs three times a scalar (its positions, its frame): at most a third of the nodes.
    containers_left = limit.containers if limit is not None else sys.maxsize
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    root: Any = None
    events = 0
    expanded = 0
    ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
    MappingStartEvent, SequenceStartEvent = yaml.MappingStartEvent, yaml.SequenceStartEvent
    MappingEndEvent, SequenceEndEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent
    DocumentStartEvent, DocumentEndEvent = yaml.DocumentStartEvent, yaml.DocumentEndEvent
    get_event = parser.get_event

    # get_event() returns None after the stream's end: one call per event instead of check_event() + get_event().
    while (event := get_event()) is not None:
        cls = event.__class__
        events += 1
        expanded += 1
        if cls is ScalarEvent:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            nodes_left -= 1
            if nodes_left < 0:
                raise _too_many(limit, pos)
            tag = event.tag
            if tag is None or tag == "!":
                if event.implicit[0] and not event.style:
                    raw = event.value
                    if raw == "<<" and stack and stack[-1].key is _NO_KEY and stack[-1].node.__class__ is LocatedMap:
                        value = _MERGE
                    else:
                        value = resolve(raw, pos)
                else:
                    value = event.value
            else:
                value = _explicit(tag, event.value, pos, on_tag)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
        elif cls is AliasEvent:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            nodes_left -= 1
            if nodes_left < 0:
                raise _too_many(limit, pos)
            if event.anchor not in anchors:
                raise ParseError(f"alias *{event.anchor} refers to no anchor defined before it", *pos)
            value, size = anchors[event.anchor]
            if value is None and size < 0:
                raise ParseError(f"alias *{event.anchor} refers to the collection that contains it", *pos)
            expanded += size - 1
            if expanded - events > MAX_ALIAS_EXPANSION:
                raise ParseError(
                    f"alias *{event.anchor} expands the document beyond {MAX_ALIAS_EXPANSION:,} nodes "
                    "(a YAML 'billion laughs' bomb?)",
                    *pos,
                )
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            tag = event.tag
            kind = "map" if cls is MappingStartEvent else "seq"
            nodes_left -= 1
            containers_left -= 1
            if nodes_left < 0:
                raise _too_many(limit, pos)
            if containers_left < 0:
                raise _too_many_containers(limit, pos)
            if tag not in (None, "!", _YAML + kind):
                raise _reject_tag(tag, pos)
            if len(stack) >= MAX_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", *pos)
            node: LocatedMap | LocatedSeq = LocatedMap(pos) if kind == "map" else LocatedSeq(pos)
            if event.anchor is not None:
                anchors[event.anchor] = (None, -1)  # being built: an alias to it now is recursive
            stack.append(_Frame(node, event.anchor, expanded, pos))
            continue
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            frame = stack.pop()
            value = frame.node
            pos = frame.pos
            if frame.merges:
                _apply_merges(value, frame.merges)  # type: ignore[arg-type]
            if frame.anchor is not None:
                anchors[frame.anchor] = (value, expanded - frame.start + 1)
        elif cls is DocumentStartEvent:
            root = None
            anchors = {}
            continue
        elif cls is DocumentEndEvent:
            documents.append(root)
            continue
        else:  # StreamStart / StreamEnd
            continue

        # Attach ``value`` (found at ``pos``) to its parent.
        if not stack:
            root = value
            continue
        parent = stack[-1]
        container = parent.node
        # LocatedSeq.push and LocatedMap.put, inlined: a call per value is a tenth of the parse.
        if container.__class__ is LocatedSeq:
            container.append(value)
            container.item_pos.append(pos)
        elif parent.key is _NO_KEY:
            if isinstance(value, (LocatedMap, LocatedSeq)):
                raise ParseError("a mapping or sequence cannot be used as a key", *pos)
            if value is not _MERGE and not isinstance(value, str):
                value = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            parent.key = value
            parent.key_pos = pos
        else:
            key = parent.key
            parent.key = _NO_KEY
            if key is _MERGE:
                parent.merges.extend(_merge_sources(value, pos))
                continue
            if key in container:
                first = container.key_pos[key]  # type: ignore[union-attr]
                raise ParseError(
                    f"duplicate key {key!r} (first defined at line {first[0]}, column {first[1]})",
                    *parent.key_pos,
                )
            container[key] = value
            container.key_pos[key] = parent.key_pos  # type: ignore[union-attr]
            container.value_pos[key] = pos  # type: ignore[union-attr]
    return documents


def _too_many(limit: NodeLimit | None, pos: Pos) -> ParseError:
    assert limit is not None  # without a limit, no count reaches zero
    return limit.refused("nodes (mappings, sequences and scalars)", pos)


def _too_many_containers(limit: NodeLimit | None, pos: Pos) -> ParseError:
    assert limit is not None
    return limit.refused_containers(pos)


def _merge_sources(value: Any, pos: Pos) -> list[LocatedMap]:
    if isinstance(value, LocatedMap):
        return [value]
    if isinstance(value, LocatedSeq) and all(isinstance(v, LocatedMap) for v in value):
        return list(value)
    raise ParseError("a merge key '<<' needs a mapping or a list of mappings", *pos)


def _apply_merges(target: LocatedMap, sources: list[LocatedMap]) -> None:
    # Explicit keys win over merged ones; earlier sources win over later ones (YAML merge spec).
    for source in sources:
        for key, value in source.items():
            if key not in target:
                target.put(key, value, source.where_key(key), source.where(key))
