"""The example plugin (examples/plugin) as a user gets it: built, installed into a fresh virtual environment, run through its entry point."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.venvs import build_wheel, fresh_venv
from vmspolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "plugin"
ACME = {"name": "acme", "distribution": "vmspolicy-acme", "version": "1.0.0"}


@pytest.mark.installs
def test_the_example_plugin_installs_runs_and_passes_its_own_tests(tmp_path: Path, vmspolicy_wheel: Path) -> None:
    example = tmp_path / "plugin"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("__pycache__", ".*_cache", "*.egg-info", "build", "dist"))
    binaries = fresh_venv(tmp_path / "venv", vmspolicy_wheel, build_wheel(example, tmp_path / "dist", "vmspolicy_acme"))
    env = {"PATH": f"{binaries}:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(tmp_path)}

    def run(*args: str, cwd: Path = example) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)

    version = run("vmspolicy", "--version")
    assert version.stdout.splitlines()[1:] == ["registered third-party plugins:", "  vmspolicy-acme 1.0.0 (entry point acme)"]
    cases = example / "tests" / "cases"
    checked = run("vmspolicy", "check", "--format", "json", "--profile", "acme-2026", ".", cwd=cases / "asset-tags")
    report = json.loads(checked.stdout)
    assert report["plugins"] == [ACME]
    assert [(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]] == [("estate.camlist", 5, 56, "ACME101")]
    legacy = run("vmspolicy", "check", "--format", "csv", "--profile", "acme-2026", ".", cwd=cases / "legacy-must-go")
    assert legacy.returncode == 1, legacy.stderr
    assert [row["rule"] for row in csv.DictReader(io.StringIO(legacy.stdout))] == ["VP102"]
    tests = run(str(binaries / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "6 passed" in tests.stdout


def test_the_quick_start_reads_nothing_of_the_example_plugin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # `vmspolicy check examples/` in the README's quick start: the plugin's sources and cases are no known format there.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["check", "-v", "--no-plugins", "--format", "json", "examples/"]) == 1
    out, err = capsys.readouterr()
    assert not [i["path"] for i in json.loads(out)["inputs"] if i["path"].startswith("examples/plugin")]
    assert "examples/plugin" not in err
    assert os.path.isdir(EXAMPLE / "tests" / "cases")
