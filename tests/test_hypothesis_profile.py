"""In CI the property tests draw the same examples on every run; elsewhere they keep exploring."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = "import tests.conftest; from hypothesis import settings; print(settings.default.derandomize)"


def _derandomised(ci: str | None) -> bool:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_ci_selects_the_derandomised_profile() -> None:
    assert _derandomised("true")
    assert not _derandomised(None)
