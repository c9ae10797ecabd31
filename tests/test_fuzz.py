"""Fuzzing the whole command line: whatever a file holds, ``vmspolicy check --format json`` must
end in exit 0 or 1 with a valid report whose findings point inside the file, and leave the file as
it was.

Each strategy writes one file (or a copy of the example estate with one file mutated) into a fresh
folder and runs ``vmspolicy.cli.main`` in-process. Exit 2 is accepted only where the README allows
it for an existing file: nothing in the run is a manifest (an empty file, YAML or JSON without
``vmspolicy:`` or a manifest section), and then only when the file really parses as such or, if it
cannot be parsed, shows no sign of a manifest; a broken file that says ``vmspolicy:`` must be VP001.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vmspolicy.cli import main
from vmspolicy.governance.baseline import never_recorded
from vmspolicy.run.plugins import load_plugins

ROOT = Path(__file__).resolve().parent.parent
ESTATE = ROOT / "examples" / "estate"
ESTATE_FILES = sorted(p.relative_to(ESTATE).as_posix() for p in ESTATE.rglob("*.yaml"))
# Frigate, OPNsense, NetBox and nmap files joined to one small manifest: the loaders' cross-file joins.
CROSS_FORMAT = ROOT / "examples" / "cross-format"
CROSS_FORMAT_FILES = sorted(p.relative_to(CROSS_FORMAT).as_posix() for p in CROSS_FORMAT.rglob("*") if p.is_file())
REPORT_SCHEMA = jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8")))

# Each strategy runs 150 examples at most, so the file stays within about a minute on two cores.
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


@contextmanager
def case_folder() -> Iterator[Path]:
    """A fresh folder below one that holds a default configuration.

    The configuration is found by walking up from the working directory; an empty one here keeps
    whatever lies above ``/tmp`` (a stray ``.vmspolicy.yaml``) out of the run.
    """
    with tempfile.TemporaryDirectory(prefix="vmspolicy-fuzz-") as top:
        Path(top, ".vmspolicy.yaml").write_text("fail_on: error\n", encoding="utf-8")
        case = Path(top, "case")
        case.mkdir()
        yield case


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """``os.environ`` with ``values`` set (None: unset), restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cli(folder: Path, argv: list[str], *, github_actions: str | None = None) -> Run:
    """``vmspolicy ARGV`` in ``folder``; outside GitHub Actions unless ``github_actions`` says otherwise."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        with environment(GITHUB_ACTIONS=github_actions), redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def run_check(folder: Path, target: str, *, github_actions: str | None = None, extra: tuple[str, ...] = ()) -> Run:
    return run_cli(folder, ["check", "--format", "json", "--no-plugins", *extra, target], github_actions=github_actions)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def line_readings(raw: bytes) -> list[list[str]]:
    """The ways a checker may fairly count lines and columns in ``raw``.

    YAML breaks lines at CR, LF, CRLF, NEL and the Unicode separators, CSV at CR, LF and CRLF only (a
    record separator such as U+001E is a character there); columns count characters of
    the decoded text, or bytes where the text cannot be decoded (VP001 names a byte offset).
    """
    texts = [raw.decode("latin-1")]
    for encoding in ("utf-8-sig", "utf-16", "utf-32"):
        try:
            texts.append(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return [lines for text in texts for lines in (text.split("\n"), re.split(r"\r\n|\r|\n", text), text.splitlines())]


def position_inside(raw: bytes, line: int, column: int) -> bool:
    # One past the last line and one past a line's last character are where "unexpected end" is reported.
    for lines in line_readings(raw):
        if line <= len(lines) and column <= len(lines[line - 1]) + 1:
            return True
        if line == len(lines) + 1 and column == 1:
            return True
    return False


# vmspolicy reads YAML with libyaml, which differs from pure-Python PyYAML at the edges (libyaml takes
# a tab inside a plain scalar: `v\tspolicy: 1` is a mapping whose key is not `vmspolicy`).
YAML_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_as_documented(raw: bytes) -> str:
    """UTF-32 or UTF-16 with a byte-order mark, else UTF-8 with or without one (README, "How values are read")."""
    for mark, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                           (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(mark):
            return raw.decode(encoding)
    return raw.decode("utf-8-sig")


SECTION_NAMES = {"sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers"}


def shows_header(raw: bytes) -> bool:
    """A narrow reading of the README's signs of a manifest in a file that does not parse: a line
    that starts with the header key, or a JSON text that opens with it. vmspolicy sees more signs
    than these; whatever these see, it must see too."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return bool(re.search(r"^vmspolicy:", text, re.MULTILINE)) or text.lstrip().startswith('{"vmspolicy":')


