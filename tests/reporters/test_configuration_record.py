"""Every report records what the configuration did: its file with its SHA-256, the settings in force, the refusals."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import Cli
from tests.manifests import VIOLATING
from tests.reporters.validators import assert_valid_sarif
from vmspolicy.analysis.identify.builtin import builtin_fragments
from vmspolicy.cli import main
from vmspolicy.core.schemas import load_schema

CONFIG = """\
disable: [VP106, VP101]
exclude: ["archive/**"]
formats: {"nvr/*.yml": frigate}
rules:
  VP303: {days: 30}
  VP005: {severity: warning}
packs:
  - id: acme-cctv
    title: ACME CCTV standard
    families: [Hikvision]
    cutoff: "2024-01-01"
    mandatory: [VP001, VP102]
    sources: [{title: "ACME SEC-7", url: "https://intranet.example.com/sec-7", date: "2024-01-01"}]
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    (tmp_path / "branch.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: branch, policies: [acme-cctv]}]\ncameras: [{id: cam-9, site: branch, vendor: Axis}]\n", encoding="utf-8"
    )
    (tmp_path / ".vmspolicy.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "baseline.json").write_text('{"version": 1, "findings": []}\n', encoding="utf-8")
    return tmp_path


def run_check(estate: Path, cli: Cli) -> tuple[int, str]:
    code, out, _ = cli(
        "check", "--no-plugins", "--as-of", "2026-01-01", "--profile", "uk-gov-2022", "--baseline", "baseline.json",
        "--no-inline-suppressions", "--output", "json:r.json", "--output", "sarif:r.sarif", "--output", "junit:r.xml",
        "--output", "attestation:a.json", "estate.yaml", "branch.yaml",
    )
    return code, out


def expected_record(estate: Path) -> dict[str, Any]:
    regime = ["VP001", "VP101", "VP102", "VP103", "VP104", "VP107", "VP201", "VP202", "VP203", "VP204", "VP205", "VP206", "VP502"]
    return {
        "files": [{"path": ".vmspolicy.yaml", "sha256": sha256(estate / ".vmspolicy.yaml")}],
        "command_line": ["baseline", "inline_suppressions", "profiles"],
        "profiles": ["uk-gov-2022"],
        "packs": [{"id": "uk-gov-2022", "origin": "built-in", "mandatory": regime},
                  {"id": "acme-cctv", "origin": "configuration", "mandatory": ["VP001", "VP102"]}],
        "mandatory": sorted([*regime, "VP306"]),
        "disabled": ["VP106"],
        "selected": None,
        "severities": {"VP005": "warning"},
        "rule_options": {"VP303": {"days": 30}},
        "estate": [],
        "exclude": ["archive/**"],
        "formats": {"nvr/*.yml": "frigate"},
        "fail_on": "error",
        "strict": False,
        "inline_suppressions": False,
        "baseline": {"path": "baseline.json", "sha256": sha256(estate / "baseline.json")},
        "refused": [{
            "rules": ["VP101"], "setting": "disable: [VP101]", "path": ".vmspolicy.yaml", "line": 1, "column": 18,
            "message": "`disable: [VP101]` is refused: VP101 is mandatory under uk-gov-2022, so it runs as the pack says; to judge "
                       "by another policy, write your own pack and name it in the sites' policies: (`vmspolicy packs` lists them)",
        }],
        # The built-in vendor data (the run loads no plugin), each part with the date its data file states.
        "vendor_data": [{"source": f["source"], "date": f["date"], "origin": "built-in"} for f in builtin_fragments()],
    }


def test_every_machine_readable_report_records_the_configuration(estate: Path, cli: Cli) -> None:
    code, text = run_check(estate, cli)
    assert code == 1  # the refused override is an error
    expected = expected_record(estate)
    report = json.loads((estate / "r.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema("report")).validate(report)
    assert report["configuration"] == expected
    sarif = assert_valid_sarif((estate / "r.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["configuration"] == expected
    attestation = json.loads((estate / "a.json").read_text(encoding="utf-8"))
    assert attestation["predicate"]["configuration"] == expected
    suites = ET.parse(estate / "r.xml").getroot().findall("testsuite")
    properties = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert properties["configuration.files"] == f".vmspolicy.yaml sha256:{expected['files'][0]['sha256']}"
    assert properties["configuration.baseline"] == f"baseline.json sha256:{expected['baseline']['sha256']}"
    assert properties["configuration.disabled"] == "VP106" and properties["configuration.inline-suppressions"] == "off"
    assert properties["configuration.packs"] == "uk-gov-2022 (built-in); acme-cctv (configuration)"
    assert properties["configuration.refused"] == "disable: [VP101] (.vmspolicy.yaml:1:18)"
    assert properties["configuration.vendor-data"].startswith(f"{builtin_fragments()[0]['date']} vmspolicy built-in vendor catalog")
    assert "; 1 rule disabled by .vmspolicy.yaml (VP106); as of 2026-01-01." in text


def test_the_compliance_report_records_the_configuration(estate: Path) -> None:
    assert main(["report", "--no-plugins", "--as-of", "2026-01-01", "--format", "md", "--output", "r.md", "estate.yaml", "branch.yaml"]) == 0
    markdown = (estate / "r.md").read_text(encoding="utf-8")
    section = markdown.split("## Configuration", 1)[1].split("## Inputs", 1)[0]
    assert f"| Configuration file | .vmspolicy.yaml (SHA-256 {sha256(estate / '.vmspolicy.yaml')}) |" in section
    assert "| Rules disabled | VP106 |" in section and "acme-cctv (configuration): VP001, VP102" in section
    assert "| Refused (VP306) | disable: \\[VP101\\] at .vmspolicy.yaml:1:18 |" in section
    assert main(["report", "--no-plugins", "--as-of", "2026-01-01", "--output", "r.html", "estate.yaml"]) == 0
    html = (estate / "r.html").read_text(encoding="utf-8")
    assert '<section id="configuration"><h2>Configuration</h2>' in html and sha256(estate / ".vmspolicy.yaml") in html


def test_pyproject_and_no_configuration_are_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    main(["check", "--no-plugins", "--format", "json", "estate.yaml"])
    record = json.loads(capsys.readouterr().out)["configuration"]
    assert record["files"] == [] and record["disabled"] == [] and record["inline_suppressions"] is True
    (tmp_path / "pyproject.toml").write_text('[tool.vmspolicy]\ndisable = ["VP106", "VP401"]\n', encoding="utf-8")
    main(["check", "--no-plugins", "--format", "json", "estate.yaml"])
    record = json.loads(capsys.readouterr().out)["configuration"]
    assert record["files"] == [{"path": "pyproject.toml", "sha256": sha256(tmp_path / "pyproject.toml")}]
    assert record["disabled"] == ["VP106", "VP401"]
    main(["check", "--no-plugins", "estate.yaml"])
    assert "; 2 rules disabled by pyproject.toml (VP106, VP401); as of" in capsys.readouterr().out


def test_settings_that_change_how_the_estate_is_read_are_in_every_report(tmp_path: Path, cli: Cli) -> None:
    # Zone purposes and management zones change verdicts without naming a rule: a reader must see them.
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text(
        "isolation: {management_zones: [hq-jump]}\nimport: {site: hq, zones: {fw-hq-port5: legacy-cameras}}\n", encoding="utf-8")
    cli("check", "--no-plugins", "--as-of", "2026-01-01", "--output", "json:r.json", "--output", "junit:r.xml", "estate.yaml", cwd=tmp_path)
    cli("report", "--no-plugins", "--as-of", "2026-01-01", "--format", "md", "--output", "r.md", "estate.yaml", cwd=tmp_path)
    settings = {"import": {"site": "hq", "zones": {"fw-hq-port5": "legacy-cameras"}}, "isolation": {"management_zones": ["hq-jump"]}}
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, load_schema("report"))
    assert report["configuration"]["estate_settings"] == settings
    properties = {p.get("name"): p.get("value") for p in ET.parse(tmp_path / "r.xml").iter("property")}
    assert json.loads(properties["configuration.estate-settings"]) == settings
    assert "fw-hq-port5" in (tmp_path / "r.md").read_text(encoding="utf-8")
