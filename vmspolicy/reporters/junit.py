"""JUnit XML as Jenkins, GitLab, Azure DevOps and most CI test widgets read it.

One ``<testsuite>`` per input file; one failing ``<testcase>`` per finding
that fails the gate (with ``file:line:col`` in its name and text); one
``<skipped>`` test case per finding that does not (below ``--fail-on``, or
suppressed: the message says by what and why), so that no finding is shown
as a passed test; one passing case per clean file, so a dashboard counts the
files checked. Valid against the JUnit schema of Jenkins' xUnit plugin;
``timestamp`` is the as-of date (midnight) and ``hostname`` is ``localhost``,
so that the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

from vmspolicy.core.findings import Finding
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import configuration_json, vendor_data_text
from vmspolicy.reporters.text import format_finding

# The XSD accepts only characters XML 1.0 allows; a control character in a message would make consumers reject the file.
_XML_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_XML_ILLEGAL)


def class_name(path: str) -> str:
    """The file as a test class: Jenkins reads ``a.b`` as package ``a``, class ``b``, so dots become ``_``.

    ``estate/cameras.yaml`` would otherwise be class ``yaml`` of a package
    ``estate/cameras``; ``estate/cameras_yaml`` stays one class per file.
    """
    return _clean(path.replace(".", "_"))


def skip_message(finding: Finding, result: RunResult) -> str:
    """Why a finding does not fail the gate: the exception that excuses it and its justification, or its severity."""
    s = finding.suppressed
    if s is None:
        return f"{finding.severity.label} below --fail-on {result.fail_on.label}: reported, does not fail the gate"
    by = f"{s.kind} {s.reference}" if s.reference else s.kind
    at = f" ({s.location.path}:{s.location.line}:{s.location.column})" if s.location is not None else ""
    return f"suppressed by {by}{at}: {s.justification}"


def _case_name(finding: Finding) -> str:
    subject = f" {finding.subject}" if finding.subject else ""
    cell = f", cell {finding.location.cell}" if finding.location.cell else ""
    return _clean(f"{finding.rule} {finding.slug}{subject} ({finding.path}:{finding.line}:{finding.column}{cell})")


def configuration_properties(result: RunResult) -> list[tuple[str, str]]:
    """The configuration record as ``configuration.*`` properties: the file, packs and mandatory rules
    always, every other setting when it is set."""
    c, data = result.configuration, configuration_json(result)
    if c is None or data is None:
        return []
    listed = [
        ("files", "; ".join(f"{f.path} sha256:{f.sha256}" for f in c.files) or "none"),
        ("packs", "; ".join(f"{p.id} ({p.origin})" for p in c.packs)),
        ("mandatory", ",".join(c.mandatory)),
        ("inline-suppressions", "on" if c.inline_suppressions else "off"),
        ("command-line", ",".join(c.command_line)),
        ("disabled", ",".join(c.disabled)),
        ("selected", "" if c.selected is None else ",".join(c.selected)),
        ("severities", ",".join(f"{code}={label}" for code, label in c.severities.items())),
        ("rule-options", json.dumps(data["rule_options"], sort_keys=True) if c.rule_options else ""),
        ("estate", ",".join(c.estate)),
        ("exclude", ",".join(c.exclude)),
        ("formats", ",".join(f"{glob}={loader}" for glob, loader in c.formats.items())),
        ("estate-settings", json.dumps(data["estate_settings"], sort_keys=True) if c.estate_settings else ""),
        ("strict", "true" if c.strict else ""),
        ("baseline", f"{c.baseline.path} sha256:{c.baseline.sha256}" if c.baseline else ""),
        ("refused", "; ".join(f"{r.setting} ({r.location})" for r in c.refused)),
        ("vendor-data", vendor_data_text(c.vendor_data)),
    ]
    always = {"files", "packs", "mandatory", "inline-suppressions", "vendor-data"}
    return [(f"configuration.{name}", value) for name, value in listed if value or name in always]


def junit_tree(result: RunResult) -> ET.Element:
    """The ``<testsuites>`` element of the run."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.path].append(finding)
    excluded = {e.path: e.pattern for e in result.excluded_inputs}
    files = sorted({i.path for i in result.inputs} | set(by_file) | set(excluded))
    failing = {id(f) for f in result.failing}
    timestamp = f"{result.as_of.isoformat()}T00:00:00"
    root = ET.Element("testsuites")
    for index, path in enumerate(files):
        findings = by_file.get(path, [])
        failures = sum(1 for f in findings if id(f) in failing)
        skipped = len(findings) - failures + (path in excluded)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _clean(path),
                "timestamp": timestamp,
                "hostname": "localhost",
                "tests": str(max(1, len(findings) + (path in excluded))),
                "failures": str(failures),
                "errors": "0",
                "skipped": str(skipped),
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
            *configuration_properties(result),
            *((f"vmspolicy.plugin.{p.name}", f"{p.distribution or p.name} {p.version or ''}".strip()) for p in result.plugins),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
        classname = class_name(path)
        for finding in findings:
            case = ET.SubElement(suite, "testcase", {"name": _case_name(finding), "classname": classname, "time": "0"})
            text = format_finding(finding)
            if id(finding) in failing:
                failure = ET.SubElement(
                    case, "failure", {"message": _clean(f"{finding.rule} {finding.message}"), "type": finding.severity.label}
                )
                failure.text = _clean(text)
            else:
                # Not a pass: a waived camera or a warning shown as a green test would hide it.
                skip = ET.SubElement(case, "skipped", {"message": _clean(skip_message(finding, result))})
                skip.text = _clean(text)
        if path in excluded:
            # Listed, never judged: a manifest the configuration's exclude: kept out, and the pattern that did.
            case = ET.SubElement(suite, "testcase", {"name": "excluded", "classname": classname, "time": "0"})
            ET.SubElement(case, "skipped", {"message": _clean(f"not judged: excluded by the configuration's pattern {excluded[path]!r}")})
        elif not findings:
            ET.SubElement(suite, "testcase", {"name": "no findings", "classname": classname, "time": "0"})
    return root


class JUnitReporter:
    name = "junit"
    description = "JUnit XML: a test suite per file, a failing test case per finding that fails the gate, the others skipped"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        root = junit_tree(result)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
