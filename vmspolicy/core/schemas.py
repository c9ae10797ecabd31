"""The JSON Schemas shipped with vmspolicy, and validation of located data against them.

Schemas live in the top-level ``schemas/`` folder of the source tree and are
copied into the wheel as ``vmspolicy/schemas``; they are read from the
installed package (:mod:`vmspolicy.core.shipped`), never downloaded.

Validation uses jsonschema-rs when it is installed (about 40x faster on a large
estate) and the reference ``jsonschema`` library otherwise; both report the
same instance paths, which are mapped back to line and column.
"""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any, Final, Iterable, Iterator, Sequence

from vmspolicy.core.records import record
from vmspolicy.core.shipped import schema_file
from vmspolicy.core.source import Pos, position_of


def schema_path(name: str) -> Path:
    """Filesystem path of a shipped schema (``manifest``, ``config``, ``report``...)."""
    return schema_file(f"{name}.schema.json")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name``."""
    with schema_path(name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@record(frozen=True, slots=True)
class SchemaError:
    """One schema violation: a message, where it is, and the path inside the document."""

    message: str
    pos: Pos
    path: tuple[str | int, ...]


class _Validator:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        try:
            import jsonschema_rs

            self._rs: Any = jsonschema_rs.validator_for(schema, validate_formats=True)
            self._ref: Any = None
        except ImportError:  # pragma: no cover - exercised where jsonschema-rs has no wheel
            import jsonschema

            self._rs = None
            cls = jsonschema.validators.validator_for(schema)
            self._ref = cls(schema, format_checker=cls.FORMAT_CHECKER)

    def errors(self, data: Any) -> Iterator[tuple[str, tuple[str | int, ...], tuple[str | int, ...]]]:
        if self._rs is not None:
            if self._rs.is_valid(data):
                return
            for error in self._rs.iter_errors(data):
                yield error.message, tuple(error.instance_path), tuple(error.schema_path)
        else:
            for error in self._ref.iter_errors(data):
                yield error.message, tuple(error.absolute_path), tuple(error.absolute_schema_path)


@functools.cache
def _validator(name: str) -> _Validator:
    return _Validator(load_schema(name))


@record(frozen=True, slots=True)
class Violation:
    """One schema violation as the validator reports it, not yet explained: cheap, since a file may hold millions."""

    message: str  # the validator's words (see _records_only for the one kind found without asking it)
    path: tuple[str | int, ...]  # inside the document
    schema_path: tuple[str | int, ...]  # inside the schema, to the keyword that failed

    @property
    def keyword(self) -> str:
        """The schema keyword that failed (``type``, ``required``, ``additionalProperties``...)."""
        return str(self.schema_path[-1]) if self.schema_path else ""


def violations(name: str, data: Any) -> Iterator[Violation]:
    """The violations of ``data`` against schema ``name``, one at a time, roughly in document order.

    jsonschema-rs builds every error of a call before handing back the first (a flow sequence of a
    million wrong items: a million errors, 2 GB), so a document that fails is validated piece by piece:
    each array item and each property on its own, down to the smallest piece that cannot be split.
    A caller that stops early, or keeps only some, spends nothing on the rest.
    """
    validator = _validator(name)
    if validator._rs is None:  # pragma: no cover - exercised where jsonschema-rs has no wheel; that library is lazy
        for message, instance_path, schema_path_ in validator.errors(data):
            yield Violation(message, instance_path, schema_path_)
    elif not validator._rs.is_valid(data):
        yield from _piecewise(name, (), data, ())


# Keywords that judge a node alone, without its items or property values: such a node can be checked
# shallowly and its parts one by one, with the same violations as a check of the whole.
_ANNOTATIONS: Final = frozenset({"description", "title", "$comment", "default", "examples", "$schema", "$id", "$defs"})
_SPLIT_ARRAY: Final = _ANNOTATIONS | {"type", "items", "minItems", "maxItems"}
_SPLIT_OBJECT: Final = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties", "minProperties", "maxProperties"}


def _piecewise(name: str, pointer: tuple[str, ...], data: Any, path: tuple[str | int, ...]) -> Iterator[Violation]:
    """The violations of ``data``, which the node at ``pointer`` finds invalid."""
    pointer, keys = _target(name, pointer)
    node = _node_at(name, pointer)
    if isinstance(data, list) and keys <= _SPLIT_ARRAY and isinstance(node.get("items"), dict):
        yield from _leaf(name, pointer, data, path, shallow="items")
        items, _ = _target(name, (*pointer, "items"))
        check = _node_validator(name, items)
        records = _records_only(name, items)
        for index, item in enumerate(data):
            if records is not None and not isinstance(item, dict):
                # Only a mapping can be such a record, and nothing but its type is judged of anything else: the
                # validator's one error, without asking it (a list of a million wrong items asks a million times).
                yield Violation(records, (*path, index), (*items, "type"))
                continue
            if check.is_valid(item):
                continue
            if isinstance(item, (list, dict)):
                yield from _piecewise(name, items, item, (*path, index))
            else:  # a scalar cannot be split: the common case of a long list of wrong items, without a call per level
                yield from _violations(check, items, item, (*path, index))
        return
    if isinstance(data, dict) and keys <= _SPLIT_OBJECT and isinstance(node.get("properties"), dict):
        yield from _leaf(name, pointer, data, path, shallow="properties")
        properties = node["properties"]
        for key, value in data.items():
            if isinstance(properties.get(key), dict):
                part = (*pointer, "properties", key)
                if not _node_validator(name, part).is_valid(value):
                    yield from _piecewise(name, part, value, (*path, key))
        return
    yield from _violations(_node_validator(name, pointer), pointer, data, path)


@functools.cache
def _records_only(name: str, pointer: tuple[str, ...]) -> str | None:
    """The words of the one violation any value but a mapping makes at the node ``pointer``, when that node
    asks for a mapping and says nothing that judges other values; None for any other node.

    The validator's words would name the value (``1 is not of type "object"``); a type error is always
    put in words by its advice (:func:`_advice`), so these are never shown.
    """
    node = _node_at(name, pointer)
    if isinstance(node, dict) and node.get("type") == "object" and frozenset(node) <= _SPLIT_OBJECT:
        return 'not of type "object"'
    return None


def _leaf(name: str, pointer: tuple[str, ...], data: Any, path: tuple[str | int, ...], shallow: str) -> Iterator[Violation]:
    """The violations of the node at ``pointer`` itself, without what it says of each item or property value."""
    check = _node_validator(name, pointer, shallow)
    if not check.is_valid(data):
        yield from _violations(check, pointer, data, path)


def _violations(check: Any, pointer: tuple[str, ...], data: Any, path: tuple[str | int, ...]) -> Iterator[Violation]:
    for error in check.iter_errors(data):
        at = tuple(error.schema_path)
        # A keyword behind a $ref is reported where it stands in the schema; one of this node, relative to it.
        yield Violation(error.message, (*path, *error.instance_path), at if at[:1] == ("$defs",) else (*pointer, *at))


@functools.cache
def _target(name: str, pointer: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Where the node at ``pointer`` leads once its local ``$ref``s are followed, and the keywords there."""
    node = _node_at(name, pointer)
    while isinstance(node, dict) and "$ref" in node and set(node) <= _ANNOTATIONS | {"$ref"} and str(node["$ref"]).startswith("#/"):
        pointer = tuple(str(node["$ref"])[2:].split("/"))
        node = _node_at(name, pointer)
    return pointer, frozenset(node) if isinstance(node, dict) else frozenset()


