"""The built-in vendor catalog, registered through the same hook as a plugin's.

Two fragments: ``data/vendors.yaml`` (families, brands, relabels, patterns,
known makers, false friends) and ``data/oui-restricted-2026-03.tsv``, the IEEE
MA-L registry extract of the restricted families' MAC blocks, kept verbatim
with its source in its header.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Mapping, Sequence

from vmspolicy.core.shipped import data_file
from vmspolicy.core.yaml_events import load_documents
from vmspolicy.hookspecs import hookimpl

OUI_FILE = "oui-restricted-2026-03.tsv"
OUI_SOURCE = (
    "IEEE registry MAC blocks: MA-L extract of 2026-03, with blocks added from nmap-mac-prefixes of 2026-08-21"
    " (vmspolicy/data/oui-restricted-2026-03.tsv)"
)
# The extract's first line ends with its date: "... (MA-L, MA-M, MA-S), 2026-12-04." (registry.render).
_EXTRACT_DATE = re.compile(r", ([0-9]{4}-[0-9]{2}(?:-[0-9]{2})?)\.$")


def _data(name: str) -> str:
    return data_file(name).read_text(encoding="utf-8")


def oui_fragment(text: str, source: str = OUI_SOURCE) -> dict[str, Any]:
    """A catalog fragment from a registry extract: tab-separated ``oui``, ``group`` (catalog name), ``ieee_owner``."""
    ouis: list[dict[str, str]] = []
    lines = text.splitlines()
    dated = _EXTRACT_DATE.search(lines[0]) if lines and lines[0].startswith("#") else None
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        prefix, group, owner = [*line.split("\t"), "", ""][:3]
        if prefix == "oui":
            continue  # the header row
        ouis.append({"prefix": prefix.strip(), "entity": group.strip(), "owner": owner.strip()})
    fragment: dict[str, Any] = {"version": 1, "source": source, "ouis": ouis}
    if dated is not None:
        fragment["date"] = dated.group(1)
    return fragment


@functools.lru_cache(maxsize=1)
def builtin_fragments() -> tuple[Mapping[str, Any], ...]:
    """The built-in fragments, read once per process (the same objects every time, so their catalog is cached)."""
    # The located-data reader: the same values as yaml.safe_load, in two thirds of the time.
    (vendors,) = load_documents(_data("vendors.yaml"))
    return (vendors, oui_fragment(_data(OUI_FILE)))


@hookimpl(tryfirst=True)
def vmspolicy_vendor_data() -> Sequence[Mapping[str, Any]]:
    """The built-in vendor catalog."""
    return builtin_fragments()
