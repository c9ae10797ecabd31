"""SARIF as its consumers read it: the OASIS standard, the Microsoft multitool, GitHub code scanning's limits."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reporters import sample
from tests.reporters.validators import assert_valid_sarif, multitool_problems
from vmspolicy.cli import main
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.source import Location
from vmspolicy.reporters.common import REPOSITORY_URL, RULES_REFERENCE, rule_anchor, rules_reference
from vmspolicy.reporters.sarif import MAX_RESULTS, SECURITY_SEVERITY, SarifReporter, sarif_log, security_severity
from vmspolicy.run.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]


def builtin_rules() -> dict[str, type]:
    return {rule.code: rule for rule in load_plugins(entry_points_enabled=False).rules()}


def example_sarif(where: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """A real run on the example estate: built-in rules, a waiver, findings of every kind."""
    monkeypatch.chdir(ROOT)
    assert main(["check", "--no-plugins", "--as-of", "2026-11-28", "--output", f"sarif:{where}", "examples/"]) == 1
    capsys.readouterr()
    return where.read_text(encoding="utf-8")


def test_suppressions_carry_the_standard_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    log = assert_valid_sarif(SarifReporter().render(sample.failing_result()))
    suppressions = [s for r in log["runs"][0]["results"] for s in r.get("suppressions", [])]
    assert suppressions and all(s["status"] == "accepted" and "state" not in s for s in suppressions)


def test_the_multitool_and_githubs_rules_accept_every_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    files = [tmp_path / "example.sarif"]
    example = example_sarif(files[0], monkeypatch, capsys)
    assert '"suppressions"' in example
    monkeypatch.chdir(tmp_path)
    logs = {
        "failing": sarif_log(sample.failing_result()),
        "clean": sarif_log(sample.clean_result()),
        "capped": sarif_log(sample.failing_result(), limit=2),
    }
    for name, log in logs.items():
        files.append(tmp_path / f"{name}.sarif")
        files[-1].write_text(json.dumps(log, indent=2), encoding="utf-8")
    assert multitool_problems(*files) == []


def test_the_multitool_rejects_the_pre_standard_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The validator really reads suppressions: the draft's name is an error to it, as to GitHub.
    monkeypatch.chdir(tmp_path)
    text = SarifReporter().render(sample.failing_result()).replace('"status": "accepted"', '"state": "accepted"')
    (tmp_path / "draft.sarif").write_text(text, encoding="utf-8")
    problems = multitool_problems(tmp_path / "draft.sarif")
    assert any(p.startswith("JSON1005") and "state" in p for p in problems), problems


def test_every_built_in_rule_is_graded_and_the_grades_follow_the_harm() -> None:
    rules = builtin_rules()
    assert set(rules) <= set(SECURITY_SEVERITY), sorted(set(rules) - set(SECURITY_SEVERITY))
    grade = {code: float(security_severity(rule)) for code, rule in rules.items()}
    assert all(0.0 < value <= 10.0 for value in grade.values())
    # GitHub: critical from 9.0, high from 7.0, medium from 4.0.
    assert grade["VP101"] >= 9.0 and grade["VP203"] >= 9.0
    assert grade["VP005"] < 4.0 < grade["VP003"] < 7.0 <= grade["VP103"] < grade["VP102"] < grade["VP101"]


def test_the_readme_documents_the_grades() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| (VP\d{3}) [^|]*\| (\d+\.\d) \|", readme, flags=re.MULTILINE))
    assert documented == SECURITY_SEVERITY


def test_rules_link_to_their_reference_at_the_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    log = assert_valid_sarif(example_sarif(tmp_path / "example.sarif", monkeypatch, capsys))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == REPOSITORY_URL
    reference = (ROOT / RULES_REFERENCE).read_text(encoding="utf-8")
    rules = builtin_rules()
    for descriptor in driver["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["helpUri"] == f"{REPOSITORY_URL}/blob/v{driver['version']}/docs/rules.md#{rule_anchor(rule)}"
        assert f"\n## {rule.code} {rule.slug}\n" in reference
    # A rule the project does not document (a plugin's, here the samples') gets no link rather than a dead one.
    monkeypatch.chdir(tmp_path)
    assert all("helpUri" not in d for d in sarif_log(sample.failing_result())["runs"][0]["tool"]["driver"]["rules"])


def test_the_rule_reference_is_generated_from_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--no-plugins", "--format", "markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed == rules_reference(builtin_rules().values())
    assert printed == (ROOT / RULES_REFERENCE).read_text(encoding="utf-8"), (
        f"{RULES_REFERENCE} is stale: vmspolicy rules --no-plugins --format markdown > {RULES_REFERENCE}"
    )


def test_the_repository_url_is_the_projects() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Repository"] == REPOSITORY_URL


def test_a_run_keeps_the_most_severe_results_and_says_how_many_it_left_out(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = sample.failing_result()  # error XP001, error XP005, warning XP004, suppressed error XP003
    log = assert_valid_sarif(json.dumps(sarif_log(result, limit=2)))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["XP005", "XP001"]  # the errors that count, in report order
    assert {key: run["properties"][key] for key in ("resultsOmitted", "findings")} == {"resultsOmitted": 2, "findings": 4}
    notice = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notice["level"] == "warning"
    assert notice["message"]["text"].startswith("2 of 4 findings are not in this log")
    full = sarif_log(result)["runs"][0]
    assert "resultsOmitted" not in full.get("properties", {}) and "toolExecutionNotifications" not in full["invocations"][0]


def test_githubs_limit_is_25000_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert MAX_RESULTS == 25_000
    rule = sample.AddressOutsideZone
    findings = [rule.finding(Location("estate/big.yaml", 1 + n, 1), f"cam-{n} is outside its zone", subject=f"cam-{n}",
                             evidence=str(n)) for n in range(MAX_RESULTS)]
    note = sample.InformationalRule.finding(Location("estate/big.yaml", 1, 5), "a note", subject="note", severity=Severity.INFO)
    result = replace(sample.clean_result(), findings=sorted([*findings, note], key=Finding.sort_key))
    run = sarif_log(result)["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert "XP999" not in {r["ruleId"] for r in run["results"]}
    assert run["properties"]["resultsOmitted"] == 1
