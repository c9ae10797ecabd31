"""An in-toto Statement (v1) of the run: what was checked, under which policy, and the verdict.

The subjects are the input files with their SHA-256 digests, so a buyer can
verify a vendor's claim against the exact files submitted; the predicate is
the result. The statement is unsigned: sign it with your own tooling
(``cosign attest-blob``, ``in-toto-sign``...) to make it an attestation.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import applied_packs, configuration_json, fingerprint, plugins_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://vmspolicy.dev/attestation/compliance/v1"


def _pack_summary(pack: Mapping[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {"id": pack.get("id")}
    for key in ("title", "cutoff", "version"):
        if key in pack:
            summary[key] = str(pack[key])
    sources = pack.get("sources")
    if isinstance(sources, list):
        summary["sources"] = [dict(s) if isinstance(s, dict) else str(s) for s in sources]
    return summary


def statement(result: RunResult) -> dict[str, Any]:
    """The in-toto Statement as JSON-ready data."""
    counts = result.counts()
    packs = [_pack_summary(p) for p in applied_packs(result)]
    document: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": i.path, "digest": {"sha256": i.sha256}} for i in result.inputs],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "tool": {"name": "vmspolicy", "version": result.version},
            "asOf": result.as_of.isoformat(),
            "profiles": list(result.profiles),
            "packs": packs,
            "plugins": plugins_json(result),
            "failOn": result.fail_on.label,
            "verdict": "fail" if result.failing else "pass",
            "counts": {**counts, "files": len(result.inputs), "failing": len(result.failing)},
            # Not subjects: nothing in them was judged. Listed so that what the configuration left out is on record.
            "excluded": [
                {"name": e.path, "digest": {"sha256": e.sha256}, "format": e.format, "excludedBy": e.pattern}
                for e in result.excluded_inputs
            ],
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity.label,
                    "path": f.path,
                    "line": f.line,
                    "column": f.column,
                    "cell": f.location.cell,
                    "subject": f.subject,
                    "fingerprint": fingerprint(f),
                    "suppressed": f.suppressed.kind if f.suppressed else None,
                }
                for f in result.findings
            ],
        },
    }
    configuration = configuration_json(result)
    if configuration is not None:
        document["predicate"]["configuration"] = configuration
    return document


class AttestationReporter:
    name = "attestation"
    description = "in-toto Statement v1: input files' SHA-256 as subjects, the verdict as predicate"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        return json.dumps(statement(result), indent=2, ensure_ascii=False, default=str) + "\n"
