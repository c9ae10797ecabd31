"""SARIF 2.1.0, the format GitHub code scanning and most security dashboards import.

Every rule of the run is described in ``tool.driver.rules`` (with its
documentation as Markdown help), every finding is a result located by a URI
relative to the repository root (``%SRCROOT%``), suppressed findings keep
their justification, and ``partialFingerprints`` let code scanning follow a
finding when lines move.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from vmspolicy.findings import Finding, Severity
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import FINGERPRINT_VERSION, fingerprint, first_paragraph, rule_markdown
from vmspolicy.rules.base import Rule

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://vmspolicy.dev/"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks security alerts by this number (critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0).
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
# A waiver or a baseline lives outside the flagged line; an inline comment sits in it.
SUPPRESSION_KINDS = {"inline": "inSource"}


def repository_prefix(cwd: Path | None = None) -> str:
    """Where the working directory sits inside its git repository (``""`` at the root, ``"sites/hq/"`` below).

    Findings name files relative to the working directory; code scanning
    resolves URIs against the repository root, so a run started in a
    subfolder must prefix its paths.
    """
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            rel = start.relative_to(folder).as_posix()
            return "" if rel == "." else rel + "/"
    return ""


def artifact_location(path: str, prefix: str) -> dict[str, Any]:
    """A SARIF artifactLocation: relative to ``%SRCROOT%`` when relative, a file URI when absolute."""
    if path.startswith("<") or path == "-":
        return {"uri": quote(path.strip("<>"))}
    posix = PurePosixPath(path)
    if posix.is_absolute() or os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(prefix + posix.as_posix()), "uriBaseId": SRCROOT}


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """``tool.driver.rules[]`` entry: id, name (the slug), descriptions, Markdown help, default level."""
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.short_description()},
        "fullDescription": {"text": first_paragraph(rule)},
        "help": {"text": rule.documentation(), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", "cctv", rule.slug],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "waivable": rule.waivable,
        },
    }


def _result(finding: Finding, rule_index: dict[str, int], prefix: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.path, prefix),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }
    if finding.subject:
        location["logicalLocations"] = [{"name": finding.subject, "kind": "object"}]
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    result.update(
        {
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_VERSION: fingerprint(finding)},
        }
    )
    if finding.suppressed is not None:
        s = finding.suppressed
        suppression: dict[str, Any] = {
            "kind": SUPPRESSION_KINDS.get(s.kind, "external"),
            "state": "accepted",
            "justification": s.justification,
        }
        if s.location is not None:
            suppression["location"] = {
                "physicalLocation": {
                    "artifactLocation": artifact_location(s.location.path, prefix),
                    "region": {"startLine": s.location.line, "startColumn": s.location.column},
                }
            }
        properties = {"vmspolicyKind": s.kind}
        if s.reference:
            properties["reference"] = s.reference
        suppression["properties"] = properties
        result["suppressions"] = [suppression]
    if finding.subject:
        result["properties"] = {"subject": finding.subject}
    return result


def sarif_log(result: RunResult, *, prefix: str = "") -> dict[str, Any]:
    """The whole SARIF log as JSON-ready data."""
    rules = sorted(result.rules, key=lambda r: r.code)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "vmspolicy",
                "version": result.version,
                "semanticVersion": result.version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "artifacts": [
            {"location": artifact_location(i.path, prefix), "hashes": {"sha-256": i.sha256}, "properties": {"format": i.format}}
            for i in result.inputs
        ],
        "invocations": [
            {
                "executionSuccessful": True,
                "properties": {
                    "asOf": result.as_of.isoformat(),
                    "failOn": result.fail_on.label,
                    "profiles": list(result.profiles),
                    "passed": not result.failing,
                },
            }
        ],
        "results": [_result(f, rule_index, prefix) for f in result.findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning and security dashboards"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        return json.dumps(sarif_log(result, prefix=repository_prefix()), indent=2, ensure_ascii=False) + "\n"