def _node_at(name: str, pointer: Sequence[str]) -> Any:
    node: Any = load_schema(name)
    for step in pointer:
        node = node[step]
    return node


@functools.cache
def _node_validator(name: str, pointer: tuple[str, ...], shallow: str = "") -> Any:
    """A jsonschema-rs validator for the schema node at ``pointer``, its ``$defs`` at hand.

    ``shallow``: without what ``items`` says of each item, or what ``properties`` say of each
    value (the names stay known, for ``additionalProperties``).
    """
    import jsonschema_rs

    root = load_schema(name)
    node = dict(_node_at(name, pointer))
    if shallow == "items":
        del node["items"]
    elif shallow == "properties":
        node["properties"] = {key: True if isinstance(value, dict) else value for key, value in node["properties"].items()}
    return jsonschema_rs.validator_for({"$defs": root.get("$defs", {}), **node}, validate_formats=True)


def validate(name: str, data: Any) -> list[SchemaError]:
    """Validate located ``data`` against schema ``name``; errors sorted by position."""
    return explain(name, data, violations(name, data))


def explain(name: str, data: Any, found: Iterable[Violation]) -> list[SchemaError]:
    """Violations of ``data`` against schema ``name`` in words, at their positions, sorted by position."""
    schema = load_schema(name)
    explained: list[SchemaError] = []
    for violation in found:
        explained.extend(_explain(schema, data, violation.message, violation.path, violation.schema_path))
    return _by_position(explained)


def _by_position(explained: Iterable[SchemaError]) -> list[SchemaError]:
    """One message per place (anyOf branches can repeat the same complaint), sorted by position."""
    unique = {(e.pos, e.message): e for e in explained}
    return sorted(unique.values(), key=lambda e: (e.pos, e.message))


