"""Rule cases as data: manifests annotated with the findings they must produce.

A single-file case is ``tests/cases/<CODE>/<name>.yaml`` (or ``.json``) whose
comment header says what to expect::

    # expect: VP005 12:9 cam-1        (code, line:column, subject; subject may be omitted or '-')
    # options: --profile uk-gov-2022 --as-of 2026-01-01
    # only: VP005 VP003               (compare only these codes; default: every finding)

A multi-file case is a folder ``tests/cases/<CODE>/<name>/`` with a ``case.txt``
holding the same lines, where each ``expect:`` names the file first::

    expect: network.yaml VP202 23:7 cam-1

The harness runs ``vmspolicy check --format json`` on the case and compares the
set of (file, code, line, column, subject) exactly.
"""

from __future__ import annotations

import io
import json
import os
import shlex
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).parent / "cases"

Expected = tuple[str, str, int, int, str | None]


@dataclass
class Case:
    name: str
    root: Path  # the folder the check runs in
    targets: list[str]  # what is passed to `vmspolicy check`
    expected: set[Expected] = field(default_factory=set)
    options: list[str] = field(default_factory=list)
    only: set[str] = field(default_factory=set)


def _parse_header(lines: list[str], case: Case, default_file: str | None) -> None:
    for raw in lines:
        line = raw.strip().lstrip("#").strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip()
        words = value.split()
        if key == "expect":
            if default_file is None:
                file, words = words[0], words[1:]
            else:
                file = default_file
            code, position = words[0], words[1]
            subject = words[2] if len(words) > 2 and words[2] != "-" else None
            line_no, column = (int(x) for x in position.split(":"))
            case.expected.add((file, code, line_no, column, subject))
        elif key == "options":
            case.options.extend(shlex.split(value))
        elif key == "only":
            case.only.update(words)


def discover_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES.rglob("*")):
        rel = path.relative_to(CASES).as_posix()
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json") and not (path.parent / "case.txt").exists():
            if any((parent / "case.txt").exists() for parent in path.parents if CASES in parent.parents):
                continue
            case = Case(rel, path.parent, [path.name])
            text = path.read_text(encoding="utf-8", errors="replace")
            header = [line for line in text.splitlines() if line.startswith("#")]
            _parse_header(header, case, path.name)
            cases.append(case)
        elif path.is_dir() and (path / "case.txt").exists():
            case = Case(rel, path, ["."])
            _parse_header((path / "case.txt").read_text(encoding="utf-8").splitlines(), case, None)
            cases.append(case)
    return cases


def run_case(case: Case) -> tuple[int, set[Expected], str]:
    """Run the case; return the exit code, the actual findings (filtered by ``only``) and the raw JSON."""
    from vmspolicy.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(case.root)
    try:
        with redirect_stdout(out):
            code = main(["check", "--format", "json", "--no-plugins", *case.options, *case.targets])
    finally:
        os.chdir(previous)
    raw = out.getvalue()
    actual: set[Expected] = set()
    if raw.strip():
        for f in json.loads(raw)["findings"]:
            if case.only and f["rule"] not in case.only:
                continue
            actual.add((f["path"], f["rule"], f["line"], f["column"], f["subject"]))
    return code, actual, raw
