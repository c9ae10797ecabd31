"""The stages depend one way (README: Architecture): the import-linter contracts hold, and no module imports itself back."""

from __future__ import annotations

import re
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).parent.parent


def test_the_import_linter_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # where pyproject.toml declares the contracts
    assert lint_imports(no_cache=True) == 0


def test_no_module_is_part_of_an_import_cycle() -> None:
    # Imports inside functions count (grimp reads them all); imports only for the type checker never run.
    graph = grimp.build_graph("vmspolicy", exclude_type_checking_imports=True, cache_dir=None)
    cycles = [sorted(component) for component in _strongly_connected(graph) if len(component) > 1]
    assert not cycles, cycles


def test_the_readmes_architecture_section_names_every_stage_folder_and_only_existing_files() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(vmspolicy/[\w/.]+)`", section))
    assert named, "the Architecture section names no folder"
    for path in named:
        assert (ROOT / path).exists(), f"the README's Architecture section names {path}, which does not exist"
    packages = {f"vmspolicy/{p.parent.name}/" for p in (ROOT / "vmspolicy").glob("*/__init__.py")}
    assert packages <= named, f"stage folders the Architecture section does not describe: {sorted(packages - named)}"


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, edges = work[-1]
            following = next(edges, None)
            if following is not None:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, iter(sorted(graph.find_modules_directly_imported_by(following)))))
                elif following in on_stack:
                    low[module] = min(low[module], index[following])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                components.append(component)
    return components
