"""VP201-VP206 beyond the data cases: never waivable, stable evidence, packs that do not require isolation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

ESTATE = """\
vmspolicy: 1
sites: [{id: branch}]
zones:
  - {id: br-legacy, site: branch, purpose: legacy-cameras, cidr: 10.1.30.0/24}
cameras:
  - id: cam-1  # vmspolicy: ignore[VP202] reason="vendor asked for it" until=2027-06-30
    vendor: Hikvision
    site: branch
    zone: br-legacy
    ip: 10.1.30.11
    installed: 2019-03-04
    services: {p2p_cloud: true, upnp: false, ddns: false}
firewalls:
  - id: br-fw
    site: branch
    default: deny
    rules:
      - {name: cams-update, from: br-legacy, to: internet, ports: [tcp/443], action: allow}
waivers:
  - id: W-1
    devices: [cam-1]
    reason: Replacement with the refit
    approved_by: Head of Security
    ticket: SEC-1
    approved_on: 2025-04-01
    expires: 2027-03-31
    rules: [VP103, VP202, VP205]
"""


def _check(cli: Cli, folder: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, _ = cli("check", "--format", "json", "--no-plugins", "--as-of", "2026-01-01", *extra, str(folder))
    return code, json.loads(out)["findings"] if out.strip() else []


@pytest.fixture
def estate_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "estate"
    folder.mkdir()
    (folder / "branch.yaml").write_text(ESTATE, encoding="utf-8")
    return folder


def _isolation(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"].startswith("VP2")]


def test_neither_a_waiver_nor_an_inline_comment_excuses_isolation(cli: Cli, estate_dir: Path) -> None:
    code, findings = _check(cli, estate_dir, "--profile", "uk-gov-2022")
    assert code == 1
    found = {f["rule"]: f for f in _isolation(findings)}
    assert set(found) == {"VP202", "VP205"}
    assert all(f["suppressed"] is None for f in found.values())
    assert found["VP202"]["message"].startswith("br-fw rule 'cams-update' (estate/branch.yaml:18) allows cam-1 → internet tcp/443")


def test_evidence_survives_lines_moving(estate_dir: Path) -> None:
    from dataclasses import replace

    from vmspolicy.core.config import Config
    from vmspolicy.run.pipeline import RunOptions, check
    from vmspolicy.run.plugins import load_plugins

    def evidence() -> list[tuple[str, str, int]]:
        config = replace(Config(), profiles=("uk-gov-2022",))
        result = check(RunOptions(paths=[str(estate_dir)], as_of=dt.date(2026, 1, 1)), config, load_plugins(entry_points_enabled=False))
        return sorted((f.rule, f.evidence, f.line) for f in result.findings if f.rule.startswith("VP2"))

    before = evidence()
    (estate_dir / "branch.yaml").write_text("# moved\n\n" + ESTATE, encoding="utf-8")
    after = evidence()
    assert [(r, e) for r, e, _ in before] == [(r, e) for r, e, _ in after] == [
        ("VP202", "cam-1->internet tcp/443 via br-fw:cams-update"),
        ("VP205", "service:p2p_cloud"),
    ]
    assert [line + 2 for *_, line in before] == [line for *_, line in after]


def test_a_pack_that_does_not_require_isolation_has_no_isolation_findings(cli: Cli, estate_dir: Path) -> None:
    pack = {
        "id": "lenient",
        "title": "A pack without isolation",
        "cutoff": "2022-11-24",
        "families": [{"name": "Hikvision"}],
        "legacy": {"waivable": True, "isolation": "not-required"},
        "sources": [{"title": "test", "url": "https://example.org/", "date": "2026-01-01"}],
    }
    (estate_dir.parent / ".vmspolicy.yaml").write_text(json.dumps({"packs": [pack]}), encoding="utf-8")
    # Selected by the repository's own profile, the pack judges beside the default, which requires isolation.
    _, findings = _check(cli, estate_dir, "--profile", "lenient")
    assert {f["rule"] for f in _isolation(findings)} == {"VP202", "VP205"}
    # Named in the site's policies (the manifests), it judges the site alone.
    manifest = estate_dir / "branch.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("{id: branch}", "{id: branch, policies: [lenient]}"), encoding="utf-8")
    _, findings = _check(cli, estate_dir)
    assert _isolation(findings) == []
