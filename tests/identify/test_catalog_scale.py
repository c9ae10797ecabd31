"""Identification measured on public model lists (benchmarks/identification.py).

The restricted lists are split into a part the model patterns were written
from and a held-out part they were not: the held-out recall of every catalog
list (a maker's own list or a curated library) must reach 98%. Field lists
(what users typed into a camera database) are measured, not gated. Among more
than 3,000 model strings of more than 30 makers that no pack restricts, none
may be identified as a restricted family, but for the reviewed entries that
are a restricted family's own model number filed under another maker.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import identification  # noqa: E402  (benchmarks/ holds scripts, not a package)

LISTS = identification.restricted_lists()
REVIEWED = identification.CATALOG / "field-other-makers.reviewed.txt"


def _reviewed() -> set[tuple[str, str]]:
    lines = REVIEWED.read_text(encoding="utf-8").splitlines()
    return {tuple(line.split("\t")[:2]) for line in lines if line.strip() and not line.startswith("#")}  # type: ignore[misc]


def test_every_list_says_where_it_comes_from_and_when() -> None:
    paths = [identification.CATALOG / f"{m.name}.{m.part}.txt" for m in LISTS] + [identification.CATALOG / n for n in identification.OTHER_MAKERS]
    for path in paths:
        head = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        assert any("Source: " in line and " at commit " in line for line in head), path.name
        assert any("Taken: 2026-" in line for line in head), path.name


def test_the_split_is_the_documented_hash() -> None:
    for model_list in LISTS:
        assert all(identification.heldout_by_hash(m) == (model_list.part == "heldout") for m in model_list.models), model_list.name


@pytest.mark.parametrize("model_list", [m for m in LISTS if m.kind == "catalog" and m.part == "heldout"], ids=lambda m: m.name)
def test_held_out_catalog_recall_reaches_98_percent(model_list: identification.ModelList) -> None:
    result = identification.recall(model_list)
    assert result.total >= 20
    assert result.rate >= 0.98, f"{model_list.name}: {result.rate:.1%} of {result.total}"


def test_no_false_positives_among_other_makers() -> None:
    pairs = identification.other_makers()
    totals, _, found = identification.false_positives(pairs)
    assert len(pairs) >= 3000 and len(totals) >= 30
    reviewed = _reviewed()
    unexplained = [f for f in found if f[:2] not in reviewed]
    assert not unexplained, unexplained
    assert {f[:2] for f in found} == reviewed, "a reviewed entry is no longer identified: drop it from the reviewed list"


def test_network_makers_numbering_is_nobody_restricted() -> None:
    # Switches, routers and access points whose numbering resembles Huawei's (H3C-built HPE S5120-28C-EI, FS S5850,
    # Allied Telesis AR2050V) or Dahua's (Cisco ASA) are among the other makers, by maker.
    totals, flagged, _ = identification.false_positives(identification.other_makers())
    for maker in ("juniper", "aruba", "hpe", "cisco", "ubiquiti", "mikrotik", "arista", "palo-alto", "fortinet", "allied-telesis", "fs"):
        assert totals[maker] >= 30 and flagged[maker] == 0, maker


def test_the_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert identification.main([]) == 0
    out = capsys.readouterr().out
    assert "| hikvision-download-centre | catalog | Hikvision |" in out and "false positives" in out
