"""What the commands share: exit codes, the options of every estate-reading command, and how they become a run.

The parsed command line stays here: below the command line, a run sees
:class:`vmspolicy.run.pipeline.RunOptions` and the stages their own frozen options,
never an argparse object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from vmspolicy.core.config import Config, check_rule_settings, find_config, load_config, with_overrides
from vmspolicy.core.errors import UsageError
from vmspolicy.core.findings import Severity
from vmspolicy.governance.options import GovernanceOptions
from vmspolicy.run.cache import ENV_DISABLE, FOLDER_NAME, cache_folder
from vmspolicy.run.pipeline import STDIN, RunOptions, max_file_bytes
from vmspolicy.run.plugins import PluginHost, load_plugins

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CliError(UsageError):
    """A usage problem of the command line, reported as ``vmspolicy: error: ...`` with exit code 2."""


def as_date(text: str) -> dt.date:
    """``--as-of``: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by the commands that read an estate."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files and folders to check (folders recursively); - reads stdin (YAML, JSON or XML, told by content)")
    parser.add_argument("--config", type=Path, help="configuration file (default: nearest .vmspolicy.yaml or pyproject.toml)")
    parser.add_argument("--profile", action="append", default=[], metavar="NAME", help="policy pack to apply (repeatable)")
    parser.add_argument("--as-of", type=as_date, metavar="DATE", help="judge waivers, suppressions and cut-offs as of this day (default: today, UTC)")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="the name to report for input read from stdin; its suffix sets the format (e.g. bom.csv)")
    parser.add_argument("--strict", action="store_true", default=None, help="an unidentified vendor (VP106) is an error")
    parser.add_argument("-v", "--verbose", action="store_true", help="say which files were read, which skipped or excluded, and why")
    parser.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins (entry points)")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help=f"keep the load cache in DIR (default: {FOLDER_NAME}/ beside the configuration, else the user cache directory)")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"read every file afresh and keep nothing (also: {ENV_DISABLE}=1, or cache: false in the configuration)")


def resolve_config(args: argparse.Namespace) -> Config:
    """The configuration file's settings, overridden by the command line (each command has some of these options)."""
    path = args.config if getattr(args, "config", None) else find_config(Path.cwd())
    fail_on = getattr(args, "fail_on", None)
    return with_overrides(load_config(path), profiles=getattr(args, "profile", None) or (),
                          fail_on=Severity.parse(fail_on) if fail_on else None, strict=getattr(args, "strict", None))


def plugins_for(args: argparse.Namespace) -> PluginHost:
    """The plugins of a run: the built-in ones, and the installed ones unless ``--no-plugins``."""
    return load_plugins(entry_points_enabled=not getattr(args, "no_plugins", False))


def estate_setup(args: argparse.Namespace) -> tuple[Config, PluginHost]:
    """The configuration and the plugins of a command that reads an estate, its rule settings checked.

    Every estate-reading command goes through here, so that an unknown rule or
    a rule option of the wrong name or type is exit 2 with the file and line
    of the setting, before anything is read, whichever command meets it.
    """
    config = resolve_config(args)
    host = plugins_for(args)
    check_rule_settings(config, host.rules())
    return config, host


def run_options(args: argparse.Namespace, config: Config, host: PluginHost, governance: GovernanceOptions | None = None) -> RunOptions:
    """What a run reads, from the options every estate-reading command shares (:func:`add_common`),
    with the configuration and plugins :func:`estate_setup` gave.

    No paths means the configured estate, else the working directory; ``-`` reads stdin.
    ``governance``: how waivers, suppressions and baselines apply (default: as the configuration says).
    """
    paths = list(args.paths) or ([] if config.estate else ["."])
    options = RunOptions(
        paths=paths,
        stdin_filename=args.stdin_filename,
        # One byte past the limit says the input is too large: an endless stream is VP001, not exhausted memory.
        stdin_bytes=sys.stdin.buffer.read(max_file_bytes(config) + 1) if STDIN in paths else None,
        jobs=getattr(args, "jobs", 1),
        governance=governance or GovernanceOptions(),
        config=config,
        plugins=host,
        cache_dir=None if getattr(args, "no_cache", False) else cache_folder(config.path, getattr(args, "cache_dir", None)),
    )
    if args.verbose:
        options = replace(options, verbose=_to_stderr)
    if args.as_of:
        options = replace(options, as_of=args.as_of)
    return options


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def use_color(stream: TextIO) -> bool:
    """Colour on a terminal that can show it: never with NO_COLOR (https://no-color.org), always with
    FORCE_COLOR (a CI log that renders colour), never on TERM=dumb (an editor's output pane)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)
