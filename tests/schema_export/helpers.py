"""Running the real check-jsonschema and `vmspolicy check` on the same files, for the schema export tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKS_DIR = ROOT / "schemas" / "packs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BIN = Path(sys.executable).parent
# A rejection is "<the value> is not one of ['VP102 restricted-vendor-new-install: ...']".
CODE = re.compile(r"is not one of \[['\"](VP[0-9]{3}) [a-z-]+: ")
PATH = re.compile(r"^\$\.(cameras|recorders|devices)\[([0-9]+)\]")


def pack_schema(pack: str) -> Path:
    return PACKS_DIR / f"{pack}.schema.json"


def check_jsonschema(schema: Path, *files: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run check-jsonschema (the installed console script) with ``--schemafile``; its exit code and errors."""
    run = subprocess.run(
        [str(BIN / "check-jsonschema"), "--output-format", "json", "--schemafile", str(schema), *map(str, files)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    if run.returncode not in (0, 1):
        raise AssertionError(f"check-jsonschema failed to run ({run.returncode}): {run.stderr}{run.stdout}")
    report = json.loads(run.stdout)
    assert not report.get("parse_errors"), report["parse_errors"]
    return run.returncode, list(report.get("errors") or ())


def vmspolicy_check(*args: str) -> dict[str, Any]:
    """Run `vmspolicy check --format json`; the parsed report."""
    run = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "--format", "json", *args],
        capture_output=True, text=True, check=False, timeout=600,
    )
    if run.returncode not in (0, 1):
        raise AssertionError(f"vmspolicy check failed to run ({run.returncode}): {run.stderr}")
    report: dict[str, Any] = json.loads(run.stdout)
    return report


def code_of(message: str) -> str | None:
    """The rule code a schema rejection names (the first VPnnn in its message)."""
    found = CODE.search(message)
    return found.group(1) if found else None


def subschema(schema: dict[str, Any], name: str) -> Any:
    """A validator for ``$defs/name`` of an exported schema (its references resolved within it)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]})


def exported(pack: str) -> dict[str, Any]:
    """The committed schema of ``pack``."""
    loaded: dict[str, Any] = json.loads(pack_schema(pack).read_text(encoding="utf-8"))
    return loaded
