"""Every command that reads an estate checks the configured rule settings first, the same way.

An unknown rule, or an option a rule does not have or of the wrong type, is
exit 2 with the file and line of the setting, before anything is read or
written: ``fix`` must not edit, ``report``, ``graph`` and ``baseline`` must not
write, on a configuration whose meaning is unknown.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vmspolicy.cli import main

# A legacy restricted camera with P2P cloud on: `fix` would edit this file, `report` and `graph` draw it.
ESTATE = """\
vmspolicy: 1
sites: [{id: depot, policies: [uk-gov-2022]}]
zones:
  - {id: legacy, site: depot, purpose: legacy-cameras, cidr: 10.1.30.0/24}
cameras:
  - id: cam-1
    site: depot
    zone: legacy
    vendor: Hikvision
    model: DS-2CD2143G0-I
    ip: 10.1.30.11
    installed: 2019-03-04
    services: {p2p_cloud: true}
"""

# Each command with the options that make it write a file (none may appear).
COMMANDS = {
    "check": [],
    "report": ["--output", "report.html"],
    "graph": ["--output", "estate.mmd"],
    "fix": [],
    "baseline": ["--output", "baseline.json"],
}

BAD_SETTINGS = [
    ("rules:\n  VP104: {min_wieght: 0.5}\n", ":2:3: rule VP104 has no option 'min_wieght' (its options: min_weight)"),
    ("rules:\n  VP104: {min_weight: high}\n", ":2:3: rule VP104 option 'min_weight' must be float, not str"),
    ("rules:\n  VP999: {severity: info}\n", ":2:3: unknown rule VP999 (`vmspolicy rules` lists them)"),
    ("disable: [VP998]\n", ":1:11: unknown rule VP998 (`vmspolicy rules` lists them)"),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS, ids=["unknown-option", "wrong-type", "unknown-rule", "unknown-disabled"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_rule_settings_are_exit_2_before_anything_is_read_or_written(
    command: str, settings: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(ESTATE, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text(settings, encoding="utf-8")

    code = main([command, "--no-plugins", *COMMANDS[command], "estate.yaml"])

    out, err = capsys.readouterr()
    assert code == 2
    assert err == f"vmspolicy: error: {tmp_path / '.vmspolicy.yaml'}{message}\n"
    assert out == ""
    assert Path("estate.yaml").read_text(encoding="utf-8") == ESTATE
    assert sorted(p.name for p in tmp_path.iterdir()) == [".vmspolicy.yaml", "estate.yaml"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_good_rule_settings_let_every_command_run(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same estate with valid settings: the exit 2 above comes from the settings, not the estate.
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(ESTATE, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text("rules:\n  VP104: {min_weight: 0.5}\n  VP303: {days: 30}\n", encoding="utf-8")

    code = main([command, "--no-plugins", *COMMANDS[command], "estate.yaml"])

    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "error:" not in err
