"""The built-in loaders, registered through the same hook as third-party ones.

Each format's module is imported when a file first reaches its loader: a
manifest is claimed by the first one, so a run over manifests never imports
the Frigate, go2rtc, OPNsense, nmap, NetBox, FortiGate, Cisco ASA, PAN-OS, Milestone or BOM readers (and the XML and
CSV code behind them), which would cost every pre-commit run their import.
"""

from __future__ import annotations

import functools
import importlib
from typing import Sequence

from vmspolicy.core.source import Document
from vmspolicy.hookspecs import hookimpl
from vmspolicy.loading.base import Loader, SourceFile

# In the order they are offered a file (the first to claim it reads it): name, file endings, module,
# loader object. tests/formats/test_builtin_loaders.py checks each row against the loader it names.
BUILTIN_LOADERS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("manifest", (".yaml", ".yml", ".json"), "vmspolicy.loading.manifest", "MANIFEST_LOADER"),
    ("frigate", (".yaml", ".yml"), "vmspolicy.loading.frigate", "FRIGATE_LOADER"),
    ("go2rtc", (".yaml", ".yml"), "vmspolicy.loading.go2rtc", "GO2RTC_LOADER"),
    ("opnsense", (".xml",), "vmspolicy.loading.opnsense", "OPNSENSE_LOADER"),
    ("nmap", (".xml",), "vmspolicy.loading.nmap", "NMAP_LOADER"),
    ("panos", (".xml",), "vmspolicy.loading.panos", "PANOS_LOADER"),
    ("netbox", (".json",), "vmspolicy.loading.netbox", "NETBOX_LOADER"),
    ("fortigate", (".conf",), "vmspolicy.loading.fortigate", "FORTIGATE_LOADER"),
    ("cisco-asa", (".cfg", ".conf"), "vmspolicy.loading.cisco_asa", "CISCO_ASA_LOADER"),
    ("milestone", (".csv", ".tsv", ".xlsx"), "vmspolicy.loading.milestone", "MILESTONE_LOADER"),
    ("bom", (".csv", ".tsv", ".xlsx"), "vmspolicy.loading.bom", "BOM_LOADER"),
)


class DeferredLoader:
    """A built-in loader known by name and file endings; its module is imported when it is first offered a file."""

    def __init__(self, name: str, suffixes: tuple[str, ...], module: str, attribute: str) -> None:
        self.name = name
        self.suffixes: Sequence[str] = suffixes
        self._module, self._attribute = module, attribute

    @functools.cached_property
    def loader(self) -> Loader:
        loader: Loader = getattr(importlib.import_module(self._module), self._attribute)
        return loader

    def load(self, source: SourceFile) -> list[Document] | None:
        return self.loader.load(source)

    def resembles(self, source: SourceFile) -> bool:
        resembles = getattr(self.loader, "resembles", None)
        return True if resembles is None else bool(resembles(source))


@hookimpl(trylast=True)
def vmspolicy_loaders() -> Sequence[Loader]:
    return tuple(DeferredLoader(*row) for row in BUILTIN_LOADERS)
