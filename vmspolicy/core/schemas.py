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
import json
from pathlib import Path
from typing import Any, Iterator, Sequence

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


def validate(name: str, data: Any) -> list[SchemaError]:
    """Validate located ``data`` against schema ``name``; errors sorted by position."""
    validator = _validator(name)
    found: list[SchemaError] = []
    for message, instance_path, schema_path_ in validator.errors(data):
        found.extend(_explain(validator.schema, data, message, instance_path, schema_path_))
    # One message per place: anyOf branches can repeat the same complaint.
    unique = {(e.pos, e.message): e for e in found}
    return sorted(unique.values(), key=lambda e: (e.pos, e.message))


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
