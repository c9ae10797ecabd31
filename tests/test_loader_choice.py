"""Which loader reads a file: the first plugin whose ``vmspolicy_load`` claims it (pluggy's first result)."""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest

import vmspolicy
from tests.plugins import public_api
from vmspolicy import Document, Loader, LocatedMap, LocatedSeq, ParseError, SourceFile, hookimpl
from vmspolicy.core.config import Config
from vmspolicy.core.errors import PluginError
from vmspolicy.run.plugins import load_plugins

# A camera list some tool writes as YAML-looking text: a header comment, then `id site vendor` lines.
CAMS = "# acme-cams\ncam-1 hq Hikvision\n"


def cameras(source: SourceFile, fmt: str) -> list[Document] | None:
    """The ``acme-cams`` format, read as format ``fmt``: None when the file does not start with its header."""
    if not source.text.startswith("# acme-cams\n"):
        return None
    data = LocatedMap((1, 1))
    data.put("vmspolicy", 1, (1, 1), (1, 1))
    found = LocatedSeq((2, 1))
    for number, line in enumerate(source.text.splitlines()[1:], start=2):
        entry = LocatedMap((number, 1))
        column = 1
        for key, cell in zip(("id", "site", "vendor"), line.split(" "), strict=True):
            entry.put(key, cell, (number, column), (number, column))
            column += len(cell) + 1
        found.push(entry, (number, 1))
    data.put("cameras", found, (2, 1), (2, 1))
    return [Document(source.path, data, fmt, source.sha256)]


def plugin(name: str, **hooks: tuple[Callable[..., Any], dict[str, bool]]) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, (function, order) in hooks.items():
        setattr(module, hook, hookimpl(**order)(function))
    return module


def judged(tmp_path: Path, *plugins: types.ModuleType, formats: dict[str, str] | None = None) -> vmspolicy.Run:
    (tmp_path / "sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    (tmp_path / "cams.yaml").write_text(CAMS, encoding="utf-8")
    host = load_plugins(entry_points_enabled=False, extra=list(plugins))
    config = Config(root=tmp_path, formats=formats or {})
    return vmspolicy.check(vmspolicy.RunOptions(paths=[str(tmp_path)], as_of=dt.date(2026, 1, 1), config=config, plugins=host))


def formats_read(run: vmspolicy.Run) -> dict[str, str]:
    return {Path(i.path).name: i.format for i in run.inputs}


def test_a_plugin_claims_a_file_before_the_builtin_loaders(tmp_path: Path) -> None:
    assert "cams.yaml" not in formats_read(judged(tmp_path))  # no built-in loader reads it: skipped
    acme = plugin("acme", vmspolicy_load=(lambda source: cameras(source, "acme-cams"), {}))
    run = judged(tmp_path, acme)
    assert formats_read(run) == {"cams.yaml": "acme-cams", "sites.yaml": "manifest"}
    # The built-in manifest loader still reads what the plugin leaves, and the rules judge what the plugin read.
    assert [(f.rule, f.subject, f.line, f.column) for f in run.findings if f.rule == "VP102"] == [("VP102", "cam-1", 2, 10)]


def test_the_first_result_in_pluggy_order_wins(tmp_path: Path) -> None:
    early = plugin("early", vmspolicy_load=(lambda source: cameras(source, "early"), {}))
    late = plugin("late", vmspolicy_load=(lambda source: cameras(source, "late"), {}))
    first = plugin("first", vmspolicy_load=(lambda source: cameras(source, "first"), {"tryfirst": True}))
    # Most recently registered first, as pluggy calls them; tryfirst before any.
    assert formats_read(judged(tmp_path, early, late))["cams.yaml"] == "late"
    assert formats_read(judged(tmp_path, first, early, late))["cams.yaml"] == "first"


def test_a_plugin_that_only_declares_loaders_is_asked_in_its_hooks_place(tmp_path: Path) -> None:
    class AcmeLoader(Loader):
        name = "declared"
        suffixes: Sequence[str] = (".yaml",)

        def load(self, source: SourceFile) -> list[Document] | None:
            return cameras(source, "declared")

    def declared(order: dict[str, bool]) -> types.ModuleType:
        return plugin("declaring", vmspolicy_loaders=(lambda: [AcmeLoader()], order))

    direct = plugin("direct", vmspolicy_load=(lambda source: cameras(source, "direct"), {}))
    # Plugin API 1.0 plugins keep working: their loaders take the place their vmspolicy_loaders has in the order.
    assert formats_read(judged(tmp_path, direct, declared({})))["cams.yaml"] == "declared"
    assert formats_read(judged(tmp_path, declared({}), direct))["cams.yaml"] == "direct"
    assert formats_read(judged(tmp_path, declared({"tryfirst": True}), direct))["cams.yaml"] == "declared"
    # And its loaders are never asked for a file whose suffix they do not read.
    assert "cams.yaml" not in formats_read(judged(tmp_path, public_api))


def test_a_file_the_configuration_gives_to_a_loader_is_read_by_it_alone(tmp_path: Path) -> None:
    asked: list[str] = []

    def load(source: SourceFile) -> list[Document] | None:
        asked.append(source.path)
        return cameras(source, "acme-cams")

    run = judged(tmp_path, plugin("acme", vmspolicy_load=(load, {})), formats={"*cams.yaml": "manifest"})
    assert not [path for path in asked if path.endswith("cams.yaml")]
    assert [(f.rule, f.line) for f in run.findings if f.path.endswith("cams.yaml")] == [("VP001", 1)]


def test_what_a_plugins_vmspolicy_load_raises_or_returns_wrongly_names_it(tmp_path: Path) -> None:
    def boom(source: SourceFile) -> None:
        raise RuntimeError("boom")

    with pytest.raises(PluginError, match=r"^plugin 'acme': vmspolicy_load\(\) on .*cams\.yaml raised RuntimeError: boom$"):
        judged(tmp_path, plugin("acme", vmspolicy_load=(boom, {})))
    with pytest.raises(PluginError, match=r"^plugin 'acme': vmspolicy_load\(\) returned \{'cameras': \[\]\} for .*cams\.yaml: a list of Documents"):
        judged(tmp_path, plugin("acme", vmspolicy_load=(lambda source: {"cameras": []}, {})))


def test_a_parse_error_from_vmspolicy_load_is_vp001_at_its_position(tmp_path: Path) -> None:
    def unreadable(source: SourceFile) -> None:
        if source.text.startswith("# acme-cams"):
            raise ParseError("expected three cells", 2, 4, cell="D2")

    run = judged(tmp_path, plugin("acme", vmspolicy_load=(unreadable, {})))
    assert [(f.rule, f.line, f.column, f.location.cell, f.message) for f in run.findings if f.path.endswith("cams.yaml")] == [
        ("VP001", 2, 4, "D2", "expected three cells"),
    ]
