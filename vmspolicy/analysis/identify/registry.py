"""The restricted families' MAC blocks, extracted from the IEEE registry's CSV files.

Nothing is downloaded at run time: the user downloads the registry's public
files (``oui.csv`` for MA-L, ``mam.csv`` for MA-M, ``oui36.csv`` for MA-S) and
this command writes the extract that ships as ``vmspolicy/data/oui-restricted-*.tsv``::

    python -m vmspolicy.analysis.identify.registry oui.csv mam.csv oui36.csv > vmspolicy/data/oui-restricted-2026-12.tsv

A block belongs in the extract when its organisation name names a family, one
of its brands or subsidiaries, or a relabel of the built-in catalog, as a
declared vendor would (``Hangzhou Hikvision Digital Technology Co.,Ltd.``,
``zte corporation``, ``Zhongxing Telecom``, ``Zhejiang HuaRay Technology``);
never by a misspelling, and never a false friend (``Shanghai Dahua Scale
Factory``). Rename the file's date and ``builtin.OUI_FILE`` together.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from typing import Iterable, TextIO

from vmspolicy.analysis.identify.catalog import Catalog, catalog_for
from vmspolicy.analysis.identify.evidence import read_vendor

HEADER = ("Registry", "Assignment", "Organization Name")


def restricted_rows(catalog: Catalog, rows: Iterable[dict[str, str]]) -> list[tuple[str, str, str]]:
    """(assignment, catalog name, organisation name) of each registry row that names a restricted family, brand or relabel."""
    found = []
    for row in rows:
        assignment = (row.get("Assignment") or "").strip().upper()
        owner = " ".join((row.get("Organization Name") or "").split())
        if not assignment or not owner:
            continue
        matches = [m for m in read_vendor(catalog, owner).matches if m.how != "near-miss"]
        if matches and all(m.entry.restricted for m in matches):
            found.append((assignment, matches[0].entry.name, owner))
    return sorted(found)


def read_registry(handles: Iterable[TextIO]) -> list[dict[str, str]]:
    """The rows of the registry's CSV files; a file without the registry's header is an error naming it."""
    rows: list[dict[str, str]] = []
    for handle in handles:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not set(HEADER) <= set(reader.fieldnames):
            raise ValueError(f"{getattr(handle, 'name', 'input')}: not an IEEE registry CSV (expected the columns {', '.join(HEADER)})")
        rows.extend(reader)
    return rows


def render(rows: list[tuple[str, str, str]], sources: list[str], today: dt.date) -> str:
    """The extract: a provenance header, then ``oui``, ``group``, ``ieee_owner`` separated by tabs."""
    head = [
        f"# Restricted-family MAC blocks: extract of the IEEE registry (MA-L, MA-M, MA-S), {today.isoformat()}.",
        f"# Source: {', '.join(sources)}; written by python -m vmspolicy.analysis.identify.registry.",
        "# Columns: oui (6, 7 or 9 hex digits), group (catalog family, brand or relabel), ieee_owner (the registry owner name, verbatim).",
        "oui\tgroup\tieee_owner",
    ]
    return "\n".join(head + ["\t".join(row) for row in rows]) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m vmspolicy.analysis.identify.registry oui.csv [mam.csv oui36.csv] > oui-restricted-YYYY-MM.tsv", file=sys.stderr)
        return 2
    try:
        handles = [open(path, encoding="utf-8-sig", newline="") for path in argv]  # noqa: SIM115 - closed below
        try:
            rows = read_registry(handles)
        finally:
            for handle in handles:
                handle.close()
    except (OSError, ValueError, csv.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(restricted_rows(catalog_for(()), rows), argv, dt.date.today()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
