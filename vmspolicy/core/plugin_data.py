"""The shapes of what the ``vmspolicy_packs`` and ``vmspolicy_vendor_data`` hooks return.

Packs and vendor catalogs are data, not code: a plugin returns plain mappings
(``dict``, ``list``, ``str``, ``int``, ``bool``), which are checked against
``schemas/pack.schema.json`` and ``schemas/vendors.schema.json`` when the
plugin loads. These ``TypedDict``\\ s let a type checker catch a misspelt key
in the plugin's own code first; the schemas stay the reference (required
keys, patterns, every key's documentation).
"""

from __future__ import annotations

from typing import Mapping, Sequence, TypedDict, Union

from vmspolicy.core.records import record


class PackSource(TypedDict, total=False):
    """What a pack rests on. Required: ``title``, ``url``, ``date`` (ISO)."""

    title: str
    url: str
    date: str
    note: str


class PackFamily(TypedDict, total=False):
    """A restricted family, optionally only for some device types. Required: ``name``."""

    name: str
    equipment: Sequence[str]
    note: str


class PackLegacy(TypedDict, total=False):
    """What a legacy device (installed before the cut-off) needs to stay on a non-sensitive site."""

    waivable: bool
    isolation: str  # "required" | "not-required"
    reachable_from: Sequence[str]  # zone purposes


class PackMilestone(TypedDict):
    date: str
    event: str


class PackData(TypedDict, total=False):
    """A policy pack. Required: ``id``, ``title``, ``families``, ``cutoff`` (ISO date), ``sources``.

    A plugin's pack id must differ from every built-in pack's: plugins add
    policy, they do not replace it.
    """

    id: str
    title: str
    jurisdiction: str
    summary: str
    families: Sequence[Union[str, PackFamily]]
    cutoff: str
    sensitive_sites: str  # "forbid" | "as-other-sites"
    legacy: PackLegacy
    max_waiver_months: int
    mandatory: Sequence[str]  # rule codes configuration may tighten but never weaken
    milestones: Sequence[PackMilestone]
    sources: Sequence[PackSource]
    notes: str


class VendorData(TypedDict, total=False):
    """A vendor catalog fragment: every entry names its ``confidence`` and, here or per entry, its ``source``.

    The entries' keys are documented in ``schemas/vendors.schema.json``.
    """

    version: int
    source: str
    date: str  # YYYY-MM-DD or YYYY-MM: the date of the fragment's facts, shown by `vmspolicy packs` and every report
    families: Sequence[Mapping[str, object]]
    brands: Sequence[Mapping[str, object]]
    relabels: Sequence[Mapping[str, object]]
    models: Sequence[Mapping[str, object]]
    ouis: Sequence[Mapping[str, object]]
    streams: Sequence[Mapping[str, object]]
    banners: Sequence[Mapping[str, object]]
    vendors: Sequence[Mapping[str, object]]
    false_friends: Sequence[Mapping[str, object]]


@record(frozen=True, slots=True)
class PluginInfo:
    """A third-party plugin of a run: its entry-point name and the distribution that installed it.

    Reports record these, because a plugin's rules and packs change the
    verdict. ``distribution`` and ``version`` are None for a plugin registered
    in-process rather than installed (tests).
    """

    name: str
    distribution: str | None = None
    version: str | None = None

    @property
    def label(self) -> str:
        """``vmspolicy-acme 1.0.0 (entry point acme)``, for people."""
        if self.distribution is None:
            return f"{self.name} (not installed from a distribution)"
        return f"{self.distribution} {self.version or '(no version)'} (entry point {self.name})"
