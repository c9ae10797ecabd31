"""The built-in reporters, registered through the same hook as third-party ones.

Each is imported when a run first uses it: a run renders one or two of the
seven formats, and the others' modules (an XML library for JUnit, say) would
cost every pre-commit run their import.
"""

from __future__ import annotations

import functools
import importlib
from typing import Sequence

from vmspolicy.hookspecs import hookimpl
from vmspolicy.reporters.base import Reporter, RunResult

# Format name -> module and class. tests/reporters checks that each class has the name given here.
BUILTIN_REPORTERS: dict[str, tuple[str, str]] = {
    "text": ("vmspolicy.reporters.text", "TextReporter"),
    "json": ("vmspolicy.reporters.json_report", "JsonReporter"),
    "sarif": ("vmspolicy.reporters.sarif", "SarifReporter"),
    "junit": ("vmspolicy.reporters.junit", "JUnitReporter"),
    "github": ("vmspolicy.reporters.github", "GitHubReporter"),
    "gitlab": ("vmspolicy.reporters.gitlab", "GitLabReporter"),
    "attestation": ("vmspolicy.reporters.attestation", "AttestationReporter"),
}


class DeferredReporter:
    """A built-in reporter known by name; its module is imported when it describes or renders something."""

    def __init__(self, name: str, module: str, class_name: str) -> None:
        self.name = name
        self._module, self._class_name = module, class_name

    @functools.cached_property
    def reporter(self) -> Reporter:
        reporter: Reporter = getattr(importlib.import_module(self._module), self._class_name)()
        return reporter

    @property
    def description(self) -> str:
        return self.reporter.description

    def render(self, result: RunResult, *, color: bool = False) -> str:
        return self.reporter.render(result, color=color)


@hookimpl(tryfirst=True)
def vmspolicy_reporters() -> Sequence[Reporter]:
    return tuple(DeferredReporter(name, module, class_name) for name, (module, class_name) in BUILTIN_REPORTERS.items())
