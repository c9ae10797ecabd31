"""The stable plugin surface: everything a plugin needs comes from the top-level ``vmspolicy`` package."""

from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

import vmspolicy
from tests.conftest import Cli
from tests.plugins import public_api
from vmspolicy.core.config import Config
from vmspolicy.run.pipeline import RunOptions, check
from vmspolicy.run.plugins import load_plugins

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_example_plugin_imports_only_the_top_level_package() -> None:
    tree = ast.parse(Path(public_api.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {name for name in imported if name and name.startswith("vmspolicy")} == {"vmspolicy"}


def test_a_rule_a_pack_a_loader_and_a_reporter_from_the_public_names_alone(tmp_path: Path) -> None:
    (tmp_path / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    (tmp_path / "cams.tab").write_text("cam-1\thq\tAxis\ncam-2\thq\tHikvision\n", encoding="utf-8")
    host = load_plugins(entry_points_enabled=False, extra=[public_api])
    options = RunOptions(paths=[str(tmp_path)], as_of=dt.date(2026, 1, 1))
    result = check(options, Config(root=tmp_path, profiles=("acme-2026",)), host)
    rendered = host.reporters()["lines"].render(result)
    lines = rendered.splitlines()
    tab = f"{tmp_path.as_posix()}/cams.tab"  # outside the working directory: named by its full path
    # The loader's cameras reach the plugin's rule and the built-in rules under the plugin's pack.
    assert f"{tab}:1:1 ACME101 cam-1" in lines
    assert f"{tab}:2:1 ACME101 cam-2" in lines
    assert any(line.startswith(f"{tab}:2:") and " VP102 cam-2" in line for line in lines), rendered
    assert json.loads(lines[-1]) == {"passed": False}
    assert [p["id"] for p in result.packs if p["id"] == "acme-2026"] == ["acme-2026"]


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in vmspolicy.__all__:
        assert getattr(vmspolicy, name) is not None, name
    assert set(vmspolicy.__all__) <= set(dir(vmspolicy))
    assert vmspolicy.Rule.__module__.startswith("vmspolicy.")
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = vmspolicy.Nope  # type: ignore[attr-defined]


def test_public_names_are_imported_on_first_use() -> None:
    # `import vmspolicy` (every plugin's first line) must not import the rule engine: a pre-commit run pays for it.
    probe = "import sys, vmspolicy; print(sorted(m for m in sys.modules if m.startswith('vmspolicy')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "vmspolicy.rules" not in loaded and "vmspolicy.core.model" not in loaded, loaded


def test_a_deprecated_name_still_works_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(vmspolicy._DEPRECATED, "OldRule", ("vmspolicy.core.rule", "Rule", "vmspolicy.Rule"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert vmspolicy.OldRule is vmspolicy.Rule  # type: ignore[attr-defined]
    assert [str(w.message) for w in caught] == ["vmspolicy.OldRule is deprecated and will be removed; use vmspolicy.Rule"]
    assert caught[0].category is DeprecationWarning


def test_the_readme_documents_the_stable_surface() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("### The stable plugin API"):]
    section = section[: section.index("\n## ")]
    assert f"`PLUGIN_API_VERSION` is `{vmspolicy.PLUGIN_API_VERSION}`" in section
    for name in vmspolicy.__all__:
        assert f"`{name}`" in section, f"the README's stable surface does not list {name}"


def test_the_readme_plugin_works_as_written(tmp_path: Path) -> None:
    readme = README.read_text(encoding="utf-8")
    code = readme[readme.index("# my_plugin.py"):]
    code = code[: code.index("```")]
    site, work = tmp_path / "site", tmp_path / "work"
    site.mkdir()
    work.mkdir()
    (site / "my_plugin.py").write_text(code, encoding="utf-8")
    dist = site / "my_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[vmspolicy]\nmy_plugin = my_plugin\n", encoding="utf-8")
    (work / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: hq, vendor: Axis}\n",
                                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "vmspolicy", "check", "estate.yaml"], cwd=work, capture_output=True, text=True,
                            env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "VMSPOLICY_NO_CACHE": "1"}, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "estate.yaml:4:5: ACME101 [warning] cam-1 has no location (camera-location)" in result.stdout
    typed = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(site / "my_plugin.py")],
                           capture_output=True, text=True, check=False, timeout=300)
    assert typed.returncode == 0, typed.stdout


ESTATE = "vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: hq, vendor: Hikvision, installed: 2024-01-01}\n"


