"""The context a rule judges: the estate, its documents, the day, the packs, vendor data and configuration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TypeVar

from vmspolicy.analysis.analyses import Analyses
from vmspolicy.core.model import Estate
from vmspolicy.core.source import Document

if TYPE_CHECKING:
    from vmspolicy.analysis.identify import DeviceFacts, Verdict
    from vmspolicy.core.config import Config
    from vmspolicy.core.rule import Rule

T = TypeVar("T")


@dataclass
class CheckContext:
    """Everything a rule may look at during one run.

    The analyses that several rules share (vendor identification, policy,
    reachability, waivers) are the typed properties of :attr:`analyses`,
    each computed once on first use; a plugin keeps its own through :meth:`memo`.
    """

    estate: Estate
    documents: Sequence[Document]
    as_of: dt.date
    profiles: tuple[str, ...] = ()
    strict: bool = False
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    vendor_data: Sequence[Mapping[str, Any]] = ()
    packs: Sequence[Mapping[str, Any]] = ()
    rules: Sequence[type[Rule]] = ()  # every registered rule, enabled or not
    config: Config | None = None  # the configuration as written, refused settings included (VP306 judges it)
    enabled: frozenset[str] | None = None  # the codes of the rules this run runs (None: every registered one)
    # Verdicts earlier runs computed, by the facts they were computed from (the run's verdict store); None: identify every device.
    known_verdicts: Mapping[DeviceFacts, Verdict] | None = None
    added_verdicts: dict[DeviceFacts, Verdict] = field(default_factory=dict)  # the verdicts this run computed that known_verdicts lacked
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # The built-in analyses the rules share, each computed on first use.
    analyses: Analyses = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.analyses = Analyses(self)

    def memo(self, key: str, compute: Callable[[CheckContext], T]) -> T:
        """Compute a plugin's own shared analysis once per run and return the cached result afterwards.

        The built-in analyses are the typed properties of :attr:`analyses`.
        """
        if key not in self._memo:
            self._memo[key] = compute(self)
        result: T = self._memo[key]
        return result

    def runs(self, code: str) -> bool:
        """Whether rule ``code`` runs in this run: a rule that leaves a case to another must know that one speaks."""
        return self.enabled is None or code in self.enabled

    def options_of(self, code: str) -> dict[str, Any]:
        """The options of the registered rule ``code``, as :meth:`options_for` gives them (only the configured ones if none is)."""
        for rule in self.rules:
            if rule.code == code:
                return self.options_for(rule)
        return dict(self.rule_options.get(code, {}))

    def options_for(self, rule: type[Rule]) -> dict[str, Any]:
        """The rule's options: its defaults overlaid with what the configuration set."""
        merged = dict(rule.options)
        merged.update(self.rule_options.get(rule.code, {}))
        return merged
