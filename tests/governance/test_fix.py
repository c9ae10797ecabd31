"""`vmspolicy fix`: before/after data folders, --diff, comments and order kept, scaffolds fail VP301."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vmspolicy import cli
from vmspolicy.governance.baseline import write_atomically
from vmspolicy.governance.fixes import transplant

FIXES = Path(__file__).parent / "fix"
CASES = sorted(p.name for p in FIXES.iterdir() if (p / "before.yaml").exists())


@pytest.fixture
def legacy_devices() -> list[str]:
    """Under uk-gov-2022, Hikvision/Dahua cameras installed before 2022-11-24 are legacy restricted."""
    return ["--profile", "uk-gov-2022"]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", CASES)
def test_fix_turns_before_into_after_and_then_has_nothing_left(
    name: str, work: Path, legacy_devices: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(FIXES / name / "before.yaml", work / "estate.yaml")
    assert cli.main(["fix", "--no-plugins", *legacy_devices, "estate.yaml"]) == 0
    assert (work / "estate.yaml").read_bytes() == (FIXES / name / "after.yaml").read_bytes()
    capsys.readouterr()
    assert cli.main(["fix", "--no-plugins", "--diff", *legacy_devices, "estate.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == "nothing to fix\n"  # the diff stays empty for tools; the person is told
    assert not [p.name for p in work.iterdir() if p.name != "estate.yaml"], "a temporary file was left behind"


def test_diff_prints_the_change_and_leaves_the_input_untouched(
    work: Path, legacy_devices: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = (FIXES / "legacy-camera" / "before.yaml").read_bytes()
    (work / "estate.yaml").write_bytes(before)
    assert cli.main(["fix", "--no-plugins", "--diff", *legacy_devices, "estate.yaml"]) == 1
    out = capsys.readouterr().out
    assert (work / "estate.yaml").read_bytes() == before
    assert out.startswith("--- a/estate.yaml\n+++ b/estate.yaml\n")
    assert "-    mac: 44-19-B6-12-34-56\n+    mac: 44:19:b6:12:34:56\n" in out
    assert "+  - id: W-cam-1\n" in out


def test_a_crlf_file_keeps_its_line_endings(work: Path, legacy_devices: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    before = (FIXES / "legacy-camera" / "before.yaml").read_bytes()
    after = (FIXES / "legacy-camera" / "after.yaml").read_bytes()
    (work / "estate.yaml").write_bytes(before.replace(b"\n", b"\r\n"))
    assert cli.main(["fix", "--no-plugins", *legacy_devices, "estate.yaml"]) == 0
    assert (work / "estate.yaml").read_bytes() == after.replace(b"\n", b"\r\n")  # only the fixed lines differ
    capsys.readouterr()


def test_comments_and_key_order_survive(work: Path, legacy_devices: list[str]) -> None:
    before = (FIXES / "legacy-camera" / "before.yaml").read_text(encoding="utf-8")
    (work / "estate.yaml").write_text(before, encoding="utf-8")
    assert cli.main(["fix", "--no-plugins", *legacy_devices, "estate.yaml"]) == 0
    after = (work / "estate.yaml").read_text(encoding="utf-8")
    comments = [line.split("#", 1)[1] for line in before.splitlines() if "#" in line]
    assert all(comment in after for comment in comments)
    keys = [line.strip().split(":")[0] for line in before.splitlines() if line.startswith("    ") and ":" in line]
    added = ("ddns: false", "services: {p2p_cloud: false, upnp: false, ddns: false}")  # services declared off where missing
    after_keys = [line.strip().split(":")[0] for line in after.splitlines()
                  if line.startswith("    ") and ":" in line and line.strip() not in added]
    assert after_keys[: len(keys)] == keys
    # Only the edited lines differ; everything else is byte for byte the original.
    unchanged = [line for line in before.splitlines()
                 if "mac:" not in line and "services: {" not in line and "upnp: true" not in line and "{id: cam-5" not in line]
    assert all(line in after.splitlines() for line in unchanged)


def test_a_scaffolded_waiver_excuses_nothing_until_a_person_fills_it(
    work: Path, legacy_devices: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(FIXES / "legacy-camera" / "before.yaml", work / "estate.yaml")
    assert cli.main(["fix", "--no-plugins", *legacy_devices, "estate.yaml"]) == 0
    capsys.readouterr()
    code = cli.main(["check", "--no-plugins", "--format", "json", "--as-of", "2026-01-01", *legacy_devices, "estate.yaml"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    scaffold = {f["message"].split(" is missing ")[1].split(":")[0] for f in found if f["rule"] == "VP301" and f["subject"] == "W-cam-1"}
    assert scaffold == {"a reason", "an approver (approved_by)", "an expiry date (expires)"}
    assert [f["suppressed"] for f in found if f["rule"] == "VP103" and f["subject"] == "cam-1"] == [None]


def test_json_is_never_edited(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '{"vmspolicy": 1, "sites": [{"id": "hq"}], "cameras": [{"id": "c", "site": "hq", "mac": "00-40-8C-12-34-56"}]}\n'
    (work / "estate.json").write_text(text, encoding="utf-8")
    assert cli.main(["fix", "--no-plugins", "estate.json"]) == 1
    assert "estate.json: not edited: not a YAML file" in capsys.readouterr().err
    assert (work / "estate.json").read_text(encoding="utf-8") == text


def test_fix_refuses_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fix", "--no-plugins", "-"]) == 2
    assert "cannot read stdin" in capsys.readouterr().err


def test_transplant_keeps_lines_ruamel_would_rewrite_and_refuses_to_touch_them() -> None:
    original = "sites: [{id: hq}]\ncameras:\n  - {id: c, mac: A}\n"
    before = "sites: [id: hq]\ncameras:\n  - {id: c, mac: A}\n"
    assert transplant(original, before, before.replace("mac: A", "mac: B")) == original.replace("mac: A", "mac: B")
    assert transplant(original, before, before.replace("[id: hq]", "[id: branch]")) is None


def test_atomic_replacement_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "estate.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["estate.yaml"]


MAC_STYLES = (
    lambda d: ":".join(d[i : i + 2] for i in range(0, 12, 2)),
    lambda d: "-".join(d[i : i + 2] for i in range(0, 12, 2)).upper(),
    lambda d: ".".join(d[i : i + 4] for i in range(0, 12, 4)),
    lambda d: d.upper(),
)


def _camera(index: int, digits: str, style: int, flow: bool, comment: bool, quote: bool) -> list[str]:
    mac = MAC_STYLES[style](digits)
    # A plain all-digit 12:34:... is a YAML 1.1 base-60 integer: such input must be quoted.
    mac_text = f'"{mac}"' if quote or style == 3 or (style == 0 and digits.isdigit()) else mac
    note = f"  # camera {index}" if comment else ""
    if flow:
        return [f"  - {{id: cam-{index}, site: branch, vendor: Axis, mac: {mac_text}}}{note}"]
    return [f"  - id: cam-{index}{note}", "    vendor: Axis", f"    mac: {mac_text}", "    site: branch"]


@example([("123456789012", 1, False, False, False)])  # fix must quote an all-digit MAC it writes
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text("0123456789abcdef", min_size=12, max_size=12), st.integers(0, 3), st.booleans(), st.booleans(), st.booleans()),
                min_size=1, max_size=6))
def test_fix_changes_only_mac_lines_and_the_result_reads_back(
    work: Path, capsys: pytest.CaptureFixture[str], cameras: list[tuple[str, int, bool, bool, bool]]
) -> None:
    from vmspolicy.core.yaml_events import load_documents

    lines = ["# generated", "vmspolicy: 1", "sites: [{id: branch}]", "cameras:"]
    for index, camera in enumerate(cameras):
        lines.extend(_camera(index, *camera))
    original = "\n".join(lines) + "\n"
    path = work / "estate.yaml"
    path.write_text(original, encoding="utf-8")
    code = cli.main(["fix", "--no-plugins", "estate.yaml"])
    capsys.readouterr()
    assert code == 0
    fixed = path.read_text(encoding="utf-8")
    before_lines, after_lines = original.splitlines(), fixed.splitlines()
    assert len(before_lines) == len(after_lines)
    for old, new in zip(before_lines, after_lines, strict=True):
        assert old == new or "mac:" in old
    data = load_documents(fixed)[0]
    macs = [c["mac"] for c in data["cameras"]]
    expected = [":".join(d[i : i + 2] for i in range(0, 12, 2)) for d, *_ in cameras]
    assert macs == expected


def test_with_an_estate_only_the_named_files_are_edited(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / ".vmspolicy.yaml").write_text('profiles: [uk-gov-2022]\nestate: ["*.yaml"]\n', encoding="utf-8")
    (work / "network.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: branch}]\nzones: [{id: legacy, site: branch, purpose: legacy-cameras, cidr: 10.1.30.0/24}]\n",
        encoding="utf-8",
    )
    cameras = (
        "vmspolicy: 1\ncameras:\n"
        "  - {id: cam-1, site: branch, zone: legacy, vendor: Hikvision, installed: 2019-03-04, mac: 44-19-B6-12-34-56}\n"
    )
    other = "vmspolicy: 1\ncameras:\n  - {id: cam-2, site: branch, zone: legacy, vendor: Axis, mac: 00-40-8C-12-34-57}\n"
    (work / "cameras.yaml").write_text(cameras, encoding="utf-8")
    (work / "other.yaml").write_text(other, encoding="utf-8")
    assert cli.main(["fix", "--no-plugins", "cameras.yaml"]) == 0
    out = capsys.readouterr().out
    assert "cam-1: mac 44-19-B6-12-34-56 -> 44:19:b6:12:34:56" in out and "cam-2" not in out
    assert "W-cam-1" in (work / "cameras.yaml").read_text(encoding="utf-8")  # judged with network.yaml's site
    assert (work / "other.yaml").read_text(encoding="utf-8") == other
    assert (work / "network.yaml").read_text(encoding="utf-8").startswith("vmspolicy: 1\nsites:")


def test_fix_turns_off_exactly_what_vp205_reports(work: Path, legacy_devices: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Unknown is not off: VP205 reports services that are true, unreadable or not declared, and fix
    # declares each of them off (adding services: when a camera has none), nothing more.
    shutil.copy(FIXES / "legacy-camera" / "before.yaml", work / "estate.yaml")

    def vp205() -> set[tuple[str, str]]:
        capsys.readouterr()
        cli.main(["check", "--no-plugins", "--format", "json", "--as-of", "2026-01-01", *legacy_devices, "estate.yaml"])
        found = json.loads(capsys.readouterr().out)["findings"]
        return {(f["subject"], f["message"].split(" ")[0]) for f in found if f["rule"] == "VP205"}

    assert vp205() == {("cam-1", "p2p_cloud"), ("cam-1", "upnp"), ("cam-1", "ddns"), ("cam-3", "upnp"), ("cam-3", "ddns"),
                       ("cam-4", "p2p_cloud,"), ("cam-5", "p2p_cloud,")}
    assert cli.main(["fix", "--no-plugins", *legacy_devices, "estate.yaml"]) == 0
    edits = capsys.readouterr().out
    assert {line.split(":")[0].strip() for line in edits.splitlines() if "services." in line} == {"cam-1", "cam-3", "cam-4", "cam-5"}
    assert vp205() == set()
