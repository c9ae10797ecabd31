"""hooks/: the plain git hook, the GitHub Action and the GitLab CI template, exercised off their platforms.

The YAML files are validated against the schemas their platforms publish (as
vendored by check-jsonschema), and the shell they run is executed here with the
platform's environment emulated: the same commands, the same files written.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.manifests import CAMERAS_BAD, CAMERAS_OK, NETWORK
from tests.reporters.validators import assert_valid_junit, assert_valid_sarif
from vmspolicy.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / "hooks"
BIN = Path(sys.executable).parent


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_", "VMSPOLICY"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=vmspolicy tests", "-c", "user.email=tests@vmspolicy.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=check, capture_output=True, text=True, env=environment(),
    )


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    (tmp_path / ".vmspolicy.yaml").write_text('estate: ["estate/*.yaml"]\n', encoding="utf-8")
    (tmp_path / "estate").mkdir()
    (tmp_path / "estate" / "network.yaml").write_text(NETWORK, encoding="utf-8")
    return tmp_path


def builtin_schema(name: str) -> dict[str, Any]:
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def assert_valid(document: Any, schema_name: str) -> None:
    import jsonschema

    schema = builtin_schema(schema_name)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(document))
    assert not errors, [e.message for e in errors[:5]]


def check_arguments(command: str) -> Any:
    """Parse a `vmspolicy ...` command line the way the CLI would; fails on an option that does not exist."""
    argv = shlex.split(command)
    assert argv[0] == "vmspolicy", command
    return build_parser().parse_args(argv[1:])


# --- the plain git hook ---------------------------------------------------------------------------


@pytest.fixture
def hooked(estate: Path) -> Path:
    git("init", "-q", cwd=estate)
    hook = estate / ".git" / "hooks" / "pre-commit"
    hook.write_bytes((HOOKS / "pre-commit").read_bytes())
    hook.chmod(0o755)
    git("add", "-A", cwd=estate)
    assert git("commit", "-q", "-m", "network", cwd=estate).returncode == 0
    return estate


def test_git_hook_blocks_a_violating_manifest(hooked: Path) -> None:
    (hooked / "estate" / "cameras.yaml").write_text(CAMERAS_BAD, encoding="utf-8")
    git("add", "estate/cameras.yaml", cwd=hooked)
    done = git("commit", "-m", "cameras", cwd=hooked, check=False)
    assert done.returncode != 0
    assert "estate/cameras.yaml:4:43: VP005 [error]" in done.stdout + done.stderr
    assert "commit blocked" in done.stderr


def test_git_hook_passes_a_clean_manifest_with_the_estate_as_context(hooked: Path) -> None:
    (hooked / "estate" / "cameras.yaml").write_text(CAMERAS_OK, encoding="utf-8")
    git("add", "estate/cameras.yaml", cwd=hooked)
    done = git("commit", "-m", "cameras", cwd=hooked, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_git_hook_ignores_yaml_that_is_no_manifest(hooked: Path) -> None:
    (hooked / "docker-compose.yml").write_text("services: {web: {image: nginx}}\n", encoding="utf-8")
    git("add", "docker-compose.yml", cwd=hooked)
    done = git("commit", "-m", "compose", cwd=hooked, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_git_hook_reads_an_uncommitted_configuration(hooked: Path) -> None:
    git("rm", "-q", "--cached", ".vmspolicy.yaml", cwd=hooked)
    git("commit", "-q", "--no-verify", "-m", "configuration no longer tracked", cwd=hooked)
    (hooked / "estate" / "cameras.yaml").write_text(CAMERAS_OK, encoding="utf-8")
    git("add", "estate/cameras.yaml", cwd=hooked)
    done = git("commit", "-m", "cameras", cwd=hooked, check=False)
    # Without the configuration's estate, site `hq` and zone `cctv` would be unknown references (VP003).
    assert done.returncode == 0, done.stdout + done.stderr


def test_git_hook_judges_the_staged_content_not_the_working_tree(hooked: Path) -> None:
    cameras = hooked / "estate" / "cameras.yaml"
    cameras.write_text(CAMERAS_BAD, encoding="utf-8")
    git("add", "estate/cameras.yaml", cwd=hooked)
    cameras.write_text(CAMERAS_OK, encoding="utf-8")  # fixed on disk, but not staged
    done = git("commit", "-m", "cameras", cwd=hooked, check=False)
    assert done.returncode != 0
    assert "VP005" in done.stdout + done.stderr



def test_git_hook_keeps_the_load_cache_in_the_work_tree(hooked: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The snapshot the hook checks is removed when it ends, while vmspolicy's cache writer may still be writing: the
    cache goes beside the work tree's configuration, where the next commit finds it, and the removal never fails."""
    from vmspolicy.run.cache import FOLDER_NAME
    from vmspolicy.run.cache_writer import wait_for_writer, writer_report

    env = environment(XDG_CACHE_HOME=str(tmp_path_factory.mktemp("user-cache")))  # the signing secret, outside the repository
    (hooked / "estate" / "cameras.yaml").write_text(CAMERAS_OK, encoding="utf-8")
    git("add", "estate/cameras.yaml", cwd=hooked)
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@vmspolicy.invalid", "-c", "commit.gpgsign=false", "commit", "-m", "cameras"]
    done = subprocess.run(command, cwd=hooked, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    cache = hooked / FOLDER_NAME
    assert wait_for_writer(cache, timeout=120)
    report = writer_report(cache)
    assert report is not None and report["problems"] == [] and report["written"] == report["entries"]
    assert len([p for p in (cache / "entries").rglob("*") if p.is_file()]) == 2  # the estate's two files
    assert git("status", "--porcelain", cwd=hooked).stdout == ""  # ignored by git

# --- the GitHub Action ----------------------------------------------------------------------------


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((HOOKS / "action.yml").read_text(encoding="utf-8"))
    return loaded


def render(text: str, values: dict[str, str]) -> str:
    """Substitute GitHub's ``${{ ... }}`` expressions the runner would."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1).strip()]

    return re.sub(r"\$\{\{(.+?)\}\}", value, text)


def test_action_is_a_valid_composite_action() -> None:
    spec = action()
    assert_valid(spec, "github-actions")
    assert spec["runs"]["using"] == "composite"
    steps = {step.get("uses", "").split("@")[0]: step for step in spec["runs"]["steps"]}
    uses = [step["uses"] for step in spec["runs"]["steps"] if "uses" in step]
    assert all(re.fullmatch(r"[\w./-]+@v\d+", u) for u in uses), uses
    # v3 of the upload is deprecated in December 2026.
    assert steps["github/codeql-action/upload-sarif"]["uses"] == "github/codeql-action/upload-sarif@v4"
    # Code scanning gets the copy without suppressed results; the artifact keeps the full report.
    assert steps["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == "${{ runner.temp }}/vmspolicy-code-scanning.sarif"
    assert steps["actions/upload-artifact"]["uses"] == "actions/upload-artifact@v4"
    assert steps["actions/upload-artifact"]["with"]["path"] == "${{ inputs.sarif-file }}"
    assert {"args", "check-args", "report-args"} <= set(spec["inputs"])


class Runner:
    """The files a GitHub runner gives a step, and the steps of the action run as it would run them."""

    def __init__(self, root: Path, inputs: dict[str, str]) -> None:
        self.root = root
        self.files = {name: root / name for name in ("output", "env", "summary")}
        for path in self.files.values():
            path.write_text("", encoding="utf-8")
        spec = action()
        self.values = {f"inputs.{name}": str(item.get("default", "")) for name, item in spec["inputs"].items()}
        self.values.update({f"inputs.{name}": value for name, value in inputs.items()})
        self.steps = {s.get("id") or s.get("name"): s for s in spec["runs"]["steps"]}

    def run(self, step_id: str, cwd: Path, outputs: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run one step; ``outputs`` are earlier steps' outputs, ``{"check.exit-code": "1"}``."""
        step = self.steps[step_id]
        self.files["output"].write_text("", encoding="utf-8")
        earlier = {f"steps.{key.replace('.', '.outputs.', 1)}": value for key, value in (outputs or {}).items()}
        values = {**self.values, **earlier}
        env = environment(
            GITHUB_ACTIONS="true",
            GITHUB_OUTPUT=str(self.files["output"]),
            GITHUB_ENV=str(self.files["env"]),
            GITHUB_STEP_SUMMARY=str(self.files["summary"]),
            RUNNER_TEMP=str(self.root),
            VMSPOLICY=str(BIN / "vmspolicy"),  # what the install step exports
            VMSPOLICY_PYTHON=sys.executable,
            **{key: render(str(value), values) for key, value in step.get("env", {}).items()},
        )
        return subprocess.run(["bash", "-e", "-c", render(step["run"], values)], cwd=cwd, env=env, capture_output=True,
                              text=True, check=False)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.files["output"].read_text(encoding="utf-8").splitlines())


