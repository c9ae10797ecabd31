"""SARIF 2.1.0, the format GitHub code scanning and most security dashboards import.

Every rule of the run is described in ``tool.driver.rules`` (with its
documentation as Markdown help and, for vmspolicy's own rules, a ``helpUri``
into the repository's rule reference), every finding is a result located by a
URI relative to the repository root (``%SRCROOT%``), suppressed findings keep
their justification, and ``partialFingerprints`` let code scanning follow a
finding when lines move. The output follows the OASIS standard with its
errata (``suppressions[].status``, not the draft's ``state``) and GitHub's
limits: at most :data:`MAX_RESULTS` results per run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.plugin_data import PluginInfo
from vmspolicy.core.rule import Rule
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import (
    FINGERPRINT_VERSION,
    REPOSITORY_URL,
    configuration_json,
    fingerprint,
    first_paragraph,
    repository_path,
    repository_prefix,
    repository_root,
    rule_help_uri,
    rule_markdown,
)

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = REPOSITORY_URL

# GitHub code scanning rejects an upload with more results in a run.
MAX_RESULTS = 25_000

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

# GitHub ranks security alerts by ``security-severity`` (critical >= 9.0, high >= 7.0, medium >= 4.0,
# low below). Graded by what the finding lets happen, not by its gate severity: restricted equipment
# where it must never be, or reachable from the internet, is critical; restricted equipment that is
# merely new, unexcused or not provably isolated is high, as is a file that cannot be read (it may hide
# either); bookkeeping that weakens the evidence (schema, references, waivers) is medium; a waiver about
# to expire or unused, or an address outside its zone, is low. The README's SARIF section has this table.
SECURITY_SEVERITY: dict[str, str] = {
    "VP001": "7.0",  # parse-error: unread, so unjudged
    "VP002": "5.0",  # schema-violation
    "VP003": "5.0",  # unknown-reference
    "VP004": "4.5",  # duplicate-identity
    "VP005": "3.0",  # address-outside-zone
    "VP101": "9.5",  # restricted-vendor-on-sensitive-site
    "VP102": "8.5",  # restricted-vendor-new-install
    "VP103": "7.5",  # restricted-vendor-legacy (no valid waiver)
    "VP104": "8.0",  # vendor-mismatch: restricted kit declared as something else
    "VP105": "6.0",  # oem-relabel
    "VP106": "4.0",  # unidentified-vendor
    "VP107": "9.0",  # restricted-recorder: it holds every camera's footage
    "VP201": "7.0",  # not-segmented
    "VP202": "9.0",  # internet-egress
    "VP203": "9.5",  # internet-ingress
    "VP204": "8.5",  # core-network-reachable
    "VP205": "8.0",  # cloud-services-enabled: a path out that no firewall rule shows
    "VP206": "7.5",  # isolation-unverifiable
    "VP301": "5.0",  # waiver-invalid
    "VP302": "5.0",  # waiver-expired (what it excused is reported again at its own grade)
    "VP303": "2.0",  # waiver-expiring
    "VP304": "1.0",  # waiver-unused
    "VP305": "4.0",  # suppression-invalid
    "VP306": "8.0",  # policy-override-refused: the repository tried to loosen a mandatory rule
    "VP401": "7.5",  # plaintext-credential
    "VP501": "5.5",  # undeclared-device
    "VP502": "8.5",  # restricted-device-discovered
}
# Rules without a grade (a plugin's) are graded by their default severity.
DEFAULT_SECURITY_SEVERITY = {Severity.ERROR: "7.0", Severity.WARNING: "4.0", Severity.INFO: "1.0"}
# A waiver or a baseline lives outside the flagged line; an inline comment sits in it.
SUPPRESSION_KINDS = {"inline": "inSource"}


def artifact_location(path: str, prefix: str, root: Path | None = None) -> dict[str, Any]:
    """A SARIF artifactLocation: relative to ``%SRCROOT%`` (the repository root) where it can be, else a file URI."""
    if path.startswith("<") or path == "-":
        return {"uri": quote(path.strip("<>"))}
    shown = repository_path(path, prefix, root)
    if PurePosixPath(shown).is_absolute() or os.path.isabs(shown):
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown), "uriBaseId": SRCROOT}


def security_severity(rule: type[Rule]) -> str:
    """The rule's ``security-severity`` for GitHub (0.0-10.0, as a string): its grade, else by default severity."""
    return SECURITY_SEVERITY.get(rule.code, DEFAULT_SECURITY_SEVERITY[rule.severity])


def rule_descriptor(rule: type[Rule], version: str) -> dict[str, Any]:
    """``tool.driver.rules[]`` entry: id, name (the slug), descriptions, help (Markdown and link), default level."""
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.short_description()},
        "fullDescription": {"text": first_paragraph(rule)},
        "help": {"text": rule.documentation(), "markdown": rule_markdown(rule)},
    }
    help_uri = rule_help_uri(rule, version)
    if help_uri:
        descriptor["helpUri"] = help_uri
    descriptor["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    descriptor["properties"] = {
        "tags": ["security", "cctv", rule.slug],
        "precision": "high",
        "security-severity": security_severity(rule),
        "waivable": rule.waivable,
    }
    return descriptor


