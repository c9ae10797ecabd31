"""What a reporter is, and the result of a run (:class:`Run`) that it renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from typing import TYPE_CHECKING, Mapping, Protocol, Sequence, runtime_checkable

from vmspolicy.analysis.context import CheckContext
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.model import Estate
from vmspolicy.core.plugin_data import PluginInfo
from vmspolicy.core.records import record
from vmspolicy.core.rule import Rule

if TYPE_CHECKING:
    from vmspolicy.governance.configuration import ConfigurationRecord


@record(frozen=True, slots=True)
class InputFile:
    """A file the run read: its path as reported, its SHA-256, and the loader that read it."""

    path: str
    sha256: str
    format: str


@record(frozen=True, slots=True)
class SkippedFile:
    """A file the run looked at and did not judge, and why (for ``-v`` and the summary's counts)."""

    path: str
    reason: str
    outside_estate: bool = False  # with ``estate:`` configured, a file that is not the estate's


@record(frozen=True, slots=True)
class ExcludedFile:
    """A file the configuration's ``exclude:`` kept out of the judgement, with the pattern that did.

    ``format`` and ``sha256`` are set when the file is a manifest or a format a loader
    recognises: the reports list those among their inputs, so nothing judged-worthy
    leaves the run without a trace.
    """

    path: str
    pattern: str
    format: str | None = None
    sha256: str | None = None


@record(frozen=True, slots=True)
class Run:
    """The result of one run: everything reporters may show. Reporters format this; they compute nothing.

    ``vmspolicy.check`` returns it; ``failing`` holds what makes the command line's exit code 1.
    """

    findings: Sequence[Finding]  # sorted; suppressed ones included (``finding.suppressed``)
    rules: Sequence[type[Rule]]
    inputs: Sequence[InputFile]
    as_of: dt.date
    fail_on: Severity
    version: str
    profiles: Sequence[str] = ()
    packs: Sequence[Mapping[str, object]] = ()
    estate: Estate | None = None
    # The context the rules judged: the shared analyses (verdicts, judgements, waivers) for the
    # compliance report, which shows more than findings. Reporters read it; they compute nothing new.
    context: CheckContext | None = None
    skipped: Sequence[SkippedFile] = ()
    excluded: Sequence[ExcludedFile] = ()
    settings: Mapping[str, object] = field(default_factory=dict)
    # What the configuration did: its file and SHA-256, the settings in force, the overrides refused.
    configuration: ConfigurationRecord | None = None
    # The third-party plugins of the run (their rules and packs change the verdict): every report names them.
    plugins: Sequence[PluginInfo] = ()

    @property
    def excluded_inputs(self) -> list[ExcludedFile]:
        """Excluded files that are manifests or recognised formats: every report lists them among its inputs."""
        return [e for e in self.excluded if e.format is not None]

    @property
    def active(self) -> list[Finding]:
        """Findings that are not suppressed."""
        return [f for f in self.findings if f.suppressed is None]

    @property
    def failing(self) -> list[Finding]:
        """Unsuppressed findings at or above the ``fail_on`` severity: these make exit code 1."""
        return [f for f in self.active if f.severity >= self.fail_on]

    def counts(self) -> dict[str, int]:
        """Unsuppressed findings per severity label, plus ``suppressed``."""
        out = {s.label: 0 for s in Severity}
        for f in self.active:
            out[f.severity.label] += 1
        out["suppressed"] = len(self.findings) - len(self.active)
        return out


RunResult = Run
"""The name reporters have always used for :class:`Run` (the same class; plugin API 1.0)."""


@runtime_checkable
class Reporter(Protocol):
    """An output format. Built-in and third-party reporters register through ``vmspolicy_reporters``."""

    # Read-only properties: a class attribute satisfies them, and so does a lazily loaded reporter.
    @property
    def name(self) -> str:
        """The format's name on the command line (``--format NAME``, ``--output NAME:FILE``)."""

    @property
    def description(self) -> str:
        """One line for ``--help``."""

    def render(self, result: Run, *, color: bool = False) -> str:
        """The whole report as text; ``color`` is true only when writing to a terminal."""
        ...
