"""The benchmark tools keep working, and ``--jobs`` changes nothing but the speed.

No timed asserts here: timings belong in benchmarks/README.md, not in a test
that a busy CI machine could fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

import pytest

from vmspolicy.core.config import load_config
from vmspolicy.core.errors import PluginError
from vmspolicy.core.source import Document
from vmspolicy.hookspecs import hookimpl
from vmspolicy.loading.base import SourceFile
from vmspolicy.run.pipeline import load_files
from vmspolicy.run.plugins import load_plugins

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402  (benchmarks/ holds scripts, not a package)

STRUCTURAL = {"VP001", "VP002", "VP003", "VP004", "VP005"}


def vmspolicy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--as-of", generate.AS_OF, "--no-plugins", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )


def test_generated_estate_is_a_valid_manifest(tmp_path: Path) -> None:
    files = generate.generate(1200, tmp_path / "estate.yaml")
    result = vmspolicy("--format", "json", *map(str, files), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    structural = [f for f in report["findings"] if f["rule"] in STRUCTURAL]
    assert not structural, structural[:5]
    text = files[0].read_text(encoding="utf-8")
    assert text.count("\n    name: Site ") == 2  # sites of 1,000 cameras: 1,000 + 200
    assert text.count("    vendor: Hikvision\n") + text.count("    vendor: Dahua\n") == 50 + 10  # 5% legacy


def test_split_estate_is_valid_across_files(tmp_path: Path) -> None:
    files = generate.generate(2100, tmp_path / "estate", split=True)
    assert [f.name for f in files] == ["site-001.yaml", "site-002.yaml", "site-003.yaml", "waivers.yaml"]
    result = vmspolicy("--format", "json", str(tmp_path / "estate"), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    structural = [f for f in json.loads(result.stdout)["findings"] if f["rule"] in STRUCTURAL]
    assert not structural, structural[:5]  # waivers.yaml names cameras of the other files


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = generate.generate(1500, tmp_path / "a.yaml")[0].read_bytes()
    again = generate.generate(1500, tmp_path / "b.yaml")[0].read_bytes()
    other_seed = generate.generate(1500, tmp_path / "c.yaml", seed=7)[0].read_bytes()
    assert first == again
    assert first != other_seed


def _mixed_estate(root: Path) -> Path:
    """A split estate plus every other outcome a file can have: broken, empty, not a manifest, a cross-file duplicate."""
    folder = root / "estate"
    generate.generate(2100, folder, split=True)
    (folder / "broken.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}\n", encoding="utf-8")
    (folder / "empty.yaml").write_text("\n", encoding="utf-8")
    (folder / "unrelated.yaml").write_text("name: not an estate\n", encoding="utf-8")
    (folder / "zz-duplicate.yaml").write_text(
        "vmspolicy: 1\ncameras:\n  - {id: site-001-cam-0001, site: site-001, vendor: Dahua, installed: 2024-01-01}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_jobs_output_is_identical_to_a_serial_run(tmp_path: Path, fmt: str) -> None:
    folder = _mixed_estate(tmp_path)
    serial = vmspolicy("--format", fmt, "-v", "--jobs", "1", str(folder), cwd=tmp_path)
    parallel = vmspolicy("--format", fmt, "-v", "--jobs", "3", str(folder), cwd=tmp_path)
    assert serial.returncode == 1, serial.stderr  # the broken file and the duplicate are findings
    assert "VP001" in serial.stdout and "VP004" in serial.stdout
    assert (parallel.returncode, parallel.stdout, parallel.stderr) == (serial.returncode, serial.stdout, serial.stderr)


def test_jobs_rejects_a_negative_count(tmp_path: Path) -> None:
    result = vmspolicy("--jobs", "-2", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a number of processes" in result.stderr


class _BrokenLoader:
    """A loader plugin that raises on one file: the error must name it whichever process ran it."""

    name = "broken"
    suffixes: Sequence[str] = (".yaml",)

    def load(self, source: SourceFile) -> list[Document] | None:
        if source.path.endswith("b.yaml"):
            raise RuntimeError("cannot cope")
        return None


class _BrokenPlugin:
    @hookimpl
    def vmspolicy_loaders(self) -> Sequence[Any]:
        return (_BrokenLoader(),)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_loader_is_the_same_plugin_error_in_a_worker(tmp_path: Path, jobs: int) -> None:
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text("vmspolicy: 1\n", encoding="utf-8")
    host = load_plugins(entry_points_enabled=False, extra=[_BrokenPlugin()])
    files = [(name, None, tmp_path / name) for name in ("a.yaml", "b.yaml", "c.yaml")]
    with pytest.raises(PluginError) as caught:
        load_files(files, host, load_config(None), lambda message: None, jobs=jobs)
    assert caught.value.plugin == "_BrokenPlugin-0"
    assert str(caught.value) == "plugin '_BrokenPlugin-0': loader 'broken' on b.yaml raised RuntimeError: cannot cope"


def test_harness_runs_in_quick_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--quiet", "--work", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")},  # the pre-commit rows' signing secret: not the user's
    )
    assert result.returncode == 0, result.stderr
    table = result.stdout
    for row in ("| 200 cameras |", "| one small file (20 cameras) |", "| 200 cameras, split (2 jobs) |", "one small file ≤ 0.5x",
                "Pre-commit on a split estate with `estate:` configured", "| 200 cameras | 2 |",
                "cold run writing the cache ≤ 1.05x no cache at 200 cameras",
                "the same, counting its detached writer (the machine's work) at 200 cameras"):
        assert row in table, table
    # The pre-commit row: the cold and warm runs' detached writers waited for and measured (their records read).
    header, row = (next(line for line in table.splitlines() if line.startswith(start)) for start in ("| estate | files | no cache |",
                                                                                                      "| 200 cameras | 2 |"))
    cells = dict(zip([c.strip() for c in header.strip("|").split("|")], [c.strip() for c in row.strip("|").split("|")], strict=True))
    for column in ("cold: its writer", "warm: its writer"):
        wall, cpu = (float(x) for x in cells[column].split(" / "))
        assert wall > 0 and cpu > 0, (column, cells)
    assert (tmp_path / "results.md").read_text(encoding="utf-8") == table.rstrip("\n") + "\n"


def test_harness_times_the_precommit_rows_alone(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--quiet", "--precommit-only", "--work", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")},
    )
    assert result.returncode == 0, result.stderr
    assert "| 200 cameras | 2 |" in result.stdout and "the same, counting its detached writer" in result.stdout
    assert "floor" not in result.stdout and "(load average at the start: " in result.stdout


def test_stage_profile_names_the_stages(tmp_path: Path) -> None:
    files = generate.generate(300, tmp_path / "estate.yaml")
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "stages.py"), "--repeat", "1", "--top", "5", str(files[0])],
        capture_output=True, text=True, check=False, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for stage in ("| parse |", "| model |", "Top 5 functions"):
        assert stage in result.stdout, result.stdout


def test_isolation_scaling_runs_in_quick_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "isolation.py"), "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[:5] == ["cameras", "sites", "zones", "legacy isolated", "findings"]
    assert {"isolation CPU s", "wall s", "µs / camera (CPU)"} <= set(header)
    body = {row.split("|")[1].strip(): [cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]}
    # One site of ten zones each; 5% of the cameras are legacy and must be proved isolated, and are.
    assert body["200"][:5] == ["200", "1", "10", "10", "0"]
    assert body["1,000"][:5] == ["1,000", "1", "10", "50", "0"]
    assert all(len(cells) == len(header) for cells in body.values())
    assert "Per-camera cost, 1,000 / 200 cameras: **" in result.stdout
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == ["estate-1000.yaml", "estate-200.yaml"]


def test_hostile_shapes_run_in_quick_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "hostile.py"), "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == ["shape", "items", "file MB", "wall s", "CPU s", "peak MB", "exit"]
    # Hostile input is judged, never a crash: every shape gives findings (exit 1).
    assert {row[0]: row[-1] for row in rows[1:]} == dict.fromkeys(["flow", "json", "records", "config.xml", "scalar", "words", "deep"], "1")


def test_commercial_loader_benchmark_runs_in_quick_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "commercial.py"), "--quick"],
        capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == ["format", "N", "MB", "records out", "load cpu s", "µs per item", "per item vs smallest N"]
    # Every generated file is recognised and read (48 zones plus rules, or one camera per hardware and 4 recorders).
    assert [(row[0], row[1], row[3]) for row in rows[1:]] == [
        ("fortigate", "200", "180"), ("fortigate", "800", "582"),
        ("panos", "200", "180"), ("panos", "800", "582"),
        ("milestone", "200", "104"), ("milestone", "800", "404"),
    ]
