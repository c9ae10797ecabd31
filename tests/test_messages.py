"""Messages say what to write instead: the mistakes a newcomer makes first, each with its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmspolicy.cli import main

HEADER = """\
vmspolicy: 1
sites: [{id: depot, name: Depot}]
zones:
  - {id: depot-legacy, site: depot, purpose: legacy-cameras, cidr: 10.20.30.0/24}
  - {id: depot-vms, site: depot, purpose: vms, cidr: 10.20.40.0/24}
"""


def messages(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[str]:
    manifest = tmp_path / "estate.yaml"
    manifest.write_text(text, encoding="utf-8")
    main(["check", "--no-plugins", "--as-of", "2026-12-01", str(manifest)])
    out = capsys.readouterr().out
    return [line.split(" [", 1)[1] for line in out.splitlines() if line.startswith(str(manifest))]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("cameras: [{id: c, site: depot, vendor: Axis, installed: 2027-09-31}]",
         'cameras.0.installed: "2027-09-31" is not a real date: September 2027 has no day 31 (its last is 30); write YYYY-MM-DD, e.g. 2027-09-30'),
        ("cameras: [{id: c, site: depot, vendor: Axis, installed: 2020-13-01}]",
         'cameras.0.installed: "2020-13-01" is not a real date: there is no month 13; write YYYY-MM-DD, e.g. 2027-09-30'),
        ("cameras: [{id: c, site: depot, vendor: Axis, installed: 31/12/2020}]",
         'cameras.0.installed: "31/12/2020" is not a date in the form YYYY-MM-DD, e.g. 2027-09-30'),
        ("firewalls: [{id: fw, site: depot, default: deny, rules: [{name: r, from: depot-vms, to: depot-legacy, ports: [554], action: allow}]}]",
         "firewalls.0.rules.0.ports.0: 554 needs its protocol: write tcp/554 (or udp/554)"),
        ("firewalls: [{id: fw, site: depot, default: deny, rules: [{name: r, from: depot-vms, to: depot-legacy, ports: ['554'], action: allow}]}]",
         'firewalls.0.rules.0.ports.0: "554" needs its protocol: write tcp/554 (or udp/554)'),
        ("cameras: [{id: c, site: depot, vendor: Axis, services: {upnp: 'no'}}]",
         'cameras.0.services.upnp: "no" is text; write false without quotes (true or false)'),
        ("cameras: [{id: c, site: depot, vendor: Axis, status: plannned}]",
         "cameras.0.status: \"plannned\" is not one of active, planned, decommissioned; did you mean 'planned'?"),
    ],
    ids=["no-such-day", "no-such-month", "not-iso", "bare-port", "quoted-bare-port", "quoted-boolean", "enum"],
)
def test_schema_messages_say_what_to_write(tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, expected: str) -> None:
    found = messages(tmp_path, capsys, HEADER + entry + "\n")
    assert any(line.startswith("error] " + expected) for line in found), found


def test_a_quoted_version_says_to_write_the_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = messages(tmp_path, capsys, 'vmspolicy: "1"\nsites: [{id: depot}]\n')
    assert found == ["error] vmspolicy: '1' is text; write the number 1 without quotes: 'vmspolicy: 1' (schema-violation)"], found


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("cameras: [{id: c, site: depto, vendor: Axis}]", "site 'depto' of c: no site with this id in the estate; did you mean 'depot'?"),
        ("cameras: [{id: c, site: depot, zone: depot-legcy, vendor: Axis}]",
         "zone 'depot-legcy' of c: no zone with this id in the estate; did you mean 'depot-legacy'?"),
        ("cameras: [{id: cam-01, site: depot, vendor: Axis}]\n"
         "waivers: [{id: W-1, devices: [cam-1], reason: r, approved_by: me, expires: 2027-01-31}]",
         "device 'cam-1' of W-1: no device with this id in the estate; did you mean 'cam-01'?"),
        ("firewalls: [{id: fw, site: depot, default: deny, rules: [{name: r, from: depot-vm, to: depot-legacy, action: allow}]}]",
         "rule 'r' from 'depot-vm' of fw: no zone or device with this id in the estate; did you mean 'depot-vms'?"),
        ("cameras: [{id: c, site: elsewhere, vendor: Axis}]", "site 'elsewhere' of c: no site with this id in the estate (unknown-reference)"),
    ],
    ids=["site", "zone", "device", "firewall-endpoint", "nothing-close"],
)
def test_unknown_ids_get_a_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, expected: str) -> None:
    found = messages(tmp_path, capsys, HEADER + entry + "\n")
    assert any(line.startswith("error] " + expected) for line in found), found


def test_an_unreadable_firewall_rule_is_named_not_reported_as_no_firewall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = messages(tmp_path, capsys, HEADER + (
        "cameras: [{id: cam-1, site: depot, zone: depot-legacy, vendor: Hikvision, ip: 10.20.30.11, installed: 2020-01-01}]\n"
        "firewalls:\n"
        "  - id: fw\n"
        "    site: depot\n"
        "    default: deny\n"
        "    rules:\n"
        "      - {name: nvr-pulls, from: depot-vms, to: depot-legacy, ports: [554], action: allow}\n"
    ))
    vp206 = [line for line in found if "(isolation-unverifiable)" in line]
    assert len(vp206) == 1 and "no firewall" not in vp206[0], found
    assert f"fw's rule 'nvr-pulls' ({tmp_path / 'estate.yaml'}:12) cannot be read (VP002)" in vp206[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vmspolicy: 1\nsites: [{id: hq}\ncameras: []\n",
         "2:8: VP001 [error] the '[' opened here is not closed: end it with ']' (and separate its items with ',');"
         " YAML was still inside it at line 3"),
        ('vmspolicy: 1\nsites:\n  - id: hq\n    name: "Head office\ncameras: []\n',
         '4:11: VP001 [error] the quote " opened here is not closed: add the closing "'),
        ("vmspolicy: 1\nsites:\n  - id: hq\n    site hq\n    name: x\n",
         "4:5: VP001 [error] a line that is neither 'key: value' nor '- item': add the ':' after the key"),
        ("vmspolicy: 1\nsites\n  - id: hq\n", "2:1: VP001 [error] a line that is neither 'key: value' nor '- item'"),
        ("a first line\nvmspolicy: 1\n", "1:1: VP001 [error] this line has no ':', so YAML read line 2 as the rest of its value"),
        ("vmspolicy: 1\nsites:\n  - id: hq\n    name: Gate: north\n",
         "4:15: VP001 [error] a ': ' YAML cannot place: a value that contains ': ' must be quoted"),
        ("vmspolicy: 1\nsites:\n  - id: hq\n   name: x\n",
         "4:4: VP001 [error] this line is inside a list begun at line 3 but does not start with '- '"),
        ("vmspolicy: 1\nsites:\n    - id: hq\n  zones: []\n", "4:3: VP001 [error] this line's indentation does not match the keys above it"),
        ("vmspolicy: 1\nsites:\n  - id: 'hq' office\n", "3:14: VP001 [error] text after a closing quote: quote the whole value"),
        ("vmspolicy: 1\nsites:\n  - id: @hq\n", "3:9: VP001 [error] '@' cannot start a plain value: quote the value"),
    ],
    ids=["unclosed-bracket", "unclosed-quote", "missing-colon", "section-without-colon", "key-without-colon", "colon-in-value", "list-indentation",
         "indentation", "after-quote", "reserved"],
)
def test_yaml_syntax_errors_in_plain_words_at_the_line_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    manifest = tmp_path / "estate.yaml"
    manifest.write_text(text, encoding="utf-8")
    main(["check", "--no-plugins", str(manifest)])
    out = capsys.readouterr().out
    assert f"{manifest}:{expected}" in out, out
