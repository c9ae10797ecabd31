"""The default output: one line per finding, ``path:line:col: CODE [severity] message (slug)``."""

from __future__ import annotations

from pathlib import Path

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import disabled_summary, visible

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _shown(path: str) -> str:
    # A file name holding a line break or a control character must not forge a line of output.
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")


def format_finding(finding: Finding, *, color: bool = False) -> str:
    """One finding as a line of text."""
    where = f"{_shown(finding.path)}:{finding.line}:{finding.column}"
    if finding.location.cell:
        where += f" (cell {_shown(finding.location.cell)})"
    severity = f"[{finding.severity.label}]"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    line = f"{where}: {finding.rule} {severity} {visible(finding.message)} ({finding.slug})"
    if finding.suppressed is not None:
        note = f"  suppressed by {finding.suppressed.kind}: {visible(finding.suppressed.justification)}"
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
    text += _not_judged(result)
    verdict = "FAIL" if result.failing else "PASS"
    return f"{text}; as of {result.as_of.isoformat()}. {verdict} (fail on {result.fail_on.label})."


_FRAMED = frozenset({"VP001", "VP002"})
"""Findings about how a file is written (syntax, schema): on a terminal, the line itself is shown."""


def code_frame(text: str, line: int, column: int) -> str:
    """The line before, the line at ``line`` and a caret under ``column``, numbered; '' if out of range."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    width = len(str(line))
    shown = [f"  {n:>{width}} | {lines[n - 1]}".rstrip() for n in range(max(1, line - 1), line + 1)]
    prefix = lines[line - 1][: max(column - 1, 0)]
    indent = "".join("\t" if ch == "\t" else " " for ch in prefix)  # a tab stays a tab, so the caret lines up
    shown.append(f"  {'':>{width}} | {indent}^")
    # A control character in the file (an escape sequence) must not reach the terminal as such.
    return "\n".join(part if part.replace("\t", " ").isprintable() else _shown(part) for part in shown)


def _source_text(path: str) -> str | None:
    try:
        from vmspolicy.core.text import decode

        return decode(Path(path).read_bytes()).text
    except (OSError, ValueError):
        return None  # stdin, a vanished or undecodable file: the finding's line says enough


def _not_judged(result: RunResult) -> str:
    """``; 2 skipped as not manifests, 1 excluded``: the files the run saw and did not judge (``-v`` names them)."""
    outside = sum(1 for s in result.skipped if s.outside_estate)
    others = len(result.skipped) - outside
    parts = []
    if others:
        parts.append(f"{others} skipped as not {'a manifest' if others == 1 else 'manifests'}")
    if outside:
        parts.append(f"{outside} outside the estate")
    if result.excluded:
        parts.append(f"{len(result.excluded)} excluded")
    return "; " + ", ".join(parts) if parts else ""


class TextReporter:
    name = "text"
    description = "human-readable lines, path:line:col: CODE [severity] message (slug)"

    def __init__(self, *, frames: bool = False) -> None:
        # frames: under syntax and schema findings, the line they point at (for a person at a terminal).
        self.frames = frames

    def render(self, result: RunResult, *, color: bool = False) -> str:
        ordered = [f for f in result.findings if f.suppressed is None] + [f for f in result.findings if f.suppressed is not None]
        lines = []
        texts: dict[str, str | None] = {}
        for finding in ordered:
            lines.append(format_finding(finding, color=color))
            if self.frames and finding.rule in _FRAMED and finding.suppressed is None:
                if finding.path not in texts:
                    texts[finding.path] = _source_text(finding.path)
                text = texts[finding.path]
                frame = code_frame(text, finding.line, finding.column) if text is not None else ""
                if frame:
                    lines.append(f"{_DIM}{frame}{_RESET}" if color else frame)
        lines.append(summary_line(result))
        return "\n".join(lines) + "\n"