def test_check_runs_from_python_as_the_command_line_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: depot, vendor: Axis}\n",
                                          encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text("fail_on: warning\nrules:\n  VP003: {severity: warning}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = vmspolicy.check(vmspolicy.RunOptions(paths=["estate.yaml"], as_of=dt.date(2026, 1, 1)))
    assert isinstance(run, vmspolicy.Run)
    # The configuration is found from the working directory up, as the command line finds it.
    assert run.fail_on is vmspolicy.Severity.WARNING
    assert [(f.rule, f.severity, f.location.line, f.subject) for f in run.failing] == [("VP003", vmspolicy.Severity.WARNING, 4, "cam-1")]
    assert [(i.path, i.format) for i in run.inputs] == [("estate.yaml", "manifest")]
    # A configuration named by path is read instead.
    (tmp_path / "other.yaml").write_text("fail_on: error\n", encoding="utf-8")
    run = vmspolicy.check(vmspolicy.RunOptions(paths=["estate.yaml"], as_of=dt.date(2026, 1, 1), config=tmp_path / "other.yaml"))
    assert run.fail_on is vmspolicy.Severity.ERROR
    assert [(f.rule, f.severity) for f in run.failing] == [("VP003", vmspolicy.Severity.ERROR)]


def test_check_refuses_what_the_command_line_refuses_with_its_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text("rules:\n  VP999: {severity: warning}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(vmspolicy.VmspolicyError, match=r"\.vmspolicy\.yaml:2:3: unknown rule VP999") as raised:
        vmspolicy.check(vmspolicy.RunOptions(paths=["estate.yaml"]))
    assert raised.value.exit_code == 2


def test_check_takes_the_plugins_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    (tmp_path / "cams.tab").write_text("cam-1\thq\tAxis\n", encoding="utf-8")
    options = vmspolicy.RunOptions(paths=[str(tmp_path)], as_of=dt.date(2026, 1, 1), config=Config(root=tmp_path, profiles=("acme-2026",)))
    with pytest.raises(vmspolicy.VmspolicyError, match="unknown policy pack 'acme-2026'"):
        vmspolicy.check(replace(options, plugins=load_plugins(entry_points_enabled=False)))
    with_plugin = vmspolicy.check(replace(options, plugins=load_plugins(entry_points_enabled=False, extra=[public_api])))
    assert [f.subject for f in with_plugin.findings if f.rule == "ACME101"] == ["cam-1"]


def test_a_python_caller_registers_its_own_plugins_with_public_names_alone(tmp_path: Path) -> None:
    # A program embedding vmspolicy adds the plugins it defines in-process: they judge the run and every
    # report names them, as installed plugins are named; the internal plugin host is never needed.
    (tmp_path / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    (tmp_path / "cams.tab").write_text("cam-1\thq\tAxis\n", encoding="utf-8")
    options = vmspolicy.RunOptions(paths=[str(tmp_path)], as_of=dt.date(2026, 1, 1), config=Config(root=tmp_path, profiles=("acme-2026",)),
                                   installed_plugins=False)
    with pytest.raises(vmspolicy.VmspolicyError, match="unknown policy pack 'acme-2026'"):
        vmspolicy.check(options)
    run = vmspolicy.check(replace(options, extra_plugins=[public_api]))
    assert [f.subject for f in run.findings if f.rule == "ACME101"] == ["cam-1"]
    assert [p.name for p in run.plugins] == ["tests.plugins.public_api"]


def test_an_in_process_plugin_that_crashes_stops_the_run_naming_it(tmp_path: Path) -> None:
    from tests.plugins import raising

    (tmp_path / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    options = vmspolicy.RunOptions(paths=[str(tmp_path)], config=Config(root=tmp_path), installed_plugins=False, extra_plugins=[raising])
    with pytest.raises(vmspolicy.VmspolicyError, match=r"tests\.plugins\.raising.*VP902.*boom") as raised:
        vmspolicy.check(options)
    assert raised.value.exit_code == 2


def test_a_plugin_host_and_in_process_plugins_are_not_given_together(tmp_path: Path) -> None:
    options = vmspolicy.RunOptions(paths=[str(tmp_path)], config=Config(root=tmp_path), plugins=load_plugins(entry_points_enabled=False),
                                   extra_plugins=[public_api])
    with pytest.raises(vmspolicy.VmspolicyError, match=r"either plugins .* or extra_plugins") as raised:
        vmspolicy.check(options)
    assert raised.value.exit_code == 2


def test_run_result_is_the_run_under_its_older_name() -> None:
    assert vmspolicy.RunResult is vmspolicy.Run
    assert vmspolicy.check.__name__ == "run" and vmspolicy.check.__module__ == "vmspolicy.run.pipeline"


def test_the_readme_embedding_example_finds_what_the_command_line_fails_on() -> None:
    readme = README.read_text(encoding="utf-8")
    code = readme[readme.index("# embed.py"):]
    code = code[: code.index("```")]
    root = README.parent
    embedded = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, timeout=120).stdout
    report = subprocess.run([sys.executable, "-m", "vmspolicy", "check", "examples/estate", "--as-of", "2026-12-01", "--format", "json"],
                            cwd=root, capture_output=True, text=True, check=False, timeout=120)
    assert report.returncode == 1, report.stderr
    failing = [f for f in json.loads(report.stdout)["findings"] if f["suppressed"] is None and f["severity"] == "error"]
    assert failing
    assert embedded.splitlines() == [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] {f['message']} ({f['slug']})" for f in failing
    ]


@pytest.mark.parametrize("command", [["check"], ["report", "--output", "report.md"], ["baseline", "--output", "baseline.json"]])
def test_the_command_line_judges_through_the_same_entry(command: list[str], cli: Cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.run import pipeline

    (tmp_path / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text("fail_on: error\n", encoding="utf-8")
    seen: list[vmspolicy.RunOptions] = []

    def recorded(options: vmspolicy.RunOptions) -> vmspolicy.Run:
        seen.append(options)
        return run(options)

    run = pipeline.run
    monkeypatch.setattr(pipeline, "run", recorded)
    code, _, err = cli(*command, "estate.yaml", "--as-of", "2026-01-01", cwd=tmp_path)
    assert code == (1 if command == ["check"] else 0), err
    assert [(o.paths, o.as_of, o.config is not None, o.plugins is not None) for o in seen] == [
        (["estate.yaml"], dt.date(2026, 1, 1), True, True),
    ]


def test_a_python_caller_gives_profiles_fail_on_and_a_baseline_as_the_command_line_does(tmp_path: Path,
                                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A planned Dahua camera (a new install the US pack forbids everywhere: VP102, which no baseline holds) and a camera of
    # a maker nobody knows (VP106, a warning). The options change the verdict as --profile, --fail-on and --baseline do,
    # and every report records that they were given.
    (tmp_path / "estate.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: hq, vendor: Dahua, status: planned}\n"
        "  - {id: cam-2, site: hq, vendor: Zzyzx Optics}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    common = ["--no-plugins", "estate.yaml", "--as-of", "2026-01-01", "--profile", "us-ndaa-889"]
    cli_report = subprocess.run([sys.executable, "-m", "vmspolicy", "check", *common, "--fail-on", "warning", "--format", "json"],
                                capture_output=True, text=True, check=False, timeout=120)
    options = vmspolicy.RunOptions(paths=["estate.yaml"], as_of=dt.date(2026, 1, 1), plugins=load_plugins(entry_points_enabled=False),
                                   profiles=["us-ndaa-889"], fail_on=vmspolicy.Severity.WARNING)
    run = vmspolicy.check(options)
    expected = [(f["rule"], f["line"], f["subject"]) for f in json.loads(cli_report.stdout)["findings"]]
    assert [(f.rule, f.location.line, f.subject) for f in run.failing] == expected == [("VP102", 4, "cam-1"), ("VP106", 5, "cam-2")]
    assert run.profiles == ("us-ndaa-889",) and run.fail_on is vmspolicy.Severity.WARNING
    assert run.configuration is not None and run.configuration.command_line == ("fail_on", "profiles")
    # A baseline excuses what a baseline may hold, from Python as from the command line; the new install still fails.
    recorded = subprocess.run([sys.executable, "-m", "vmspolicy", "baseline", *common, "--output", "baseline.json"],
                              capture_output=True, text=True, check=False, timeout=120)
    assert recorded.returncode == 0, recorded.stderr
    baselined = vmspolicy.check(replace(options, governance=vmspolicy.GovernanceOptions(baseline="baseline.json")))
    assert [(f.rule, f.suppressed.kind if f.suppressed else None) for f in baselined.findings] == [("VP102", None), ("VP106", "baseline")]
    assert [f.rule for f in baselined.failing] == ["VP102"]
