"""The plugin's tests: its cases run through the real command line, with the plugin installed (pip install -e .)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from vmspolicy.testing import Case, assert_case, find_cases, run_cli

CASES_DIR = Path(__file__).parent / "cases"
CASES = find_cases(CASES_DIR)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case) -> None:
    assert_case(case)


def test_the_plugin_is_installed_and_listed() -> None:
    assert "ACME101  camera-asset-tag" in run_cli("rules").stdout
    assert "acme-2026" in run_cli("packs").stdout
    explained = run_cli("explain", "camera-asset-tag")
    assert explained.exit_code == 0 and "Every camera carries an ACME asset tag." in explained.stdout


def test_the_csv_report() -> None:
    run = run_cli("check", "--format", "csv", ".", cwd=CASES_DIR / "asset-tags")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["path"], r["line"], r["rule"], r["severity"], r["subject"]) for r in rows] == [
        ("estate.camlist", "5", "ACME101", "warning", "cam-yard"),
    ]


def test_the_tag_prefix_is_an_option(tmp_path: Path) -> None:
    (tmp_path / "estate.camlist").write_text("site hq\ncamera cam-1 site=hq vendor=Axis tag=X-1\n", encoding="utf-8")
    assert "ACME101" in run_cli("check", ".", cwd=tmp_path).stdout
    (tmp_path / ".vmspolicy.yaml").write_text("rules:\n  ACME101: {prefix: X-}\n", encoding="utf-8")
    assert "ACME101" not in run_cli("check", ".", cwd=tmp_path).stdout
