"""A pack from a plugin's ``vmspolicy_packs`` hook is judged like a built-in one; a broken one is exit 2."""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from typing import Any, Mapping, Sequence

import pytest

from vmspolicy.core.config import Config, ConfigError
from vmspolicy.core.errors import PluginError
from vmspolicy.hookspecs import hookimpl
from vmspolicy.run.pipeline import RunOptions, check
from vmspolicy.run.plugins import load_plugins

PACK: dict[str, Any] = {
    "id": "ca-gov-2025",
    "title": "Canada: Hikvision",
    "families": ["Hikvision"],
    "cutoff": "2025-06-27",
    "sources": [{"title": "Investment Canada Act order", "url": "https://example.org/ica", "date": "2025-06-27"}],
}


def plugin(*packs: Mapping[str, Any]) -> types.ModuleType:
    module = types.ModuleType("acme_packs")

    @hookimpl
    def vmspolicy_packs() -> Sequence[Mapping[str, Any]]:
        return packs

    module.vmspolicy_packs = vmspolicy_packs  # type: ignore[attr-defined]
    return module


def run(tmp_path: Path, *packs: Mapping[str, Any], profiles: tuple[str, ...]) -> list[tuple[str, str | None]]:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: hq, vendor: Hikvision, installed: 2024-01-01}\n",
        encoding="utf-8",
    )
    host = load_plugins(entry_points_enabled=False, extra=[plugin(*packs)])
    result = check(RunOptions(paths=[str(estate)], as_of=dt.date(2026, 1, 1)), Config(root=tmp_path, profiles=profiles), host)
    return sorted((f.rule, f.subject) for f in result.findings if f.rule.startswith("VP10"))


def test_plugin_pack_selected_by_profile(tmp_path: Path) -> None:
    # Installed before the plugin pack's cut-off: legacy under it, though new under uk-gov-2022.
    assert run(tmp_path, PACK, profiles=("ca-gov-2025",)) == [("VP103", "cam-1")]
    assert run(tmp_path, PACK, profiles=()) == [("VP102", "cam-1")]


def test_broken_or_clashing_plugin_packs_are_exit_2(tmp_path: Path) -> None:
    # Checked against the pack schema when the plugin loads, naming the plugin and the key.
    with pytest.raises(PluginError, match=r"plugin 'acme_packs': policy pack 'ca-gov-2025': cutoff: \"soon\" is not a date in the form YYYY-MM-DD"):
        run(tmp_path, {**PACK, "cutoff": "soon"}, profiles=())
    with pytest.raises(PluginError, match="plugin 'acme_packs': policy pack 'ca-gov-2025' is already registered"):
        run(tmp_path, PACK, PACK, profiles=())
    # A family no vendor data defines can never match a device: a typo would pass everything.
    with pytest.raises(ConfigError, match="restricts family 'Hikvison'"):
        run(tmp_path, {**PACK, "families": ["Hikvison"]}, profiles=())


def test_a_plugin_pack_may_not_redefine_a_builtin_pack(tmp_path: Path) -> None:
    # Plugins add policy, they do not weaken it: a pack of a built-in id could drop a family or move the cut-off.
    with pytest.raises(PluginError, match="plugin 'acme_packs': policy pack 'uk-gov-2022' redefines the built-in pack"):
        run(tmp_path, {**PACK, "id": "uk-gov-2022"}, profiles=())
