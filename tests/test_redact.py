"""No command shows a password from a stream URL."""

from __future__ import annotations

import pytest

from vmspolicy.cli import main
from vmspolicy.core.redact import redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101", "rtsp://admin:****@10.0.0.5:554/Streaming/Channels/101"),
        ("rtsp://admin:p@ss@word@cam/cam/realmonitor", "rtsp://admin:****@cam/cam/realmonitor"),
        ("rtsp://${U}:${P}@cam/x", "rtsp://${U}:****@cam/x"),
        ("rtsp://cam.local/live", "rtsp://cam.local/live"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_identify_never_prints_the_password(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code = main(["identify", "--format", fmt, "--url", "rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101"])
    out = capsys.readouterr().out
    assert code == 1 and "Hikvision" in out and "hunter2" not in out


def test_identify_refuses_what_is_not_a_mac(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identify", "--mac", "zz"]) == 2
    assert "not a MAC address" in capsys.readouterr().err
