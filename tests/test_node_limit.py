"""The node limit (``max_nodes``): each reader builds at most that many nodes of a file, and the next one is VP001.

Small limits stand in for the default, so no test builds a large file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.conftest import Cli
from vmspolicy.core.limits import MAX_NODES, NodeLimit, TooManyNodes
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.cisco_asa import CISCO_ASA_LOADER
from vmspolicy.loading.fortigate import FORTIGATE_LOADER
from vmspolicy.loading.imported import read_xml
from vmspolicy.loading.manifest import MANIFEST_LOADER
from vmspolicy.loading.netbox import NETBOX_LOADER
from vmspolicy.loading.nmap import NMAP_LOADER
from vmspolicy.loading.opnsense import OPNSENSE_LOADER
from vmspolicy.loading.panos import PANOS_LOADER

FIXTURES = Path(__file__).parent / "formats" / "fixtures"
SAMPLES = Path(__file__).parent / "formats" / "samples"


def _documents(source: SourceFile) -> list[Any]:
    return source.documents()


# (reader, text, nodes it holds, where the node past a limit of one less is)
COUNTED: list[tuple[str, Callable[[SourceFile], Any], str, int, tuple[int, int]]] = [
    # root mapping, 'vmspolicy', 1, 'sites', the sequence, its mapping, 'id', 'a'
    ("yaml", _documents, "vmspolicy: 1\nsites: [{id: a}]\n", 8, (2, 14)),
    ("yaml-alias", _documents, "a: &x [1]\nb: *x\n", 6, (2, 4)),
    ("json", _documents, '{"vmspolicy": 1, "sites": [{"id": "a"}]}', 8, (1, 35)),
    # A comma inside a string: more separators than nodes, so the counting reader reads it first.
    ("json-comma", _documents, '{"vmspolicy": 1, "sites": [{"id": "a", "name": "x,y,z"}]}', 10, (1, 48)),
    # <a>, <b>, its attribute c, <d>
    ("xml", read_xml, "<a>\n  <b c='1'/>\n  <d/>\n</a>\n", 4, (3, 3)),
    # config, system, global; set, hostname, fw; end
    ("fortios", FORTIGATE_LOADER.load, "config system global\n    set hostname fw\nend\n", 7, (3, 1)),
    ("asa", CISCO_ASA_LOADER.load, ": Saved\nASA Version 9.8(4)\nhostname fw\n", 5, (3, 1)),
]
NAMES = {"yaml": "m.yaml", "yaml-alias": "m.yaml", "json": "m.json", "json-comma": "m.json", "xml": "c.xml",
         "fortios": "fw.conf", "asa": "fw.cfg"}


@pytest.mark.parametrize(("kind", "read", "text", "nodes", "past"), COUNTED, ids=[c[0] for c in COUNTED])
def test_each_reader_builds_up_to_the_limit_and_refuses_the_node_past_it(
    kind: str, read: Callable[[SourceFile], Any], text: str, nodes: int, past: tuple[int, int]
) -> None:
    def source(limit: int) -> SourceFile:
        return SourceFile(NAMES[kind], text.encode("utf-8"), node_limit=NodeLimit(limit, "max_nodes in test.yaml"))

    assert read(source(nodes)) is not None
    with pytest.raises(TooManyNodes) as refused:
        read(source(nodes - 1))
    assert (refused.value.line, refused.value.column) == past
    assert f"more than the {nodes - 1:,} " in refused.value.message
    assert "(max_nodes in test.yaml); it was read no further" in refused.value.message


def _nodes_of(read: Callable[[SourceFile], Any], name: str, raw: bytes) -> int:
    """The fewest nodes a limit may allow for ``read`` to take the file: where the limit stops refusing it."""
    low, high = 0, MAX_NODES  # refused at low, read at high
    while high - low > 1:
        middle = (low + high) // 2
        try:
            read(SourceFile(name, raw, node_limit=NodeLimit(middle)))
            high = middle
        except TooManyNodes:
            low = middle
    return high


@pytest.mark.parametrize(
    ("read", "path"),
    [
        (MANIFEST_LOADER.load, Path(__file__).parent.parent / "examples" / "estate" / "sites.yaml"),
        (NETBOX_LOADER.load, FIXTURES / "netbox-4.2-bundle.json"),
        (OPNSENSE_LOADER.load, FIXTURES / "pfsense-config.xml"),
        (PANOS_LOADER.load, FIXTURES / "panos-depot.xml"),
        (NMAP_LOADER.load, Path(__file__).parent / "cases" / "VP502" / "scan-finds-restricted" / "scan.xml"),
        (FORTIGATE_LOADER.load, FIXTURES / "fortigate-depot.conf"),
        (CISCO_ASA_LOADER.load, FIXTURES / "asa-depot.cfg"),
    ],
    ids=["manifest", "netbox", "pfsense", "panos", "nmap", "fortigate", "asa"],
)
def test_every_loader_of_a_large_format_reads_real_files_within_their_count_and_refuses_them_below(
    read: Callable[[SourceFile], Any], path: Path
) -> None:
    if not path.exists():
        pytest.fail(f"missing test file {path}")
    raw = path.read_bytes()
    unlimited = read(SourceFile(path.name, raw, node_limit=NodeLimit(MAX_NODES)))
    assert unlimited
    nodes = _nodes_of(read, path.name, raw)
    assert read(SourceFile(path.name, raw, node_limit=NodeLimit(nodes))) == unlimited
    with pytest.raises(ParseError, match=f"more than the {nodes - 1:,} "):
        read(SourceFile(path.name, raw, node_limit=NodeLimit(nodes - 1)))


def test_json_that_is_not_strict_is_said_to_be_so_also_past_the_separator_count() -> None:
    """Over the quick count, the counting reader reads first; text it takes but JSON does not is still 'invalid JSON'."""
    text = b'{"vmspolicy": 1, "sites": [{"id": "a", "name": "x,y"}], }'
    for limit in (100, 11):
        with pytest.raises(ParseError, match="invalid JSON") as refused:
            SourceFile("m.json", text, node_limit=NodeLimit(limit)).documents()
        assert not isinstance(refused.value, TooManyNodes)


def _check(cli: Cli, *paths: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = cli("check", "--format", "json", "--no-plugins", "--no-cache", *paths)
    return code, (json.loads(out)["findings"] if out.strip() else []), err


def test_a_file_over_the_node_limit_is_vp001_at_the_node_naming_the_limit_and_the_setting(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text("vmspolicy: 1\nsites:\n  - id: hq\n  - id: lab\n", encoding="utf-8")  # 11 nodes
    Path(".vmspolicy.yaml").write_text("max_nodes: 11\n", encoding="utf-8")
    code, findings, err = _check(cli, "estate.yaml")
    assert (code, findings) == (0, []), err
    Path(".vmspolicy.yaml").write_text("max_nodes: 10\n", encoding="utf-8")
    code, findings, _ = _check(cli, "estate.yaml")
    assert code == 1 and [(f["rule"], f["path"], f["line"], f["column"]) for f in findings] == [("VP001", "estate.yaml", 4, 9)]
    assert findings[0]["message"] == (
        "the file holds more than the 10 nodes (mappings, sequences and scalars) a file may have "
        "(max_nodes in .vmspolicy.yaml); it was read no further"
    )


def test_the_default_node_limit_is_named_as_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.core.config import Config
    from vmspolicy.run import pipeline

    assert pipeline.node_limit(Config()) == NodeLimit(MAX_NODES)
    assert "the default; raise max_nodes in the configuration" in NodeLimit().refused("nodes", (1, 1)).message
    assert MAX_NODES >= 2_500_000  # a 100,000-camera manifest (about 1.95 million nodes) passes with room


@pytest.mark.parametrize("setting", ["max_nodes", "max_records"])
@pytest.mark.parametrize("value", ["0", "-5", "many", "1.5", "true"])
def test_the_structure_limits_are_positive_integers(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str,
                                                    value: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    Path(".vmspolicy.yaml").write_text(f"{setting}: {value}\n", encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "estate.yaml")
    assert code == 2 and f".vmspolicy.yaml:1:{len(setting) + 3}" in err and setting in err and "Traceback" not in err


def test_mappings_and_sequences_have_a_share_of_the_nodes_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # Located, a mapping or a sequence costs three scalars' memory: nested lists at the node limit would take 2.3 GB.
    from vmspolicy.core import limits

    monkeypatch.setattr(limits, "MAX_CONTAINERS", 3)
    assert SourceFile("m.yaml", b"a: [[1]]\n", node_limit=NodeLimit(9)).documents()  # the mapping and two lists: three
    with pytest.raises(TooManyNodes, match=r"more than the 3 mappings and sequences a file may have") as refused:
        SourceFile("m.yaml", b"a: [[[1]]]\n", node_limit=NodeLimit(9)).documents()  # six nodes, four of them containers
    assert (refused.value.line, refused.value.column) == (1, 6)
    # A larger max_nodes brings a larger share: a third of it.
    assert NodeLimit(30).containers == 10
    monkeypatch.setattr(limits, "MAX_CONTAINERS", 1_000_000)
    assert NodeLimit().containers == 1_000_000 and NodeLimit(9_000_000).containers == 3_000_000
