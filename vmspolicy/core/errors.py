"""The errors that end a run: each carries its exit code and is printed as one line, never a traceback.

Unreadable or wrong input is not among them: that is a finding (VP001, VP002),
and fails the gate with exit code 1 like any other.
"""

from __future__ import annotations

from typing import ClassVar


class VmspolicyError(Exception):
    """An error the command line reports as ``vmspolicy: {kind}: {message}`` and ends with ``exit_code``."""

    exit_code: ClassVar[int] = 2
    kind: ClassVar[str] = "error"


class UsageError(VmspolicyError):
    """A problem with what was asked (a missing path, an unknown profile, an unusable baseline): exit code 2."""

    kind: ClassVar[str] = "error"


class ConfigError(VmspolicyError):
    """A configuration that cannot be used; ``location`` is ``path:line:col`` where known."""

    kind: ClassVar[str] = "error"

    def __init__(self, message: str, location: str = "") -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class PluginError(VmspolicyError):
    """A plugin that could not be loaded or that failed while running; the message names it."""

    kind: ClassVar[str] = "plugin error"

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(f"plugin {plugin!r}: {message}")
        self.plugin = plugin
