"""Reading a record's fields whatever shape they are in, each with its fail-closed default.

A record that breaks the schema is still judged on what it says (VP002 says
what is wrong with it, and VP002 can be disabled or baselined; the vendor and
isolation rules cannot). So every field is read here from the raw located data,
never trusting the schema, and a value that cannot be read takes the default
that judges the record most strictly:

- an ``installed`` date that is missing or not ``YYYY-MM-DD`` is no date: a
  restricted device without one is a new install (VP102);
- a ``status`` that is not one of the three is ``active``: it is judged;
- a ``services`` flag that is not ``true`` or ``false`` is unknown, and unknown
  is not off (VP205);
- ``sensitive`` that is not a boolean is sensitive (VP101);
- a site or zone reference that cannot be read is :data:`UNREADABLE`, which
  resolves to nothing: no firewall, no zone, so isolation cannot be shown (VP206);
- a firewall's unreadable ``default`` or rule ``action`` is ``allow``, an
  unreadable ``from``/``to`` matches everything when it allows, unreadable
  ``ports`` of an allowing rule are every port;
- a zone ``purpose`` that cannot be read is ``other``: no legacy zone, no
  recorder or management zone.

Keys that are misspelt versions of the fields that identify a vendor
(``vendr:``, ``Model:``, ``manufacturer:``) are read as those fields when the
real one is absent: more evidence can only make the judgement stricter. A
misspelt ``installed`` or ``status`` is never read: it would make it laxer.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from typing import Any, Final, Mapping

from vmspolicy.core.model import STATUSES, UNREADABLE, ZONE_PURPOSES, IPAddress, PortRange
from vmspolicy.core.source import LocatedMap, LocatedSeq, Pos

# Fields that identify a device's maker, and words people write for them.
_EVIDENCE_FIELDS: Final = ("vendor", "model", "mac", "streams")
_SYNONYMS: Final = {"manufacturer": "vendor", "make": "vendor", "maker": "vendor", "brand": "vendor"}


def text(value: Any) -> str | None:
    """A scalar as text; the scalars inside a list or mapping joined by spaces; None when there is none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        parts = [t for t in (text(item) for item in value) if t]
        return " ".join(parts) or None
    return None


def identifier(value: Any) -> str | None:
    """An id or a reference to one: a string, or a number written without quotes (``site: 2019``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def reference(node: Mapping[str, Any], key: str) -> str | None:
    """The id ``key`` refers to: None when absent, :data:`UNREADABLE` when written but not an id."""
    if key not in node or node[key] is None:
        return None
    return identifier(node[key]) or UNREADABLE


def required_reference(node: Mapping[str, Any], key: str) -> str:
    """A reference the record cannot do without (a device's site): :data:`UNREADABLE` when absent too."""
    return reference(node, key) or UNREADABLE


def date(value: Any) -> dt.date | None:
    """An ISO date (``2019-03-04``); None for anything else (``15/03/2020``, ``2019-02-30``, a number)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def status(value: Any) -> str:
    """``active``, ``planned`` or ``decommissioned``; anything else is judged as ``active``."""
    return value if isinstance(value, str) and value in STATUSES else "active"


def services(value: Any) -> dict[str, bool]:
    """The flags that are ``true`` or ``false``; any other flag, or services that are no mapping, are unknown (absent)."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, bool)}


def sensitive(node: Mapping[str, Any]) -> bool:
    """A site is sensitive unless it says ``sensitive: false`` or says nothing."""
    value = node.get("sensitive", False)
    return value if isinstance(value, bool) else True


def purpose(value: Any) -> str:
    return value if isinstance(value, str) and value in ZONE_PURPOSES else "other"


def words(value: Any) -> tuple[str, ...]:
    """A list of strings (``policies``, ``streams``); a single string is a list of one; other items are left out."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def address(value: Any) -> IPAddress | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def vlan(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def action(value: Any) -> str:
    """A firewall rule's or default's action: ``deny`` only when it says so."""
    return "deny" if value == "deny" else "allow"


def ports(value: Any) -> tuple[PortRange, ...] | None:
    """An allowing rule's ports, read as widely as they may be meant: None (every port) unless each item reads.

    ``tcp/554`` is one port, ``tcp/https`` every TCP port, ``http`` every port
    of every protocol (None).
    """
    if value is None or not isinstance(value, list):
        return None
    ranges: list[PortRange] = []
    for item in value:
        if not isinstance(item, str):
            return None
        protocol, _, span = item.strip().lower().partition("/")
        if protocol == "icmp" and not span:
            ranges.append(PortRange("icmp", 0, 0))
            continue
        if protocol not in ("tcp", "udp", "sctp"):
            return None
        low, _, high = span.partition("-")
        high = high or low
        if not (low.isdigit() and high.isdigit()) or not int(low) <= int(high) <= 65535:
            ranges.append(PortRange(protocol))
        else:
            ranges.append(PortRange(protocol, int(low), int(high)))
    return tuple(ranges)


def with_misspelt_evidence(node: LocatedMap, known: frozenset[str]) -> LocatedMap:
    """``node``, or a copy in which unknown keys that mean a vendor-identifying field stand for it.

    ``vendr: Dahua`` reads as ``vendor: Dahua`` (located where it is written)
    when the record has no ``vendor``; ``known`` are the record's schema keys.
    """
    found: dict[str, str] = {}
    for key in node:
        if key in known or not isinstance(key, str):
            continue
        meant = _evidence_meant(key.strip().lower())
        if meant is not None and meant not in node and meant not in found:
            found[meant] = key
    if not found:
        return node
    copy = LocatedMap(node.pos)
    for key, value in node.items():
        copy.put(key, value, node.where_key(key), node.where(key))
    for meant, key in found.items():
        copy.put(meant, node[key], node.where_key(key), node.where(key))
    return copy


@functools.lru_cache(maxsize=4096)
def _evidence_meant(folded: str) -> str | None:
    """The evidence field an unknown key means, if any: asked once per key, since a file of thousands of
    records that each break the schema usually misspells the same few keys."""
    import difflib  # only for a key no record has: most runs have none

    return _SYNONYMS.get(folded) or next(iter(difflib.get_close_matches(folded, _EVIDENCE_FIELDS, n=1, cutoff=0.8)), None)


def item_pos(seq: Any, index: int, fallback: Pos) -> Pos:
    """Where item ``index`` of a located list is written."""
    return seq.where(index) if isinstance(seq, LocatedSeq) else fallback
