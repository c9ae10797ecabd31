"""Which rules exist, and which of them a waiver or an inline comment may excuse.

Whether a rule is excusable is the rule's own ``waivable`` and
``inline_suppressible`` flags, never a list kept here: a plugin rule that
declares ``waivable = True`` can be waived like VP103 and VP105, and VP101,
VP2xx or VP001 (``waivable = False``) never can. The two flags are separate
because the two exceptions are not alike: a waiver names its approver and is
bounded by the pack, a comment only says why and until when. Restricted
equipment (VP103, VP105) is waivable but never inline-suppressible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmspolicy.core.records import record

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext


@record(frozen=True, slots=True)
class RuleCatalog:
    """The codes of every rule known in this run, and the excusable ones among them."""

    known: frozenset[str]
    waivable: frozenset[str]  # by a waiver
    inline: frozenset[str] = frozenset()  # by an inline comment

    def describe_waivable(self) -> str:
        """``VP103, VP105`` (or a note that no rule is excusable)."""
        return ", ".join(sorted(self.waivable)) or "no rule in this run"

    def describe_inline(self) -> str:
        """``VP401, VP501`` (or a note that no rule may be suppressed inline)."""
        return ", ".join(sorted(self.inline)) or "no rule in this run"


def rule_catalog(ctx: CheckContext) -> RuleCatalog:
    """The rule catalog of the run (computed once per run)."""
    return ctx.analyses.rule_catalog


def build(ctx: CheckContext) -> RuleCatalog:
    # The rules the plugin host registered for this run (built-ins and entry points).
    known = {rule.code for rule in ctx.rules}
    waivable = {rule.code for rule in ctx.rules if rule.waivable}
    inline = {rule.code for rule in ctx.rules if rule.inline_suppressible}
    return RuleCatalog(frozenset(known), frozenset(waivable), frozenset(inline))
