"""Shared pytest options and fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import settings

from vmspolicy.testing import run_cli

ROOT = Path(__file__).resolve().parent.parent

# The suite runs without the load cache: tests write estates into the repository's own folders and
# compare -v output byte for byte, and must not depend on what an earlier run left in the user's cache.
# tests/test_cache.py turns it on where it is the subject.
os.environ["VMSPOLICY_NO_CACHE"] = "1"

# In CI (CI=true, as GitHub, GitLab and .ci/run set it) property tests draw the same examples on every
# run, so a red build is about the change under test and replays exactly; on a developer's machine
# they keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")


# Tests marked `installs` build virtual environments and install packages from the package registry
# (the real pre-commit, the example plugin, the wheel, the CI templates): about two minutes of the suite
# on two cores. The README's test command runs them where CI=true (as .ci/run does) or
# VMSPOLICY_INSTALL_TESTS=1, and otherwise skips each, saying how to run it.
INSTALL_TESTS = os.environ.get("CI") == "true" or os.environ.get("VMSPOLICY_INSTALL_TESTS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if INSTALL_TESTS:
        return
    skip = pytest.mark.skip(reason="installs packages into fresh virtual environments: runs in CI (CI=true), or set VMSPOLICY_INSTALL_TESTS=1")
    for item in items:
        if "installs" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing (review the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def vmspolicy_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vmspolicy's wheel, built once per session for the tests that install it into a fresh virtual environment."""
    from tests.venvs import build_wheel

    return build_wheel(ROOT, tmp_path_factory.mktemp("dist"), "vmspolicy")


@pytest.fixture
def plugin_workspace(tmp_path: Path) -> Path:
    """``site/`` for plugins installed as entry points (tests.test_plugins.install_entry_point), ``work/`` with a one-camera estate."""
    (tmp_path / "site").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras: [{id: cam-1, site: hq, vendor: Axis}]\n",
                                                 encoding="utf-8")
    return tmp_path


class Cli(Protocol):
    """The command line run in this process: ``code, out, err = cli("check", "estate.yaml", cwd=folder)``."""

    def __call__(self, *args: str, cwd: Path | None = None) -> tuple[int, str, str]: ...


@pytest.fixture
def cli() -> Cli:
    """The one way tests run the command line in-process (``vmspolicy.testing.run_cli``, as plugins' tests do).

    The working directory is ``cwd`` while it runs and is restored afterwards;
    an argparse exit (``--help``, a usage error) is its exit code.
    """

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        done = run_cli(*args, cwd=cwd)
        return done.exit_code, done.stdout, done.stderr

    return run
