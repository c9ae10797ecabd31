"""``vmspolicy explain CODE``: one rule's documentation, as plain text."""

from __future__ import annotations

import argparse
from typing import Any

from vmspolicy.cli import options
from vmspolicy.cli.options import EXIT_OK, CliError


def register(subparsers: Any) -> None:
    """Add ``vmspolicy explain`` to the command line."""
    explain: argparse.ArgumentParser = subparsers.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="rule code or slug, e.g. VP201 or not-segmented")
    explain.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins")
    explain.set_defaults(func=cmd_explain)


def cmd_explain(args: argparse.Namespace) -> int:
    from vmspolicy.analysis.policy import CORE_MANDATORY
    from vmspolicy.core.citations import references

    host = options.plugins_for(args)
    wanted = args.code.strip()
    for rule in host.rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.slug:
            print(f"{rule.code} {rule.slug} [{rule.severity.label}] (waivable: {rule.excused_by()})\n")
            print(rule.plain_documentation())
            cited = references(rule.code, host.packs(), CORE_MANDATORY)
            if cited:
                print(f"\n{cited}", end="")
            return EXIT_OK
    raise CliError(f"no rule {wanted!r}; `vmspolicy rules` lists them")
