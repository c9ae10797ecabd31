"""The built-in reporters, registered through the same hook as third-party ones."""

from __future__ import annotations

from typing import Sequence

from vmspolicy.plugins import hookimpl
from vmspolicy.reporters.attestation import AttestationReporter
from vmspolicy.reporters.base import Reporter
from vmspolicy.reporters.github import GitHubReporter
from vmspolicy.reporters.gitlab import GitLabReporter
from vmspolicy.reporters.json_report import JsonReporter
from vmspolicy.reporters.junit import JUnitReporter
from vmspolicy.reporters.sarif import SarifReporter
from vmspolicy.reporters.text import TextReporter


@hookimpl
def vmspolicy_reporters() -> Sequence[Reporter]:
    return (TextReporter(), JsonReporter(), SarifReporter(), JUnitReporter(), GitHubReporter(), GitLabReporter(), AttestationReporter())
