"""The compliance report's isolation column counts the findings of every isolation rule, asked of the rules module."""

from __future__ import annotations

from vmspolicy.rules import isolation
from vmspolicy.run.plugins import load_plugins


def test_every_registered_isolation_rule_is_counted_by_the_report() -> None:
    # VP2xx is the isolation range of the rule catalog (DESIGN.md): a rule there that the rules module
    # does not list would be missing from the report's isolation column.
    registered = {rule.code for rule in load_plugins(entry_points_enabled=False).rules() if rule.code.startswith("VP2")}
    assert registered == isolation.CODES
    assert isolation.IsolationUnverifiable.code in isolation.CODES
