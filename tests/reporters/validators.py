"""The real consumers' schemas: every SARIF and JUnit file the suite produces goes through these."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@functools.cache
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@functools.cache
def _junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema10(SCHEMAS / "JUnit.xsd")


def assert_valid_sarif(text: str) -> dict[str, Any]:
    """Parse ``text`` and check it against the official SARIF 2.1.0 schema; return the log."""
    log: dict[str, Any] = json.loads(text)
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
    return log


def assert_valid_junit(text: str) -> None:
    """Check ``text`` against the Apache Ant JUnit XSD (windyroad)."""
    errors = list(_junit_schema().iter_errors(text))
    assert not errors, "\n".join(str(e.reason) + " at " + str(e.path) for e in errors[:10])
