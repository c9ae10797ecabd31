"""The formats through the command line: several outputs in one run, GitHub annotations on Actions,
and every rule case of the suite rendered as SARIF and JUnit that the official schemas accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.casefiles import CASES, Case, discover_cases
from tests.conftest import Cli
from tests.manifests import CLEAN, VIOLATING
from tests.reporters.validators import assert_valid_junit, assert_valid_sarif
from vmspolicy.cli import main


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    return tmp_path


def test_several_outputs_in_one_run(cli: Cli, estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, stdout = cli(
        "check", "--no-plugins", "--as-of", "2026-03-01", "estate.yaml",
        "--output", "sarif:reports/results.sarif",
        "--output", "junit:reports/junit.xml",
        "--output", "gitlab:gl-code-quality-report.json",
        "--output", "attestation:attestation.json", cwd=estate,
    )[:2]
    assert code == 1
    assert stdout.startswith("estate.yaml:8:43: VP005 [error]")  # the text still goes to the terminal
    assert "::error" not in stdout
    log = assert_valid_sarif((estate / "reports/results.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["VP005"]
    assert_valid_junit((estate / "reports/junit.xml").read_text(encoding="utf-8"))
    issues = json.loads((estate / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [("estate.yaml", 8)]
    statement = json.loads((estate / "attestation.json").read_text(encoding="utf-8"))
    assert statement["subject"][0]["name"] == "estate.yaml"
    import hashlib

    assert statement["subject"][0]["digest"]["sha256"] == hashlib.sha256(VIOLATING.encode()).hexdigest()


def test_github_annotations_come_with_the_text_on_actions(cli: Cli, estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, stdout = cli("check", "--no-plugins", "--as-of", "2026-03-01", "estate.yaml", cwd=estate)[:2]
    assert code == 1
    lines = stdout.splitlines()
    assert lines[0].startswith("estate.yaml:8:43: VP005")
    assert "::error file=estate.yaml,line=8,col=43,title=VP005 address-outside-zone::cam-2 has address" in stdout
    code, stdout = cli("check", "--no-plugins", "--format", "github", "estate.yaml", cwd=estate)[:2]
    assert stdout.count("::error ") == 1, "annotations are printed once when github is the chosen format"


def test_clean_estate_gives_empty_results(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "estate.yaml").write_text(CLEAN, encoding="utf-8")
    code, stdout = cli("check", "--no-plugins", "--format", "sarif", "estate.yaml", cwd=tmp_path)[:2]
    assert code == 0
    assert assert_valid_sarif(stdout)["runs"][0]["results"] == []


ALL_CASES = discover_cases()


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_every_rule_case_renders_valid_sarif_and_junit(cli: Cli, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    common = ["check", "--no-plugins", *case.options, *case.targets]
    code, sarif = cli(*common, "--format", "sarif", cwd=case.root)[:2]
    assert code in (0, 1), sarif
    log = assert_valid_sarif(sarif)
    assert log["runs"][0]["results"] is not None
    code, junit = cli(*common, "--format", "junit", cwd=case.root)[:2]
    assert code in (0, 1), junit
    assert_valid_junit(junit)


def test_the_case_folder_exists() -> None:
    assert CASES.is_dir() and ALL_CASES


def test_machine_readable_stdout_stays_parseable_on_actions(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(estate)
    assert main(["check", "--no-plugins", "--format", "json", "estate.yaml"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["findings"][0]["rule"] == "VP005"
    assert "::error file=estate.yaml,line=8,col=43,title=VP005" in err


def test_report_refuses_an_output_name_it_cannot_write(estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(estate)
    assert main(["report", "--no-plugins", "estate.yaml", "--output", "report.pdf"]) == 2
    assert "report.pdf" in capsys.readouterr().err and not (estate / "report.pdf").exists()
