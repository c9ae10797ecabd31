"""vmspolicy.testing: the helper plugin authors test with (and vmspolicy's own rule cases run through)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmspolicy import __version__
from vmspolicy.testing import assert_case, find_cases, read_case, run_cli

ESTATE = "vmspolicy: 1\nsites: [{id: hq}]\nzones: [{id: z, site: hq, cidr: 10.0.0.0/24, purpose: cameras}]\ncameras:\n" \
         "  - {id: cam-1, site: hq, zone: z, vendor: Axis, ip: 10.0.1.5}\n"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases" / "outside-zone"
    folder.mkdir(parents=True)
    (folder / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    (folder / "case.txt").write_text("# a camera outside its zone\noptions: --as-of 2026-01-01\nonly: VP005\n"
                                     "expect: estate.yaml VP005 5:54 cam-1\nexit: 1\n", encoding="utf-8")
    (tmp_path / "cases" / "single.yaml").write_text("# expect: VP005 7:54 cam-1\n# only: VP005\n" + ESTATE, encoding="utf-8")
    return tmp_path / "cases"


def test_cases_pass_and_are_found_by_name(cases: Path) -> None:
    found = find_cases(cases)
    assert [case.name for case in found] == ["outside-zone", "single.yaml"]
    for case in found:
        outcome = assert_case(case, "--no-plugins")
        assert outcome.run.exit_code == 1 and not outcome.missing and not outcome.unexpected
    assert assert_case(cases / "outside-zone", "--no-plugins").case.exit_code == 1


def test_a_failing_case_says_what_is_missing_and_unexpected_in_its_own_format(cases: Path) -> None:
    case_file = cases / "outside-zone" / "case.txt"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace("5:54", "5:9").replace("exit: 1", "exit: 0"), encoding="utf-8")
    with pytest.raises(AssertionError) as raised:
        assert_case(cases / "outside-zone", "--no-plugins")
    assert str(raised.value).splitlines() == [
        "case outside-zone:",
        "exit code 1, expected 0: ",
        "missing:    expect: estate.yaml VP005 5:9 cam-1",
        "unexpected: expect: estate.yaml VP005 5:54 cam-1",
    ]


def test_a_run_that_fails_to_start_shows_its_error(cases: Path) -> None:
    with pytest.raises(AssertionError, match=r"exit code 2, expected 1: vmspolicy: error: unknown policy pack 'nope'"):
        assert_case(cases / "outside-zone", "--no-plugins", "--profile", "nope")


def test_a_malformed_expect_line_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "case.txt").write_text("options: --no-plugins\nexpect: estate.yaml VP005 five\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: expected 'expect: \[FILE\] CODE LINE:COLUMN \[SUBJECT\]'"):
        read_case(tmp_path)


def test_run_cli_captures_output_and_exit_code_and_restores_the_folder(tmp_path: Path) -> None:
    before = Path.cwd()
    version = run_cli("--version", cwd=tmp_path)
    assert (version.exit_code, version.stdout.splitlines()[0]) == (0, f"vmspolicy {__version__}")
    missing = run_cli("check", "--no-plugins", "nothing-here.yaml", cwd=tmp_path)
    assert missing.exit_code == 2 and "nothing-here.yaml: no such file or directory" in missing.stderr
    assert Path.cwd() == before