CAMERA_ALSO_OUTSIDE = "  - {id: cam-3, site: hq, zone: cctv, ip: 10.20.40.12, vendor: Axis}\n"


@pytest.fixture
def baselined(estate: Path) -> Path:
    """cam-2's VP005 is in a baseline (a suppressed finding); cam-3's is new."""
    cameras = estate / "estate" / "cameras.yaml"
    cameras.write_text(CAMERAS_BAD, encoding="utf-8")
    done = subprocess.run([str(BIN / "vmspolicy"), "baseline", "--as-of", "2026-03-01", "--output", "baseline.json"], cwd=estate,
                          env=environment(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    cameras.write_text(CAMERAS_BAD + CAMERA_ALSO_OUTSIDE, encoding="utf-8")
    return estate


def test_action_checks_uploads_without_suppressed_results_and_writes_the_summary(
        baselined: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    runner = Runner(tmp_path_factory.mktemp("runner"), {
        "args": "--as-of 2026-03-01",
        "check-args": "--baseline baseline.json --jobs 1",  # `report` has no --jobs: it must not get these
        "report-args": "--title Depot-estate",
    })
    done = runner.run("check", baselined)
    assert done.returncode == 0, done.stderr
    assert "::error file=estate/cameras.yaml,line=5,col=43,title=VP005 address-outside-zone::" in done.stdout
    assert runner.outputs() == {"exit-code": "1", "sarif": "true"}
    full = assert_valid_sarif((baselined / "vmspolicy.sarif").read_text(encoding="utf-8"))
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: "suppressions" in r for r in full["runs"][0]["results"]}
    assert lines == {4: True, 5: False}
    uploaded = assert_valid_sarif((runner.root / "vmspolicy-code-scanning.sarif").read_text(encoding="utf-8"))
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in uploaded["runs"][0]["results"]] == [5]
    assert uploaded["runs"][0]["tool"] == full["runs"][0]["tool"]

    done = runner.run("summary", baselined, {"check.exit-code": "1"})
    assert done.returncode == 0, done.stderr
    assert "::error" not in done.stdout
    assert runner.outputs() == {"exit-code": "0"}
    summary = runner.files["summary"].read_text(encoding="utf-8")
    assert "Depot-estate" in summary and "VP005" in summary and "estate/cameras.yaml" in summary


def test_action_reports_a_summary_that_cannot_be_written(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (estate / "estate" / "cameras.yaml").write_text(CAMERAS_OK, encoding="utf-8")
    runner = Runner(tmp_path_factory.mktemp("runner"), {"report-args": "--jobs 2"})
    done = runner.run("summary", estate, {"check.exit-code": "0"})
    assert done.returncode == 0, done.stderr
    assert runner.outputs() == {"exit-code": "2"}
    assert "::error title=vmspolicy job summary::vmspolicy report exited with 2" in done.stdout
    assert "--jobs" in done.stderr  # vmspolicy's own message, in the step's log
    verdict = runner.run("Verdict", estate, {"check.exit-code": "0", "summary.exit-code": "2"})
    assert verdict.returncode == 2
    assert "the job summary could not be written" in verdict.stderr


@pytest.mark.parametrize(("check", "summary", "expected"), [("0", "", 0), ("0", "0", 0), ("1", "0", 1), ("1", "2", 1), ("", "", 2)])
def test_action_verdict_is_checks_exit_code_unless_the_summary_failed(
        estate: Path, tmp_path_factory: pytest.TempPathFactory, check: str, summary: str, expected: int) -> None:
    runner = Runner(tmp_path_factory.mktemp("runner"), {})
    assert runner.run("Verdict", estate, {"check.exit-code": check, "summary.exit-code": summary}).returncode == expected


@pytest.mark.installs
def test_action_install_step_installs_the_actions_own_version(tmp_path: Path) -> None:
    spec = action()
    step = next(s for s in spec["runs"]["steps"] if s.get("name") == "Install vmspolicy")
    values = {"steps.python.outputs.python-path": sys.executable, "inputs.package": "", "github.action_path": str(HOOKS)}
    github_env = tmp_path / "env"
    github_env.write_text("", encoding="utf-8")
    env = environment(GITHUB_ENV=str(github_env), RUNNER_TEMP=str(tmp_path), PIP_DISABLE_PIP_VERSION_CHECK="1",
                      **{key: render(str(value), values) for key, value in step["env"].items()})
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    exported = dict(line.split("=", 1) for line in github_env.read_text(encoding="utf-8").splitlines())
    version = subprocess.run([exported["VMSPOLICY"], "--version"], capture_output=True, text=True, check=True, env=environment())
    from vmspolicy import __version__

    assert version.stdout.strip() == f"vmspolicy {__version__}"


def test_action_commands_exist() -> None:
    for step in action()["runs"]["steps"]:
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line.startswith('"$VMSPOLICY"'):
                command = "vmspolicy" + re.sub(r'"\$\{fail_on\[@\]\}"|\$\w+|"\$\w+"', "", line[len('"$VMSPOLICY"'):])
                command = command.replace("sarif:", "sarif:out.sarif").replace("--output  ", "--output x ").split("||")[0]
                check_arguments(command)


# --- the GitLab CI template -----------------------------------------------------------------------


def gitlab() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((HOOKS / "gitlab-ci.yml").read_text(encoding="utf-8"))
    return loaded


def test_gitlab_template_is_valid_and_publishes_both_reports() -> None:
    template = gitlab()
    assert_valid(template, "gitlab-ci")
    job = template[".vmspolicy"]
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"
    script = " ".join(job["script"])
    assert f"gitlab:{reports['codequality']}" in script
    assert f"junit:{reports['junit']}" in script
    for line in job["script"]:
        check_arguments(line.replace("$VMSPOLICY_ARGS", "").replace("$VMSPOLICY_PATHS", ""))


def test_gitlab_job_script_writes_the_reports(estate: Path) -> None:
    (estate / "estate" / "cameras.yaml").write_text(CAMERAS_BAD, encoding="utf-8")
    job = gitlab()[".vmspolicy"]
    variables = {k: str(v) for k, v in job["variables"].items()}
    variables["VMSPOLICY_ARGS"] = "--as-of 2026-03-01"
    env = environment(CI="true", GITLAB_CI="true", **variables)
    done = subprocess.run(["sh", "-c", "\n".join(job["script"])], cwd=estate, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "estate/cameras.yaml:4:43: VP005" in done.stdout
    reports = job["artifacts"]["reports"]
    issues = json.loads((estate / reports["codequality"]).read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("VP005 address-outside-zone", "estate/cameras.yaml", 4)
    ]
    assert_valid_junit((estate / reports["junit"]).read_text(encoding="utf-8"))
    for path in job["artifacts"]["paths"]:
        assert (estate / path).is_file()


def test_gitlab_template_installs_its_own_release_from_the_repository() -> None:
    from vmspolicy import __version__
    from vmspolicy.reporters.common import REPOSITORY_URL

    # vmspolicy is not on the package index: the default install is the template's own tag, from the repository.
    job = gitlab()[".vmspolicy"]
    tag = f"v{__version__}"
    assert job["variables"]["VMSPOLICY_PACKAGE"] == f"git+{REPOSITORY_URL}.git@{tag}"
    assert job["image"] == "python:3.12"  # the full image has git; the slim one does not
    header = (HOOKS / "gitlab-ci.yml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    raw = REPOSITORY_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
    include = f"{raw}/{tag}/hooks/gitlab-ci.yml"
    assert include in header and include in readme


@pytest.mark.installs
def test_gitlab_default_install_works_from_a_git_tag(tmp_path: Path) -> None:
    from vmspolicy import __version__

    # The template's before_script, with the repository's URL pointing at a local clone carrying the tag.
    clone = tmp_path / "vmspolicy"
    git("clone", "-q", "--no-hardlinks", str(ROOT), str(clone), cwd=tmp_path)
    git("tag", "-f", f"v{__version__}", cwd=clone)
    job = gitlab()[".vmspolicy"]
    package = job["variables"]["VMSPOLICY_PACKAGE"].replace(
        job["variables"]["VMSPOLICY_PACKAGE"].split("@")[0], f"git+{clone.as_uri()}")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    env = environment(VMSPOLICY_PACKAGE=package, PIP_DISABLE_PIP_VERSION_CHECK="1", PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    for line in job["before_script"]:
        done = subprocess.run(["sh", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run([str(python.parent / "vmspolicy"), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"vmspolicy {__version__}"
