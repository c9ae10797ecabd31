"""The built wheel works on its own: installed into a fresh virtual environment, it finds its schemas and data."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from tests.venvs import fresh_venv


def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path, vmspolicy_wheel: Path) -> None:
    wheel = vmspolicy_wheel
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("manifest", "config", "report"):
        assert f"vmspolicy/schemas/{schema}.schema.json" in names
    assert "vmspolicy/py.typed" in names

    venv = tmp_path / "venv"
    python = fresh_venv(venv, wheel) / "python"

    work = tmp_path / "work"
    work.mkdir()
    (work / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras: [{id: c, site: hq, vendr: x}]\n",
                                      encoding="utf-8")
    where = subprocess.run(
        [str(python), "-c", "import vmspolicy, vmspolicy.schemas as s; print(vmspolicy.__file__); print(s.schema_path('manifest'))"],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(venv)) for line in where), where
    result = subprocess.run(
        [str(venv / "bin" / "vmspolicy"), "check", "estate.yaml"], cwd=work, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "estate.yaml:3:29: VP002 [error] unknown key 'vendr'" in result.stdout
