"""Every output format, byte for byte against golden files, and against its consumer's schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden_files import assert_golden
from tests.reporters import sample
from tests.reporters.validators import assert_valid_junit, assert_valid_sarif
from vmspolicy.cli import main
from vmspolicy.reporters.base import Reporter, RunResult
from vmspolicy.reporters.common import fingerprint
from vmspolicy.reporters.github import escape_data, escape_property
from vmspolicy.run.plugins import load_plugins

EXTENSIONS = {"sarif": "sarif", "junit": "xml", "github": "txt", "gitlab": "json", "attestation": "json"}
RESULTS = {"failing": sample.failing_result, "clean": sample.clean_result}


def reporter(name: str) -> Reporter:
    found: Reporter = load_plugins(entry_points_enabled=False).reporters()[name]
    return found


def render(name: str, result: RunResult, where: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # Outside any git repository, so SARIF URIs are exactly the finding paths.
    monkeypatch.chdir(where)
    return reporter(name).render(result)


@pytest.mark.parametrize("which", sorted(RESULTS))
@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_golden(name: str, which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    output = render(name, RESULTS[which](), tmp_path, monkeypatch)
    assert_golden(f"reporters/{name}-{which}.{EXTENSIONS[name]}", output, update_golden)
    assert output == render(name, RESULTS[which](), tmp_path, monkeypatch), "output must be deterministic"


@pytest.mark.parametrize("which", sorted(RESULTS))
def test_sarif_is_valid_and_complete(which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = RESULTS[which]()
    log = assert_valid_sarif(render("sarif", result, tmp_path, monkeypatch))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["version"] == sample.VERSION
    assert [r["id"] for r in driver["rules"]] == sorted(r.code for r in result.rules)
    for descriptor in driver["rules"]:
        assert descriptor["name"] and descriptor["help"]["markdown"].startswith(f"**{descriptor['id']} {descriptor['name']}**")
        assert "### What it checks" in descriptor["help"]["markdown"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert len(run["results"]) == len(result.findings)  # a clean run still has results: []
    for sarif_result, finding in zip(run["results"], result.findings, strict=True):
        assert driver["rules"][sarif_result["ruleIndex"]]["id"] == finding.rule
        region = sarif_result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.column)
        assert sarif_result["partialFingerprints"]["vmspolicy/v1"] == fingerprint(finding)
        assert ("suppressions" in sarif_result) == (finding.suppressed is not None)


def test_sarif_suppression_keeps_the_justification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = json.loads(render("sarif", sample.failing_result(), tmp_path, monkeypatch))
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [(s["kind"], s["justification"]) for r in suppressed for s in r["suppressions"]] == [
        ("external", "Replacement scheduled with the lobby refit")
    ]


def test_sarif_uris_are_relative_to_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sites" / "hq").mkdir(parents=True)
    log = json.loads(render("sarif", sample.failing_result(), tmp_path / "sites" / "hq", monkeypatch))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "sites/hq/estate/cameras.yaml", "uriBaseId": "%SRCROOT%"}


def assert_code_quality(text: str) -> list[dict[str, object]]:
    """The fields GitLab's Code Quality documentation requires, with their types (GitLab publishes no JSON Schema)."""
    issues = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and isinstance(issue["check_name"], str)
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        path, begin = issue["location"]["path"], issue["location"]["lines"]["begin"]
        assert isinstance(path, str) and not path.startswith(("/", "./", "../")) and isinstance(begin, int) and begin >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    return list(issues)


