"""The real consumers' schemas and validators: every SARIF and JUnit file the suite produces goes through these."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.external_tools import missing

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"

# The Microsoft SARIF multitool (npm @microsoft/sarif-multitool-linux, a self-contained .NET build):
# .ci/run installs it here; SARIF_MULTITOOL names another copy.
MULTITOOL_VERSION = "5.7.0"
MULTITOOL_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vmspolicy-tests" / "sarif-multitool"
MULTITOOL = MULTITOOL_HOME / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


@functools.cache
def _sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return schema


@functools.cache
def _sarif_validator() -> Any:
    import jsonschema

    # The OASIS schema is draft-04.
    return jsonschema.Draft4Validator(_sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@functools.cache
def _junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema10(SCHEMAS / "junit-10.xsd")


def assert_valid_sarif(text: str) -> dict[str, Any]:
    """Parse ``text`` and check it against the OASIS SARIF 2.1.0 (errata 01) schema it names; return the log."""
    log: dict[str, Any] = json.loads(text)
    assert log.get("$schema") == _sarif_schema()["id"], "the log must name the schema it is validated against"
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
    return log


def multitool() -> Path:
    """The SARIF multitool's executable; without it the test skips saying how to install it (fails in CI)."""
    named = os.environ.get("SARIF_MULTITOOL")
    tool = Path(named) if named else MULTITOOL
    if not tool.is_file():
        missing(
            f"the Microsoft SARIF multitool is needed to validate SARIF: npm install --prefix {MULTITOOL_HOME} "
            f"@microsoft/sarif-multitool-linux@{MULTITOOL_VERSION} (as .ci/run does), or set SARIF_MULTITOOL"
        )
    return tool


def multitool_problems(*paths: Path) -> list[str]:
    """The errors and warnings the multitool's ``validate`` finds in SARIF files: the schema, its rules and GitHub's.

    Its notes (advice such as "embed code snippets") are not problems.
    """
    out = paths[0].parent / "multitool-validation.sarif"
    done = subprocess.run(
        [str(multitool()), "validate", *map(str, paths), "--config", str(SCHEMAS / "sarif-multitool.xml"),
         "--output", str(out), "--log", "ForceOverwrite"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
    )
    assert done.returncode == 0 and out.is_file(), done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    problems = []
    for run in report["runs"]:
        for result in run.get("results", []):
            if result.get("level", "warning") in ("error", "warning"):
                where = result["locations"][0]["physicalLocation"] if result.get("locations") else {}
                problems.append(f"{result['ruleId']} {where.get('artifactLocation', {}).get('uri', '')}: {result['message']}")
    return problems


def assert_valid_junit(text: str) -> Any:
    """Check ``text`` against the JUnit XSD of Jenkins' xUnit plugin, and read it with junitparser; return its ``JUnitXml``."""
    import junitparser

    errors = list(_junit_schema().iter_errors(text))
    assert not errors, "\n".join(str(e.reason) + " at " + str(e.path) for e in errors[:10])
    return junitparser.JUnitXml.fromstring(text.encode("utf-8"))
