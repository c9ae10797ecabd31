"""JUnit XML in the Apache Ant shape that Jenkins, GitLab, Azure DevOps and most CI test widgets read.

One ``<testsuite>`` per input file; one failing ``<testcase>`` per finding
that fails the gate (with ``file:line:col`` in its name and text); one
passing ``<testcase>`` per finding that does not (below ``--fail-on``, or
suppressed) and one per clean file, so a dashboard counts files checked.
The output is valid against windyroad's Ant JUnit XSD, whose required
``timestamp`` is the as-of date (midnight) and ``hostname`` is ``localhost``,
so that the same inputs give the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from vmspolicy.findings import Finding
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.text import format_finding

# The XSD accepts only characters XML 1.0 allows; a control character in a message would make consumers reject the file.
_XML_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_XML_ILLEGAL)


def _case_name(finding: Finding) -> str:
    subject = f" {finding.subject}" if finding.subject else ""
    return _clean(f"{finding.rule} {finding.slug}{subject} ({finding.path}:{finding.line}:{finding.column})")


def junit_tree(result: RunResult) -> ET.Element:
    """The ``<testsuites>`` element of the run."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.path].append(finding)
    files = sorted({i.path for i in result.inputs} | set(by_file))
    failing = {id(f) for f in result.failing}
    timestamp = f"{result.as_of.isoformat()}T00:00:00"
    root = ET.Element("testsuites")
    for index, path in enumerate(files):
        findings = by_file.get(path, [])
        failures = sum(1 for f in findings if id(f) in failing)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _clean(path),
                "timestamp": timestamp,
                "hostname": "localhost",
                "tests": str(max(1, len(findings))),
                "failures": str(failures),
                "errors": "0",
                "time": "0",
                "package": "vmspolicy",
                "id": str(index),
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("vmspolicy.version", result.version),
            ("as-of", result.as_of.isoformat()),
            ("fail-on", result.fail_on.label),
            ("profiles", ",".join(result.profiles)),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": value})
        classname = _clean(path)
        notes: list[str] = []
        for finding in findings:
            case = ET.SubElement(suite, "testcase", {"name": _case_name(finding), "classname": classname, "time": "0"})
            text = format_finding(finding)
            if id(finding) in failing:
                failure = ET.SubElement(
                    case, "failure", {"message": _clean(f"{finding.rule} {finding.message}"), "type": finding.severity.label}
                )
                failure.text = _clean(text)
            else:
                # Not failing the gate: passes, and the finding is kept in system-out so nothing is hidden.
                notes.append(text)
        if not findings:
            ET.SubElement(suite, "testcase", {"name": "no findings", "classname": classname, "time": "0"})
        ET.SubElement(suite, "system-out").text = _clean("\n".join(notes))
        ET.SubElement(suite, "system-err").text = ""
    return root


class JUnitReporter:
    name = "junit"
    description = "JUnit XML (Ant schema): a test suite per file, a failing test case per finding"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        root = junit_tree(result)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
