"""The built-in reporters, registered through the same hook as third-party ones."""

from __future__ import annotations

from typing import Sequence

from vmspolicy.plugins import hookimpl
from vmspolicy.reporters.base import Reporter
from vmspolicy.reporters.json_report import JsonReporter
from vmspolicy.reporters.text import TextReporter


@hookimpl
def vmspolicy_reporters() -> Sequence[Reporter]:
    return (TextReporter(), JsonReporter())
