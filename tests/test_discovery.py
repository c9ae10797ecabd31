"""Which files are judged: nothing of the estate is skipped in silence, nothing else blocks a commit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.manifests import UNRELATED

VIOLATING = """\
vmspolicy: 1
sites: [{id: hq, sensitive: true}]
cameras:
  - {id: cam-1, site: hq, vendor: Hikvision, installed: 2019-01-01}
"""
CLEAN = "vmspolicy: 1\nsites: [{id: depot}]\n"

def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def check(root: Path, cli: Cli, *args: str) -> tuple[int, list[tuple[str, str, int, int]], str]:
    code, out, err = cli("check", "--format", "json", "--no-plugins", "--as-of", "2026-06-01", "-v", *args, cwd=root)
    report: dict[str, Any] = json.loads(out) if out.strip() else {"findings": []}
    return code, [(f["path"], f["rule"], f["line"], f["column"]) for f in report["findings"]], err


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / ".vmspolicy.yaml").write_text("fail_on: error\n", encoding="utf-8")  # keeps any configuration above out
    return root


def test_unrelated_files_never_fail_and_a_violating_manifest_still_does(repo: Path, cli: Cli) -> None:
    write(repo, {**UNRELATED, "estate/cameras.yaml": VIOLATING})
    code, findings, err = check(repo, cli, *UNRELATED, "estate/cameras.yaml")
    assert code == 1
    assert {f[0] for f in findings} == {"estate/cameras.yaml"}, findings
    for name in UNRELATED:
        assert f"{name}: " in err and "skipped" in err.split(f"{name}: ", 1)[1].splitlines()[0], err
    # A folder scan is the same.
    code, findings, _ = check(repo, cli, ".")
    assert code == 1 and {f[0] for f in findings} == {"estate/cameras.yaml"}


@pytest.mark.parametrize(
    ("name", "text", "position"),
    [
        ("estate.yaml", "vmspolicy: 1\ncameras: [{id: cam-1\n", (2, 11)),  # the header, then a syntax error
        ("estate.yaml", "Cameras:\n  - {id: cam-1, vendor: Hikvision\n", (2, 5)),  # a section, no header, broken
        ("estate.yaml", "- vmspolicy: 1\n  sites: [{id: hq}\n", (2, 10)),  # a list-wrapped manifest, broken
        ("estate.yaml", "  VMSPolicy: 1\nsites: !!python/name:os.system\n", (2, 1)),  # the header, indented and in another case
        ("estate.json", '{"vmspolicy": 1, "cameras": [}\n', (1, 30)),
        ("estate.json", '// exported\n{"sites": [{"id": "hq"}]}\n', (1, 1)),
    ],
)
def test_a_broken_file_that_shows_signs_of_a_manifest_is_vp001(
    repo: Path, cli: Cli, name: str, text: str, position: tuple[int, int]
) -> None:
    write(repo, {name: text, "ok.yaml": CLEAN})
    code, findings, _ = check(repo, cli, ".")
    assert code == 1
    assert [(f[0], f[1]) for f in findings] == [(name, "VP001")], findings
    assert findings[0][2:] == position


def test_in_the_configured_estate_every_broken_file_is_vp001_and_others_are_skipped(
    repo: Path, cli: Cli
) -> None:
    write(repo, {**UNRELATED, "estate/cameras.yaml": CLEAN, "estate/notes.yaml": "{{ template }}: [\n"})
    (repo / ".vmspolicy.yaml").write_text('estate: ["estate/**/*.yaml"]\n', encoding="utf-8")
    code, findings, err = check(repo, cli, *UNRELATED, "estate/cameras.yaml", "estate/notes.yaml")
    # The estate's own file fails closed though it shows no sign; a broken workflow outside it is not its business.
    assert code == 1 and [f[:2] for f in findings] == [("estate/notes.yaml", "VP001")]
    for name in UNRELATED:
        assert f"{name}: not in the configured estate (estate/**/*.yaml), skipped" in err
    code, findings, err = check(repo, cli, "--allow-empty", *UNRELATED)
    assert code == 0 and findings == []


def test_a_symlinked_folder_is_followed(repo: Path, cli: Cli) -> None:
    write(repo, {"shared/cameras.yaml": VIOLATING, "estate/site.yaml": CLEAN})
    (repo / "estate" / "shared").symlink_to(repo / "shared", target_is_directory=True)
    code, findings, _ = check(repo, cli, "estate")
    assert code == 1 and "VP101" in {f[1] for f in findings}, findings
    # The configured estate's globs follow it too.
    (repo / ".vmspolicy.yaml").write_text('estate: ["estate/**/*.yaml"]\n', encoding="utf-8")
    code, findings, _ = check(repo, cli)
    assert code == 1 and "VP101" in {f[1] for f in findings}, findings


@pytest.mark.parametrize("estate", [False, True])
def test_a_symlink_loop_is_vp001_at_the_link(repo: Path, cli: Cli, estate: bool) -> None:
    write(repo, {"estate/site.yaml": CLEAN, "estate/zones/z.yaml": "vmspolicy: 1\nzones: [{id: z, site: depot, purpose: vms}]\n"})
    (repo / "estate" / "zones" / "back").symlink_to(repo / "estate", target_is_directory=True)
    (repo / "estate" / "self").symlink_to("self")
    if estate:
        (repo / ".vmspolicy.yaml").write_text('estate: ["estate/**/*"]\n', encoding="utf-8")
    code, findings, _ = check(repo, cli, *([] if estate else ["estate"]))
    assert code == 1
    assert sorted(findings) == [("estate/self", "VP001", 1, 1), ("estate/zones/back", "VP001", 1, 1)], findings


@pytest.mark.parametrize("target", ["b.yaml", "a.yaml", "missing.yaml"])
def test_a_named_link_that_loops_or_leads_nowhere_is_vp001_not_nothing_found(repo: Path, cli: Cli, target: str) -> None:
    # pre-commit names the changed files: a link among them that cannot be read fails the gate as a finding at it.
    (repo / "a.yaml").symlink_to(target)
    if target == "b.yaml":
        (repo / "b.yaml").symlink_to("a.yaml")
    code, findings, _ = check(repo, cli, "a.yaml")
    # Named as the link itself: the file it names does not exist, the link is what to fix.
    assert code == 1 and findings == [("a.yaml", "VP001", 1, 1)], findings
    code, printed, _ = cli("check", "--no-plugins", "a.yaml", cwd=repo)
    assert code == 1
    expected = "loops back on itself" if target != "missing.yaml" else "leads to nothing that exists"
    assert f"symbolic link a.yaml {expected}" in printed, printed


def test_a_dangling_link_in_a_folder_is_named_as_itself(repo: Path, cli: Cli) -> None:
    write(repo, {"estate/site.yaml": CLEAN})
    (repo / "estate" / "old.yaml").symlink_to("../archive/old.yaml")
    code, findings, _ = check(repo, cli, "estate")
    assert code == 1 and findings == [("estate/old.yaml", "VP001", 1, 1)], findings


def test_two_links_to_one_file_are_judged_once_under_its_name(repo: Path, cli: Cli) -> None:
    write(repo, {"shared/site.yaml": VIOLATING})
    (repo / "estate").mkdir()
    (repo / "estate" / "a.yaml").symlink_to("../shared/site.yaml")
    (repo / "estate" / "b.yaml").symlink_to("../shared/site.yaml")
    code, findings, _ = check(repo, cli, "estate")
    assert code == 1 and findings and {f[0] for f in findings} == {"shared/site.yaml"}, findings


def test_a_folder_that_cannot_be_listed_is_vp001(repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom no folder is unreadable: the refusal is simulated where a scan lists folders.
    write(repo, {"estate/site.yaml": CLEAN, "estate/locked/cameras.yaml": VIOLATING})
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, findings, _ = check(repo, cli, "estate")
    assert code == 1 and findings == [("estate/locked", "VP001", 1, 1)], findings


def test_a_file_forced_to_a_format_its_loader_rejects_is_vp001(repo: Path, cli: Cli) -> None:
    write(repo, {"nvr/config.yml": "mqtt: {host: 10.0.0.9}\n", "site.yaml": CLEAN})
    (repo / ".vmspolicy.yaml").write_text('formats: {"nvr/*.yml": frigate}\n', encoding="utf-8")
    code, findings, err = check(repo, cli, ".")
    assert code == 1 and findings == [("nvr/config.yml", "VP001", 1, 1)], (findings, err)


def test_excluded_manifests_are_listed_as_excluded_never_silently_absent(repo: Path, cli: Cli) -> None:
    write(repo, {"estate/site.yaml": CLEAN, "estate/archive/2019.yaml": VIOLATING, "estate/archive/notes.yaml": "just: notes\n",
                 "estate/notes.yaml": "just: notes\n"})
    (repo / ".vmspolicy.yaml").write_text('exclude: ["estate/archive/**"]\n', encoding="utf-8")
    for args in (["estate"], ["estate/site.yaml", "estate/archive/2019.yaml"]):
        code, findings, err = check(repo, cli, *args)
        assert code == 0 and findings == []
        assert "estate/archive/2019.yaml: excluded by 'estate/archive/**': a manifest file" in err
    code, out, _ = cli("check", "--format", "json", "--no-plugins", "estate", cwd=repo)
    assert code == 0
    report = json.loads(out)
    code, out, _ = cli("check", "--no-plugins", "estate", cwd=repo)
    assert code == 0
    summary = out.splitlines()[-1]
    sha = hashlib.sha256(VIOLATING.encode()).hexdigest()
    assert {"path": "estate/archive/2019.yaml", "sha256": sha, "format": "manifest", "excluded_by": "estate/archive/**"} in report["inputs"]
    assert "estate/archive/notes.yaml" not in json.dumps(report)  # excluded, and no manifest: counted only
    assert "in 1 file; 1 skipped as not a manifest, 2 excluded; as of" in summary, summary