def meant_as_manifest(keys: list[Any]) -> bool:
    """A top level that the README says was meant to be a manifest: the header in any case, or a section."""
    return any(str(key).casefold() == "vmspolicy" or str(key).casefold() in SECTION_NAMES for key in keys)


MAKER_COLUMNS = {"manufacturer", "vendor", "brand", "model", "part number", "sku"}


def names_a_maker_column(text: str) -> bool:
    """A narrow reading of the README's bill of materials: a line with a cell that names a maker or model column."""
    return any(cell.strip().strip('"').strip().casefold() in MAKER_COLUMNS
               for line in text.splitlines()[:20] for cell in re.split(r"[,;\t]", line))


def may_be_skipped(files: dict[str, bytes]) -> bool:
    """Whether "no manifest found" is a fair answer: no file is, was meant to be, or looks like a manifest."""
    for name, raw in files.items():
        try:
            text = decode_as_documented(raw)
            if not text.strip():
                continue
            if name.endswith(".json"):
                roots: list[Any] = [json.loads(text)]
            elif name.endswith((".yaml", ".yml")):
                roots = list(yaml.compose_all(text, Loader=YAML_PARSER))
            elif name.endswith((".csv", ".tsv")):
                if names_a_maker_column(text):
                    return False  # a bill of materials: read, or VP001 when it cannot be read exactly
                continue  # a data file without a maker or model column: skipped
            else:
                return False  # XML files are claimed by root element, never skipped
        except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError):
            if shows_header(raw):
                return False  # unparseable, but it says it is a manifest: it must be VP001
            continue  # unparseable and shows no sign of a manifest: skipped, so unrelated files never block a commit
        for root in roots:
            items = root if isinstance(root, list) else [root]
            for item in items:
                if isinstance(item, dict) and meant_as_manifest(list(item)):
                    return False
            nodes = root.value if isinstance(root, yaml.SequenceNode) else [root]
            for node in nodes:
                if isinstance(node, yaml.MappingNode) and meant_as_manifest([getattr(key, "value", None) for key, _ in node.value]):
                    return False
    return True


def assert_sound_run(folder: Path, target: str, *, github_actions: str | None = None) -> None:
    """The properties every run must have, whatever the folder holds."""
    before = snapshot(folder)
    result = run_check(folder, target, github_actions=github_actions)
    assert snapshot(folder) == before, "vmspolicy check changed an input file"
    if result.code == 2 and "no manifest found" in result.stderr:
        assert may_be_skipped(before), f"a file that may be a manifest was skipped: {result.stderr}"
        return
    assert result.code in (0, 1), f"exit {result.code}: {result.stderr}"
    report = json.loads(result.stdout)
    errors = sorted(REPORT_SCHEMA.iter_errors(report), key=str)
    assert not errors, errors[0]
    # Paths in the report are relative to the working directory, which is the case folder.
    inputs = {entry["path"]: entry["sha256"] for entry in report["inputs"]}
    for path, digest in inputs.items():
        assert path in before, f"report names {path}, not a file of the run"
        assert digest == hashlib.sha256(before[path]).hexdigest(), path
    findings = report["findings"]
    for finding in findings:
        assert finding["path"] in before, finding
        assert position_inside(before[finding["path"]], finding["line"], finding["column"]), finding
    order = [(f["path"], f["line"], f["column"], f["rule"]) for f in findings]
    assert order == sorted(order), "findings are not sorted by path, line, column and rule"
    failing = any(f["severity"] == "error" and not f["suppressed"] for f in findings)
    assert result.code == (1 if failing else 0), (result.code, findings)
    assert report["summary"]["passed"] is not failing


def check_one_file(name: str, raw: bytes) -> None:
    with case_folder() as folder:
        (folder / name).write_bytes(raw)
        assert_sound_run(folder, name)


# (a) Random bytes, alone or behind a manifest header so that they reach the parser of a manifest.

MANIFEST_HEAD = b"vmspolicy: 1\n"


