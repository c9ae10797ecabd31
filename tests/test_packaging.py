"""The built wheel works on its own: installed into a fresh virtual environment, it finds its schemas and data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.venvs import fresh_venv

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.installs
def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path, vmspolicy_wheel: Path) -> None:
    wheel = vmspolicy_wheel
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("manifest", "config", "report"):
        assert f"vmspolicy/schemas/{schema}.schema.json" in names
    assert "vmspolicy/py.typed" in names
    assert "vmspolicy/data/vendor-catalog.json" in names  # the precompiled vendor data (analysis/identify/builtin.py)

    venv = tmp_path / "venv"
    python = fresh_venv(venv, wheel) / "python"

    work = tmp_path / "work"
    work.mkdir()
    (work / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras: [{id: c, site: hq, vendr: x}]\n",
                                      encoding="utf-8")
    where = subprocess.run(
        [str(python), "-c", "import vmspolicy, vmspolicy.core.schemas as s; print(vmspolicy.__file__); print(s.schema_path('manifest'))"],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(venv)) for line in where), where
    probe = "from vmspolicy.analysis.identify import builtin as b\nprint(b._precompiled(b.sources_digest(b._sources())) is not None)"
    precompiled = subprocess.run(
        [str(python), "-c", probe],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert precompiled == "True"  # an installed run reads the shipped JSON, not vendors.yaml and the extract
    result = subprocess.run(
        [str(venv / "bin" / "vmspolicy"), "check", "estate.yaml"], cwd=work, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "estate.yaml:3:29: VP002 [error] unknown key 'vendr'" in result.stdout


def test_the_wheel_and_the_sdist_carry_the_license_and_the_sdist_everything_the_tests_read(tmp_path: Path) -> None:
    import tarfile

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "-o", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = zipfile.ZipFile(next(dist.glob("vmspolicy-*.whl")))
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    licenses = [name for name in wheel.namelist() if name.endswith(".dist-info/licenses/LICENSE")]
    assert len(licenses) == 1 and wheel.read(licenses[0]).decode() == license_text
    metadata = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata and "Classifier: Programming Language :: Python :: 3.10" in metadata
    assert "Project-URL: Homepage," in metadata
    with tarfile.open(next(dist.glob("vmspolicy-*.tar.gz"))) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    # Unpacked, the sdist is a checkout the tests pass in: every file of this tree but the repository's own machinery.
    assert _source_files() <= members, sorted(_source_files() - members)


# What tools leave in a working tree (caches, virtual environments, builds): never part of the source.
_TOOL_DIRS = {".git", ".ci", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".import_linter_cache",
              ".vmspolicy_cache", "dist", "build"}


def _source_files() -> set[str]:
    """The files of the source tree: git's tracked files in a checkout, else every file outside the tools' folders."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout.decode().split("\0")
        paths = [ROOT / name for name in listed if name]
    else:
        paths = [p for p in ROOT.rglob("*") if p.is_file()]
    return {
        path.relative_to(ROOT).as_posix()
        for path in paths
        if path.is_file() and not _TOOL_DIRS.intersection(path.relative_to(ROOT).parts)
        and not path.relative_to(ROOT).as_posix().startswith("benchmarks/out/")
        and not any(part.endswith(".egg-info") for part in path.relative_to(ROOT).parts)
        and path.name not in (".gitignore", "PKG-INFO") and not path.name.endswith(".pyc")
    }


def test_the_installed_jsonschema_rs_is_inside_the_tested_range() -> None:
    # A compiled pre-1.0 dependency: the declared range is the one these tests ran with.
    import importlib.metadata
    import re

    requirement = next(r for r in importlib.metadata.requires("vmspolicy") or [] if r.startswith("jsonschema-rs"))
    low = re.search(r">=([\d.]+)", requirement)
    high = re.search(r"<([\d.]+)", requirement)
    assert low and high, f"jsonschema-rs needs a tested lower and upper bound: {requirement}"
    installed = tuple(int(part) for part in importlib.metadata.version("jsonschema-rs").split(".")[:2])
    assert tuple(int(p) for p in low.group(1).split(".")[:2]) <= installed < tuple(int(p) for p in high.group(1).split(".")[:2])
