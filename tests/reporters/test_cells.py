"""A finding in a spreadsheet names its cell in every output, the way a spreadsheet user looks for it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from tests.golden_files import assert_golden
from tests.reporters import sample
from tests.reporters.validators import assert_valid_junit, assert_valid_sarif
from vmspolicy.core import codes
from vmspolicy.core.schemas import load_schema
from vmspolicy.core.source import Location
from vmspolicy.reporters.base import InputFile, RunResult
from vmspolicy.reporters.compliance import render_html, render_markdown
from vmspolicy.run.plugins import load_plugins

CELL = "'Price list'!D6"
EXTENSIONS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt", "gitlab": "json", "attestation": "json"}


def result_in_a_workbook() -> RunResult:
    finding = codes.PARSE_ERROR.finding(
        Location("quotes/bom.xlsx", 9, 4, CELL),
        "this row has 4 cells but the header has 3: a cell holding the delimiter must be quoted, or every later column shifts",
    )
    return dataclasses.replace(sample.clean_result(), findings=[finding],
                               inputs=[InputFile("quotes/bom.xlsx", "f" * 64, "unreadable")])


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_every_format_names_the_cell(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    monkeypatch.chdir(tmp_path)  # outside any git repository: SARIF URIs are the finding paths
    output = load_plugins(entry_points_enabled=False).reporters()[name].render(result_in_a_workbook())
    assert CELL in output.replace("\\'", "'").replace("&apos;", "'").replace("&#x27;", "'")
    assert_golden(f"reporters/cell-{name}.{EXTENSIONS[name]}", output, update_golden)


def test_the_cell_is_where_each_consumer_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    reporters = load_plugins(entry_points_enabled=False).reporters()
    result = result_in_a_workbook()
    sarif = assert_valid_sarif(reporters["sarif"].render(result))
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 9, "startColumn": 4, "properties": {"cell": CELL}}
    report = json.loads(reporters["json"].render(result))
    jsonschema.Draft202012Validator(load_schema("report")).validate(report)
    assert report["findings"][0]["cell"] == CELL
    assert_valid_junit(reporters["junit"].render(result))
    assert reporters["text"].render(result).startswith(f"quotes/bom.xlsx:9:4 (cell {CELL}): VP001")


def test_the_compliance_report_names_the_cell() -> None:
    report = dataclasses.replace(sample.compliance_report(), result=result_in_a_workbook())
    assert f"quotes/bom.xlsx:9:4 (cell {CELL})" in render_markdown(report)
    assert "quotes/<wbr>bom.xlsx:9:4 (cell &#x27;Price list&#x27;!D6)" in render_html(report)
