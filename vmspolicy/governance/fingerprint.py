"""The identity of a finding that survives edits: what baselines, SARIF and GitLab reports match on.

A fingerprint is built from the rule, the file, the subject (device, zone or
waiver id) and the finding's ``evidence`` (the offending value) — never from a
line or column, so moving or reformatting lines keeps it, while the same rule
on another device or in another file gives another fingerprint.
"""

from __future__ import annotations

import hashlib
import re

from vmspolicy.core.findings import Finding

# Positions that some messages quote ("already declared at a.yaml:12:5") change when lines
# move; they are dropped when the message has to stand in for missing evidence.
_POSITION = re.compile(r":\d+(?::\d+)?\b|\bline \d+(?:, column \d+)?")


def fingerprint(finding: Finding) -> str:
    """A stable 32-hex-digit fingerprint of ``finding`` (SARIF ``partialFingerprints``, GitLab ``fingerprint``)."""
    basis = finding.evidence or _POSITION.sub("", finding.message)
    parts = ("vmspolicy/1", finding.rule, finding.path, finding.subject or "", basis)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
