"""``--format csv``: one finding per row, for the spreadsheet ACME's facilities team keeps."""

from __future__ import annotations

import csv
import io

from vmspolicy import Reporter, RunResult

COLUMNS = ("path", "line", "column", "rule", "severity", "subject", "message", "suppressed")


class CsvReporter(Reporter):
    name = "csv"
    description = "CSV: one finding per row (path, line, column, rule, severity, subject, message, suppressed)"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for f in result.findings:
            suppressed = f.suppressed.kind if f.suppressed else ""
            writer.writerow((f.path, f.line, f.column, f.rule, f.severity.label, f.subject or "", f.message, suppressed))
        return out.getvalue()