@pytest.mark.parametrize("which", sorted(RESULTS))
def test_gitlab_code_quality_has_the_documented_fields(which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issues = assert_code_quality(render("gitlab", RESULTS[which](), tmp_path, monkeypatch))
    assert len(issues) == len(RESULTS[which]().active)  # suppressed findings are left out


def test_gitlab_paths_are_relative_to_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GitLab links Code Quality issues by path from the repository root, whichever folder vmspolicy ran in.
    (tmp_path / ".git").mkdir()
    (tmp_path / "sites" / "hq").mkdir(parents=True)
    issues = json.loads(render("gitlab", sample.failing_result(), tmp_path / "sites" / "hq", monkeypatch))
    assert [i["location"]["path"] for i in issues] == [
        "sites/hq/estate/cameras.yaml", "sites/hq/estate/network.yaml", f"sites/hq/{sample.ODD_PATH}"]


@pytest.mark.parametrize(("path", "expected"), [
    ("estate/cameras.yaml", "sites/hq/estate/cameras.yaml"),
    ("./estate/../cameras.yaml", "sites/hq/cameras.yaml"),
    ("../network.yaml", "sites/network.yaml"),
    ("../../../elsewhere.yaml", "../../../elsewhere.yaml"),  # outside the repository: as given
    ("<stdin>", "<stdin>"),
])
def test_repository_path(path: str, expected: str) -> None:
    from vmspolicy.reporters.common import repository_path

    assert repository_path(path, "sites/hq/") == expected


def test_absolute_paths_inside_the_repository_become_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    (tmp_path / ".git").mkdir()
    (tmp_path / "sites").mkdir()
    result = sample.failing_result()
    inside = str(tmp_path / "sites" / "cameras.yaml")
    moved = replace(result, findings=[replace(f, location=replace(f.location, path=inside)) for f in result.findings])
    issues = json.loads(render("gitlab", moved, tmp_path / "sites", monkeypatch))
    assert {i["location"]["path"] for i in issues} == {"sites/cameras.yaml"}
    log = json.loads(render("sarif", moved, tmp_path / "sites", monkeypatch))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "sites/cameras.yaml", "uriBaseId": "%SRCROOT%"}


@pytest.mark.parametrize("which", sorted(RESULTS))
def test_junit_is_valid(which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_valid_junit(render("junit", RESULTS[which](), tmp_path, monkeypatch))


def junit_cases(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """Per suite, as junitparser reads it: (test case, classname, outcome: passed, failure or skipped + message)."""
    import junitparser

    cases: dict[str, list[tuple[str, str, str]]] = {}
    for suite in assert_valid_junit(text):
        rows = cases.setdefault(suite.name, [])
        for case in suite:
            outcome = "passed"
            for item in case.result:
                if isinstance(item, junitparser.Failure):
                    outcome = "failure"
                elif isinstance(item, junitparser.Skipped):
                    outcome = f"skipped: {item.message}"
            rows.append((case.name.split(" (")[0], case.classname, outcome))
    return cases


def test_junit_fails_what_fails_the_gate_and_skips_every_other_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = junit_cases(render("junit", sample.failing_result(), tmp_path, monkeypatch))
    assert cases == {
        "estate/cameras.yaml": [
            ("XP005 address-outside-zone cam-2", "estate/cameras_yaml", "failure"),
            ("XP003 unknown-reference cam-9", "estate/cameras_yaml",
             "skipped: suppressed by waiver W-2024-007 (estate/cameras.yaml:40:7): Replacement scheduled with the lobby refit"),
        ],
        "estate/clean.yaml": [("no findings", "estate/clean_yaml", "passed")],
        "estate/network.yaml": [("XP004 duplicate-identity cctv", "estate/network_yaml",
                                 "skipped: warning below --fail-on error: reported, does not fail the gate")],
        sample.ODD_PATH: [("XP001 parse-error", "estate/odd, name: 100%_yaml", "failure")],
        "estate/archive/2019.yaml": [("excluded", "estate/archive/2019_yaml",
                                      "skipped: not judged: excluded by the configuration's pattern 'estate/archive/**'")],
    }


def test_junit_counts_failures_and_skips_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suites = {s.name: (s.tests, s.failures, s.skipped) for s in assert_valid_junit(
        render("junit", sample.failing_result(), tmp_path, monkeypatch))}
    assert suites == {
        "estate/cameras.yaml": (2, 1, 1),
        "estate/clean.yaml": (1, 0, 0),
        "estate/network.yaml": (1, 0, 1),
        sample.ODD_PATH: (1, 1, 0),
        "estate/archive/2019.yaml": (1, 0, 1),
    }
    from xml.etree import ElementTree as ET

    failure = ET.fromstring(render("junit", sample.failing_result(), tmp_path, monkeypatch)).find(".//failure")
    assert failure is not None and failure.text is not None and failure.text.startswith("estate/cameras.yaml:15:9: XP005")


def test_junit_classnames_have_no_dot_for_jenkins_to_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from vmspolicy.reporters.base import InputFile

    # Jenkins reads `a.b` as class b of package a: a file would become class `yaml`.
    result = replace(sample.clean_result(), inputs=[InputFile("sites/hq.example/cams.v2.yaml", "b" * 64, "manifest")])
    cases = junit_cases(render("junit", result, tmp_path, monkeypatch))
    assert cases == {"sites/hq.example/cams.v2.yaml": [("no findings", "sites/hq_example/cams_v2_yaml", "passed")]}


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a, b: c%") == "a%2C b%3A c%25"


def test_github_annotations_skip_suppressed_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = render("github", sample.failing_result(), tmp_path, monkeypatch).splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "::error file=estate/cameras.yaml,line=15,col=9,title=XP005 address-outside-zone::"
        "cam-2 has address 10.20.40.11, outside its zone cctv (10.20.30.0/24); fix the address or the zone"
    )
    assert lines[1].startswith("::warning file=estate/network.yaml,line=7,col=5,title=XP004 duplicate-identity::")
    assert lines[2].startswith("::error file=estate/odd%2C name%3A 100%25.yaml,line=3,col=1,")


def test_gitlab_severities_follow_the_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from vmspolicy.core.findings import Severity

    result = sample.failing_result()
    issues = json.loads(render("gitlab", result, tmp_path, monkeypatch))
    assert [(i["check_name"], i["severity"]) for i in issues] == [
        ("XP005 address-outside-zone", "blocker"),
        ("XP004 duplicate-identity", "minor"),
        ("XP001 parse-error", "blocker"),
    ]
    strict = json.loads(render("gitlab", replace(result, fail_on=Severity.WARNING), tmp_path, monkeypatch))
    assert strict[1]["severity"] == "critical"
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert issues[0]["location"] == {"path": "estate/cameras.yaml", "lines": {"begin": 15}}


def test_attestation_is_an_in_toto_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statement = json.loads(render("attestation", sample.failing_result(), tmp_path, monkeypatch))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"][0] == {"name": "estate/cameras.yaml", "digest": {"sha256": "a" * 64}}
    assert statement["predicateType"].startswith("https://vmspolicy.dev/")
    predicate = statement["predicate"]
    assert predicate["verdict"] == "fail"
    assert predicate["asOf"] == "2026-03-01"
    assert [p["id"] for p in predicate["packs"]] == ["uk-gov-2022"]
    assert predicate["counts"]["suppressed"] == 1
    clean = json.loads(render("attestation", sample.clean_result(), tmp_path, monkeypatch))
    assert clean["predicate"]["verdict"] == "pass"


@pytest.mark.parametrize("args", [["--format", "attestation"], ["--output", "attestation:out/statement.json"]])
def test_nothing_to_attest_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    # in-toto wants at least one subject: an empty statement would attest nothing while looking valid.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    assert main(["check", "--no-plugins", "--allow-empty", *args, "notes.yaml"]) == 2
    assert "no input file to attest" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["check", "--no-plugins", "--allow-empty", "notes.yaml"]) == 0  # the other formats still allow it


