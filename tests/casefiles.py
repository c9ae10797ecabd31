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
set of (file, code, line, column, subject) exactly. Reading and running cases is
:mod:`vmspolicy.testing`, the helper plugins test their own rules with.
"""

from __future__ import annotations

from pathlib import Path

from vmspolicy.testing import Case, Expected, find_cases
from vmspolicy.testing import run_case as run_testing_case

CASES = Path(__file__).parent / "cases"

__all__ = ["CASES", "Case", "Expected", "discover_cases", "run_case"]


def discover_cases() -> list[Case]:
    return find_cases(CASES)


def run_case(case: Case) -> tuple[int, set[Expected], str]:
    """Run the case without plugins; return the exit code, the actual findings (filtered by ``only``) and the raw JSON."""
    outcome = run_testing_case(case, "--no-plugins")
    return outcome.run.exit_code, set(outcome.found), outcome.run.stdout
