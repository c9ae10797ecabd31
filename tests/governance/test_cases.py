"""Governance cases: like tests/cases, plus what each finding's suppression must be.

Cases live in ``tests/cases/VP30*`` (also run by tests/test_rule_cases.py, which
does not look at suppressions) and in ``tests/governance/cases`` (baselines). An
``expect:`` line may end with ``suppressed=KIND`` (waiver, inline, baseline);
without it the finding must not be suppressed. ``exit: N`` checks the exit code;
``only:`` limits the comparison to the codes it names, as in tests/cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.casefiles import CASES as SHARED_CASES
from tests.casefiles import Case, run_case

HERE = Path(__file__).parent / "cases"
Expected = tuple[str, str, int, int, "str | None", "str | None"]


def _parse(lines: list[str], default_file: str | None) -> tuple[set[Expected], int | None, list[str], set[str]]:
    expected: set[Expected] = set()
    only: set[str] = set()
    exit_code: int | None = None
    options: list[str] = []
    for raw in lines:
        key, sep, value = raw.strip().lstrip("#").strip().partition(":")
        words = value.split()
        if not sep:
            continue
        if key.strip() == "expect":
            file = default_file if default_file is not None else words.pop(0)
            code, position, *rest = words
            subject = rest[0] if rest and rest[0] != "-" and "=" not in rest[0] else None
            kind = next((w.split("=", 1)[1] for w in rest if w.startswith("suppressed=")), None)
            line, column = (int(x) for x in position.split(":"))
            expected.add((file, code, line, column, subject, kind))
        elif key.strip() == "exit":
            exit_code = int(value)
        elif key.strip() == "options":
            options.extend(value.split())
        elif key.strip() == "only":
            only.update(words)
    return expected, exit_code, options, only


def _discover() -> list[tuple[str, Path, list[str]]]:
    found: list[tuple[str, Path, list[str]]] = []
    roots = [HERE, *sorted(SHARED_CASES.glob("VP30*"))]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_dir() and (path / "case.txt").exists():
                found.append((path.relative_to(root.parent).as_posix(), path, ["."]))
            elif path.suffix in (".yaml", ".yml", ".json") and not any((p / "case.txt").exists() for p in path.parents if root in (p, *p.parents)):
                found.append((path.relative_to(root.parent).as_posix(), path.parent, [path.name]))
    return found


CASES = _discover()


@pytest.mark.parametrize(("name", "root", "targets"), CASES, ids=[c[0] for c in CASES])
def test_governance_case(name: str, root: Path, targets: list[str]) -> None:
    import json

    if targets == ["."]:
        lines = (root / "case.txt").read_text(encoding="utf-8").splitlines()
        expected, exit_code, options, only = _parse(lines, None)
    else:
        text = (root / targets[0]).read_text(encoding="utf-8")
        expected, exit_code, options, only = _parse([line for line in text.splitlines() if line.startswith("#")], targets[0])
    code, _, raw = run_case(Case(name, root, tuple(targets), options=tuple(options)))
    actual = {
        (f["path"], f["rule"], f["line"], f["column"], f["subject"], (f["suppressed"] or {}).get("kind"))
        for f in json.loads(raw)["findings"]
        if not only or f["rule"] in only
    }
    missing = sorted(expected - actual, key=str)
    unexpected = sorted(actual - expected, key=str)
    assert not missing and not unexpected, f"missing {missing}\nunexpected {unexpected}\n{raw}"
    if exit_code is not None:
        assert code == exit_code, raw