@FUZZ
@given(
    st.sampled_from(["fuzz.yaml", "fuzz.json", "fuzz.yml"]),
    st.sampled_from([b"", MANIFEST_HEAD, b"\xef\xbb\xbf" + MANIFEST_HEAD, b'{"vmspolicy": 1, "sites": ']),
    st.binary(max_size=600),
)
@example("fuzz.yaml", MANIFEST_HEAD, b"x: \xe9")
@example("fuzz.json", b"", b"\xff\xfe{\x00}\x00")
@example("fuzz.yaml", MANIFEST_HEAD, b"x: " + b"[" * 120)
# JSON nested deeper than Python's recursion limit is VP001, not a "plugin error" with exit 2.
# (Hypothesis raises the recursion limit while it runs, hence far deeper than 1000.)
@example("fuzz.json", b'{"vmspolicy": 1, "sites": ', b"[" * 20_000)
def test_random_bytes(name: str, head: bytes, tail: bytes) -> None:
    check_one_file(name, head + tail)


# (b) The example estate with lines deleted, duplicated, swapped, characters flipped, truncated.

JUNK = st.sampled_from(["", " ", "\t", "-", ":", "#", "&a", "*a", "!!python/name:os.system", "{", "[", "'", '"', "\x00", "\u200b",
                        "\u0456", "<<: *a", "10.20.30.999", "44:19:b6:00:00:01", "Hikvision", "2019-02-30", "VP103", "\r", "\x85",
                        # inline suppressions, well and badly formed
                        '  # vmspolicy: ignore[VP103] reason="PO-778" until=2027-06-30', "# vmspolicy: ignore[VP201]", "# vmspolicy: ignore[",
                        '# vmspolicy: ignore[VP103, VP999] reason="x" until=2099-99-99', "# vmspolicy: ignore[*] reason=''"])


@st.composite
def mutated_lines(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "truncate"]))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "flip":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(JUNK) + lines[i][at + 1 :]
        elif kind == "insert":
            lines.insert(i, draw(JUNK) + draw(st.sampled_from(["", "x", "  - id: x", "cameras:", "vmspolicy: 1"])))
        else:
            whole = "\n".join(lines)
            return whole[: draw(st.integers(0, len(whole)))]
    return "\n".join(lines)


@st.composite
def mutated_estate_file(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(ESTATE_FILES))
    return name, draw(mutated_lines((ESTATE / name).read_text(encoding="utf-8")))


@FUZZ
@given(mutated_estate_file())
def test_mutated_manifest_alone(case: tuple[str, str]) -> None:
    name, text = case
    check_one_file(Path(name).name, text.encode("utf-8"))


@settings(FUZZ, max_examples=60)
@given(mutated_estate_file())
def test_mutated_manifest_in_its_estate(case: tuple[str, str]) -> None:
    # Cross-file analyses (references, reachability, waivers) see the damaged file among the intact ones.
    name, text = case
    with case_folder() as folder:
        shutil.copytree(ESTATE, folder / "estate")
        (folder / "estate" / name).write_bytes(text.encode("utf-8"))
        assert_sound_run(folder, "estate")


@st.composite
def mutated_cross_format_file(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(CROSS_FORMAT_FILES))
    return name, draw(mutated_lines((CROSS_FORMAT / name).read_text(encoding="utf-8")))


@settings(FUZZ, max_examples=60)
@given(mutated_cross_format_file())
def test_mutated_cross_format_repository(case: tuple[str, str]) -> None:
    name, text = case
    with case_folder() as folder:
        shutil.copytree(CROSS_FORMAT, folder / "repo")
        (folder / "repo" / name).write_bytes(text.encode("utf-8"))
        assert_sound_run(folder, "repo")


