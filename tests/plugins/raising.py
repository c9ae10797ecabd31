"""A plugin whose rule raises while it runs."""

from __future__ import annotations

from typing import Iterable, Sequence

from vmspolicy import CheckContext, Finding, Rule, hookimpl


class Explodes(Rule):
    """Raises.

    What it checks
        Nothing.

    Why
        To prove a crash is never a pass.

    Example (fails)
        Any estate.

    Use instead
        A plugin that works.

    Options
        None.
    """

    code = "VP902"
    slug = "explodes"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        raise RuntimeError("boom")


@hookimpl
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return (Explodes,)
