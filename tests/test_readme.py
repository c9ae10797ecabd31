"""The README's examples run as written and print what the README shows.

Every ``sh`` and ``console`` block of the README is run in a copy of the repository's
examples, schemas and hooks, with ``vmspolicy`` (and ``.venv/bin/vmspolicy``) being the
package under test:

- a ``console`` block is ``$ command`` lines, each followed by what it prints; a line
  ``...`` stands for any number of lines. Whoever changes an output changes the README.
- a block preceded by ``<!-- output of: COMMAND -->`` (a Mermaid graph) is what COMMAND prints.
- an ``sh`` block is commands only: each must run without a usage error (exit 0 or 1).

A command the test cannot run here (an install, the test suite itself) is listed in
``NOT_RUN`` with the reason; a new example that is neither run nor listed fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from vmspolicy.run.plugins import load_plugins

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

NOT_RUN: dict[str, str] = {
    "python3 -m venv .venv": "creates the environment these tests run in",
    ".venv/bin/python -m pytest": "the test suite itself",
    ".venv/bin/mypy": "the type checker, run by .ci/run",
    "cp hooks/pre-commit .git/hooks/pre-commit": "installs a git hook into a clone (tests/test_precommit.py runs the hook)",
    ".venv/bin/python benchmarks/run.py": "minutes of measurements (tests/test_benchmarks.py runs the harness in quick mode)",
}


@dataclass(frozen=True)
class Example:
    line: int  # where the command stands in the README
    command: str
    expected: list[str] | None  # None: an sh example, whose output is not shown


def examples() -> list[Example]:
    lines = README.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    index = 0
    while index < len(lines):
        fence = re.match(r"^```(\w*)", lines[index])
        if not fence:
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        body = lines[start + 1:end]
        marker = re.match(r"^<!-- output of: (.+) -->$", lines[start - 1]) if start else None
        if marker:
            found.append(Example(start, marker.group(1), body))
        elif fence.group(1) == "console":
            for offset, text in enumerate(body):
                if text.startswith("$ "):
                    output = []
                    for following in body[offset + 1:]:
                        if following.startswith("$ "):
                            break
                        output.append(following)
                    found.append(Example(start + offset + 2, text[2:], output))
        elif fence.group(1) == "sh":
            found.extend(Example(start + offset + 2, text, None) for offset, text in enumerate(body) if text.strip() and not text.startswith("#"))
        index = end + 1
    return found


def runnable() -> list[Example]:
    return [example for example in examples() if not any(example.command.startswith(prefix) for prefix in NOT_RUN)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what the examples read, with ``vmspolicy`` and ``.venv/bin/vmspolicy`` running this package."""
    work = tmp_path_factory.mktemp("readme")
    for folder in ("examples", "schemas", "hooks"):
        shutil.copytree(ROOT / folder, work / folder)
    for bindir in (work / "bin", work / ".venv" / "bin"):
        bindir.mkdir(parents=True)
        script = bindir / "vmspolicy"
        script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m vmspolicy "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return work


def run(example: Example, work: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "VMSPOLICY_")) and key != "CI"}
    env["VMSPOLICY_NO_CACHE"] = "1"  # the examples write nothing into the user's cache
    env["PATH"] = f"{work / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(["/bin/sh", "-c", example.command], cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False)


def matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` line by line, where a line ``...`` stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.mark.parametrize("example", runnable(), ids=lambda e: f"README.md:{e.line}")
def test_readme_example_prints_what_the_readme_shows(example: Example, workdir: Path) -> None:
    done = run(example, workdir)
    assert done.returncode in (0, 1), f"README.md:{example.line}: `{example.command}` exited {done.returncode}: {done.stderr}"
    assert "error" not in done.stderr.lower(), f"README.md:{example.line}: {done.stderr}"
    if example.expected is not None:
        actual = done.stdout.splitlines()
        assert matches(example.expected, actual), (
            f"README.md:{example.line}: `{example.command}` prints something else than the README shows; "
            "update the README's block to:\n" + done.stdout
        )


def test_the_readme_has_examples_and_every_one_is_run_or_excused() -> None:
    shown = examples()
    assert len(runnable()) >= 8, [e.command for e in shown]
    for prefix in NOT_RUN:
        assert any(e.command.startswith(prefix) for e in shown), f"NOT_RUN names {prefix!r}, which the README no longer shows"


def test_the_rules_table_covers_every_rule() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("## What it checks", 1)[1].split("\n## ", 1)[0]
    covered: set[str] = set()
    for first, last in re.findall(r"^\| (VP\d{3})(?:–(VP\d{3}))?", table, flags=re.MULTILINE):
        low, high = int(first[2:]), int((last or first)[2:])
        covered.update(f"VP{number:03d}" for number in range(low, high + 1))
    codes = {rule.code for rule in load_plugins(entry_points_enabled=False).rules()}
    assert codes <= covered, sorted(codes - covered)


def test_what_may_be_excused_is_what_the_rules_allow() -> None:
    text = README.read_text(encoding="utf-8")
    sentence = re.search(r"What may be excused at all.*?is the rule's choice.*?\):(.*?)never", text, flags=re.DOTALL)
    assert sentence, "the README's 'What may be excused' sentence moved: keep this test pointing at it"
    named = set(re.findall(r"VP\d{3}", sentence.group(1)))
    waivable = {rule.code for rule in load_plugins(entry_points_enabled=False).rules() if rule.waivable}
    assert named == waivable
