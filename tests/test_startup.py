"""A one-file check imports only what it needs: what a pre-commit hook pays on every commit.

No timing here (benchmarks/ measures); these tests pin *what* is imported, so
that a module-level import of something heavy shows up as a failing test, not
as a slower hook months later.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.manifests import VIOLATING
from vmspolicy.cli.program import help_width

# Modules a check of one manifest with --format json must not import, and who would.
NOT_NEEDED = {
    "vmspolicy.cli.report": "command modules (only `vmspolicy report`)",
    "vmspolicy.reporters.junit": "reporters not asked for",
    "vmspolicy.reporters.sarif": "reporters not asked for",
    "vmspolicy.reporters.text": "reporters not asked for",
    "vmspolicy.reporters.attestation": "reporters not asked for",
    "vmspolicy.reporters.compliance": "the compliance report",
    "vmspolicy.governance.baseline": "baselines (only with --baseline)",
    "vmspolicy.loading.frigate": "loaders of other formats (a manifest is claimed first)",
    "vmspolicy.loading.go2rtc": "loaders of other formats",
    "vmspolicy.loading.opnsense": "loaders of other formats",
    "vmspolicy.loading.nmap": "loaders of other formats (and VP501/VP502 without a scan)",
    "vmspolicy.loading.netbox": "loaders of other formats",
    "vmspolicy.loading.bom": "loaders of other formats",
    "vmspolicy.loading.imported": "what only imported files need",
    "vmspolicy.governance.fixes": "`vmspolicy fix`",
    "vmspolicy.schema_export": "`vmspolicy schema`",
    "xml.etree.ElementTree": "the JUnit reporter, the XML loaders",
    "tempfile": "writing a baseline",
    "shutil": "argparse's help width (cli.program measures it without shutil)",
    "difflib": "suggestions for a misspelt key or field",
    "textwrap": "the rules reference",
    "importlib.metadata": "plugin discovery, when no distribution declares a vmspolicy plugin",
    "importlib.resources": "shipped data (read from the package folder instead)",
    "multiprocessing": "--jobs",
    "ruamel": "`vmspolicy fix`",
    "jsonschema": "the reference validator (tests only)",
}

PROBE = """
import io, json, sys, contextlib
from vmspolicy.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["check", "--format", "json", "estate.yaml"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_one_file_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True)
    probe = json.loads(done.stdout)
    assert probe["code"] == 1  # the check ran to its verdict
    loaded = set(probe["modules"])
    assert "vmspolicy.rules.isolation" in loaded and "vmspolicy.reporters.json_report" in loaded
    imported = {name: why for name, why in NOT_NEEDED.items() if name in loaded}
    assert not imported, f"a one-file check imported modules it does not need: {imported}"


@pytest.mark.parametrize("columns", [None, "100", "37", "0", "-4", "wide"])
def test_help_is_as_wide_as_argparse_makes_it(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert help_width() == shutil.get_terminal_size().columns - 2
