"""The built-in loaders are registered by name and file endings and imported when offered a file."""

from __future__ import annotations

import importlib

import pytest

from vmspolicy.analysis import policy
from vmspolicy.loading import bom
from vmspolicy.loading.builtin import BUILTIN_LOADERS, DeferredLoader
from vmspolicy.run.plugins import load_plugins


@pytest.mark.parametrize("row", BUILTIN_LOADERS, ids=[row[0] for row in BUILTIN_LOADERS])
def test_each_row_names_the_loader_it_defers_to(row: tuple[str, tuple[str, ...], str, str]) -> None:
    name, suffixes, module, attribute = row
    real = getattr(importlib.import_module(module), attribute)
    assert real.name == name
    assert tuple(real.suffixes) == suffixes
    assert DeferredLoader(*row).loader is real


def test_the_host_offers_files_to_builtin_loaders_in_table_order() -> None:
    names = [loader.name for loader in load_plugins(entry_points_enabled=False).loaders()]
    assert names == [row[0] for row in BUILTIN_LOADERS]


def test_policy_knows_the_bom_format_by_its_loader_name() -> None:
    assert policy.BOM_FORMAT == bom.FORMAT
