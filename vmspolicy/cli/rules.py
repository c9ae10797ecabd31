"""``vmspolicy rules``: every rule, one line each, or every rule's documentation in Markdown (docs/rules.md)."""

from __future__ import annotations

import argparse
from typing import Any

from vmspolicy.cli import options
from vmspolicy.cli.options import EXIT_OK


def register(subparsers: Any) -> None:
    """Add ``vmspolicy rules`` to the command line."""
    rules: argparse.ArgumentParser = subparsers.add_parser("rules", help="list every rule: code, slug, severity, summary")
    rules.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins")
    rules.add_argument("--format", choices=("text", "markdown"), default="text",
                       help="text: one line per rule (default); markdown: every rule's documentation (docs/rules.md)")
    rules.set_defaults(func=cmd_rules)


def cmd_rules(args: argparse.Namespace) -> int:
    host = options.plugins_for(args)
    if args.format == "markdown":
        from vmspolicy.reporters.common import rules_reference

        print(rules_reference(host.rules()), end="")
        return EXIT_OK
    for rule in host.rules():
        print(f"{rule.code}  {rule.slug:<38} {rule.severity.label:<8} {rule.short_description()}")
    return EXIT_OK
