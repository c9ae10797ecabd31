"""Running vmspolicy on format files from the tests."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from vmspolicy.core.source import Document
from vmspolicy.loading.base import SourceFile

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


def firewall_rules(doc: Document, section: str = "rules", firewall: int = 0) -> list[tuple[int, str, str, str, Any, str]]:
    """The rules (or ``nat`` entries) of one firewall of ``doc``: line, name, from, to, ports, action."""
    found = entries(doc, "firewalls")[firewall]
    return [(r.pos[0], r["name"], r["from"], r["to"], r.get("ports"), r["action"]) for r in found.get(section, [])]


def legacy_site_isolation(folder: Path, network: str) -> tuple[int, dict[str, set[tuple[str, int, int, str | None]]]]:
    """Check ``folder`` beside a site.yaml with two legacy Hikvision cameras, cam-11 and cam-12 at ``network``.11 and .12.

    Returns the exit code and where VP001, VP002 and VP201-VP206 were found.
    """
    off = "services: {p2p_cloud: false, upnp: false, ddns: false}"
    (folder / "site.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: depot}]\ncameras:\n"
        + "".join(
            f"  - {{id: cam-{n}, site: depot, vendor: Hikvision, ip: {network}.{n}, installed: 2019-03-04, {off}}}\n" for n in (11, 12)
        ),
        encoding="utf-8",
    )
    code, findings = check_json(folder)
    return code, {rule: where(findings, rule) for rule in ("VP001", "VP002", "VP201", "VP202", "VP203", "VP204", "VP205", "VP206")}
