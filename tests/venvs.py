"""Fresh virtual environments for tests that install what a user would: built wheels, no network.

The dependencies come from the test environment's site-packages, added to the
new environment as a plain path, so that its ``.pth`` files (among them the
editable install of this checkout) are not processed: what runs is what the
wheels installed.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path


def build_wheel(source: Path, dist: Path, module: str) -> Path:
    """Build the wheel of the project at ``source`` (whose wheel is named ``module-*``) into ``dist``, without download."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(dist), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    return next(dist.glob(f"{module}-*.whl"))


def fresh_venv(venv: Path, *wheels: Path) -> Path:
    """A new virtual environment at ``venv`` with ``wheels`` installed; returns its ``bin`` folder."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", *map(str, wheels)],
        check=True, capture_output=True, timeout=300,
    )
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"
