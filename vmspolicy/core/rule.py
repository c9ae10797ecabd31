"""What a rule is (the context it judges is :class:`vmspolicy.analysis.context.CheckContext`).

A rule is a class with a stable ``code`` (``VP201``), a ``slug``
(``not-segmented``), a default ``severity``, its ``options`` with defaults, and
a docstring that *is* its documentation, in the sections ``What it checks``,
``Why``, ``Example (fails)``, ``Use instead`` and ``Options`` (``vmspolicy
explain`` prints it). ``check`` receives a :class:`CheckContext` and yields
findings; rules never parse files and never print.
"""

from __future__ import annotations

import enum
import inspect
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, TypeVar

from vmspolicy.core.codes import Code
from vmspolicy.core.findings import SEVERITY_NAMES, Finding, Severity
from vmspolicy.core.source import Location

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext

T = TypeVar("T")

DOC_SECTIONS = ("What it checks", "Why", "Example (fails)", "Use instead")


class Looser(enum.Enum):
    """Which change of an option's value makes its rule excuse more than its default does (``Rule.looser``)."""

    HIGHER = "higher"  # a larger number: a higher evidence threshold, a longer grace period
    LOWER = "lower"  # a smaller number: a shorter warning window
    FEWER = "fewer"  # a list without some of the default's items: fewer services watched, fewer device types
    MORE = "more"  # a list with items the default lacks: more addresses ignored, more placeholders

    def loosens(self, default: Any, value: Any) -> bool:
        """Whether ``value`` excuses more than ``default`` in this direction."""
        if self in (Looser.HIGHER, Looser.LOWER):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(default, (int, float)):
                return bool(value != default)
            return value > default if self is Looser.HIGHER else value < default
        given = {str(v) for v in value} if isinstance(value, (list, tuple, set, frozenset)) else {str(value)}
        base = {str(v) for v in default} if isinstance(default, (list, tuple, set, frozenset)) else {str(default)}
        return bool(base - given) if self is Looser.FEWER else bool(given - base)


class Rule:
    """Base class of every rule; subclasses set the class attributes and implement :meth:`check`."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str] = ""
    options: ClassVar[Mapping[str, Any]] = {}
    # For each option, which change of its value excuses more. When a pack makes the rule mandatory,
    # configuration may change an option only the other way (VP306); an option without a direction
    # declared here may not be changed at all then, since nobody said which way is safe.
    looser: ClassVar[Mapping[str, Looser]] = {}
    # Whether a waiver (reason, approver, expiry within the pack's longest) may excuse a finding of this rule.
    waivable: ClassVar[bool] = False
    # Whether an inline comment may excuse one. A comment has a reason and an end date but no approver,
    # so what the regime says must be fixed or waived (restricted equipment, isolation) never sets this.
    inline_suppressible: ClassVar[bool] = False
    # Whether `vmspolicy baseline` may record its findings. A baseline has no reason, approver or
    # expiry, so what the regime says must be fixed or waived (restricted vendors, isolation) never goes in.
    baselinable: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # `severity = "warning"` is how a rule's severity is written in configuration and in the README,
        # so a rule class may say it so too; anything else is reported when the plugin loads.
        severity: object = cls.__dict__.get("severity")
        if isinstance(severity, str) and severity in SEVERITY_NAMES:
            cls.severity = Severity.parse(severity)

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
        return Code(cls.code, cls.slug, cls.severity).finding(location, message, subject=subject, evidence=evidence, severity=severity)

    @classmethod
    def excused_by(cls) -> str:
        """What may excuse a finding, as ``vmspolicy explain`` and the rule reference say it."""
        kinds = [kind for kind, allowed in (("waiver", cls.waivable), ("inline suppression", cls.inline_suppressible)) if allowed]
        if not kinds:
            return "no"
        return f"yes ({' or '.join(kinds)}{' only' if len(kinds) == 1 else ''})"

    @classmethod
    def documentation(cls) -> str:
        """The rule's docstring, dedented: its documentation."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def plain_documentation(cls) -> str:
        """The documentation as plain text, for a terminal: no ``.. code-block::`` lines, no double backticks."""
        import re  # only for `vmspolicy explain`

        out: list[str] = []
        after_directive = False
        for line in cls.documentation().splitlines():
            if re.fullmatch(r"\s*\.\. code-block::.*", line):
                after_directive = True
                continue
            if after_directive and not line.strip():
                after_directive = False
                continue  # the blank line a directive needs
            after_directive = False
            out.append(line)
        return re.sub(r"``([^`]+?)``", r"\1", "\n".join(out))  # a literal may run over a line break

    @classmethod
    def short_description(cls) -> str:
        """One line: the summary, else the first line of the documentation."""
        if cls.summary:
            return cls.summary
        doc = cls.documentation()
        return doc.splitlines()[0] if doc else cls.slug
