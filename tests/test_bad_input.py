"""Hostile and broken input: a precise finding or exit 2 with file:line; never a traceback, a hang or a changed file."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli
from vmspolicy.cli import main

GOOD = b"vmspolicy: 1\nsites:\n  - id: hq\n"


def run(paths: list[str], cli: Cli, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    code, out, err = cli("check", "--format", "json", "--no-plugins", *extra, *paths)
    findings = json.loads(out)["findings"] if out.strip() else []
    return code, findings, err


def one_finding(tmp_path: Path, name: str, content: bytes, cli: Cli) -> dict[str, object]:
    path = tmp_path / name
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    code, findings, err = run([str(path)], cli)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the input file was modified"
    assert code == 1, err
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    ("name", "content", "rule", "line", "column", "words"),
    [
        ("unclosed.yaml", b"vmspolicy: 1\nsites: [{id: hq}\n", "VP001", 2, 8, "the '[' opened here is not closed"),
        ("unclosed-map.yaml", b"vmspolicy: 1\nsites: [{id: hq, name: x]\n", "VP001", 2, 25, "the '{' at column 9 is not closed before this ']'"),
        ("tabs.yaml", b"vmspolicy: 1\nsites:\n\t- id: hq\n", "VP001", 3, 1, "tab"),
        ("dup.yaml", b"vmspolicy: 1\nsites: []\nsites: []\n", "VP001", 3, 1, "duplicate key 'sites'"),
        ("py.yaml", b"vmspolicy: 1\nsites: !!python/name:os.system\n", "VP001", 2, 8, "construct a Python object"),
        ("tag.yaml", b"vmspolicy: 1\nsites: !GetAtt x\n", "VP001", 2, 8, "!GetAtt"),
        ("nul.yaml", b"vmspolicy: 1\nsites:\n  - id: h\x00q\n", "VP001", 3, 10, "#x0000"),
        ("latin1.yaml", b"vmspolicy: 1\nsites:\n  - id: hq\n    name: Caf\xe9\n", "VP001", 4, 14, "byte offset 44"),
        ("binary.yaml", b"vmspolicy: 1\n" + bytes(range(256)) * 4, "VP001", 3, 118, "byte 0x80 at byte offset 141"),
        ("bigint.yaml", b"vmspolicy: 1\nzones:\n  - {id: z, site: s, purpose: other, vlan: " + b"9" * 5000 + b"}\n",
         "VP001", 3, 44, "number cannot be read"),
        ("deep.yaml", b"vmspolicy: 1\nx: " + b"[" * 150 + b"]" * 150 + b"\n", "VP001", 2, 103, "nesting deeper"),
        ("version.yaml", b"vmspolicy: 2\n", "VP002", 1, 12, "unsupported manifest format version 2"),
        ("version-text.yaml", b"vmspolicy: one\n", "VP002", 1, 12, "unsupported manifest format version 'one'"),
        ("types.yaml", b"vmspolicy: 1\nsites:\n  - id: [hq]\n", "VP002", 3, 9, "is a list; expected text"),
        ("bad.json", b'{"vmspolicy": 1, "sites": [}\n', "VP001", 1, 28, "invalid JSON"),
        ("dup.json", b'{"vmspolicy": 1, "vmspolicy": 1}\n', "VP001", 1, 18, "duplicate key"),
    ],
)
def test_bad_file_is_one_located_finding(
    tmp_path: Path, cli: Cli, name: str, content: bytes, rule: str, line: int, column: int,
    words: str,
) -> None:
    finding = one_finding(tmp_path, name, content, cli)
    assert (finding["rule"], finding["line"], finding["column"]) == (rule, line, column), finding
    assert words in str(finding["message"])


def test_billion_laughs_is_rejected_fast(tmp_path: Path, cli: Cli) -> None:
    lines = ['vmspolicy: 1', 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    started = time.perf_counter()
    finding = one_finding(tmp_path, "bomb.yaml", ("\n".join(lines) + "\n").encode(), cli)
    # A budget, not a benchmark: an unbounded expansion would take hours, the check itself microseconds.
    assert time.perf_counter() - started < 5
    assert finding["rule"] == "VP001" and "billion laughs" in str(finding["message"])


def test_merge_key_bomb_is_rejected(tmp_path: Path, cli: Cli) -> None:
    lines = ["vmspolicy: 1", "a0: &a0 {" + ", ".join(f"k{j}: v" for j in range(10)) + "}"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append("m: {<<: *a9}")
    finding = one_finding(tmp_path, "merge-bomb.yaml", ("\n".join(lines) + "\n").encode(), cli)
    assert finding["rule"] == "VP001"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_unicode_with_bom_is_read(tmp_path: Path, cli: Cli, encoding: str) -> None:
    text = "vmspolicy: 1\nsites:\n  - id: hq\n    name: Café Zürich\n  - id: hq\n"
    path = tmp_path / "bom.yaml"
    path.write_bytes(text.encode(encoding))
    code, findings, _ = run([str(path)], cli)
    # Decoded correctly: the one problem is the duplicate id, at the right place.
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("VP004", 5, 9)]
    assert code == 1


def test_two_megabyte_line(tmp_path: Path, cli: Cli) -> None:
    name = "x" * 2_000_000
    path = tmp_path / "long.yaml"
    path.write_text(f"vmspolicy: 1\nsites:\n  - {{id: hq, name: {name}}}\n", encoding="utf-8")
    code, findings, _ = run([str(path)], cli)
    assert code == 0 and findings == []


def test_empty_file_is_skipped_but_a_lone_empty_file_is_no_manifest(cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "blank.yaml").write_bytes(b"\n\n   \n")
    code = main(["check", "--no-plugins", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2 and "no manifest found" in err
    (tmp_path / "estate.yaml").write_bytes(GOOD)
    code, findings, _ = run([str(tmp_path)], cli)
    assert code == 0 and findings == []


def test_top_level_scalar_and_plain_list_are_not_manifests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "list.yaml").write_bytes(b"- one\n- two: 2\n")
    (tmp_path / "scalar.yaml").write_bytes(b"just text\n")
    (tmp_path / "estate.yaml").write_bytes(GOOD)
    code = main(["check", "--no-plugins", "-v", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0
    assert "list.yaml: not a manifest" in err and "scalar.yaml: not a manifest" in err


def test_missing_path_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--no-plugins", str(tmp_path / "nope.yaml")])
    _, err = capsys.readouterr()
    assert code == 2 and "nope.yaml: no such file or directory" in err


def test_directory_without_manifests_is_exit_2_unless_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docker-compose.yaml").write_text("services: {}\n", encoding="utf-8")
    assert main(["check", "--no-plugins", str(tmp_path)]) == 2
    assert "no manifest found" in capsys.readouterr().err
    assert main(["check", "--no-plugins", "--allow-empty", str(tmp_path)]) == 0


def test_unreadable_file_is_vp001(tmp_path: Path, cli: Cli) -> None:
    # Tests run as root here, so a chmod 000 file would still be readable: a dangling symlink is a file
    # the scan finds and cannot read, which is the behaviour under test.
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "missing-target.yaml")
    (tmp_path / "ok.yaml").write_bytes(GOOD)
    code, findings, _ = run([str(tmp_path)], cli)
    assert code == 1
    assert [(f["rule"], str(f["path"]).endswith("gone.yaml")) for f in findings] == [("VP001", True)]
    assert "cannot read file" in str(findings[0]["message"])


def test_no_traceback_from_the_command_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"vmspolicy: 1\nsites: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "bad.yaml:3:1: VP001 [error]" in result.stdout


def test_json_nested_beyond_the_json_readers_recursion(tmp_path: Path, cli: Cli) -> None:
    finding = one_finding(tmp_path, "deep.json", b'{"vmspolicy": 1, "sites": ' + b"[" * 5000 + b"]" * 5000 + b"}", cli)
    assert (finding["rule"], finding["line"]) == ("VP001", 1) and "nesting" in str(finding["message"])


def test_json_columns_survive_characters_libyaml_needs_escaped(tmp_path: Path, cli: Cli) -> None:
    # A raw DEL and a surrogate-pair escape before the problem must not move its column.
    content = '{"sites": [{"id": "a\x7f\\ud83d\\udcf7"}], "vmspolicy": 2}'
    finding = one_finding(tmp_path, "shift.json", content.encode(), cli)
    assert (finding["rule"], finding["line"], finding["column"]) == ("VP002", 1, 52)
    assert content[51] == "2"


def test_fifos_and_devices_never_block_a_scan(tmp_path: Path, cli: Cli) -> None:
    import os

    (tmp_path / "estate.yaml").write_bytes(GOOD)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    code, findings, _ = run([str(tmp_path)], cli)
    assert code == 0 and findings == []
    # Named explicitly, a FIFO is a file that cannot be checked: VP001, not a hang.
    code, findings, _ = run([str(tmp_path / "pipe.yaml"), str(tmp_path / "estate.yaml")], cli)
    assert code == 1 and findings[0]["rule"] == "VP001" and "not a regular file" in str(findings[0]["message"])


@pytest.mark.parametrize(
    ("content", "rule", "line", "column", "words"),
    [
        (b"vmspolicyy: 1\nsites: [{id: hq}]\n", "VP002", 1, 1, "misspelt 'vmspolicy'"),
        (b"# estate\nsites: [{id: hq}]\ncameras: [{id: c, site: hq, vendor: Hikvision}]\n", "VP002", 2, 1, "no 'vmspolicy: 1'"),
    ],
)
def test_a_manifest_that_lost_its_version_line_is_not_skipped(
    tmp_path: Path, cli: Cli, content: bytes, rule: str, line: int, column: int, words: str
) -> None:
    finding = one_finding(tmp_path, "estate.yaml", content, cli)
    assert (finding["rule"], finding["line"], finding["column"]) == (rule, line, column)
    assert words in str(finding["message"])


def test_yaml_without_manifest_keys_is_skipped(tmp_path: Path, cli: Cli) -> None:
    # Nested section names (compose's services.*.devices) and a lone `version` are no sign of a manifest.
    (tmp_path / "compose.yaml").write_bytes(b"version: '3.8'\nservices:\n  nvr:\n    devices: [/dev/ttyUSB0]\n")
    (tmp_path / "package.json").write_bytes(b'{"name": "x", "version": "1.0.0", "config": {"devices": []}}\n')
    (tmp_path / "estate.yaml").write_bytes(GOOD)
    code, findings, _ = run([str(tmp_path)], cli)
    assert code == 0 and findings == []


def test_one_manifest_section_is_enough(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "compose.yaml").write_bytes(b"services: {}\ndevices: [/dev/ttyUSB0]\n")
    code, findings, _ = run([str(tmp_path)], cli)
    assert code == 1
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("VP002", 2, 1)]
    assert "manifest sections (devices)" in str(findings[0]["message"])


@pytest.mark.parametrize("pattern", ["/**/*.yaml", "../../**/*.yaml", "estate/../../x/*.yaml"])
def test_estate_globs_stay_below_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "estate.yaml").write_bytes(GOOD)
    (tmp_path / ".vmspolicy.yaml").write_text(f"estate: [{pattern!r}]\n", encoding="utf-8")
    assert main(["check", "--no-plugins", "estate.yaml"]) == 2
    err = capsys.readouterr().err
    assert ".vmspolicy.yaml" in err and "must be relative" in err


def test_a_file_name_cannot_forge_an_output_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evil\nestate.yaml:1:1: VP000 [info] all good (x).yaml"
    path.write_bytes(b"vmspolicy: 1\nsites: [{id: hq}]\nzones: [{id: z, site: nowhere, purpose: other}]\n")
    assert main(["check", "--no-plugins", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "evil\\nestate.yaml" in lines[0] and lines[0].count("VP003") == 1


def test_an_input_over_the_size_limit_is_vp001_naming_its_size_and_the_setting(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vmspolicy.run import pipeline

    big = tmp_path / "big.yaml"
    big.write_bytes(GOOD + b"# " + b"x" * 5000 + b"\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "MAX_FILE_BYTES", 4096)
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read over the limit") if self.name == "big.yaml" else real_read(self))
    code, findings, _ = run(["big.yaml"], cli)
    assert code == 1 and [(f["rule"], f["path"]) for f in findings] == [("VP001", "big.yaml")]
    assert "5,034 bytes is more than the 4,096 an input may have (the default; raise max_file_size" in str(findings[0]["message"])
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vmspolicy.yaml").write_text("max_file_size: 1000\n", encoding="utf-8")
    code, findings, _ = run(["big.yaml"], cli)
    assert code == 1 and "more than the 1,000 an input may have (max_file_size in .vmspolicy.yaml)" in str(findings[0]["message"])
    (tmp_path / ".vmspolicy.yaml").write_text("max_file_size: 100000\n", encoding="utf-8")
    code, findings, _ = run(["big.yaml"], cli)
    assert code == 0 and findings == []


def test_standard_input_is_read_only_one_byte_past_the_size_limit(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endless stream on standard input is VP001 naming the limit, not a run that reads until memory runs out."""
    import io

    served: list[int] = []

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            served.append(len(buffer))
            if sum(served) > 1_000_000:
                raise AssertionError("standard input read far past the limit")
            buffer[:] = b"#" * len(buffer)
            return len(buffer)

    class Stdin:
        buffer = io.BufferedReader(Endless(), buffer_size=64)

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vmspolicy.yaml").write_text("max_file_size: 1000\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", Stdin())
    code, findings, _ = run(["-"], cli)
    assert code == 1 and [(f["rule"], f["path"]) for f in findings] == [("VP001", "<stdin>")]
    assert "standard input holds more than the 1,000 bytes an input may have (max_file_size in .vmspolicy.yaml)" in str(
        findings[0]["message"])
    assert sum(served) <= 1_001 + 64


def test_the_default_size_limit_is_64_mib() -> None:
    from vmspolicy.core.config import Config
    from vmspolicy.run.pipeline import max_file_bytes

    assert max_file_bytes(Config()) == 64 * 1024 * 1024
