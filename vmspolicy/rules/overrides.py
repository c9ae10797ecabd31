"""VP306: the repository being judged cannot weaken the policy it is judged by.

The analysis, and the configuration the run then uses, live in
:mod:`vmspolicy.analysis.overrides`; this class reports it and carries the
documentation.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.overrides import refused_overrides
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.rule import Rule
from vmspolicy.hookspecs import hookimpl


class PolicyOverrideRefused(Rule):
    """Repository configuration that tries to disable, deselect, downgrade or loosen a mandatory rule.

    What it checks
        Each policy pack names its mandatory rules (``mandatory:`` in the pack;
        the built-in packs: VP001, VP101-VP104, VP107, VP201-VP206 and VP502).
        Where several packs apply to the estate's sites, their lists add up;
        VP001 and VP306 are mandatory under every pack. The configuration
        (``.vmspolicy.yaml``, ``[tool.vmspolicy]`` in ``pyproject.toml``, a
        ``--config`` file) may tighten such a rule (raise its severity, add
        rules, pass a stricter option) but a setting that disables it
        (``disable:``, ``enabled: false``), leaves it out of ``select:``, lowers
        its severity, or changes an option the way that excuses more (a higher
        ``min_weight`` for VP104, fewer ``services`` for VP205; each rule
        declares which way its options loosen) is reported here, at the
        setting, and is not applied: the rule runs as its pack says.

    Why
        vmspolicy is a gate, and the configuration sits in the repository it
        judges. A one-line ``disable: [VP101]`` in the same pull request as a
        Hikvision camera on a sensitive site would otherwise turn the gate
        green while every report still says PASS. A different policy is
        legitimate, but it is written as a pack, named on the sites and shown
        in every report, not slipped in as a switch.

    Example (fails)
        .. code-block:: yaml

            # .vmspolicy.yaml
            disable: [VP101, VP106]        # VP101 is mandatory: refused (VP106 is not: disabled)
            rules:
              VP104: {min_weight: 0.95}    # demands stronger evidence before VP104 speaks: refused
              VP205: {severity: warning}   # a legacy camera with P2P cloud on would pass: refused

    Use instead
        Keep the mandatory rules as the pack says, and tighten where you wish:

        .. code-block:: yaml

            disable: [VP106]
            rules:
              VP104: {min_weight: 0.6}     # challenges a declared vendor on weaker evidence
              VP105: {severity: error}

        or, when your organisation's policy really differs, write a pack with
        its own ``mandatory:`` list under ``packs:`` and name it in the sites'
        ``policies:``; ``vmspolicy packs`` and every report show it.

    Options
        None. Neither waivable, nor baselinable, nor suppressible inline; it
        cannot be disabled, and its own severity cannot be lowered.
    """

    code = "VP306"
    slug = "policy-override-refused"
    severity = Severity.ERROR
    summary = "repository configuration tries to disable, deselect, downgrade or loosen a pack's mandatory rule"
    waivable = False
    baselinable = False  # a refused override is the configuration talking, not the estate: nothing to record

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for refused in refused_overrides(ctx):
            yield self.finding(refused.location, refused.message, subject=refused.subject, evidence=refused.setting)


RULES: Sequence[type[Rule]] = (PolicyOverrideRefused,)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
