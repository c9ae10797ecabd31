"""``vmspolicy baseline``: record today's findings so that ``check --baseline`` reports only new ones.

For adopting vmspolicy on an estate that already has findings: record them,
gate on new ones, and burn the baseline down. ``--update`` drops entries whose
finding is gone (fixed) and, unless ``--add`` is given, records nothing new —
so a baseline only ever shrinks by accident, never grows by accident.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vmspolicy import __version__
from vmspolicy.cli.options import EXIT_OK, CliError, add_common, estate_setup, run_options
from vmspolicy.governance.baseline import (
    BaselineEntry,
    BaselineError,
    never_recorded,
    read_baseline,
    reconcile,
    recordable,
    render_baseline,
    restricted_records,
    write_atomically,
)
from vmspolicy.governance.options import GovernanceOptions


def register(subparsers: Any) -> None:
    """Add ``vmspolicy baseline`` to the command line."""

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "baseline",
        help="record today's findings in a file, for `check --baseline` (brownfield adoption)",
        description="Record today's unsuppressed findings so that `vmspolicy check --baseline FILE` reports only new "
        "ones. Waived and inline-suppressed findings are not recorded, nor are unreadable files (VP001), restricted "
        "equipment (VP1xx), isolation (VP2xx, VP502) and schema violations of a restricted device's record: those are fixed or "
        "waived, with a reason, approver and expiry.",
    )
    add_common(parser)
    parser.add_argument("--output", "-o", required=True, type=Path, metavar="FILE", help="the baseline file to write (JSON)")
    parser.add_argument("--update", action="store_true", help="keep FILE's entries that still match, drop the fixed ones; record nothing new")
    parser.add_argument("--add", action="store_true", help="with --update: also record the findings that are new since FILE was written")
    parser.set_defaults(func=cmd_baseline)


def cmd_baseline(args: argparse.Namespace) -> int:
    from vmspolicy.run.pipeline import run

    if args.add and not args.update:
        raise CliError("--add only makes sense with --update (without --update every finding is recorded anyway)")
    previous: tuple[BaselineEntry, ...] = ()
    if args.update:
        try:
            previous = read_baseline(str(args.output)).entries
        except BaselineError as exc:
            raise CliError(str(exc)) from None
    config, host = estate_setup(args)
    # The baseline being written must not absorb anything while it is computed.
    options = run_options(args, config, host, GovernanceOptions(baseline=None))
    result = run(options)
    if not result.inputs:
        raise CliError(f"no manifest found in {', '.join(options.paths) or 'the configured estate'}")
    never = never_recorded(result.rules)
    restricted = restricted_records(result.context) if result.context is not None else frozenset()
    current = [f for f in result.findings if recordable(f, never, restricted)]
    if args.update:
        update = reconcile(previous, current, never, restricted)
        entries = list(update.kept) + (list(update.new) if args.add else [])
        note = f"{len(update.fixed)} fixed and dropped, {len(update.new)} new " + ("added" if args.add else "not added (use --add)")
    else:
        entries = [BaselineEntry.of(f) for f in current]
        note = "written from scratch"
    try:
        write_atomically(args.output, render_baseline(entries, version=__version__, as_of=result.as_of.isoformat()))
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"{args.output}: {len(entries)} finding(s) recorded ({note}); as of {result.as_of.isoformat()}.")
    excluded = sorted({f.rule for f in result.findings if f.suppressed is None and f.rule in never})
    unrecorded = sum(1 for f in result.findings if f.suppressed is None and f.rule in never)
    excused = sum(1 for f in result.findings if f.suppressed is not None)
    if unrecorded:
        print(f"not recorded: {unrecorded} finding(s) a baseline never holds ({', '.join(excluded)}): "
              "fix them, or waive them with a reason, approver and expiry")
    if excused:
        print(f"not recorded: {excused} finding(s) already waived or suppressed")
    return EXIT_OK