@settings(FUZZ, max_examples=30)
@given(mutated_estate_file())
def test_every_command_on_a_mutated_estate(case: tuple[str, str]) -> None:
    # The other commands read the same damaged estate: none may crash or touch it, `fix --diff` included;
    # a baseline excuses everything it may record; `fix` never makes a readable file unreadable.
    name, text = case
    with case_folder() as folder:
        shutil.copytree(ESTATE, folder / "estate")
        (folder / "estate" / name).write_bytes(text.encode("utf-8"))
        before = snapshot(folder)
        unreadable = {f["path"] for f in json.loads(run_check(folder, "estate").stdout)["findings"] if f["rule"] == "VP001"}
        baseline = folder.parent / "baseline.json"
        for argv in (["graph", "--no-plugins", "estate"], ["report", "--no-plugins", "--format", "md", "estate"],
                     ["fix", "--no-plugins", "--diff", "estate"], ["baseline", "--no-plugins", "-o", str(baseline), "estate"]):
            result = run_cli(folder, argv)
            assert snapshot(folder) == before, f"vmspolicy {argv[0]} changed an input file"
            if result.code == 2 and unreadable:
                # A command may refuse an estate it cannot read in full, saying where (graph does).
                assert re.search(r"^vmspolicy: \S+:\d+:\d+: VP001 ", result.stderr, re.MULTILINE), result.stderr
                continue
            assert result.code in (0, 1), f"vmspolicy {argv[0]}: exit {result.code}: {result.stderr}"
        gated = json.loads(run_check(folder, "estate", extra=("--baseline", str(baseline))).stdout)
        # ... all but what no baseline holds (an unreadable file, restricted equipment, isolation, the
        # schema violations of a restricted device's record: that device has a VP101-VP103 finding, and
        # those that name no record, which may stand for one).
        never = never_recorded(load_plugins(entry_points_enabled=False).rules())
        restricted = {f["subject"] for f in gated["findings"] if f["rule"] in ("VP101", "VP102", "VP103")}
        assert [f for f in gated["findings"] if not f["suppressed"] and f["rule"] not in never
                and not (f["rule"] == "VP002" and (f["subject"] in restricted or f["subject"] is None))] == []
        assert run_cli(folder, ["fix", "--no-plugins", "estate"]).code in (0, 1)
        after = json.loads(run_check(folder, "estate").stdout)
        assert {f["path"] for f in after["findings"] if f["rule"] == "VP001"} <= unreadable, "fix made a file unreadable"


# (c) Random structures in the manifest's own vocabulary, under `vmspolicy: 1`.

SECTIONS = ["sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers"]
FIELDS = ["id", "name", "site", "zone", "vendor", "model", "mac", "ip", "cidr", "vlan", "purpose", "installed", "status", "services",
          "streams", "type", "default", "rules", "nat", "from", "to", "ports", "action", "devices", "reason", "approved_by", "expires",
          "approved_on", "ticket", "sensitive", "policies", "firmware", "p2p_cloud", "upnp"]
IDS = ["s", "hq", "z", "z-legacy", "z-vms", "cam", "nvr", "fw", "W-1", "internet", "any"]
DOMAIN_SCALARS = st.one_of(
    st.sampled_from(IDS),
    st.sampled_from(["Hikvision", "Dahua", "Amcrest", "Axis", "Hіkvision", "HIK\u200bVISION", "Hangzhou Hikvision Digital Technology Co., Ltd.",
                     "DS-2CD2143G0-I", "IPC-HDW2431T-AS-S2", "44:19:b6:12:34:56", "4419.b612.3456", "3C-EF-8C-00-00-01", "10.0.0.5",
                     "10.0.0.0/24", "10.0.0.0/33", "0.0.0.0/0", "::1", "fe80::/10", "tcp/554", "udp/1-65535", "tcp/99999", "icmp",
                     "legacy-cameras", "vms", "cameras", "management", "corporate", "allow", "deny", "planned", "decommissioned",
                     "uk-gov-2022", "us-ndaa-889", "nope", "VP103", "VP201", "rtsp://u:p@10.0.0.5:554/Streaming/Channels/101",
                     "rtsp://10.0.0.6/cam/realmonitor?channel=1", "dvrip://u:@10.0.0.7:34567", "${CAM_PASS}"]),
    st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)),
    st.none(), st.booleans(), st.integers(-2, 70_000), st.text(max_size=10),
)
VALUES = st.recursive(
    DOMAIN_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)), max_leaves=12
)
ENTRY = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)
MANIFEST = st.fixed_dictionaries({"vmspolicy": st.sampled_from([1, 1, 1, 2, "1", None])},
                                 optional={section: st.one_of(st.lists(ENTRY, max_size=4), VALUES) for section in SECTIONS})


@FUZZ
@given(MANIFEST, st.sampled_from(["yaml", "json", "json-ascii"]))
@example({"vmspolicy": 1, "zones": [{"id": "z", "cidr": "0.0.0.0/0", "purpose": "legacy-cameras"}],
          "cameras": [{"id": "cam", "zone": "z", "vendor": "Hikvision", "installed": dt.date(2019, 1, 1), "ip": "::1"}]}, "yaml")
