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
    uses = [step["uses"] for step in spec["runs"]["steps"] if "uses" in step]
    assert "github/codeql-action/upload-sarif@v3" in uses
    assert all(re.fullmatch(r"[\w./-]+@v\d+", u) for u in uses), uses


def test_action_check_step_annotates_writes_sarif_and_a_summary(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (estate / "estate" / "cameras.yaml").write_text(CAMERAS_BAD, encoding="utf-8")
    runner = tmp_path_factory.mktemp("runner")
    files = {name: runner / name for name in ("output", "env", "summary")}
    for path in files.values():
        path.write_text("", encoding="utf-8")
    spec = action()
    inputs = {f"inputs.{name}": str(item.get("default", "")) for name, item in spec["inputs"].items()}
    inputs["inputs.args"] = "--as-of 2026-03-01"
    step = next(s for s in spec["runs"]["steps"] if s.get("id") == "check")
    env = environment(
        GITHUB_ACTIONS="true",
        GITHUB_OUTPUT=str(files["output"]),
        GITHUB_ENV=str(files["env"]),
        GITHUB_STEP_SUMMARY=str(files["summary"]),
        RUNNER_TEMP=str(runner),
        VMSPOLICY=str(BIN / "vmspolicy"),  # what the install step exports
        **{key: render(str(value), inputs) for key, value in step["env"].items()},
    )
    done = subprocess.run(["bash", "-e", "-c", render(step["run"], inputs)], cwd=estate, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "::error file=estate/cameras.yaml,line=4,col=43,title=VP005 address-outside-zone::" in done.stdout
    outputs = dict(line.split("=", 1) for line in files["output"].read_text(encoding="utf-8").splitlines())
    assert outputs == {"exit-code": "1", "sarif": "true"}
    log = assert_valid_sarif((estate / "vmspolicy.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["ruleId"] == "VP005"
    summary = files["summary"].read_text(encoding="utf-8")
    assert "VP005" in summary and "estate/cameras.yaml" in summary


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
