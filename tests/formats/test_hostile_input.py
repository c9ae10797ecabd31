"""Whatever a file of these formats holds, loading it ends in documents or a located ParseError, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.formats.helpers import SAMPLES, check_json, text_source
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.text import ParseError
from vmspolicy.loading.frigate import FRIGATE_LOADER
from vmspolicy.loading.go2rtc import GO2RTC_LOADER
from vmspolicy.loading.netbox import NETBOX_LOADER
from vmspolicy.loading.nmap import NMAP_LOADER
from vmspolicy.loading.opnsense import OPNSENSE_LOADER

FIXTURES = Path(__file__).parent / "fixtures"
CASES = Path(__file__).parent.parent / "cases"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=12),
    st.sampled_from(["rtsp://a:b@10.0.0.1:554/x", "rtsp://127.0.0.1:8554/cam", "ffmpeg:cam#audio=opus", "rtsp://[::1", "10.0.0.300",
                     "http://h/?password=x&pwd=", "exec:ffmpeg -i rtsp://1.2.3.4/x", "dvrip://u:@1.2.3.4:34567", "cam", "999999"]),
)
keys = st.sampled_from(["cameras", "ffmpeg", "inputs", "path", "onvif", "host", "port", "user", "password", "go2rtc", "streams", "cam",
                        "results", "id", "name", "device_type", "role", "vid", "prefix", "vlan", "device", "mac_address", "site", "slug"])
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


def _outcome(loader: Any, name: str, text: str) -> None:
    try:
        docs = loader.load(text_source(name, text))
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    if docs:
        build_estate(list(docs))  # the model builder copes with whatever the loader produced


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=4))
def test_yaml_and_json_shapes(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data)
    for loader in (FRIGATE_LOADER, GO2RTC_LOADER):
        _outcome(loader, "config.yml", text)
    import json

    _outcome(NETBOX_LOADER, "export.json", json.dumps(data))
    _outcome(NETBOX_LOADER, "export.json", json.dumps([data, {"id": 1, **data}]))


XML_FILES = [SAMPLES / "opnsense__core__config.xml", FIXTURES / "pfsense-config.xml", CASES / "VP502" / "scan-finds-restricted" / "scan.xml"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(XML_FILES), st.integers(0, 10_000), st.sampled_from(["", "<", "&x;", "]]>", "<a b='1'>", "\x00"]))
def test_truncated_and_corrupted_xml(path: Path, cut: int, junk: str) -> None:
    text = path.read_text(encoding="utf-8")
    cut = cut % max(len(text), 1)
    corrupted = text[:cut] + junk + text[cut:] if junk else text[:cut]
    for loader in (OPNSENSE_LOADER, NMAP_LOADER):
        _outcome(loader, "file.xml", corrupted)


def test_garbage_values_become_located_schema_findings(tmp_path: Path) -> None:
    (tmp_path / "devices.json").write_text(
        '{"results": [{"id": 1, "name": "cam 1", "device_type": {"manufacturer": {"name": "Axis"}, "model": 5},'
        ' "role": {"slug": "camera"}, "primary_ip": {"address": "not-an-ip"}, "site": {"slug": "hq"}}]}',
        encoding="utf-8",
    )
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    # The address is wrong in NetBox itself: the finding points at it in the export.
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in findings if f["rule"] == "VP002"] == [("VP002", "devices.json", 1, 158)]
