"""What a rule is, and the context it judges.

A rule is a class with a stable ``code`` (``VP201``), a ``slug``
(``not-segmented``), a default ``severity``, its ``options`` with defaults, and
a docstring that *is* its documentation, in the sections ``What it checks``,
``Why``, ``Example (fails)``, ``Use instead`` and ``Options`` (``vmspolicy
explain`` prints it). ``check`` receives a :class:`CheckContext` and yields
findings; rules never parse files and never print.
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Mapping, Sequence, TypeVar

from vmspolicy.findings import Finding, Severity
from vmspolicy.model import Estate
from vmspolicy.source import Document, Location

T = TypeVar("T")

DOC_SECTIONS = ("What it checks", "Why", "Example (fails)", "Use instead")


@dataclass
class CheckContext:
    """Everything a rule may look at during one run.

    Analyses that several rules share (vendor identification, reachability)
    are computed once on first use through :meth:`memo`.
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
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[CheckContext], T]) -> T:
        """Compute a shared analysis once per run and return the cached result afterwards."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        result: T = self._memo[key]
        return result

    def options_for(self, rule: type[Rule]) -> dict[str, Any]:
        """The rule's options: its defaults overlaid with what the configuration set."""
        merged = dict(rule.options)
        merged.update(self.rule_options.get(rule.code, {}))
        return merged


class Rule:
    """Base class of every rule; subclasses set the class attributes and implement :meth:`check`."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str] = ""
    options: ClassVar[Mapping[str, Any]] = {}
    # Whether a waiver or an inline comment may excuse a finding of this rule.
    waivable: ClassVar[bool] = False
    # Whether `vmspolicy baseline` may record its findings. A baseline has no reason, approver or
    # expiry, so what the regime says must be fixed or waived (restricted vendors, isolation) never goes in.
    baselinable: ClassVar[bool] = True

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        """Yield findings for ``ctx``; the default finds nothing (rules emitted by the pipeline)."""
        return ()

    @classmethod
    def finding(
        cls,
        location: Location,
        message: str,
        *,
        subject: str | None = None,
        evidence: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule at ``location``."""
        return Finding(
            rule=cls.code,
            slug=cls.slug,
            severity=severity or cls.severity,
            location=location,
            message=message,
            subject=subject,
            evidence=evidence,
        )

    @classmethod
    def documentation(cls) -> str:
        """The rule's docstring, dedented: its documentation."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def short_description(cls) -> str:
        """One line: the summary, else the first line of the documentation."""
        if cls.summary:
            return cls.summary
        doc = cls.documentation()
        return doc.splitlines()[0] if doc else cls.slug
