"""Running vmspolicy on format files from the tests."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from vmspolicy.loading.base import SourceFile
from vmspolicy.source import Document

SAMPLES = Path(__file__).parent / "samples"


def check_json(folder: Path, *targets: str) -> tuple[int, list[dict[str, Any]]]:
    """Exit code and findings of ``vmspolicy check --format json`` run in ``folder``."""
    from vmspolicy.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        with redirect_stdout(out):
            code = main(["check", "--format", "json", "--no-plugins", *(targets or ["."])])
    finally:
        os.chdir(previous)
    raw = out.getvalue()
    return code, (json.loads(raw)["findings"] if raw.strip() else [])


def source(path: Path, name: str | None = None) -> SourceFile:
    return SourceFile(name or path.name, path.read_bytes())


def text_source(name: str, text: str) -> SourceFile:
    return SourceFile(name, text.encode("utf-8"))


def entries(doc: Document, section: str) -> list[Any]:
    items = doc.data.get(section)
    return list(items) if isinstance(items, list) else []


def where(findings: list[dict[str, Any]], rule: str) -> set[tuple[str, int, int, str | None]]:
    return {(f["path"], f["line"], f["column"], f["subject"]) for f in findings if f["rule"] == rule}