def explain_first(name: str, data: Any, found: Iterable[Violation], limit: int) -> tuple[list[SchemaError], list[tuple[Violation, int]]]:
    """The first ``limit`` errors ``found`` makes in words (as :func:`explain`), and what is left unexplained.

    What is left: each violation not explained, or not wholly, with the number of errors it still
    makes (an unknown-keys violation makes one per key). Only explained errors cost their words.
    """
    schema = load_schema(name)
    explained: list[SchemaError] = []
    left: list[tuple[Violation, int]] = []
    for violation in found:
        count = error_count(name, data, violation)
        room = limit - len(explained)
        if room > 0:
            errors = _explain(schema, data, violation.message, violation.path, violation.schema_path)
            explained.extend(itertools.islice(errors, room))
            count -= min(room, count)
        if count > 0:
            left.append((violation, count))
    return _by_position(explained), left


def error_position(name: str, data: Any, violation: Violation, skip: int = 0) -> Pos:
    """Where the error ``skip`` of ``violation`` is (for an unknown-keys violation, the key; see :func:`explain_first`)."""
    if violation.keyword == "additionalProperties":
        node = _resolve(data, violation.path)
        if isinstance(node, dict):
            allowed = _allowed_properties(load_schema(name), violation.schema_path)
            unknown = (key for key in node if key not in allowed)
            key = next(itertools.islice(unknown, skip, None), None)
            if key is not None:
                return position_of(data, [*violation.path, key], key=True)
    return position_of(data, violation.path)


def error_count(name: str, data: Any, violation: Violation) -> int:
    """How many errors ``violation`` makes in words: one per unknown key, else one."""
    if violation.keyword != "additionalProperties":
        return 1
    node = _resolve(data, violation.path)
    if not isinstance(node, dict):
        return 1
    allowed = _allowed_properties(load_schema(name), violation.schema_path)
    return sum(1 for key in node if key not in allowed)


def _explain(
    schema: dict[str, Any],
    data: Any,
    message: str,
    instance_path: Sequence[str | int],
    schema_path_: Sequence[str | int],
) -> Iterator[SchemaError]:
    keyword = schema_path_[-1] if schema_path_ else ""
    node = _resolve(data, instance_path)
    where = ".".join(str(p) for p in instance_path) or "top level"
    if keyword == "additionalProperties" and isinstance(node, dict):
        allowed = _allowed_properties(schema, schema_path_)
        for key in node:
            if key not in allowed:
                import difflib  # only for an error

                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
                yield SchemaError(
                    f"unknown key {key!r} in {where}{suggestion}",
                    position_of(data, [*instance_path, key], key=True),
                    (*instance_path, key),
                )
        return
    described = _schema_node(schema, schema_path_[:-1])
    described = described if isinstance(described, dict) else {}
    advice = _advice(keyword, described, node)
    if advice:
        message = advice
    elif keyword in ("pattern", "anyOf", "format"):
        description = described.get("description")
        if description and isinstance(node, (str, int, float)):
            message = f"{json.dumps(node)} is not valid here. Expected: {description}"
    yield SchemaError(f"{where}: {message}", position_of(data, instance_path), tuple(instance_path))


def _advice(keyword: str | int, described: dict[str, Any], node: Any) -> str | None:
    """What to write instead, for the mistakes people make most: quoted booleans and numbers, a port
    without its protocol, a date that does not exist, a value close to an allowed one."""
    from vmspolicy.core import schema_advice  # only for an error

    if described.get("format") == "date" and keyword in ("type", "pattern", "format"):
        return schema_advice.date(node, described.get("description"))
    if keyword == "type":
        return schema_advice.wrong_type(node, described)
    if keyword == "pattern" and "tcp" in str(described.get("pattern", "")):
        return schema_advice.port(node)
    if keyword == "enum" and isinstance(described.get("enum"), list):
        return schema_advice.not_one_of(node, described["enum"])
    return None


def _resolve(data: Any, path: Sequence[str | int]) -> Any:
    node = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _allowed_properties(schema: dict[str, Any], schema_path_: Sequence[str | int]) -> set[str]:
    node = _schema_node(schema, schema_path_[:-1])
    properties = node.get("properties", {}) if isinstance(node, dict) else {}
    return set(properties)


def _schema_node(schema: dict[str, Any], path: Sequence[str | int]) -> Any:
    """The (sub)schema at ``path``, following local ``$ref``s; None when the path leads nowhere."""
    node: Any = schema
    for step in path:
        node = _follow(schema, node)
        if step == "$ref":
            continue
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return _follow(schema, node)


def _follow(schema: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#/"):
        target: Any = schema
        for part in str(node["$ref"])[2:].split("/"):
            target = target[part]
        node = target
    return node
