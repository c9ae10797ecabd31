"""The built-in reporters are registered by name and loaded when used: the table must match the classes."""

from __future__ import annotations

import importlib

import pytest

from vmspolicy.reporters.builtin import BUILTIN_REPORTERS, DeferredReporter
from vmspolicy.run.plugins import load_plugins


@pytest.mark.parametrize("name", sorted(BUILTIN_REPORTERS))
def test_each_deferred_reporter_is_the_class_it_names(name: str) -> None:
    module, class_name = BUILTIN_REPORTERS[name]
    real = getattr(importlib.import_module(module), class_name)()
    deferred = DeferredReporter(name, module, class_name)
    assert real.name == name
    assert deferred.description == real.description and deferred.description


def test_the_host_lists_every_builtin_format() -> None:
    reporters = load_plugins(entry_points_enabled=False).reporters()
    assert set(BUILTIN_REPORTERS) <= set(reporters)
