"""The built wheel works on its own: installed into a fresh virtual environment, it finds its schemas and data."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(dist.glob("vmspolicy-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("manifest", "config", "report"):
        assert f"vmspolicy/schemas/{schema}.schema.json" in names
    assert "vmspolicy/py.typed" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    # The dependencies come from the test environment's site-packages, added as a plain path so that its
    # .pth files (among them the editable install of this checkout) are NOT processed.
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

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