def _result(finding: Finding, rule_index: dict[str, int], prefix: str, root: Path | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.path, prefix, root),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }
    if finding.location.cell:
        # SARIF has no notion of a spreadsheet cell; a property bag carries it to viewers that show properties.
        location["physicalLocation"]["region"]["properties"] = {"cell": finding.location.cell}
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
            "status": "accepted",
            "justification": s.justification,
        }
        if s.location is not None:
            suppression["location"] = {
                "physicalLocation": {
                    "artifactLocation": artifact_location(s.location.path, prefix, root),
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


def _most_severe_first(findings: Sequence[Finding], rules: Mapping[str, type[Rule]]) -> list[Finding]:
    """What to keep when there are too many: findings that count, then by level and grade, then in report order."""

    def rank(item: tuple[int, Finding]) -> tuple[bool, int, float, int]:
        index, finding = item
        rule = rules.get(finding.rule)
        grade = float(security_severity(rule)) if rule is not None else float(DEFAULT_SECURITY_SEVERITY[finding.severity])
        return (finding.suppressed is not None, -int(finding.severity), -grade, index)

    return [finding for _, finding in sorted(enumerate(findings), key=rank)]


def kept_findings(result: RunResult, limit: int = MAX_RESULTS) -> tuple[list[Finding], int]:
    """The findings that fit in one run (at most ``limit``, the most severe), in report order, and how many were left out."""
    findings = list(result.findings)
    if len(findings) <= limit:
        return findings, 0
    by_code = {rule.code: rule for rule in result.rules}
    kept = {id(f) for f in _most_severe_first(findings, by_code)[:limit]}
    return [f for f in findings if id(f) in kept], len(findings) - limit


def _omission_notice(result: RunResult, shown: Sequence[Finding], omitted: int) -> dict[str, Any]:
    least = min((f.severity for f in shown), default=Severity.INFO)
    return {
        "level": "warning",
        "message": {
            "text": f"{omitted} of {len(result.findings)} findings are not in this log: a run holds at most "
            f"{len(shown)} results (GitHub code scanning's limit), so the most severe were kept "
            f"(down to {least.label}); every finding is in vmspolicy's text and JSON output."
        },
        "descriptor": {"id": "results-omitted"},
    }


def _extension(plugin: PluginInfo) -> dict[str, Any]:
    """A plugin of the run as a ``tool.extensions`` component: its distribution and version, and its entry point."""
    extension: dict[str, Any] = {"name": plugin.distribution or plugin.name}
    if plugin.version:
        extension["version"] = plugin.version
    extension["properties"] = {"entryPoint": plugin.name}
    return extension


def sarif_log(result: RunResult, *, prefix: str = "", root: Path | None = None, limit: int = MAX_RESULTS) -> dict[str, Any]:
    """The whole SARIF log as JSON-ready data; beyond ``limit`` results, the most severe ones.

    ``prefix`` and ``root`` place the run's files in their repository (:func:`repository_prefix`, :func:`repository_root`).
    """
    rules = sorted(result.rules, key=lambda r: r.code)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    shown, omitted = kept_findings(result, limit)
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "properties": {
            "asOf": result.as_of.isoformat(),
            "failOn": result.fail_on.label,
            "profiles": list(result.profiles),
            "passed": not result.failing,
        },
    }
    if omitted:
        invocation["toolExecutionNotifications"] = [_omission_notice(result, shown, omitted)]
    tool: dict[str, Any] = {
        "driver": {
            "name": "vmspolicy",
            "version": result.version,
            "semanticVersion": result.version,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(rule, result.version) for rule in rules],
        }
    }
    if result.plugins:
        tool["extensions"] = [_extension(plugin) for plugin in result.plugins]
    run: dict[str, Any] = {
        "tool": tool,
        "columnKind": "unicodeCodePoints",
        "artifacts": [
            {"location": artifact_location(i.path, prefix, root), "hashes": {"sha-256": i.sha256}, "properties": {"format": i.format}}
            for i in result.inputs
        ] + [
            {"location": artifact_location(e.path, prefix), "hashes": {"sha-256": e.sha256},
             "properties": {"format": e.format, "excludedBy": e.pattern}}
            for e in result.excluded_inputs
        ],
        "invocations": [invocation],
        "results": [_result(f, rule_index, prefix, root) for f in shown],
    }
    properties: dict[str, Any] = {}
    if omitted:
        properties.update({"resultsOmitted": omitted, "findings": len(result.findings)})
    configuration = configuration_json(result)
    if configuration is not None:
        properties["configuration"] = configuration
    if properties:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning and security dashboards"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        log = sarif_log(result, prefix=repository_prefix(), root=repository_root())
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