def test_applied_packs_follow_site_policies_then_the_selection() -> None:
    from dataclasses import replace

    from vmspolicy.core.model import Estate, Origin, Site
    from vmspolicy.core.source import LocatedMap
    from vmspolicy.reporters.common import applied_packs

    def site(name: str, *policies: str) -> Site:
        return Site(name, Origin("sites.yaml", LocatedMap()), policies=policies)

    packs = ({"id": "uk-gov-2022"}, {"id": "us-ndaa-889"}, {"id": "au-gov-2023"})
    named_and_default = Estate({"a": site("a", "us-ndaa-889"), "b": site("b")}, {}, {}, (), {})
    result = replace(sample.clean_result(), packs=packs, profiles=(), estate=named_and_default)
    assert [p["id"] for p in applied_packs(result)] == ["uk-gov-2022", "us-ndaa-889"]
    all_named = Estate({"a": site("a", "au-gov-2023")}, {}, {}, (), {})
    assert [p["id"] for p in applied_packs(replace(result, estate=all_named, profiles=("us-ndaa-889",)))] == ["au-gov-2023"]
    assert [p["id"] for p in applied_packs(replace(result, estate=None, profiles=("us-ndaa-889",)))] == ["us-ndaa-889"]


def test_text_summary_counts_the_files_seen_and_not_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = render("text", sample.failing_result(), tmp_path, monkeypatch).splitlines()[-1]
    assert " in 4 files (1 suppressed); " in summary
    assert "; 1 skipped as not a manifest, 1 outside the estate, 2 excluded; as of 2026-03-01." in summary
    clean = render("text", sample.clean_result(), tmp_path, monkeypatch)
    assert "; as of" in clean and "excluded" not in clean


def test_json_inputs_list_excluded_manifests_with_their_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = json.loads(render("json", sample.failing_result(), tmp_path, monkeypatch))
    assert report["inputs"][-1] == {"path": "estate/archive/2019.yaml", "sha256": "e" * 64, "format": "manifest",
                                    "excluded_by": "estate/archive/**"}
    assert report["summary"]["files"] == 4  # the files judged
