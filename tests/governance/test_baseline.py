"""`vmspolicy baseline` and `check --baseline`: recording, matching, updating, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import Cli
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.schemas import load_schema
from vmspolicy.core.source import Location
from vmspolicy.governance.baseline import Baseline, BaselineEntry, apply_baseline, never_recorded
from vmspolicy.governance.fingerprint import fingerprint
from vmspolicy.run.plugins import load_plugins

ESTATE = """\
vmspolicy: 1
sites: [{id: hq}]
zones: [{id: cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}]
cameras:
"""


def camera(name: str, ip: str) -> str:
    return f"  - {{id: {name}, site: hq, zone: cctv, vendor: Axis, ip: {ip}}}\n"


def findings_of(cli: Cli, *argv: str) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = cli("check", "--no-plugins", "--as-of", "2026-01-01", "--format", "json", *argv)
    return code, json.loads(out)["findings"]


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "estate.yaml"
    path.write_text(ESTATE + camera("cam-1", "10.20.40.11") + camera("cam-2", "10.20.40.12"), encoding="utf-8")
    return path


def test_recorded_findings_are_suppressed_and_the_file_matches_its_schema(cli: Cli, estate: Path) -> None:
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "--output", "baseline.json", "estate.yaml")
    assert code == 0 and "2 finding(s) recorded" in out
    data = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema("baseline")).validate(data)
    assert [e["subject"] for e in data["findings"]] == ["cam-1", "cam-2"]
    code, found = findings_of(cli, "--baseline", "baseline.json", "estate.yaml")
    assert code == 0
    assert [(f["subject"], (f["suppressed"] or {}).get("kind")) for f in found] == [("cam-1", "baseline"), ("cam-2", "baseline")]
    code, out, _ = cli("check", "--no-plugins", "--as-of", "2026-01-01", "--baseline", "baseline.json", "estate.yaml")
    assert "(2 suppressed)" in out and "PASS" in out


def test_update_drops_fixed_findings_and_adds_new_ones_only_with_add(cli: Cli, estate: Path) -> None:
    assert cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "estate.yaml")[0] == 0
    # cam-1 fixed, cam-3 new
    estate.write_text(ESTATE + camera("cam-1", "10.20.30.11") + camera("cam-2", "10.20.40.12") + camera("cam-3", "10.20.40.13"))
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "--update", "estate.yaml")
    assert code == 0 and "1 fixed and dropped, 1 new not added" in out
    subjects = [e["subject"] for e in json.loads(Path("baseline.json").read_text())["findings"]]
    assert subjects == ["cam-2"]
    code, found = findings_of(cli, "--baseline", "baseline.json", "estate.yaml")
    assert code == 1
    assert [(f["subject"], f["suppressed"] is None) for f in found] == [("cam-2", False), ("cam-3", True)]
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "--update", "--add", "estate.yaml")
    assert "0 fixed and dropped, 1 new added" in out
    assert findings_of(cli, "--baseline", "baseline.json", "estate.yaml")[0] == 0


def test_each_entry_absorbs_one_finding() -> None:
    def at(line: int) -> Finding:
        return Finding("VP002", "schema-violation", Severity.ERROR, Location("a.yaml", line, 3), "unknown key 'vendr'", subject="cam-1")

    baseline = Baseline("b.json", (BaselineEntry.of(at(4)),))
    marked = apply_baseline([at(9), at(12)], baseline, never=())
    assert [f.suppressed is not None for f in marked] == [True, False]


def test_fingerprint_ignores_position_but_not_rule_subject_file_or_value() -> None:
    base = Finding("VP005", "address-outside-zone", Severity.ERROR, Location("a.yaml", 5, 7), "m", subject="cam-1", evidence="10.0.0.1")
    moved = Finding("VP005", "address-outside-zone", Severity.WARNING, Location("a.yaml", 50, 1), "m", subject="cam-1", evidence="10.0.0.1")
    assert fingerprint(base) == fingerprint(moved)
    assert len(fingerprint(base)) == 32
    others = [
        Finding("VP004", "x", Severity.ERROR, Location("a.yaml", 5, 7), "m", subject="cam-1", evidence="10.0.0.1"),
        Finding("VP005", "x", Severity.ERROR, Location("a.yaml", 5, 7), "m", subject="cam-2", evidence="10.0.0.1"),
        Finding("VP005", "x", Severity.ERROR, Location("b.yaml", 5, 7), "m", subject="cam-1", evidence="10.0.0.1"),
        Finding("VP005", "x", Severity.ERROR, Location("a.yaml", 5, 7), "m", subject="cam-1", evidence="10.0.0.2"),
    ]
    assert len({fingerprint(base), *map(fingerprint, others)}) == 5
    # Without evidence the message stands in, minus any position it quotes.
    a = Finding("VP004", "x", Severity.ERROR, Location("a.yaml", 5, 7), "id 'x' is already declared at a.yaml:3:5")
    b = Finding("VP004", "x", Severity.ERROR, Location("a.yaml", 9, 7), "id 'x' is already declared at a.yaml:7:5")
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline.json: no such baseline file"),
        ("{\n  \"version\": 1,\n  \"findings\": [\n", "baseline.json:4:1: not a JSON baseline"),
        ('{"version": 2, "findings": []}', "baseline.json:1:1: not a vmspolicy baseline of version 1"),
        ('{"version": 1,\n "findings": [{"rule": "VP005"}]}', "baseline.json:2:15: invalid baseline"),
    ],
)
def test_a_bad_baseline_is_exit_2_with_its_location(cli: Cli,
    estate: Path, content: str | None, expected: str
) -> None:
    if content is not None:
        Path("baseline.json").write_text(content, encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "--as-of", "2026-01-01", "--baseline", "baseline.json", "estate.yaml")
    assert code == 2
    assert expected in err, err
    assert "Traceback" not in err


def test_add_needs_update(cli: Cli, estate: Path) -> None:
    code, _, err = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "--add", "estate.yaml")
    assert code == 2 and "--add only makes sense with --update" in err
    code, _, err = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "missing.json", "--update", "estate.yaml")
    assert code == 2 and "no such baseline file" in err


def test_restricted_equipment_and_isolation_never_go_into_a_baseline(cli: Cli, estate: Path) -> None:
    # A new Hikvision install (VP102) and a legacy one that is not isolated (VP103, VP201, VP205, VP206): the regime
    # says fix or waive them (reason, approver, expiry); a baseline has none of that, so it takes only cam-1.
    estate.write_text(ESTATE + camera("cam-1", "10.20.40.11")
                      + "  - {id: cam-new, site: hq, zone: cctv, vendor: Hikvision, ip: 10.20.30.21}\n"
                      + "  - {id: cam-old, site: hq, zone: cctv, vendor: Hikvision, ip: 10.20.30.22, installed: 2019-01-01}\n")
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "estate.yaml")
    assert code == 0 and "1 finding(s) recorded" in out
    # It says what it left out, and why, instead of leaving the user to wonder where they went.
    assert ("not recorded: 5 finding(s) a baseline never holds (VP102, VP103, VP201, VP205, VP206): "
            "fix them, or waive them with a reason, approver and expiry") in out
    recorded = json.loads(Path("baseline.json").read_text())["findings"]
    assert [(e["rule"], e["subject"]) for e in recorded] == [("VP005", "cam-1")]
    # Nor does a baseline absorb them when someone writes them in by hand.
    _, found = findings_of(cli, "estate.yaml")
    doctored = [{"rule": f["rule"], "path": f["path"], "subject": f["subject"], "fingerprint": f["fingerprint"]} for f in found]
    Path("baseline.json").write_text(json.dumps({"version": 1, "findings": doctored}), encoding="utf-8")
    code, found = findings_of(cli, "--baseline", "baseline.json", "estate.yaml")
    assert code == 1
    unsuppressed = sorted({f["rule"] for f in found if f["suppressed"] is None})
    assert unsuppressed == ["VP102", "VP103", "VP201", "VP205", "VP206"]


def test_which_rules_a_baseline_never_holds() -> None:
    never = never_recorded(load_plugins(entry_points_enabled=False).rules())
    assert never == {"VP001", "VP101", "VP102", "VP103", "VP104", "VP105", "VP107",
                     "VP201", "VP202", "VP203", "VP204", "VP205", "VP206", "VP306", "VP502"}


def test_a_new_baseline_file_gets_the_umasks_mode_as_any_file_to_commit(cli: Cli, estate: Path) -> None:
    import os
    import stat

    previous = os.umask(0o022)
    try:
        assert cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "baseline.json", "estate.yaml")[0] == 0
        assert stat.S_IMODE(Path("baseline.json").stat().st_mode) == 0o644  # not mkstemp's private 0600
        os.umask(0o027)
        assert cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "-o", "other.json", "estate.yaml")[0] == 0
        assert stat.S_IMODE(Path("other.json").stat().st_mode) == 0o640
    finally:
        os.umask(previous)


def test_a_schema_violation_of_a_restricted_record_is_never_recorded(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = Path(__file__).parent / "cases" / "baseline-restricted-schema" / "estate.yaml"
    Path("estate.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "--output", "baseline.json", "estate.yaml")
    assert code == 0 and "1 finding(s) recorded" in out
    recorded = json.loads(Path("baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [(e["rule"], e["subject"]) for e in recorded] == [("VP002", "cam-axis")]


def test_the_count_of_schema_errors_not_listed_is_never_recorded(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 101 broken Axis records fill the list of errors shown one by one; the restricted camera's broken install date
    # is then only counted. A baseline holds the listed ones but never the count, which may stand for that record.
    monkeypatch.chdir(tmp_path)
    cameras = "".join(f"  - {{id: cam-{n}, site: depot, vendor: Axis, installed: 15/03/2020}}\n" for n in range(101))
    Path("estate.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: depot}]\ncameras:\n" + cameras + "  - {id: cam-hik, site: depot, vendor: Hikvision, installed: 15/03/2020}\n",
        encoding="utf-8")
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "--output", "baseline.json", "estate.yaml")
    assert code == 0, out
    recorded = json.loads(Path("baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [e["subject"] for e in recorded if e["rule"] == "VP002"][:2] == ["cam-0", "cam-1"]
    assert all(e["subject"] for e in recorded if e["rule"] == "VP002")
    _, found = findings_of(cli, "--baseline", "baseline.json", "estate.yaml")
    unlisted = [f for f in found if f["rule"] == "VP002" and "not listed one by one" in str(f["message"])]
    assert len(unlisted) == 1 and unlisted[0]["suppressed"] is None
    assert all(f["suppressed"] is not None for f in found if f["rule"] == "VP002" and f not in unlisted)


def test_an_item_where_a_camera_belongs_is_never_recorded(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A camera written as text is no record: no rule can judge it, so the VP002 that says so is never deferred.
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: s}]\ncameras:\n  - {id: cam-1, site: s, vendor: Axis}\n  - \"Hikvision DS-2CD2143G0-I\"\n",
        encoding="utf-8")
    code, out, _ = cli("baseline", "--no-plugins", "--as-of", "2026-01-01", "--output", "baseline.json", "m.yaml")
    assert code == 0, out
    assert json.loads(Path("baseline.json").read_text(encoding="utf-8"))["findings"] == []
    code, found = findings_of(cli, "--baseline", "baseline.json", "m.yaml")
    assert code == 1 and [(f["rule"], f["line"], f["suppressed"]) for f in found] == [("VP001", 5, None), ("VP002", 5, None)]
