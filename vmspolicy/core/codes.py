"""The built-in rule codes that the stages below the rules create findings of, or ask about, by code.

Loading, validation and modelling report VP001–VP004 as they meet them, and
governance reports VP304 and VP305; they know these rules by their code, slug
and default severity, declared once here. The rule classes in
:mod:`vmspolicy.rules` take the same values and add the documentation and the
check; nothing below the rules imports a rule class.
"""

from __future__ import annotations

from typing import Final

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.records import record
from vmspolicy.core.source import Location


@record(frozen=True, slots=True)
class Code:
    """A built-in rule as the stages below the rules know it."""

    code: str
    slug: str
    severity: Severity = Severity.ERROR

    def finding(self, location: Location, message: str, *, subject: str | None = None, evidence: str = "",
                severity: Severity | None = None) -> Finding:
        """A finding of this rule at ``location`` (``Rule.finding`` makes its findings here too)."""
        return Finding(
            rule=self.code,
            slug=self.slug,
            severity=severity or self.severity,
            location=location,
            message=message,
            subject=subject,
            evidence=evidence,
        )


PARSE_ERROR: Final = Code("VP001", "parse-error")
SCHEMA_VIOLATION: Final = Code("VP002", "schema-violation")
UNLISTED_SCHEMA_ERRORS: Final = "schema-errors-not-listed"
"""The evidence of the VP002 that counts a file's schema errors beyond those listed one by one:
its fingerprint stays the same as the count changes. Like every VP002 that names no record, no
baseline holds it (it may stand for errors in restricted equipment's records)."""
UNKNOWN_REFERENCE: Final = Code("VP003", "unknown-reference")
DUPLICATE_IDENTITY: Final = Code("VP004", "duplicate-identity")
CLOUD_SERVICES_ENABLED: Final = Code("VP205", "cloud-services-enabled")
ISOLATION_UNVERIFIABLE: Final = Code("VP206", "isolation-unverifiable")
EXPIRING_WAIVER: Final = Code("VP303", "waiver-expiring", Severity.WARNING)
UNUSED_WAIVER: Final = Code("VP304", "waiver-unused", Severity.WARNING)
INVALID_SUPPRESSION: Final = Code("VP305", "suppression-invalid")

ISOLATION: Final = frozenset({"VP201", "VP202", "VP203", "VP204", "VP205", "VP206"})
"""The isolation rules of legacy restricted devices (VP2xx)."""
