"""The JSON report, whose shape ``schemas/report.schema.json`` documents and keeps stable."""

from __future__ import annotations

import json
from typing import Any

from vmspolicy.core.findings import Finding
from vmspolicy.governance.fingerprint import fingerprint
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import configuration_json, plugins_json

REPORT_VERSION = 1


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """The JSON object of one finding."""
    suppressed = None
    if finding.suppressed is not None:
        s = finding.suppressed
        suppressed = {
            "kind": s.kind,
            "justification": s.justification,
            "reference": s.reference,
            "path": s.location.path if s.location else None,
            "line": s.location.line if s.location else None,
            "column": s.location.column if s.location else None,
        }
    return {
        "rule": finding.rule,
        "slug": finding.slug,
        "severity": finding.severity.label,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "cell": finding.location.cell,
        "subject": finding.subject,
        "message": finding.message,
        "fingerprint": fingerprint(finding),
        "suppressed": suppressed,
    }


def report_to_json(result: RunResult) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    report = {
        "version": REPORT_VERSION,
        "tool": {"name": "vmspolicy", "version": result.version},
        "as_of": result.as_of.isoformat(),
        "profiles": list(result.profiles),
        "fail_on": result.fail_on.label,
        "plugins": plugins_json(result),
        "findings": [finding_to_json(f) for f in result.findings],
        "inputs": [
            *({"path": i.path, "sha256": i.sha256, "format": i.format} for i in result.inputs),
            *({"path": e.path, "sha256": e.sha256, "format": e.format, "excluded_by": e.pattern} for e in result.excluded_inputs),
        ],
        "summary": {**result.counts(), "files": len(result.inputs), "passed": not result.failing},
    }
    configuration = configuration_json(result)
    if configuration is not None:
        report["configuration"] = configuration
    return report


class JsonReporter:
    name = "json"
    description = "machine-readable report (schemas/report.schema.json)"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        return json.dumps(report_to_json(result), indent=2, ensure_ascii=False) + "\n"
