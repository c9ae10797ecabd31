"""The built-in vendor catalog, registered through the same hook as a plugin's.

Two fragments: ``data/vendors.yaml`` (families, brands, relabels, patterns,
known makers, false friends) and ``data/oui-restricted-2026-03.tsv``, the IEEE
MA-L registry extract of the restricted families' MAC blocks, kept verbatim
with its source in its header.

Both are also shipped precompiled, as the fragments' JSON in
``data/vendor-catalog.json``: reading the YAML and the extract cost a one-file
pre-commit run some 6 ms of its start-up, the JSON about 1 ms. The JSON
records the SHA-256 of the sources it was compiled from and is used only while
they match, so an edited ``vendors.yaml`` or a new extract takes effect at once
(compiled from source, as before) until the JSON is rewritten with::

    python -m vmspolicy.analysis.identify.builtin

``tests/identify/test_precompiled.py`` checks that the shipped JSON is what
compiling the shipped sources gives.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from typing import Any, Final, Mapping, Sequence

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


PRECOMPILED_FILE: Final = "vendor-catalog.json"
# Part of the sources' digest: change it when compile_sources changes what it makes of the same files.
_PRECOMPILED_FORMAT: Final = 1


def _sources() -> tuple[str, str]:
    return _data("vendors.yaml"), _data(OUI_FILE)


def sources_digest(sources: tuple[str, str]) -> str:
    """What the precompiled form is keyed by: both source files, the extract's name and source, the format."""
    digest = hashlib.sha256(f"{_PRECOMPILED_FORMAT}\0{OUI_FILE}\0{OUI_SOURCE}".encode())
    for text in sources:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def compile_sources(sources: tuple[str, str]) -> tuple[Mapping[str, Any], ...]:
    """The built-in fragments read from ``vendors.yaml`` and the registry extract."""
    # The located-data reader: the same values as yaml.safe_load, in two thirds of the time.
    vendors_text, oui_text = sources
    (vendors,) = load_documents(vendors_text)
    return (vendors, oui_fragment(oui_text))


def render_precompiled(sources: tuple[str, str]) -> str:
    """The text of ``data/vendor-catalog.json`` for ``sources``: their digest and their fragments."""
    fragments = list(compile_sources(sources))
    return json.dumps({"sources_sha256": sources_digest(sources), "fragments": fragments}, ensure_ascii=False, indent=0) + "\n"


def _precompiled(digest: str) -> tuple[Mapping[str, Any], ...] | None:
    """The shipped fragments when they were compiled from these very sources, else None."""
    try:
        shipped = json.loads(_data(PRECOMPILED_FILE))
    except (OSError, ValueError):
        return None
    if not isinstance(shipped, dict) or shipped.get("sources_sha256") != digest:
        return None
    return tuple(shipped["fragments"])


def load_fragments(sources: tuple[str, str]) -> tuple[Mapping[str, Any], ...]:
    """The fragments of ``sources``: the shipped precompiled ones when compiled from them, else compiled now."""
    return _precompiled(sources_digest(sources)) or compile_sources(sources)


@functools.lru_cache(maxsize=1)
def builtin_fragments() -> tuple[Mapping[str, Any], ...]:
    """The built-in fragments, read once per process (the same objects every time, so their catalog is cached)."""
    return load_fragments(_sources())


@hookimpl(tryfirst=True)
def vmspolicy_vendor_data() -> Sequence[Mapping[str, Any]]:
    """The built-in vendor catalog."""
    return builtin_fragments()


def main() -> int:
    """Rewrite ``data/vendor-catalog.json`` from ``vendors.yaml`` and the registry extract."""
    target = data_file(PRECOMPILED_FILE)
    target.write_text(render_precompiled(_sources()), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
