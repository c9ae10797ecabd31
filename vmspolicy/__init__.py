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

from vmspolicy.plugins import hookimpl

__version__ = "0.1.0"

PLUGIN_API_VERSION = "1.0"
"""The version of the plugin API (``__all__``): ``major.minor``; a removal raises the major number."""

if TYPE_CHECKING:
    from vmspolicy.findings import Finding, Severity, Suppression
    from vmspolicy.loading.base import Loader, SourceFile
    from vmspolicy.loading.text import ParseError
    from vmspolicy.model import Device, Estate, Firewall, Origin, Site, Waiver, Zone
    from vmspolicy.plugin_data import PackData, PackFamily, PackLegacy, PackMilestone, PackSource, VendorData
    from vmspolicy.plugins import PluginInfo
    from vmspolicy.reporters.base import InputFile, Reporter, RunResult
    from vmspolicy.rules.base import CheckContext, Looser, Rule
    from vmspolicy.source import Document, LocatedMap, LocatedSeq, Location, Pos

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # rules and what they produce
    "Rule": "vmspolicy.rules.base",
    "CheckContext": "vmspolicy.rules.base",
    "Looser": "vmspolicy.rules.base",
    "Severity": "vmspolicy.findings",
    "Finding": "vmspolicy.findings",
    "Suppression": "vmspolicy.findings",
    "Location": "vmspolicy.source",
    # the estate a rule reads
    "Estate": "vmspolicy.model",
    "Site": "vmspolicy.model",
    "Zone": "vmspolicy.model",
    "Device": "vmspolicy.model",
    "Firewall": "vmspolicy.model",
    "Waiver": "vmspolicy.model",
    "Origin": "vmspolicy.model",
    # loaders
    "Loader": "vmspolicy.loading.base",
    "SourceFile": "vmspolicy.loading.base",
    "ParseError": "vmspolicy.loading.text",
    "Document": "vmspolicy.source",
    "LocatedMap": "vmspolicy.source",
    "LocatedSeq": "vmspolicy.source",
    "Pos": "vmspolicy.source",
    # reporters
    "Reporter": "vmspolicy.reporters.base",
    "RunResult": "vmspolicy.reporters.base",
    "InputFile": "vmspolicy.reporters.base",
    "PluginInfo": "vmspolicy.plugins",
    # packs and vendor data
    "PackData": "vmspolicy.plugin_data",
    "PackFamily": "vmspolicy.plugin_data",
    "PackLegacy": "vmspolicy.plugin_data",
    "PackMilestone": "vmspolicy.plugin_data",
    "PackSource": "vmspolicy.plugin_data",
    "VendorData": "vmspolicy.plugin_data",
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
    "RunResult",
    "Severity",
    "Site",
    "SourceFile",
    "Suppression",
    "VendorData",
    "Waiver",
    "Zone",
    "__version__",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _DEPRECATED:
        module, attribute, instead = _DEPRECATED[name]
        warnings.warn(f"vmspolicy.{name} is deprecated and will be removed; use {instead}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'vmspolicy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
