"""The References of ``vmspolicy explain``: the primary sources of the packs that make a rule mandatory.

A security engineer checks a rule against the regime it enforces, so the
references are the records themselves (statutes, regulations, statements,
Hansard), never a third party's copy or a press report of them: a pack marks
those ``kind: copy`` or ``kind: report`` and they stay in ``vmspolicy packs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PRIMARY = "primary"


def primary_sources(pack: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The pack's sources that are the record itself (a source without ``kind`` is one)."""
    return [s for s in pack.get("sources") or () if s.get("kind", PRIMARY) == PRIMARY]


def references(code: str, packs: Sequence[Mapping[str, Any]], core_mandatory: frozenset[str]) -> str:
    """The References section for rule ``code``, or "" when no pack makes it mandatory.

    ``core_mandatory`` is the list a pack that names none gets.
    """
    lines: list[str] = []
    for pack in packs:
        mandatory = pack.get("mandatory")
        if code not in (core_mandatory if mandatory is None else mandatory):
            continue
        lines.append(f"    {pack['id']}: {pack['title']}")
        primary = primary_sources(pack)
        for source in primary:
            lines.append(f"      {source['date']}  {source['title']}")
            lines.append(f"                  {source['url']}")
        if not primary:
            lines.append("      no primary source recorded (`vmspolicy packs` lists what the pack rests on)")
    if not lines:
        return ""
    return f"References (the primary sources of the packs that make {code} mandatory)\n" + "\n".join(lines) + "\n"
