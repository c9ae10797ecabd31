"""GitLab Code Quality (a subset of Code Climate's issue format) for merge-request widgets.

GitLab has five severities; vmspolicy has three and a gate. The mapping puts
what fails the gate at the top, so the widget orders problems the way the
pipeline judged them:

========================  ===========
finding                   GitLab
========================  ===========
error                     ``blocker``
warning failing the gate  ``critical``
info failing the gate     ``major``
warning (gate passes)     ``minor``
info (gate passes)        ``info``
========================  ===========

Suppressed findings are left out: GitLab has no notion of an accepted issue.
Paths are relative to the repository root, as GitLab links them, whichever
folder vmspolicy runs in.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import fingerprint, repository_path, repository_prefix, repository_root


def gitlab_severity(finding: Finding, fail_on: Severity) -> str:
    """The Code Quality severity of ``finding`` under the run's ``--fail-on``."""
    if finding.severity == Severity.ERROR:
        return "blocker"
    fails = finding.severity >= fail_on
    if finding.severity == Severity.WARNING:
        return "critical" if fails else "minor"
    return "major" if fails else "info"


def code_quality(result: RunResult, *, prefix: str = "", root: Path | None = None) -> list[dict[str, Any]]:
    """The Code Quality report as JSON-ready data; ``prefix`` and ``root`` place the files in their repository."""
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for finding in result.active:
        print_ = fingerprint(finding)
        # GitLab shows one issue per fingerprint; the same finding at a second place (a duplicate id) must stay visible.
        repeats = seen.get(print_, 0)
        seen[print_] = repeats + 1
        if repeats:
            print_ = hashlib.sha256(f"{print_}\x1f{finding.path}\x1f{repeats}".encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "description": f"{finding.rule} {finding.message}" + (f" (cell {finding.location.cell})" if finding.location.cell else ""),
                "check_name": f"{finding.rule} {finding.slug}",
                "categories": ["Security"],
                "fingerprint": print_,
                "severity": gitlab_severity(finding, result.fail_on),
                "location": {"path": repository_path(finding.path, prefix, root), "lines": {"begin": finding.line}},
            }
        )
    return issues


class GitLabReporter:
    name = "gitlab"
    description = "GitLab Code Quality JSON for merge-request widgets"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        issues = code_quality(result, prefix=repository_prefix(), root=repository_root())
        return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
