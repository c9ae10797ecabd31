"""nmap XML scans: observed hosts, located, never declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.helpers import check_json, source, text_source
from vmspolicy.analysis.estate import build_estate
from vmspolicy.core.text import ParseError
from vmspolicy.loading.nmap import NMAP_LOADER, ScanDocument

CASES = Path(__file__).parent.parent / "cases"


def test_hosts_services_and_positions() -> None:
    docs = NMAP_LOADER.load(source(CASES / "VP502" / "scan-finds-restricted" / "scan.xml"))
    assert docs is not None
    scan = docs[0]
    assert isinstance(scan, ScanDocument) and scan.format == "nmap"
    hosts = {h.address: h for h in scan.hosts}
    assert list(hosts) == ["10.20.30.11", "10.20.30.12", "10.20.30.13", "10.20.30.14", "10.20.30.15", "10.20.30.16"]
    lobby = hosts["10.20.30.11"]
    assert (lobby.mac, lobby.mac_vendor, lobby.pos, lobby.mac_pos) == ("44:19:b6:12:34:56", "Hangzhou Hikvision Digital Technology", (4, 1), (5, 1))
    assert [(s.port, s.name, s.banner, s.pos) for s in hosts["10.20.30.12"].services] == [
        (80, "http", "lighttpd", (10, 72)),
        (554, "rtsp", "Dahua Rtsp Server", (11, 73)),
    ]


def test_a_scan_declares_nothing() -> None:
    docs = NMAP_LOADER.load(source(CASES / "VP501" / "scan-drift" / "scan.xml"))
    assert docs is not None
    estate, findings = build_estate(list(docs))
    assert not findings and not estate.devices and not estate.sites
    down = [h for h in docs[0].hosts if h.address == "10.20.30.98"]  # type: ignore[attr-defined]
    assert not down


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('<?xml version="1.0"?>\n<!DOCTYPE nmaprun [\n<!ENTITY x SYSTEM "file:///etc/shadow">\n]>\n<nmaprun>&x;</nmaprun>\n', 3),
        ("<nmaprun>\n<host>\n<address addr='10.0.0.1' addrtype='ipv4'>\n</host>\n</nmaprun>\n", 4),
    ],
)
def test_unsafe_or_broken_scan_is_a_parse_error(text: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        NMAP_LOADER.load(text_source("scan.xml", text))
    assert caught.value.line == line


def test_truncated_scan_is_vp001_at_its_line(tmp_path: Path) -> None:
    # nmap killed mid-scan leaves an unterminated file: a finding, never a silent pass.
    (tmp_path / "scan.xml").write_text("<?xml version='1.0'?>\n<nmaprun>\n<host><status state='up'/>\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("VP001", "scan.xml", 4)]


def test_other_xml_is_not_a_scan() -> None:
    assert NMAP_LOADER.load(text_source("config.xml", "<opnsense><system/></opnsense>")) is None
