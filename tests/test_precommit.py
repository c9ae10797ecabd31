"""The pre-commit hooks, run by the real pre-commit (``pre-commit try-repo``) in a temporary git repository.

The hook repository is a fresh git repository holding this source tree with the
hook files committed, so the test sees exactly what a user pinning a release
would get, from a clean clone or not. pre-commit installs it into its own
virtualenv with pip (dependencies from the package index, cached by pip
between runs).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.manifests import CAMERAS_BAD, CAMERAS_OK, NETWORK, UNRELATED

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
HOOK_FILES = ("vmspolicy", "schemas", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")

# A YAML file that is no manifest (no `vmspolicy:` key): the hook must leave it alone.
WORKFLOW = """\
name: ci
on: [push]
jobs: {}
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=vmspolicy tests", "-c", "user.email=tests@vmspolicy.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in HOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "vmspolicy under test", cwd=repo)
    return repo


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's repository: the zones in one file, the cameras in another, the estate named in the config."""
    (tmp_path / ".vmspolicy.yaml").write_text('estate: ["estate/*.yaml"]\n', encoding="utf-8")
    (tmp_path / "estate").mkdir()
    (tmp_path / "estate" / "network.yaml").write_text(NETWORK, encoding="utf-8")
    (tmp_path / "estate" / "cameras.yaml").write_text(CAMERAS_OK, encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-q", "-m", "estate", cwd=tmp_path)
    return tmp_path


def try_repo(hook_repo: Path, project: Path, *args: str, user_cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo``; with ``user_cache`` (the user's cache directory, which holds the secret), the load cache on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GITHUB_", "VIRTUAL_ENV"))}
    env.update({"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "NO_COLOR": "1"})
    if user_cache is not None:
        # pre-commit keeps its hook environments where it would without the moved cache directory: installed once.
        env["PRE_COMMIT_HOME"] = os.environ.get("PRE_COMMIT_HOME") or str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                                                                          / "pre-commit")
        env["XDG_CACHE_HOME"] = str(user_cache)
        env.pop("VMSPOLICY_NO_CACHE", None)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hook_repo), *args, "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


@pytest.mark.installs
def test_violating_manifest_fails_with_file_line_and_rule(hook_repo: Path, project: Path) -> None:
    (project / "estate" / "cameras.yaml").write_text(CAMERAS_BAD, encoding="utf-8")
    done = try_repo(hook_repo, project, "vmspolicy", "--files", "estate/cameras.yaml", ".github/workflows/ci.yml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^vmspolicy\.+Failed$", done.stdout, re.MULTILINE), done.stdout
    assert "estate/cameras.yaml:4:43: VP005 [error] cam-2 has address 10.20.40.11" in done.stdout
    assert "(address-outside-zone)" in done.stdout
    assert "ci.yml" not in done.stdout.split("Using config:")[-1].split("=" * 79)[-1]


@pytest.mark.installs
def test_clean_manifest_and_other_yaml_pass_with_the_estate_as_context(hook_repo: Path, project: Path) -> None:
    # cameras.yaml alone names zone `cctv` and site `hq` from network.yaml: only the configured estate resolves them.
    done = try_repo(hook_repo, project, "--files", "estate/cameras.yaml", ".github/workflows/ci.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^vmspolicy\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^vmspolicy \(whole estate\)\.+Passed$", done.stdout, re.MULTILINE), done.stdout


def test_hook_manifest_is_valid_and_runs_existing_options() -> None:
    from pre_commit.clientlib import load_manifest

    from vmspolicy.cli import build_parser

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert [h["id"] for h in hooks] == ["vmspolicy", "vmspolicy-estate"]
    parser = build_parser()
    for hook in hooks:
        argv = shlex.split(hook["entry"])
        assert argv[0] == "vmspolicy"
        args = parser.parse_args([*argv[1:], *hook["args"], "manifest.yaml"])
        assert args.command == "check" and args.allow_empty
        assert hook["require_serial"]
        for name in ("cameras.yaml", "estate.yml", "site.json", "bom.csv", "bom.tsv", "bom.xlsx"):
            assert re.search(hook["files"], name), name


def stage(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=project)


def hook_outputs(stdout: str) -> dict[str, str]:
    """Each hook's result line ('Passed', 'Failed') by hook name."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^(vmspolicy(?: \(whole estate\))?)\.+(Passed|Failed|\(no files to check\)Skipped)$",
                                                         stdout, re.MULTILINE)}


@pytest.mark.installs
@pytest.mark.parametrize("configured", [True, False], ids=["estate-configured", "no-configuration"])
def test_unrelated_files_pass_and_the_violating_manifest_is_blocked_in_the_same_commit(
    hook_repo: Path, project: Path, configured: bool
) -> None:
    if not configured:
        (project / ".vmspolicy.yaml").unlink()
        git("add", "-A", cwd=project)
    stage(project, {**UNRELATED, "estate/cameras.yaml": CAMERAS_BAD})
    done = try_repo(hook_repo, project)  # the staged files, as `git commit` hands them over
    assert done.returncode == 1, done.stdout + done.stderr
    assert hook_outputs(done.stdout) == {"vmspolicy": "Failed", "vmspolicy (whole estate)": "Failed"}, done.stdout
    assert "estate/cameras.yaml:4:43: VP005 [error]" in done.stdout
    for name in UNRELATED:
        assert f"{name}:" not in done.stdout, done.stdout
    # The same files without the violation: the commit goes through.
    stage(project, {"estate/cameras.yaml": CAMERAS_OK})
    done = try_repo(hook_repo, project)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.installs
def test_the_estate_hook_runs_only_when_a_file_of_the_estate_changed(hook_repo: Path, project: Path) -> None:
    # An estate that already fails (a finding committed before the hooks): a commit of other files is not blocked by it ...
    (project / "estate" / "cameras.yaml").write_text(CAMERAS_BAD, encoding="utf-8")
    git("add", "-A", cwd=project)
    git("commit", "-q", "--no-verify", "-m", "known finding", cwd=project)
    stage(project, UNRELATED)
    done = try_repo(hook_repo, project, "vmspolicy-estate")
    assert done.returncode == 0, done.stdout + done.stderr
    # ... a change to the estate re-judges all of it, the untouched camera file included.
    git("commit", "-q", "--no-verify", "-m", "other files", cwd=project)
    stage(project, {"estate/network.yaml": NETWORK + "# reviewed\n"})
    done = try_repo(hook_repo, project, "vmspolicy-estate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "estate/cameras.yaml:4:43: VP005 [error]" in done.stdout


@pytest.mark.installs
def test_with_the_cache_on_the_hooks_end_at_once_and_their_writers_leave_the_entries(
    hook_repo: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each hook's command leaves its cache writes to a detached writer: pre-commit, reading its pipes, does not wait for it."""
    from vmspolicy.run.cache import FOLDER_NAME
    from vmspolicy.run.cache_writer import wait_for_writer, writer_report

    stage(project, {**UNRELATED, "estate/cameras.yaml": CAMERAS_BAD})
    user_cache = tmp_path_factory.mktemp("user-cache")  # outside the project: a secret inside it would turn the cache off
    done = try_repo(hook_repo, project, user_cache=user_cache)
    assert done.returncode == 1, done.stdout + done.stderr
    assert hook_outputs(done.stdout) == {"vmspolicy": "Failed", "vmspolicy (whole estate)": "Failed"}, done.stdout
    cache = project / FOLDER_NAME
    assert wait_for_writer(cache, timeout=120)
    report = writer_report(cache)
    assert report is not None and report["problems"] == [] and report["written"] == report["entries"] > 0
    written = sorted(p.relative_to(cache) for p in cache.rglob("entries/*/*") if p.is_file())
    assert len([p for p in written if p.parts[0] == "entries"]) == 2  # network.yaml and cameras.yaml
    assert (user_cache / "vmspolicy" / "secret").exists()
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=project, capture_output=True, text=True, check=True)
    assert FOLDER_NAME not in status.stdout  # ignored by git: pre-commit sees no file the hooks changed
    # The next attempt takes the estate from the cache and reports the same.
    again = try_repo(hook_repo, project, user_cache=user_cache)
    assert (again.returncode, again.stdout) == (done.returncode, done.stdout)
    assert wait_for_writer(cache, timeout=120)
