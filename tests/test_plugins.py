"""Third-party plugins through the ``vmspolicy`` entry-point group: they work, and they fail loudly."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from vmspolicy import hookspecs
from vmspolicy.core.errors import PluginError
from vmspolicy.run.plugins import BUILTIN_PLUGINS, load_plugins

PLUGINS = Path(__file__).parent / "plugins"


def install_entry_point(site: Path, name: str, module: str) -> None:
    """Make ``module`` (from tests/plugins) a plugin the way pip would: a dist-info with entry_points.txt."""
    (site / f"{module}.py").write_text((PLUGINS / f"{module}.py").read_text(encoding="utf-8"), encoding="utf-8")
    dist = site / f"vmspolicy_{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vmspolicy-{module}\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[vmspolicy]\n{name} = {module}\n", encoding="utf-8")


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin", "VMSPOLICY_NO_CACHE": "1"}  # nothing in the user's cache
    return subprocess.run(
        [sys.executable, "-m", "vmspolicy", *args], cwd=tmp_path / "work", env=env, capture_output=True, text=True,
        check=False, timeout=120,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "site").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    (work / "estate.cams").write_text("cam-1,hq,Axis,P3245-V\ncam-2,nowhere,Axis,P3245-V\n", encoding="utf-8")
    return tmp_path


def test_third_party_rule_and_loader_work(workspace: Path) -> None:
    install_entry_point(workspace / "site", "thirdparty", "thirdparty")
    result = run_cli(workspace, "check", ".")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    # The loader's records get located findings from the core rules and from the plugin's own rule.
    assert "estate.cams:1:1: VP901 [warning] cam-1 has no location (camera-location)" in lines
    assert any(line.startswith("estate.cams:2:7: VP003 [error] site 'nowhere'") for line in lines)
    listing = run_cli(workspace, "rules")
    assert "VP901  camera-location" in listing.stdout
    explained = run_cli(workspace, "explain", "VP901")
    assert "Every camera records where it hangs." in explained.stdout
    # --no-plugins leaves the entry points alone: the .cams file is then no known format.
    alone = run_cli(workspace, "check", "--no-plugins", "estate.cams", "sites.yaml")
    assert "VP901" not in alone.stdout and alone.returncode == 0


def test_a_third_party_loader_error_is_vp001(workspace: Path) -> None:
    install_entry_point(workspace / "site", "thirdparty", "thirdparty")
    (workspace / "work" / "estate.cams").write_text("cam-1,hq,Axis,P3245-V\ncam-2,hq\n", encoding="utf-8")
    result = run_cli(workspace, "check", ".")
    assert "estate.cams:2:1: VP001 [error] expected 4 comma-separated cells, found 2" in result.stdout


@pytest.mark.parametrize(
    ("module", "words"),
    [
        ("broken_import", "plugin 'broken': failed to load"),
        ("raising", "plugin 'raising': rule VP902 raised RuntimeError: boom"),
        ("misspelt", "unknown hook"),
    ],
)
def test_a_broken_plugin_is_exit_2_naming_it(workspace: Path, module: str, words: str) -> None:
    install_entry_point(workspace / "site", module.split("_", 1)[0], module)
    result = run_cli(workspace, "check", ".")
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_duplicate_rule_code_is_refused() -> None:
    from tests.plugins import thirdparty

    class Again:
        vmspolicy_rules = staticmethod(thirdparty.vmspolicy_rules)

    host = load_plugins(entry_points_enabled=False, extra=[thirdparty, Again()])
    with pytest.raises(PluginError, match="VP901 is already registered"):
        host.rules()


def test_every_builtin_hook_implementation_is_named_after_its_hook() -> None:
    # The host registers a built-in plugin by those names only (PluginHost.register): one named otherwise would be left out.
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        marked = [name for name in dir(module) if manager.parse_hookimpl_opts(module, name) is not None]
        assert marked, f"{module_name} implements no hook"
        assert all(name.startswith(f"{hookspecs.PROJECT}_") for name in marked), (module_name, marked)


def test_every_builtin_plugin_imports_and_every_hook_is_documented_and_used() -> None:
    host = load_plugins(entry_points_enabled=False)
    assert host.names()[: len(BUILTIN_PLUGINS)] == list(BUILTIN_PLUGINS)
    specs = [name for name in dir(hookspecs) if name.startswith("vmspolicy_")]
    assert specs, "no hookspecs"
    for name in specs:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert ":return:" in doc and "versionadded" in doc, f"{name} is not documented like pytest's hooks"
        implementations = getattr(host.manager.hook, name).get_hookimpls()
        assert implementations, f"no built-in plugin implements {name}: it would be untested"
