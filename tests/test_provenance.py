"""Every report names the third-party plugins that ran, and `vmspolicy --version` lists the installed ones."""

from __future__ import annotations

import json
from pathlib import Path

from tests.plugins import public_api
from tests.test_plugins import install_entry_point, run_cli
from vmspolicy import __version__
from vmspolicy.run.plugins import PluginInfo, load_plugins

THIRDPARTY = {"name": "thirdparty", "distribution": "vmspolicy-thirdparty", "version": "1.0"}



def test_version_lists_the_installed_plugins(plugin_workspace: Path) -> None:
    assert run_cli(plugin_workspace, "--version").stdout.splitlines() == [f"vmspolicy {__version__}"]
    install_entry_point(plugin_workspace / "site", "thirdparty", "thirdparty")
    assert run_cli(plugin_workspace, "--version").stdout.splitlines() == [
        f"vmspolicy {__version__}",
        "registered third-party plugins:",
        "  vmspolicy-thirdparty 1.0 (entry point thirdparty)",
    ]


def test_reports_record_the_plugins_that_ran(plugin_workspace: Path) -> None:
    install_entry_point(plugin_workspace / "site", "thirdparty", "thirdparty")
    report = json.loads(run_cli(plugin_workspace, "check", "--format", "json", "sites.yaml").stdout)
    assert report["plugins"] == [THIRDPARTY]
    sarif = json.loads(run_cli(plugin_workspace, "check", "--format", "sarif", "sites.yaml").stdout)
    assert sarif["runs"][0]["tool"]["extensions"] == [{"name": "vmspolicy-thirdparty", "version": "1.0",
                                                       "properties": {"entryPoint": "thirdparty"}}]
    attestation = json.loads(run_cli(plugin_workspace, "check", "--format", "attestation", "sites.yaml").stdout)
    assert attestation["predicate"]["plugins"] == [THIRDPARTY]
    junit = run_cli(plugin_workspace, "check", "--format", "junit", "sites.yaml").stdout
    assert '<property name="vmspolicy.plugin.thirdparty" value="vmspolicy-thirdparty 1.0">' in junit
    markdown = run_cli(plugin_workspace, "report", "--format", "md", "sites.yaml").stdout
    assert "## Plugins\n\n- vmspolicy-thirdparty 1.0 (entry point thirdparty)\n" in markdown
    # Without plugins, the reports say so rather than leave it out.
    alone = json.loads(run_cli(plugin_workspace, "check", "--no-plugins", "--format", "json", "sites.yaml").stdout)
    assert alone["plugins"] == []
    assert "## Plugins\n\nNone: the built-in" in run_cli(plugin_workspace, "report", "--no-plugins", "--format", "md", "sites.yaml").stdout


def test_a_plugin_registered_in_process_has_no_distribution() -> None:
    host = load_plugins(entry_points_enabled=False, extra=[public_api])
    assert host.plugins == (PluginInfo("tests.plugins.public_api"),)
    assert load_plugins(entry_points_enabled=False).plugins == ()
