"""Testing rules and plugins: the command line run in this process, and rule cases as data.

A *case* is a folder of files to check with a ``case.txt`` saying what the
check must find, one ``expect:`` line per finding::

    expect: estate.camlist ACME101 3:1 cam-2    (file, code, line:column, subject; '-' or nothing: no subject)
    options: --profile acme-2026 --as-of 2026-06-01
    only: ACME101 VP102                         (compare only these codes; default: every finding)
    exit: 1                                     (the exit code; default: 0 or 1)

or a single manifest whose comment header holds the same lines without the
file name (``# expect: VP005 15:9 cam-2``). vmspolicy's own rule cases
(``tests/cases``) are written this way. In a plugin's tests::

    from vmspolicy.testing import assert_case, find_cases

    CASES = find_cases(Path(__file__).parent / "cases")

    @pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
    def test_case(case):
        assert_case(case)

The check runs with the installed plugins (``pip install -e .`` the plugin
under test) as ``vmspolicy check --format json`` in the case's folder, and
the findings, suppressed ones included, must be exactly the expected ones.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
from pathlib import Path
from typing import Iterable, Sequence

from vmspolicy.core.records import record

Expected = tuple[str, str, int, int, str | None]
"""One finding as a case states it: (file, code, line, column, subject)."""

CASE_FILE = "case.txt"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@record(frozen=True, slots=True)
class CliRun:
    """What one command line gave: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: str | os.PathLike[str] | None = None) -> CliRun:
    """Run ``vmspolicy ARGS`` in this process, in the folder ``cwd``, and return what it gave.

    Plugins are loaded from their entry points as in a real run (``--no-plugins``
    leaves them out). The working directory is restored afterwards.
    """
    from vmspolicy.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, --version, a usage error
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(previous)
    return CliRun(code, out.getvalue(), err.getvalue())


@record(frozen=True, slots=True)
class Case:
    """A rule case: where it runs, what it checks, and what it must find."""

    name: str
    root: Path  # the folder the check runs in
    targets: tuple[str, ...]  # the paths given to `vmspolicy check`
    expected: frozenset[Expected] = frozenset()
    options: tuple[str, ...] = ()
    only: frozenset[str] = frozenset()
    exit_code: int | None = None


def read_case(path: str | os.PathLike[str], name: str | None = None) -> Case:
    """The case at ``path``: a folder holding ``case.txt``, or a single manifest with a comment header."""
    where = Path(path)
    if where.is_dir():
        lines = (where / CASE_FILE).read_text(encoding="utf-8").splitlines()
        return _case(name or where.name, where, (".",), lines, default_file=None)
    header = [line for line in where.read_text(encoding="utf-8", errors="replace").splitlines() if line.startswith("#")]
    return _case(name or where.name, where.parent, (where.name,), header, default_file=where.name)


def find_cases(root: str | os.PathLike[str], suffixes: Sequence[str] = MANIFEST_SUFFIXES) -> list[Case]:
    """Every case below ``root``, named by its path there: folders with ``case.txt``, and files ending in ``suffixes`` outside them."""
    base = Path(root)
    folders = sorted(p.parent for p in base.rglob(CASE_FILE))
    cases: list[Case] = []
    for path in sorted(base.rglob("*")):
        name = path.relative_to(base).as_posix()
        if path in folders or (path.is_file() and path.suffix in suffixes and not any(folder in path.parents for folder in folders)):
            cases.append(read_case(path, name))
    return cases


def _case(name: str, root: Path, targets: tuple[str, ...], lines: Iterable[str], default_file: str | None) -> Case:
    expected: set[Expected] = set()
    options: list[str] = []
    only: set[str] = set()
    exit_code: int | None = None
    for number, raw in enumerate(lines, 1):
        key, sep, value = raw.strip().lstrip("#").strip().partition(":")
        key, words = key.strip(), value.split()
        if not sep:
            continue
        if key == "expect":
            if default_file is None:
                words = words[:]
                file = words.pop(0) if words else ""
            else:
                file = default_file
            try:
                code, position = words[0], words[1]
                line, column = (int(part) for part in position.split(":"))
            except (IndexError, ValueError):
                raise ValueError(f"{name}: line {number}: expected 'expect: [FILE] CODE LINE:COLUMN [SUBJECT]', got {raw.strip()!r}") from None
            # A word with '=' after the position is a harness's own annotation (suppressed=waiver), not a subject.
            subject = words[2] if len(words) > 2 and words[2] != "-" and "=" not in words[2] else None
            expected.add((file, code, line, column, subject))
        elif key == "options":
            options.extend(shlex.split(value))
        elif key == "only":
            only.update(words)
        elif key == "exit":
            exit_code = int(value)
    return Case(name, root, targets, frozenset(expected), tuple(options), frozenset(only), exit_code)


@record(frozen=True, slots=True)
class CaseRun:
    """A case and what the check found for it."""

    case: Case
    run: CliRun
    found: frozenset[Expected]

    @property
    def missing(self) -> list[Expected]:
        return sorted(self.case.expected - self.found, key=str)

    @property
    def unexpected(self) -> list[Expected]:
        return sorted(self.found - self.case.expected, key=str)

    def problems(self) -> str:
        """Why the case fails, or ``""``."""
        wanted = (self.case.exit_code,) if self.case.exit_code is not None else (0, 1)
        out = []
        if self.run.exit_code not in wanted:
            out.append(f"exit code {self.run.exit_code}, expected {' or '.join(map(str, wanted))}: {self.run.stderr.strip()}")
        out += [f"missing:    {_show(e)}" for e in self.missing]
        out += [f"unexpected: {_show(e)}" for e in self.unexpected]
        return "\n".join(out)


def _show(expected: Expected) -> str:
    file, code, line, column, subject = expected
    return f"expect: {file} {code} {line}:{column} {subject or '-'}"


def run_case(case: Case, *args: str) -> CaseRun:
    """Run ``vmspolicy check --format json`` on ``case`` (with ``args`` before its own options)."""
    run = run_cli("check", "--format", "json", *args, *case.options, *case.targets, cwd=case.root)
    found: set[Expected] = set()
    if run.exit_code in (0, 1) and run.stdout.strip():
        for f in json.loads(run.stdout)["findings"]:
            if not case.only or f["rule"] in case.only:
                found.add((f["path"], f["rule"], f["line"], f["column"], f["subject"]))
    return CaseRun(case, run, frozenset(found))


def assert_case(case: Case | str | os.PathLike[str], *args: str) -> CaseRun:
    """Run ``case`` and raise :class:`AssertionError` listing what is missing or unexpected, in ``case.txt``'s own format."""
    chosen = case if isinstance(case, Case) else read_case(case)
    outcome = run_case(chosen, *args)
    problems = outcome.problems()
    if problems:
        raise AssertionError(f"case {chosen.name}:\n{problems}")
    return outcome


__all__ = ["Case", "CaseRun", "CliRun", "Expected", "assert_case", "find_cases", "read_case", "run_case", "run_cli"]
