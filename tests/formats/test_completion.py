"""A manifest record completes the imported record of the same id: it adds, each field located where it is written."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout
from pathlib import Path

from tests.formats.helpers import check_json, source
from vmspolicy.analysis.estate import build_estate
from vmspolicy.cli import main
from vmspolicy.core.source import Document
from vmspolicy.core.yaml_events import load_documents
from vmspolicy.loading.frigate import FRIGATE_LOADER
from vmspolicy.loading.manifest import MANIFEST_LOADER

FRIGATE = """\
cameras:
  gate:
    ffmpeg:
      inputs:
        - path: rtsp://{FRIGATE_CAM_USER}:{FRIGATE_CAM_PASS}@10.20.31.21:554/Streaming/Channels/101
          roles: [detect, record]
"""
MANIFEST = """\
vmspolicy: 1
sites:
  - {id: hq}
zones:
  - {id: hq-legacy, site: hq, purpose: legacy-cameras, cidr: 10.20.31.0/24}
cameras:
  - id: gate
    site: hq
    installed: 2019-05-01
    services: {p2p_cloud: true}
"""


def _write(folder: Path, manifest: str = MANIFEST) -> None:
    (folder / "config.yml").write_text(FRIGATE, encoding="utf-8")
    (folder / "site.yaml").write_text(manifest, encoding="utf-8")


def test_each_field_is_located_in_the_file_that_says_it(tmp_path: Path) -> None:
    _write(tmp_path)
    manifest = MANIFEST_LOADER.load(source(tmp_path / "site.yaml", "site.yaml"))
    frigate = FRIGATE_LOADER.load(source(tmp_path / "config.yml", "config.yml"))
    assert manifest is not None and frigate is not None
    documents = [*manifest, *frigate]
    estate, findings = build_estate(documents)
    assert not findings
    gate = estate.devices["gate"]
    assert gate.installed is not None and gate.installed.isoformat() == "2019-05-01"
    assert str(gate.origin.loc("installed")) == "site.yaml:9:16"
    assert gate.origin.loc("streams", 0).path == "config.yml"
    assert gate.origin.loc().path == "config.yml"  # the record is Frigate's camera


def test_services_the_manifest_adds_are_reported_in_the_manifest(tmp_path: Path) -> None:
    _write(tmp_path)
    _, findings = check_json(tmp_path)
    cloud = [f for f in findings if f["rule"] == "VP205"]
    # The value true, and upnp and ddns, which nothing declares off, at the manifest's services.
    assert sorted((f["path"], f["line"], f["column"]) for f in cloud) == [("site.yaml", 10, 15), ("site.yaml", 10, 27)]
    assert not [f for f in findings if f["rule"] in ("VP004", "VP102")]


def test_fix_edits_the_manifest_that_completes_the_camera(tmp_path: Path) -> None:
    _write(tmp_path)
    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        with redirect_stdout(out):
            code = main(["fix", "--no-plugins", "--as-of", "2026-01-01", "--diff", "."])
    finally:
        os.chdir(previous)
    diff = out.getvalue()
    assert code == 1, diff
    assert "+++ b/site.yaml" in diff and "config.yml" not in diff
    assert "p2p_cloud: false" in diff and "W-gate" in diff
    assert (tmp_path / "config.yml").read_text(encoding="utf-8") == FRIGATE  # --diff writes nothing


def test_a_record_of_another_section_is_a_duplicate_not_a_completion(tmp_path: Path) -> None:
    _write(tmp_path, MANIFEST.replace("cameras:\n  - id: gate", "recorders:\n  - id: gate"))
    _, findings = check_json(tmp_path)
    assert [(f["rule"], f["path"], f["line"]) for f in findings if f["rule"] == "VP004"] == [("VP004", "site.yaml", 7)]


def test_one_mac_in_two_notations_is_no_contradiction() -> None:
    imported = Document("netbox.json", load_documents(
        "vmspolicy: 1\ncameras:\n  - {id: gate, site: hq, mac: '44:19:B6:12:34:56'}\n")[0], "netbox")
    manifest = Document("site.yaml", load_documents(
        "vmspolicy: 1\nsites:\n  - {id: hq}\ncameras:\n  - {id: gate, site: hq, mac: 44-19-b6-12-34-56}\n"
        "  - {id: yard, site: hq}\n")[0])
    _, findings = build_estate([manifest, imported])
    assert findings == []
    contradicting = Document("site.yaml", load_documents(
        "vmspolicy: 1\nsites:\n  - {id: hq}\ncameras:\n  - {id: gate, site: hq, mac: 44-19-b6-12-34-57}\n")[0])
    _, findings = build_estate([contradicting, imported])
    assert [(f.rule, str(f.location)) for f in findings] == [("VP004", "site.yaml:5:31")]


def test_an_invalid_manifest_record_completes_nothing(tmp_path: Path) -> None:
    # Values of the wrong type must not reach the model through completion (they would crash it).
    _write(tmp_path, MANIFEST.replace("    installed: 2019-05-01\n    services: {p2p_cloud: true}\n",
                                      "    installed: [2019, 5]\n    services: \"on\"\n"))
    code, findings = check_json(tmp_path)
    assert code == 1
    located = {(f["rule"], f["path"], f["line"]) for f in findings}
    assert {("VP002", "site.yaml", 9), ("VP002", "site.yaml", 10), ("VP004", "site.yaml", 7)} <= located
    assert ("VP102", "config.yml", 5) in located  # judged on what Frigate says: no date, a new install


def test_a_manifest_of_another_format_version_completes_nothing(tmp_path: Path) -> None:
    _write(tmp_path, MANIFEST.replace("vmspolicy: 1", "vmspolicy: 2"))
    code, findings = check_json(tmp_path)
    assert code == 1
    assert ("VP002", "site.yaml", 1) in {(f["rule"], f["path"], f["line"]) for f in findings}
    assert [f["subject"] for f in findings if f["rule"] == "VP102"] == ["gate"]
