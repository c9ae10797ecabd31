"""The command line: :func:`main` (the console script), the shared options, one module per command.

:mod:`vmspolicy.cli.program` builds the parser and turns a command's outcome
into an exit code; :mod:`vmspolicy.cli.options` holds what the commands share;
each other module is one command. Nothing below this package sees argparse.
"""

from __future__ import annotations

from vmspolicy.cli.program import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
