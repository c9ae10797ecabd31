"""The default output: one line per finding, ``path:line:col: CODE [severity] message (slug)``."""

from __future__ import annotations

from vmspolicy.findings import Finding, Severity
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import disabled_summary

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _shown(path: str) -> str:
    # A file name holding a line break or a control character must not forge a line of output.
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")


def format_finding(finding: Finding, *, color: bool = False) -> str:
    """One finding as a line of text."""
    where = f"{_shown(finding.path)}:{finding.line}:{finding.column}"
    severity = f"[{finding.severity.label}]"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    line = f"{where}: {finding.rule} {severity} {finding.message} ({finding.slug})"
    if finding.suppressed is not None:
        note = f"  suppressed by {finding.suppressed.kind}: {finding.suppressed.justification}"
        line += f"\n{_DIM}{note}{_RESET}" if color else "\n" + note
    return line


def summary_line(result: RunResult) -> str:
    """``Found 3 errors, 1 warning in 4 files (2 suppressed). As of 2026-11-28.``"""
    counts = result.counts()
    parts = []
    for severity in sorted(Severity, reverse=True):
        n = counts[severity.label]
        if n:
            parts.append(f"{n} {severity.label}{'' if n == 1 else 's'}")
    files = len(result.inputs)
    found = ", ".join(parts) if parts else "no problems"
    text = f"Found {found} in {files} file{'' if files == 1 else 's'}"
    if counts["suppressed"]:
        text += f" ({counts['suppressed']} suppressed)"
    disabled = disabled_summary(result)
    if disabled:
        text += f"; {disabled}"
    verdict = "FAIL" if result.failing else "PASS"
    return f"{text}; as of {result.as_of.isoformat()}. {verdict} (fail on {result.fail_on.label})."


class TextReporter:
    name = "text"
    description = "human-readable lines, path:line:col: CODE [severity] message (slug)"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        lines = [format_finding(f, color=color) for f in result.findings if f.suppressed is None]
        lines += [format_finding(f, color=color) for f in result.findings if f.suppressed is not None]
        lines.append(summary_line(result))
        return "\n".join(lines) + "\n"
