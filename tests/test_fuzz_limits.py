"""Property tests for hostile inputs: random port specifications, XML encodings, spreadsheets and YAML or JSON data.

Beside the command-line fuzz tests (tests/test_fuzz.py): each property drives one loader or the
model builder with what an attacker controls and checks the promise that bad input becomes a
located finding, never a silent pass or a crash. In CI (CI=true) the examples are derandomised
by the profile tests/conftest.py loads.
"""

from __future__ import annotations

import encodings.aliases
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.bom import BOM_LOADER
from vmspolicy.loading.manifest import MANIFEST_LOADER
from vmspolicy.loading.opnsense import OPNSENSE_LOADER

LIMITS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

MANIFEST = """\
vmspolicy: 1
sites: [{{id: hq}}]
zones: [{{id: legacy, site: hq, purpose: legacy-cameras, cidr: 10.0.0.0/24}}]
firewalls:
  - id: fw
    site: hq
    default: allow
    rules:
      - {{name: guard, from: legacy, to: internet, ports: ["{spec}"], action: deny}}
"""

ports = st.one_of(st.integers(0, 70000), st.sampled_from([0, 1, 65535, 65536, 99999]))


@LIMITS
@given(st.sampled_from(["tcp", "udp", "sctp"]), ports, st.one_of(st.none(), ports))
def test_a_port_specification_is_a_range_or_vp002_at_it(protocol: str, low: int, high: int | None) -> None:
    spec = f"{protocol}/{low}" + (f"-{high}" if high is not None else "")
    documents = MANIFEST_LOADER.load(SourceFile("fw.yaml", MANIFEST.format(spec=spec).encode()))
    assert documents is not None
    estate, findings = build_estate(list(documents))
    top = low if high is None else high
    valid = 1 <= low <= top <= 65535
    at_value = [f for f in findings if f.rule == "VP002" and f.line == 9 and f.column > 50 and spec in f.message]
    assert bool(at_value) is not valid, (spec, findings)
    # A deny whose ports cannot be read exactly denies nothing: it cannot hide a path.
    assert [r.name for r in estate.firewalls[0].rules] == (["guard"] if valid else [])


CODEC_NAMES = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
declared = st.one_of(
    st.sampled_from(CODEC_NAMES),
    st.sampled_from(["UTF-7", "UTF-32", "UTF-32BE", "utf-16", "UTF-8", "ISO-8859-1", "x-unknown", "", "base64", "rot13", "hex"]),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\"'<>&?"), max_size=20),
)


@LIMITS
@given(declared, st.sampled_from(["opnsense", "pfsense"]), st.text(max_size=30))
def test_any_declared_xml_encoding_is_read_or_a_located_parse_error(name: str, root: str, text: str) -> None:
    body = f"<{root}><system><hostname>{text}</hostname></system></{root}>"
    raw = f'<?xml version="1.0" encoding="{name}"?>\n'.encode("ascii") + body.encode("utf-8", errors="replace")
    try:
        OPNSENSE_LOADER.load(SourceFile("config.xml", raw))
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1


cell = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=15),
                 st.sampled_from(["Vendor", "Manufacturer", "Model", "SKU", "Hikvision", "Dahua", "Axis", "DS-2CD2143G0-I", "=SUM(A1)"]))
sheet = st.lists(st.lists(cell, max_size=6), max_size=8)


