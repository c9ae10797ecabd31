"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding.

GitHub turns each line into an annotation on the file and line of the pull
request. ``vmspolicy check`` prints them in addition to the chosen format
whenever ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import visible

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR and LF (GitHub's toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as :func:`escape_data`, plus ``:`` and ``,`` that end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"{finding.rule} {finding.slug}" + (f" (cell {finding.location.cell})" if finding.location.cell else ""),
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    # The workflow log is a terminal of sorts: an escape sequence in a value must not reach it as such.
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(visible(finding.message, lines=True))}"


class GitHubReporter:
    name = "github"
    description = "GitHub Actions annotations (printed automatically when GITHUB_ACTIONS=true)"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        # Suppressed findings stay out: an annotation is a request to act.
        lines = [annotation(f) for f in result.active]
        return "".join(line + "\n" for line in lines)
