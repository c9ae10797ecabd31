"""``vmspolicy identify``: verdict and evidence as text or JSON; exit 0 / 1 / 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from vmspolicy.cli import main


def test_restricted_device_exits_1_with_every_piece_of_evidence(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Axis", "--model", "DS-2CD2143G0-I", "--mac", "4419.b612.3456",
                       "--url", "rtsp://10.0.0.9:554/Streaming/Channels/101")
    assert code == 1
    assert out.splitlines()[0].startswith("RESTRICTED: Hikvision")
    assert "model DS-2CD2143G0-I matches the Hikvision pattern DS-2CD…" in out
    assert "MAC 44:19:B6 is registered to Hangzhou Hikvision Digital Technology Co.,Ltd." in out
    assert "streams[0]" in out


def test_not_restricted_exits_0(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Axis Communications AB", "--model", "P3265-LVE")
    assert code == 0
    assert out.startswith("not restricted: a known vendor")


def test_unknown_vendor_says_unidentified(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Acme Vision")
    assert code == 0 and out.startswith("unidentified")


def test_json_output(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Amcrest", "--url", "rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0",
                       "--url", "dvrip://10.0.0.6", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["restricted"] is True and document["family"] == "Dahua"
    assert document["relabel"]["kind"] == "relabel"
    assert {(e["kind"], e["field"], e["index"]) for e in document["evidence"]} == {("relabel", "vendor", None), ("stream", "streams", 0)}


def test_relabel_window_follows_the_install_date(cli: Cli) -> None:
    inside, _, _ = cli("identify", "--no-plugins", "--vendor", "Lorex", "--installed", "2020-06-01")
    after, out, _ = cli("identify", "--no-plugins", "--vendor", "Lorex", "--installed", "2024-01-15")
    assert (inside, after) == (1, 0)
    assert out.startswith("not restricted")


def test_weak_evidence_is_not_a_verdict(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "LTS")
    assert code == 0 and out.startswith("not established: weak evidence only")


def test_banner(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--banner", "Server: App-webs/", "--banner", "SNMPv2-SMI::enterprises.1.3.6.1.4.1.39165.1.1")
    assert code == 1 and "banners[1]" in out


@pytest.mark.parametrize("argv", [(), ("--vendor", "  "), ("--installed", "2024-02-30", "--vendor", "x"), ("--format", "xml", "--vendor", "x")])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    try:
        code = main(["identify", *argv])
    except SystemExit as exc:  # argparse rejects bad option values itself
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code == 2 and "error" in err


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["identify", "--help"])
    out, _ = capsys.readouterr()
    assert "exit status" in out and "1  a restricted family" in out


def test_repeated_facts_add_their_evidence(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Acme Secure", "--vendor", "Amcrest Technologies", "--mac", "00:40:8c:00:00:01",
                       "--mac", "3c:ef:8c:00:00:01", "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["family"] == "Dahua"
    assert document["known_vendor"] is True and document["relabel"]["value"] == "Amcrest Technologies"
    assert sorted(e["kind"] for e in document["evidence"]) == ["oui", "relabel"]


def test_onvif_manufacturer_firmware_and_name(cli: Cli) -> None:
    code, out, _ = cli("identify", "--no-plugins", "--onvif-manufacturer", "HIKVISION")
    assert code == 1 and 'ONVIF manufacturer "HIKVISION" names Hikvision [onvif, onvif.manufacturer' in out
    code, out, _ = cli("identify", "--no-plugins", "--firmware", "V5.5.0 build 170725", "--name", "Gate camera")
    assert code == 1 and "[firmware, firmware, weight 0.60]" in out
    code, out, _ = cli("identify", "--no-plugins", "--vendor", "Axis", "--firmware", "V5.5.0 build 170725")
    assert code == 0  # a declared maker no family claims outweighs a firmware form
