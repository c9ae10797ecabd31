"""Every case under tests/cases produces exactly the findings it declares."""

from __future__ import annotations

import pytest

from tests.casefiles import Case, discover_cases, run_case

CASES = discover_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    code, actual, raw = run_case(case)
    assert code in (0, 1), raw
    missing = sorted(case.expected - actual, key=str)
    unexpected = sorted(actual - case.expected, key=str)
    assert not missing and not unexpected, f"missing {missing}\nunexpected {unexpected}\n{raw}"
    assert code == (1 if any(e for e in case.expected) else 0) or case.only


def test_every_rule_has_a_failing_case() -> None:
    from vmspolicy.run.plugins import load_plugins

    covered = {e[1] for c in CASES for e in c.expected}
    rules = {r.code for r in load_plugins(entry_points_enabled=False).rules()}
    assert not sorted(rules - covered), "rules without a case that makes them fire"
