"""What the configuration did to a run: the record every report keeps beside the verdict.

A verdict means what the settings it was reached under let it mean: a rule switched
off, a severity changed, files excluded or forced to a format, inline suppressions
ignored, a baseline applied. So every report names the configuration file with its
SHA-256 and the settings in force after VP306 refused what would have weakened a
mandatory rule (those refusals are listed too). Reporters format this record; they
compute nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import field
from pathlib import Path
from typing import Any, Mapping

from vmspolicy.analysis import policy
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify.dated import VendorDataSource, vendor_data_sources
from vmspolicy.analysis.overrides import RefusedOverride
from vmspolicy.core.config import ALWAYS_ON, Config
from vmspolicy.core.records import record
from vmspolicy.core.source import display_path
from vmspolicy.governance.options import GovernanceOptions


@record(frozen=True, slots=True)
class HashedFile:
    """A file that shaped the run (a configuration, a baseline): as reported, and its SHA-256."""

    path: str
    sha256: str


@record(frozen=True, slots=True)
class AppliedPack:
    """A policy pack the run applied, where it came from, and the rules it makes mandatory."""

    id: str
    origin: str  # built-in | plugin | configuration
    mandatory: tuple[str, ...]


ESTATE_SETTINGS = ("import", "isolation")
"""Configuration sections that change how the estate is read, recorded in every report when set."""


@record(frozen=True, slots=True)
class ConfigurationRecord:
    """The configuration of a run as every report shows it."""

    files: tuple[HashedFile, ...] = ()  # the configuration file, when there is one
    command_line: tuple[str, ...] = ()  # settings the command line gave (profiles, fail_on, strict, baseline...)
    profiles: tuple[str, ...] = ()
    packs: tuple[AppliedPack, ...] = ()
    mandatory: tuple[str, ...] = ()  # what the applied packs make mandatory, together
    disabled: tuple[str, ...] = ()  # rules that do not run: disabled, or left out of select:
    selected: tuple[str, ...] | None = None
    severities: Mapping[str, str] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    estate: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    # Settings that change how the estate is read, as written: import (site, zone purposes) and isolation
    # (management zones). Only those set; they change verdicts without naming a rule.
    estate_settings: Mapping[str, Any] = field(default_factory=dict)
    fail_on: str = "error"
    strict: bool = False
    inline_suppressions: bool = True
    baseline: HashedFile | None = None
    refused: tuple[RefusedOverride, ...] = ()
    # The vendor data devices were identified with, each fragment with the date of its facts.
    vendor_data: tuple[VendorDataSource, ...] = ()

    @property
    def source(self) -> str:
        """How the summary names the configuration: its file, else the command line."""
        return self.files[0].path if self.files else "the command line"


def configuration_record(written: Config, effective: Config, ctx: CheckContext, options: GovernanceOptions,
                         refused: tuple[RefusedOverride, ...]) -> ConfigurationRecord:
    """The record of a run configured by ``written``, judged under ``effective`` (``written`` less ``refused``)."""
    files = (HashedFile(display_path(written.path), written.sha256),) if written.path is not None else ()
    baseline = None
    baseline_file = options.baseline
    if baseline_file:
        # Read already by the governance stage, which stops the run when it cannot be: hashing it cannot fail here.
        baseline = HashedFile(display_path(baseline_file), hashlib.sha256(Path(baseline_file).read_bytes()).hexdigest())
    command_line = list(written.command_line)
    if baseline_file:
        command_line.append("baseline")
    if not options.inline_suppressions:
        command_line.append("inline_suppressions")
    inline = options.inline_suppressions and effective.settings.get("inline_suppressions") is not False
    return ConfigurationRecord(
        files=files,
        command_line=tuple(sorted(command_line)),
        profiles=tuple(effective.profiles),
        packs=tuple(AppliedPack(p.id, p.origin, tuple(sorted(p.mandatory))) for p in policy.applied_packs(ctx)),
        mandatory=tuple(policy.mandatory_rules(ctx)),
        disabled=tuple(sorted(r.code for r in ctx.rules if not effective.enabled(r.code))),
        selected=None if effective.selected is None else tuple(sorted(effective.selected | ALWAYS_ON)),
        severities={code: effective.severities[code].label for code in sorted(effective.severities)},
        rule_options={code: dict(effective.rule_options[code]) for code in sorted(effective.rule_options) if effective.rule_options[code]},
        estate=tuple(effective.estate),
        exclude=tuple(effective.exclude),
        formats=dict(effective.formats),
        estate_settings={key: effective.settings[key] for key in ESTATE_SETTINGS if effective.settings.get(key)},
        fail_on=effective.fail_on.label,
        strict=effective.strict,
        inline_suppressions=inline,
        baseline=baseline,
        refused=refused,
        vendor_data=vendor_data_sources(ctx.vendor_data),
    )
