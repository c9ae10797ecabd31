"""Policy as schema: the manifest JSON Schema with policy packs compiled in, for editors and schema-only gates.

``vmspolicy schema --profile uk-gov-2022`` writes it; the committed copies under
``schemas/packs/`` are the same bytes (a test keeps them in sync). What a schema
can and cannot judge is in :mod:`vmspolicy.schema_export.compiler` and in the
schema's own description.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from vmspolicy.analysis.policy import Pack, PolicyError, parse_pack
from vmspolicy.schema_export.compiler import ExportError, compile_schema

__all__ = ["ExportError", "compile_schema", "export", "render", "select_packs"]


def select_packs(available: Sequence[Mapping[str, Any]], profiles: Sequence[str], builtin_ids: Sequence[str]) -> list[Pack]:
    """The packs to compile: ``profiles`` in the order given, else every built-in pack (the documented default)."""
    parsed: dict[str, Pack] = {}
    for data in available:
        pack = parse_pack(data)
        parsed.setdefault(pack.id, pack)
    wanted = list(dict.fromkeys(profiles)) or [i for i in builtin_ids if i in parsed]
    unknown = [p for p in wanted if p not in parsed]
    if unknown:
        raise PolicyError(f"unknown policy pack {unknown[0]!r}; known packs: {', '.join(sorted(parsed))}")
    return [parsed[p] for p in wanted]


def export(available: Sequence[Mapping[str, Any]], fragments: Sequence[Mapping[str, Any]], profiles: Sequence[str] = (),
           builtin_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The schema for ``profiles`` (else the built-in packs), from pack data and vendor catalog fragments."""
    return compile_schema(select_packs(available, profiles, builtin_ids), fragments)


def render(schema: Mapping[str, Any]) -> str:
    """The schema as committed: sorted keys, two-space indent, UTF-8 (look-alike characters written as themselves), final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
