"""Subcommands beyond ``check``, ``rules`` and ``explain`` (see ``cli.COMMAND_MODULES``).

Every module here is imported when the command line is built for one of them,
so this package imports nothing heavy at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from vmspolicy.config import Config
    from vmspolicy.plugins import PluginHost


def estate_setup(args: argparse.Namespace) -> tuple[Config, PluginHost]:
    """The configuration and the plugins of a command that reads an estate, its rule settings checked.

    Every estate-reading command goes through here, so that an unknown rule or
    a rule option of the wrong name or type is exit 2 with the file and line
    of the setting, before anything is read, whichever command meets it.
    """
    from vmspolicy.cli import plugins_for, resolve_config
    from vmspolicy.config import check_rule_settings

    config = resolve_config(args)
    host = plugins_for(args)
    check_rule_settings(config, host.rules())
    return config, host