# A raw DEL in a JSON string, escaped for libyaml, must not move later columns on its line past the
# line's end (1:46 on a 42-character line).
@example({"sites": [{"id": ["\x7f"]}], "vmspolicy": 2}, "json")
def test_random_manifest_structures(manifest: dict[str, Any], form: str) -> None:
    if form == "yaml":
        check_one_file("estate.yaml", yaml.safe_dump(manifest, allow_unicode=True).encode("utf-8"))
    else:
        check_one_file("estate.json", json.dumps(manifest, default=str, ensure_ascii=form == "json-ascii").encode("utf-8"))


# (d) Other formats the loaders read: a Frigate configuration, an OPNsense backup, a bill of materials.

URLS = st.one_of(st.sampled_from(["rtsp://admin:secret@10.70.20.24:554/Streaming/Channels/101", "rtsp://{FRIGATE_USER}:{FRIGATE_PASS}@10.0.0.2/cam/realmonitor",
                                  "rtsp://127.0.0.1:8554/yard", "ffmpeg:yard#audio=opus", "rtsp://[::1", "http://%zz@h:99999999/ISAPI/x",
                                  "dvrip://u:@10.0.0.7:34567", "onvif://u:p@10.0.0.8:80"]), st.text(max_size=20))
FRIGATE_INPUT = st.fixed_dictionaries({"path": URLS}, optional={"roles": st.lists(st.sampled_from(["detect", "record"]), max_size=2)})
FRIGATE_CAMERA = st.fixed_dictionaries(
    {"ffmpeg": st.fixed_dictionaries({"inputs": st.lists(FRIGATE_INPUT, max_size=3)})},
    optional={"onvif": st.dictionaries(st.sampled_from(["host", "port", "user", "password"]), DOMAIN_SCALARS, max_size=4), "enabled": st.booleans()},
)
CAMERA_NAMES = st.one_of(st.sampled_from(["yard", "quay_gate", "front door", ""]), st.text(max_size=8))
FRIGATE = st.fixed_dictionaries(
    {"cameras": st.dictionaries(CAMERA_NAMES, FRIGATE_CAMERA, min_size=1, max_size=4)},
    optional={"go2rtc": st.fixed_dictionaries({"streams": st.dictionaries(CAMERA_NAMES, st.one_of(URLS, st.lists(URLS, max_size=3)), max_size=3)}),
              "mqtt": st.fixed_dictionaries({"host": st.just("10.0.0.9"), "password": URLS})},
)


@FUZZ
@given(FRIGATE)
def test_frigate_shaped_yaml(config: dict[str, Any]) -> None:
    check_one_file("config.yml", yaml.safe_dump(config, allow_unicode=True).encode("utf-8"))


