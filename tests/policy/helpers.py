"""Small estates and stand-in vendor verdicts for testing policy judgement without the identification catalog."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, Mapping

import pytest

from vmspolicy.analysis import identify
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.estate import build_estate
from vmspolicy.analysis.identify import Evidence, Verdict
from vmspolicy.core.packs import builtin_packs
from vmspolicy.core.source import Document
from vmspolicy.core.yaml_events import load_documents

AS_OF = dt.date(2026, 1, 1)


def named(family: str, vendor: str | None = None) -> Verdict:
    """A verdict as identification gives it for a declared restricted vendor."""
    evidence = Evidence("declared-vendor", family, 0.95, f'vendor "{vendor or family}" names {family}', "vendor", vendor or family)
    return Verdict(family, 0.95, (evidence,), declared_family=family, known_vendor=True)


def relabelled(brand: str, family: str) -> Verdict:
    """A relabel whose window identification cannot judge: no family, the relabel as evidence."""
    evidence = Evidence("relabel", family, 0.36, f'vendor "{brand}" is {brand}, a known OEM relabel of {family}', "vendor", brand)
    return Verdict(None, 0.36, (evidence,), known_vendor=True, relabel=evidence)


UNKNOWN = Verdict(None, 0.0)
KNOWN = Verdict(None, 0.0, known_vendor=True)


def context(
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    verdicts: Mapping[str, Verdict],
    *,
    profiles: tuple[str, ...] = (),
    settings: Mapping[str, Any] | None = None,
    vendor_data: tuple[Mapping[str, Any], ...] = (),
    strict: bool = False,
) -> CheckContext:
    """A run's context for manifest ``text`` whose devices identification judges as ``verdicts`` say."""
    document = Document("estate.yaml", load_documents(text)[0])
    estate, problems = build_estate([document])
    assert not problems, problems
    monkeypatch.setattr(identify, "verdicts", lambda ctx: verdicts)
    return CheckContext(
        estate=estate,
        documents=[document],
        as_of=AS_OF,
        profiles=profiles,
        strict=strict,
        settings=settings or {},
        vendor_data=vendor_data,
        packs=builtin_packs(),
    )


def check_json(folder: Path, *arguments: str) -> tuple[int, list[dict[str, Any]], str]:
    """Exit code, findings and stderr-free raw output of ``vmspolicy check --format json`` run in ``folder``."""
    from vmspolicy.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        with redirect_stdout(out):
            code = main(["check", "--format", "json", "--no-plugins", "--as-of", AS_OF.isoformat(), *arguments])
    finally:
        os.chdir(previous)
    raw = out.getvalue()
    return code, (json.loads(raw)["findings"] if raw.strip() else []), raw
