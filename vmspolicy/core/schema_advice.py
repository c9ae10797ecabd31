"""Schema violations said as what to write instead.

A JSON Schema validator says ``554 is not of type "string"``; a person needs ``write tcp/554``.
These helpers turn the common mistakes into that: quoted booleans and numbers, a port without
its protocol, a date that does not exist, a value close to an allowed one. Imported only when
a manifest breaks its schema.
"""

from __future__ import annotations

import calendar
import difflib
import json
import re
from typing import Any

_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EXAMPLE_DATE = "2027-09-30"
_BOOLEAN_WORDS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False, "y": True, "n": False}


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _expected(description: str | None) -> str:
    return f". {description}" if description else ""


def date(value: Any, description: str | None) -> str:
    """A date that is not ``YYYY-MM-DD``, or names a day that does not exist."""
    match = _DATE.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if match:
        year, month, day = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            return f"{_shown(value)} is not a real date: there is no month {month}; write YYYY-MM-DD, e.g. {_EXAMPLE_DATE}"
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return (f"{_shown(value)} is not a real date: {calendar.month_name[month]} {year} has no day {day} (its last is {last}); "
                    f"write YYYY-MM-DD, e.g. {year:04d}-{month:02d}-{last:02d}")
        if len(match.group(2)) != 2 or len(match.group(3)) != 2:
            return f"{_shown(value)}: write the date as YYYY-MM-DD with two-digit month and day, e.g. {year:04d}-{month:02d}-{day:02d}"
    return f"{_shown(value)} is not a date in the form YYYY-MM-DD, e.g. {_EXAMPLE_DATE}{_expected(description)}"


def _is_port(described: dict[str, Any]) -> bool:
    return "tcp" in str(described.get("pattern", ""))


_PORT_SPAN = re.compile(r"(tcp|udp|sctp)/(\d+)(?:-(\d+))?")


def port(value: Any) -> str | None:
    """A bare port number where a protocol and port are expected, or a port or range no packet can have."""
    text = str(value).strip()
    if isinstance(value, bool):
        return None
    if text.isdigit():
        return f"{_shown(value)} needs its protocol: write tcp/{text} (or udp/{text})"
    return port_range(value)


def port_range(value: Any) -> str | None:
    """What is wrong with ``tcp/99999``, ``tcp/0`` or ``tcp/600-500``; None when the ports are a real range."""
    match = _PORT_SPAN.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    protocol, low, high = match.group(1), int(match.group(2)), int(match.group(3) or match.group(2))
    if not (1 <= low <= 65535 and 1 <= high <= 65535):
        wrong = next(p for p in (low, high) if not 1 <= p <= 65535)
        return f"{_shown(value)}: there is no port {wrong}; ports run from 1 to 65535, e.g. {protocol}/8000-8100"
    if low > high:
        return f"{_shown(value)}: a range runs from low to high; write {protocol}/{high}-{low}"
    if match.group(2).startswith("0") or (match.group(3) or "1").startswith("0"):
        return f"{_shown(value)}: write the port without leading zeros, e.g. {protocol}/{low}" + (f"-{high}" if high != low else "")
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "empty" if value is None else type(value).__name__


_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping", "null": "nothing"}


def wrong_type(value: Any, described: dict[str, Any]) -> str:
    """A value of the wrong type, with the form that would be right."""
    expected = described.get("type")
    types = [expected] if isinstance(expected, str) else list(expected or [])
    if _is_port(described) and (advice := port(value)):
        return advice
    if "boolean" in types and isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
        word = "true" if _BOOLEAN_WORDS[value.strip().lower()] else "false"
        return f"{_shown(value)} is text; write {word} without quotes (true or false)"
    if ("integer" in types or "number" in types) and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return f"{_shown(value)} is text; write the number {value.strip()} without quotes"
    if types == ["string"] and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{_shown(value)} is a number; write it as text in quotes: \"{value}\"{_expected(described.get('description'))}"
    wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in types) or "another kind of value"
    return f"{_shown(value)} is {_kind(value)}; expected {wanted}{_expected(described.get('description'))}"


def not_one_of(value: Any, allowed: list[Any]) -> str:
    """A value outside an enumeration: every allowed value, and the closest one."""
    names = [str(choice) for choice in allowed]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.7)
    if not close and isinstance(value, str):
        close = [name for name in names if name.startswith(value.lower()) or value.lower().startswith(name)][:1]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{_shown(value)} is not one of {', '.join(names)}{hint}"
