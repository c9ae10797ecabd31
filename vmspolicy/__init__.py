"""vmspolicy: policy-as-code for video-surveillance estates.

The names in ``__all__`` are the stable plugin API, versioned by
:data:`PLUGIN_API_VERSION`: a plugin imports from ``vmspolicy`` only, never
from the modules below it, which may move between releases. A name due to be
removed first raises a :class:`DeprecationWarning` naming its replacement for
at least one minor release; it goes only in a later release that raises the
major number of :data:`PLUGIN_API_VERSION`. Additions raise its minor number.

The names are imported on first use (PEP 562): a one-file pre-commit run must
not pay for modules it does not need.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from vmspolicy.hookspecs import hookimpl

__version__ = "0.1.0"

PLUGIN_API_VERSION = "1.2"
"""The version of the plugin API (``__all__``): ``major.minor``; a removal raises the major number."""

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.core.errors import VmspolicyError
    from vmspolicy.core.findings import Finding, Severity, Suppression
    from vmspolicy.core.model import Device, Estate, Firewall, Origin, Site, Waiver, Zone
    from vmspolicy.core.plugin_data import PackData, PackFamily, PackLegacy, PackMilestone, PackSource, PluginInfo, VendorData
    from vmspolicy.core.rule import Looser, Rule
    from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Location, Pos
    from vmspolicy.core.text import ParseError
    from vmspolicy.governance.options import GovernanceOptions
    from vmspolicy.loading.base import Loader, SourceFile
    from vmspolicy.reporters.base import InputFile, Reporter, Run, RunResult
    from vmspolicy.run.pipeline import RunOptions
    from vmspolicy.run.pipeline import run as check

# Public name -> the module that defines it (``module:attribute`` where the module's name differs).
_EXPORTS: dict[str, str] = {
    # running a check from Python (1.1)
    "check": "vmspolicy.run.pipeline:run",
    "RunOptions": "vmspolicy.run.pipeline",
    "GovernanceOptions": "vmspolicy.governance.options",  # 1.2: a baseline, inline suppressions, from Python
    "Run": "vmspolicy.reporters.base",
    "VmspolicyError": "vmspolicy.core.errors",
    # rules and what they produce
    "Rule": "vmspolicy.core.rule",
    "CheckContext": "vmspolicy.analysis.context",
    "Looser": "vmspolicy.core.rule",
    "Severity": "vmspolicy.core.findings",
    "Finding": "vmspolicy.core.findings",
    "Suppression": "vmspolicy.core.findings",
    "Location": "vmspolicy.core.source",
    # the estate a rule reads
    "Estate": "vmspolicy.core.model",
    "Site": "vmspolicy.core.model",
    "Zone": "vmspolicy.core.model",
    "Device": "vmspolicy.core.model",
    "Firewall": "vmspolicy.core.model",
    "Waiver": "vmspolicy.core.model",
    "Origin": "vmspolicy.core.model",
    # loaders
    "Loader": "vmspolicy.loading.base",
    "SourceFile": "vmspolicy.loading.base",
    "ParseError": "vmspolicy.core.text",
    "Document": "vmspolicy.core.source",
    "LocatedMap": "vmspolicy.core.source",
    "LocatedSeq": "vmspolicy.core.source",
    "Pos": "vmspolicy.core.source",
    # reporters
    "Reporter": "vmspolicy.reporters.base",
    "RunResult": "vmspolicy.reporters.base",
    "InputFile": "vmspolicy.reporters.base",
    "PluginInfo": "vmspolicy.core.plugin_data",
    # packs and vendor data
    "PackData": "vmspolicy.core.plugin_data",
    "PackFamily": "vmspolicy.core.plugin_data",
    "PackLegacy": "vmspolicy.core.plugin_data",
    "PackMilestone": "vmspolicy.core.plugin_data",
    "PackSource": "vmspolicy.core.plugin_data",
    "VendorData": "vmspolicy.core.plugin_data",
}

# Names on their way out: old name -> (module, attribute, what to use instead). Still importable, with a warning.
_DEPRECATED: dict[str, tuple[str, str, str]] = {}

__all__ = [
    "PLUGIN_API_VERSION",
    "CheckContext",
    "Device",
    "Document",
    "Estate",
    "Finding",
    "Firewall",
    "GovernanceOptions",
    "InputFile",
    "Loader",
    "LocatedMap",
    "LocatedSeq",
    "Location",
    "Looser",
    "Origin",
    "PackData",
    "PackFamily",
    "PackLegacy",
    "PackMilestone",
    "PackSource",
    "ParseError",
    "PluginInfo",
    "Pos",
    "Reporter",
    "Rule",
    "Run",
    "RunOptions",
    "RunResult",
    "Severity",
    "Site",
    "SourceFile",
    "Suppression",
    "VendorData",
    "VmspolicyError",
    "Waiver",
    "Zone",
    "__version__",
    "check",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, _, attribute = _EXPORTS[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _DEPRECATED:
        module, attribute, instead = _DEPRECATED[name]
        warnings.warn(f"vmspolicy.{name} is deprecated and will be removed; use {instead}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'vmspolicy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