XML_TEXT = st.one_of(st.sampled_from(["lan", "opt1", "wan", "any", "(self)", "10.0.0.0", "24", "99", "tcp", "udp", "tcp/udp", "554", "80:443",
                                      "abc-def", "pass", "block", "in", "1", "", "lanip", "10.0.0.300", "inet", "inet6", "alias1"]),
                     st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
ENDPOINT = st.dictionaries(st.sampled_from(["any", "network", "address", "port", "not"]), XML_TEXT, max_size=3)
FILTER_RULE = st.fixed_dictionaries({}, optional={
    "type": XML_TEXT, "interface": XML_TEXT, "ipprotocol": XML_TEXT, "protocol": XML_TEXT, "descr": XML_TEXT, "disabled": XML_TEXT,
    "direction": XML_TEXT, "source": ENDPOINT, "destination": ENDPOINT, "target": XML_TEXT, "local-port": XML_TEXT})
INTERFACE = st.dictionaries(st.sampled_from(["if", "descr", "enable", "ipaddr", "subnet", "ipaddrv6", "subnetv6"]), XML_TEXT, max_size=7)
OPNSENSE = st.fixed_dictionaries({}, optional={
    "interfaces": st.dictionaries(st.sampled_from(["lan", "wan", "opt1", "opt2"]), INTERFACE, max_size=4),
    "filter": st.lists(FILTER_RULE, max_size=4),
    "nat": st.lists(FILTER_RULE, max_size=3),
    "vlans": st.lists(st.dictionaries(st.sampled_from(["if", "tag", "vlanif", "descr"]), XML_TEXT, max_size=4), max_size=2),
})


def to_xml(parent: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, list):  # a list is the <rule> entries of <filter> or <nat>, the <vlan> entries of <vlans>
        holder = ET.SubElement(parent, tag)
        for item in value:
            to_xml(holder, "vlan" if tag == "vlans" else "rule", item)
    elif isinstance(value, dict):
        element = ET.SubElement(parent, tag)
        for key, inner in value.items():
            to_xml(element, key, inner)
    else:
        ET.SubElement(parent, tag).text = value


@FUZZ
@given(st.sampled_from(["opnsense", "pfsense"]), OPNSENSE)
def test_opnsense_shaped_xml(root_tag: str, config: dict[str, Any]) -> None:
    root = ET.Element(root_tag)
    for key, value in config.items():
        to_xml(root, key, value)
    check_one_file("config.xml", b'<?xml version="1.0"?>\n' + ET.tostring(root, encoding="utf-8"))


HEADERS = st.lists(st.sampled_from(["Manufacturer", "Vendor", "Brand", "Model", "Part Number", "SKU", "MAC Address", "Qty", "Quantity",
                                    "Description", "Serial", "Type", "Notes", ""]), min_size=1, max_size=6)
CELLS = st.one_of(DOMAIN_SCALARS.map(str), st.sampled_from(["NVR", "Total", "Subtotal", "-3", "1e9", "DS-7608NI-K2", '"', ",", ";", "\n"]))


@FUZZ
@given(st.lists(st.text(max_size=20), max_size=2), HEADERS, st.lists(st.lists(CELLS, max_size=7), max_size=6), st.sampled_from([",", ";", "\t"]),
       st.booleans())
@example([], ["Manufacturer", "Model"], [["Hikvision", "DS-2CD2143G0-I"]], ",", True)
@example(["\x1e"], ["Manufacturer"], [["\r", "s"]], ",", False)
def test_bill_of_materials_csv(titles: list[str], header: list[str], rows: list[list[str]], delimiter: str, bom: bool) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for line in [[t] for t in titles] + [header] + rows:
        writer.writerow(line)
    check_one_file("bom.csv", buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))



@pytest.mark.parametrize("written", ["\x7f", "\x85", "\u2028", "\\ud83d\\ude00", "\\u00e9"])
def test_columns_after_a_json_escape_point_at_the_value(written: str) -> None:
    # JSON text is rewritten for libyaml (raw DEL, C1 and line separators escaped, surrogate pairs joined);
    # positions must still be those of the file. The fuzzing above sees a shift only when a column leaves its line.
    text = '{"x": "' + written + '", "vmspolicy": 2}'
    with case_folder() as folder:
        (folder / "estate.json").write_text(text, encoding="utf-8")
        report = json.loads(run_check(folder, "estate.json").stdout)
    assert [(f["rule"], f["line"], f["column"]) for f in report["findings"]] == [("VP002", 1, text.index(": 2}") + 3)]


def test_json_on_stdout_stays_json_in_github_actions() -> None:
    # In a workflow, `vmspolicy check --format sarif > x.sarif` must still write SARIF: the automatic GitHub
    # annotations must not share stdout with a machine-readable format.
    with case_folder() as folder:
        shutil.copytree(ESTATE, folder / "estate")
        assert_sound_run(folder, "estate", github_actions="true")


# NetBox REST exports: devices, VLANs, prefixes and interfaces with any values in their fields.

NETBOX_OBJECT = st.fixed_dictionaries(
    {"id": st.integers(1, 50)},
    optional={
        "name": st.one_of(st.none(), DOMAIN_SCALARS),
        "device_type": st.dictionaries(st.sampled_from(["manufacturer", "model", "slug"]), VALUES, max_size=3),
        "role": VALUES, "site": VALUES, "primary_ip": st.one_of(st.none(), st.fixed_dictionaries({"address": DOMAIN_SCALARS})), "status": VALUES,
        "custom_fields": st.dictionaries(st.sampled_from(["installed", "vendor"]), DOMAIN_SCALARS, max_size=2), "vid": DOMAIN_SCALARS,
        "prefix": DOMAIN_SCALARS, "vlan": VALUES, "device": VALUES, "mac_address": DOMAIN_SCALARS, "type": VALUES, "assigned_object": VALUES,
    },
)


@FUZZ
@given(st.lists(NETBOX_OBJECT, min_size=1, max_size=5), st.booleans())
def test_netbox_shaped_json(objects: list[dict[str, Any]], paginated: bool) -> None:
    export: Any = {"count": len(objects), "next": None, "results": objects} if paginated else objects
    check_one_file("devices.json", json.dumps(export, default=str).encode("utf-8"))
