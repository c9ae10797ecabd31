"""The command line: outputs, exit codes, configuration, estate context, stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import Cli
from tests.golden_files import assert_golden
from vmspolicy import __version__
from vmspolicy.cli import main
from vmspolicy.core.rule import DOC_SECTIONS
from vmspolicy.core.schemas import load_schema
from vmspolicy.run.plugins import load_plugins

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_ESTATE = ROOT / "tests" / "data" / "golden-estate"
GOOD = "vmspolicy: 1\nsites:\n  - id: hq\n"


@pytest.fixture
def in_dir(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(request.param)
    yield


@pytest.mark.parametrize("in_dir", [GOLDEN_ESTATE], indirect=True)
@pytest.mark.usefixtures("in_dir")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_golden_output(cli: Cli, update_golden: bool, fmt: str) -> None:
    code, out, _ = cli("check", "--no-plugins", "--as-of", "2026-01-01", "--format", fmt, ".")
    assert code == 1
    assert_golden(f"check.{'txt' if fmt == 'text' else 'json'}", out, update_golden)


@pytest.mark.parametrize("in_dir", [GOLDEN_ESTATE], indirect=True)
@pytest.mark.usefixtures("in_dir")
def test_json_report_matches_its_schema(cli: Cli) -> None:
    _, out, _ = cli("check", "--no-plugins", "--format", "json", ".")
    validator = jsonschema.Draft202012Validator(
        load_schema("report"), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(json.loads(out))


def test_examples_report_matches_schema_and_text_is_sorted(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = cli("check", "--no-plugins", "--format", "json", "examples/")
    report = json.loads(out)
    jsonschema.Draft202012Validator(load_schema("report")).validate(report)
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys)
    assert code == (0 if report["summary"]["passed"] else 1)
    assert code == 1, "the example estate holds deliberate violations"


def test_explain_prints_plain_text_without_restructuredtext_markup(capsys: pytest.CaptureFixture[str]) -> None:
    for rule in load_plugins(entry_points_enabled=False).rules():
        assert main(["explain", rule.code, "--no-plugins"]) == 0
        out = capsys.readouterr().out
        assert ".. code-block" not in out and "``" not in out, rule.code
        assert "Example (fails)\n" in out and "Use instead\n" in out, rule.code


def test_every_rule_is_documented_and_explained(capsys: pytest.CaptureFixture[str]) -> None:
    rules = load_plugins(entry_points_enabled=False).rules()
    assert main(["rules", "--no-plugins"]) == 0
    listing = capsys.readouterr().out
    for rule in rules:
        assert rule.code in listing and rule.slug in listing
        doc = rule.documentation()
        for section in (*DOC_SECTIONS, "Options"):
            assert f"\n{section}\n" in f"\n{doc}\n", f"{rule.code} lacks the section {section!r}"
        assert main(["explain", rule.code.lower(), "--no-plugins"]) == 0
        assert rule.plain_documentation().splitlines()[0] in capsys.readouterr().out
    assert main(["explain", "VP999", "--no-plugins"]) == 2


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"vmspolicy {__version__}"


def test_fail_on_and_severity_override(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD + "zones:\n  - {id: z, site: nowhere, purpose: other}\n", encoding="utf-8")
    assert cli("check", "--no-plugins", "estate.yaml")[0] == 1
    Path(".vmspolicy.yaml").write_text("rules:\n  VP003: {severity: warning}\n", encoding="utf-8")
    code, out, _ = cli("check", "--no-plugins", "estate.yaml")
    assert code == 0 and "VP003 [warning]" in out
    assert cli("check", "--no-plugins", "--fail-on", "warning", "estate.yaml")[0] == 1
    Path(".vmspolicy.yaml").write_text("disable: [VP003]\n", encoding="utf-8")
    code, out, _ = cli("check", "--no-plugins", "estate.yaml")
    assert code == 0 and "VP003 [" not in out and "; 1 rule disabled by .vmspolicy.yaml (VP003); as of" in out


def test_config_found_by_walking_up_and_in_pyproject(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.vmspolicy]\nfail_on = "warning"\n', encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "estate.yaml").write_text(GOOD + "zones:\n  - {id: z, site: nowhere, purpose: other}\n", encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text("rules:\n  VP003: {severity: warning}\n", encoding="utf-8")
    monkeypatch.chdir(sub)
    # .vmspolicy.yaml wins over pyproject.toml in the same folder.
    code, out, _ = cli("check", "--no-plugins", "estate.yaml")
    assert code == 0 and "[warning]" in out
    (tmp_path / ".vmspolicy.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.vmspolicy]\nfail_on = "warning"\n[tool.vmspolicy.rules.VP003]\nseverity = "warning"\n', encoding="utf-8"
    )
    assert cli("check", "--no-plugins", "estate.yaml")[0] == 1


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        ("fail_on: sometimes\n", ":1:10", "fail_on"),
        ("profiles: [uk-gov-2022]\nrulez: {}\n", ":2:1", "rulez"),
        ("rules:\n  VP003: {severity: loud}\n", ":2:21", "severity"),
        ("fail_on: [error\n", ":1:10", "the '[' opened here is not closed"),
    ],
)
def test_bad_config_is_exit_2_with_location(cli: Cli,
    tmp_path: Path, content: str, where: str, words: str
, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text(content, encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "estate.yaml")
    assert code == 2
    assert f".vmspolicy.yaml{where}" in err and words in err and "Traceback" not in err


def test_missing_config_file_is_exit_2(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "--config", "nope.yaml", "estate.yaml")
    assert code == 2 and "nope.yaml" in err


def test_estate_context_reports_only_the_given_file(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate").mkdir()
    Path("estate/sites.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: hq}]\nzones:\n  - {id: z, site: hq, purpose: cameras, cidr: 10.0.0.0/24}\n"
        "  - {id: bad, site: elsewhere, purpose: other}\n",
        encoding="utf-8",
    )
    Path("estate/cameras.yaml").write_text(
        "vmspolicy: 1\ncameras:\n  - {id: cam-1, site: hq, zone: z, ip: 10.0.0.5}\n  - {id: cam-2, site: hq, zone: zz}\n",
        encoding="utf-8",
    )
    # Without context, the camera file alone has unknown references everywhere.
    code, out, _ = cli("check", "--no-plugins", "estate/cameras.yaml")
    assert out.count("VP003") == 4
    Path(".vmspolicy.yaml").write_text("estate: ['estate/**/*.yaml']\n", encoding="utf-8")
    code, out, _ = cli("check", "--no-plugins", "estate/cameras.yaml")
    # With it, the sites file resolves cam-1; only cam-2's bad zone is reported; sites.yaml's own problem is not.
    assert code == 1
    errors = [line for line in out.splitlines() if "[error]" in line]
    assert len(errors) == 1 and errors[0].startswith("estate/cameras.yaml:4:33: VP003") and "elsewhere" not in out
    # No paths: the whole configured estate.
    code, out, _ = cli("check", "--no-plugins")
    assert "elsewhere" in out and "zz" in out


def test_stdin_with_a_name(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: c, site: nope}\n")

    monkeypatch.setattr(sys, "stdin", Stdin())
    code, out, _ = cli("check", "--no-plugins", "--stdin-filename", "site/cams.yaml", "-")
    assert code == 1 and "\nsite/cams.yaml:4:19: VP003 [error]" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: c, site: nope}\n", "\n<stdin>:4:19: VP003 [error]"),
        (b'\xef\xbb\xbf {"vmspolicy": 1, "sites": [{"id": "hq"}],\n "cameras": [{"id": "c", "site": "nope"}]}\n', "\n<stdin>:2:34: VP003 [error]"),
    ],
    ids=["yaml", "json"],
)
def test_stdin_without_a_name_is_read_by_its_content(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                     text: bytes, expected: str) -> None:
    class Stdin:
        buffer = io.BytesIO(text)

    monkeypatch.setattr(sys, "stdin", Stdin())
    code, out, err = cli("check", "--no-plugins", "-")
    assert code == 1 and expected in "\n" + out, (out, err)


def test_several_outputs_in_one_run(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    code, out, _ = cli("check", "--no-plugins", "--output", "json:out/report.json", "estate.yaml")
    assert code == 0 and out.startswith("Found no problems")
    assert json.loads(Path("out/report.json").read_text(encoding="utf-8"))["summary"]["passed"] is True
    assert cli("check", "--no-plugins", "--output", "nonsense", "estate.yaml")[0] == 2
    assert cli("check", "--no-plugins", "--format", "yaml", "estate.yaml")[0] == 2


def test_color_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(GOOD + "zones: [{id: z, site: x, purpose: other}]\n", encoding="utf-8")
    script = (
        "import os, pty, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        "    os.execv(sys.executable, [sys.executable, '-m', 'vmspolicy', 'check', '--no-plugins', 'estate.yaml'])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n        chunk = os.read(fd, 4096)\n    except OSError:\n        break\n"
        "    if not chunk:\n        break\n    out += chunk\n"
        "os.waitpid(pid, 0)\n"
        "sys.stdout.write(repr(out))\n"
    )
    env = {**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}, "TERM": "xterm"}
    tty = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "\\x1b[" in tty.stdout
    no_color = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env={**env, "NO_COLOR": "1"}, capture_output=True, text=True, check=True
    )
    assert "\\x1b[" not in no_color.stdout and "VP003" in no_color.stdout
    piped = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert "\x1b[" not in piped.stdout and "VP003" in piped.stdout
    dumb = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={**env, "TERM": "dumb"}, capture_output=True, text=True, check=True)
    assert "\\x1b[" not in dumb.stdout and "VP003" in dumb.stdout
    forced = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
        cwd=tmp_path, env={**env, "FORCE_COLOR": "1"}, capture_output=True, text=True, check=False,
    )
    assert "\x1b[31m[error]" in forced.stdout  # a CI log that renders colour asked for it
    both = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
        cwd=tmp_path, env={**env, "FORCE_COLOR": "1", "NO_COLOR": "1"}, capture_output=True, text=True, check=False,
    )
    assert "\x1b[" not in both.stdout  # NO_COLOR wins


def test_on_a_terminal_syntax_and_schema_findings_show_the_line_with_a_caret(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}\ncameras: []\n", encoding="utf-8")
    (tmp_path / "other.yaml").write_text("vmspolicy: 1\nsites:\n  - {id: hq2, sensitive: 'yes'}\n", encoding="utf-8")
    script = (
        "import os, pty, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        "    os.execv(sys.executable, [sys.executable, '-m', 'vmspolicy', 'check', '--no-plugins', 'estate.yaml', 'other.yaml'])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n        chunk = os.read(fd, 4096)\n    except OSError:\n        break\n"
        "    if not chunk:\n        break\n    out += chunk\n"
        "os.waitpid(pid, 0)\n"
        "sys.stdout.write(out.decode())\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    tty = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    lines = tty.stdout.replace("\r\n", "\n").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("estate.yaml:2:8: VP001"))
    assert lines[at + 1:at + 4] == ["  1 | vmspolicy: 1", "  2 | sites: [{id: hq}", "    |        ^"], lines
    at = next(i for i, line in enumerate(lines) if line.startswith("other.yaml:3:26: VP002"))
    assert lines[at + 2:at + 4] == ["  3 |   - {id: hq2, sensitive: 'yes'}", "    |                          ^"], lines
    piped = subprocess.run([sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert " | " not in piped.stdout  # tools that parse the output get one line per finding


def test_a_code_frame_never_passes_control_characters_to_the_terminal() -> None:
    from vmspolicy.reporters.text import code_frame

    frame = code_frame("a: 1\nb: \x1b[2Jx\tdone\n", 2, 4)
    assert "\x1b" not in frame and "\\x1b" in frame
    assert code_frame("a: 1\n", 5, 1) == ""


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0 and "PASS" in result.stdout


def _many_findings(count: int) -> str:
    cameras = "".join(f"  - {{id: cam-{i}, site: hq, zone: cctv, ip: 10.20.40.{i % 250 + 1}, vendor: Axis}}\n" for i in range(count))
    return "vmspolicy: 1\nsites:\n  - {id: hq}\nzones:\n  - {id: cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}\ncameras:\n" + cameras


def test_output_larger_than_a_pipe_is_delivered_whole_before_the_fast_exit(tmp_path: Path) -> None:
    # The console script ends with os._exit (no interpreter teardown): what is buffered must still arrive.
    (tmp_path / "estate.yaml").write_text(_many_findings(400), encoding="utf-8")
    script = Path(sys.executable).with_name("vmspolicy")
    outputs = []
    for command in ([str(script)], [sys.executable, "-m", "vmspolicy"]):
        done = subprocess.run([*command, "check", "--no-plugins", "--format", "json", "estate.yaml"],
                              cwd=tmp_path, capture_output=True, check=False)
        assert done.returncode == 1, done.stderr
        assert len(done.stdout) > 65536  # more than a pipe holds: written while the reader reads
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert sum(1 for f in outputs[0]["findings"] if f["rule"] == "VP005") == 400


def test_a_reader_that_goes_away_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(_many_findings(20), encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # `vmspolicy check | true`: nobody reads what is written
    with reader.stderr:
        errors = reader.stderr.read()
    assert reader.wait(timeout=60) == 2
    assert b"Traceback" not in errors and b"Exception ignored" not in errors


@pytest.mark.parametrize("count", [3, 2000])  # buffered until the final flush; written while the check runs
def test_a_full_disk_under_the_output_is_exit_2_with_a_message(tmp_path: Path, count: int) -> None:
    (tmp_path / "estate.yaml").write_text(_many_findings(count), encoding="utf-8")
    with open("/dev/full", "w") as full:  # Linux: every write fails with ENOSPC
        done = subprocess.run([sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "--format", "json", "estate.yaml"],
                              cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_closed_standard_output_still_gives_the_verdict(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(_many_findings(3), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "estate.yaml"],
                          cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 1 and done.stderr == ""


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("rules:\n  VP999: {severity: info}\n", ".vmspolicy.yaml:2:3: unknown rule VP999"),
        ("rules:\n  VP005: {colour: red}\n", ".vmspolicy.yaml:2:3: rule VP005 has no option 'colour' (its options: none)"),
        ("disable: [VP998]\n", ".vmspolicy.yaml:1:11: unknown rule VP998"),
        ("select: [VP001, VP997]\n", ".vmspolicy.yaml:1:17: unknown rule VP997"),
    ],
)
def test_rule_settings_are_validated_against_the_rules(cli: Cli,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text(content, encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "estate.yaml")
    assert code == 2 and words in err


def test_rule_option_types_are_checked() -> None:
    from vmspolicy.core.config import Config, ConfigError, check_rule_settings
    from vmspolicy.core.rule import Rule

    class Windowed(Rule):
        code, slug, options = "VP950", "windowed", {"days": 90, "zones": []}

    check_rule_settings(Config(rule_options={"VP950": {"days": 30, "zones": ["a"]}}), [Windowed])
    with pytest.raises(ConfigError, match="option 'days' must be int, not str"):
        check_rule_settings(Config(rule_options={"VP950": {"days": "30"}}), [Windowed])


def test_unknown_profile_is_exit_2_whatever_rules_run(cli: Cli,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    Path(".vmspolicy.yaml").write_text("select: [VP001]\n", encoding="utf-8")
    code, _, err = cli("check", "--no-plugins", "--profile", "uk-gov-2021", "estate.yaml")
    assert code == 2 and "uk-gov-2021" in err


@pytest.mark.parametrize("command", [["report", "--output", "r.html"], ["baseline", "--output", "b.json"], ["graph"]])
def test_every_estate_command_honours_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("estate.yaml").write_text(GOOD, encoding="utf-8")
    Path("notes.yaml").write_text("just: notes\n", encoding="utf-8")
    assert main([command[0], "--no-plugins", "-v", *command[1:], "."]) == 0
    err = capsys.readouterr().err
    assert "estate.yaml: 1 document(s) read as manifest" in err and "notes.yaml: not a manifest" in err
