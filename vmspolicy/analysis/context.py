"""The context a rule judges: the estate, its documents, the day, the packs, vendor data and configuration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TypeVar

from vmspolicy.analysis.analyses import Analyses
from vmspolicy.core.model import Estate
from vmspolicy.core.source import Document

if TYPE_CHECKING:
    from vmspolicy.analysis.identify import KnownVerdicts
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
    known_verdicts: KnownVerdicts | None = None
    reported: frozenset[str] | None = None  # the files whose findings the run reports (None: every file)
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

    def documents_reported(self, code: str) -> Sequence[Document]:
        """The documents a rule ``code`` reads when each of its findings lies in the document it read it from.

        Those of the files whose findings are reported (a pre-commit run with ``estate:``
        reports the files it was given), since the others' findings would be dropped; but
        every document when a waiver of a reported file could excuse ``code``, since whether
        that waiver is still needed (VP304) depends on the findings about its devices,
        wherever they lie.
        """
        reported = self.reported
        if reported is None or any(
            w.origin.path in reported and (w.rules is None or code in w.rules) for w in self.estate.waivers.values()
        ):
            return self.documents
        return [doc for doc in self.documents if doc.path in reported]

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