def _workbook(sheets: list[list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        target = book.create_sheet(f"S{index}")
        for row in rows:
            target.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _claiming_one_cell(raw: bytes) -> bytes:
    """The same workbook, each sheet declaring that it holds only A1 (``<dimension ref="A1:A1"/>``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(info, data)
    return out.getvalue()


def _outcome(raw: bytes) -> Any:
    try:
        documents = BOM_LOADER.load(SourceFile("bom.xlsx", raw))
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return ("VP001", exc.message)
    assert documents is not None
    return documents[0].data


@LIMITS
@given(st.lists(sheet, min_size=1, max_size=3))
def test_a_random_workbook_is_read_whole_or_is_vp001(sheets: list[list[list[Any]]]) -> None:
    raw = _workbook(sheets)
    outcome = _outcome(raw)
    if not isinstance(outcome, tuple):
        build_estate([d for d in BOM_LOADER.load(SourceFile("bom.xlsx", raw)) or []])
    # What a sheet says it holds changes nothing: every cell is read, as a spreadsheet application shows it.
    assert _outcome(_claiming_one_cell(raw)) == outcome


@pytest.mark.parametrize("limit", ["MAX_CELLS", "MAX_CELL_CHARS", "MAX_UNPACKED_BYTES"])
@LIMITS
@given(st.lists(sheet, min_size=1, max_size=2))
def test_over_any_limit_a_workbook_is_vp001_naming_it(limit: str, sheets: list[list[list[Any]]]) -> None:
    from vmspolicy.loading import bom

    raw = _workbook([[["Vendor", "x" * 12], *rows] for rows in sheets])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bom, limit, {"MAX_CELLS": 1, "MAX_CELL_CHARS": 11, "MAX_UNPACKED_BYTES": 1000}[limit])
        with pytest.raises(ParseError, match=r"limit"):
            BOM_LOADER.load(SourceFile("bom.xlsx", raw))


# Random YAML data: scalars, and mappings and sequences of them, nested a few levels.
yaml_data = st.recursive(
    st.one_of(st.integers(-5, 5), st.text("abz ", max_size=4), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text("kqx", min_size=1, max_size=3), inner, max_size=4)),
    max_leaves=30,
)


def _counted(value: Any) -> tuple[int, int]:
    """The nodes and the mappings and sequences a reader builds of ``value`` (keys are nodes too)."""
    if isinstance(value, dict):
        inner = [_counted(v) for v in value.values()]
        return 1 + len(value) + sum(n for n, _ in inner), 1 + sum(c for _, c in inner)
    if isinstance(value, list):
        inner = [_counted(v) for v in value]
        return 1 + sum(n for n, _ in inner), 1 + sum(c for _, c in inner)
    return 1, 0


@LIMITS
@given(yaml_data, st.sampled_from(["yaml", "json"]), st.integers(-2, 2))
def test_a_file_is_read_whole_exactly_when_its_nodes_are_within_the_limit(data: Any, kind: str, offset: int) -> None:
    import json

    import yaml

    from vmspolicy.core.limits import NodeLimit, TooManyNodes

    nodes, _ = _counted(data)
    text = json.dumps(data) if kind == "json" else yaml.safe_dump(data, default_flow_style=bool(offset % 2))
    limit = max(1, nodes + offset)
    source = SourceFile(f"data.{kind}", text.encode("utf-8"), node_limit=NodeLimit(limit))
    if nodes <= limit:
        assert source.documents() is not None
    else:
        with pytest.raises(TooManyNodes, match=f"more than the {limit:,} nodes"):
            source.documents()


@LIMITS
@given(yaml_data, st.integers(0, 3))
def test_mappings_and_sequences_past_their_share_are_refused(data: Any, share: int) -> None:
    import yaml

    from vmspolicy.core import limits
    from vmspolicy.core.limits import NodeLimit, TooManyNodes

    nodes, containers = _counted(data)
    text = yaml.safe_dump(data).encode("utf-8")
    original = limits.MAX_CONTAINERS
    limits.MAX_CONTAINERS = share  # a larger share than a third of the nodes would never be reached here
    try:
        source = SourceFile("data.yaml", text, node_limit=NodeLimit(3 * share + 2))
        if nodes > 3 * share + 2:
            with pytest.raises(TooManyNodes):
                source.documents()
        elif containers > share:
            with pytest.raises(TooManyNodes, match="mappings and sequences"):
                source.documents()
        else:
            assert source.documents() is not None
    finally:
        limits.MAX_CONTAINERS = original
