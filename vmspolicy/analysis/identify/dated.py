"""How current the vendor data of a run is: each catalog fragment's source and the date of its facts.

A verdict from vendor data is only as good as that data's date: a maker's MAC
block registered after the extract, or a model line launched after the
catalog was written, is not in it. So ``vmspolicy packs`` and every report
name each fragment the run identified devices with, and its date.
"""

from __future__ import annotations

import re
from typing import Any, Final, Mapping, Sequence

from vmspolicy.core.records import record

# ``2026-12-04`` or ``2026-03``: what a fragment's ``date`` holds (schemas/vendors.schema.json).
DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?")


@record(frozen=True, slots=True)
class VendorDataSource:
    """One fragment of the vendor data: where it comes from, the date of its facts, built-in or a plugin's."""

    source: str
    date: str | None  # YYYY-MM-DD or YYYY-MM; None when the fragment gives no date
    origin: str  # built-in | plugin

    def __str__(self) -> str:
        return f"{self.date or 'undated'} {self.source} ({self.origin})"


def vendor_data_sources(fragments: Sequence[Mapping[str, Any]]) -> tuple[VendorDataSource, ...]:
    """The sources of ``fragments`` (the built-in catalog when empty), built-ins first, as identification merges them."""
    from vmspolicy.analysis.identify.builtin import builtin_fragments

    builtin = builtin_fragments()
    if not fragments:
        fragments = builtin
    ordered = [*(f for f in fragments if any(f is b for b in builtin)), *(f for f in fragments if not any(f is b for b in builtin))]
    return tuple(
        VendorDataSource(
            str(f.get("source") or "a fragment that names no source"),
            str(f["date"]) if isinstance(f.get("date"), str) and DATE.fullmatch(str(f["date"])) else None,
            "built-in" if any(f is b for b in builtin) else "plugin",
        )
        for f in ordered
    )
