"""``vmspolicy fix``: safe edits of YAML manifests (comments, key order and layout kept).

Declares off the cloud services VP205 reports on legacy restricted devices
(P2P cloud, UPnP and DDNS by default, added where they are missing), normalises MAC
notation, and scaffolds a waiver for each legacy restricted device that no
waiver names (a person must fill it in: it is VP301 until then). ``--diff``
shows the changes without writing; otherwise each file is replaced atomically.
See :mod:`vmspolicy.governance.fixes`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from vmspolicy.analysis.context import CheckContext
from vmspolicy.cli.options import EXIT_FINDINGS, EXIT_OK, CliError, add_common, estate_setup, run_options
from vmspolicy.governance.baseline import write_atomically
from vmspolicy.governance.fixes import FileFix, apply, plan


def register(subparsers: Any) -> None:
    """Add ``vmspolicy fix`` to the command line."""

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fix",
        help="safe edits: cloud services off on legacy restricted devices (VP205), MAC notation, waiver scaffolds",
        description="Edit YAML manifests in place, keeping comments, key order and layout. Nothing is approved "
        "automatically: scaffolded waivers fail VP301 until a person fills in reason, approved_by and expires.",
    )
    add_common(parser)
    parser.add_argument("--diff", action="store_true", help="print a unified diff instead of writing (exit 1 when there is something to change)")
    parser.set_defaults(func=cmd_fix)


def estate_context(args: argparse.Namespace) -> tuple[CheckContext, set[str]]:
    """Load the estate the arguments name; return the context rules would judge and the files to edit.

    With ``estate:`` in the configuration the whole estate is read (a camera is judged
    with its network), but only the files named on the command line are edited.
    """
    from vmspolicy.run.pipeline import STDIN, prepare

    if STDIN in args.paths:
        raise CliError("vmspolicy fix edits files; it cannot read stdin")
    config, host = estate_setup(args)
    options = run_options(args, config, host)  # no stdin: refused above
    prepared = prepare(options, config, host)
    if not prepared.loaded.documents:
        raise CliError(f"no manifest found in {', '.join(options.paths) or 'the configured estate'}")
    loaded_paths = {document.path for document in prepared.loaded.documents}
    editable = prepared.report_only if prepared.report_only is not None else loaded_paths
    return prepared.ctx, editable


def cmd_fix(args: argparse.Namespace) -> int:

    ctx, editable = estate_context(args)
    fixes: list[FileFix] = []
    for fix in plan(ctx):
        if fix.path not in editable:
            continue
        try:
            raw = Path(fix.path).read_bytes()
            text = raw.decode("utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{fix.path}: cannot read: {exc}") from None
        fixed = apply(fix, text)
        if b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n") and fixed.fixed is not None:
            # A Windows-edited file stays CRLF: otherwise every line of it would change, not just the fixed ones.
            fixed = replace(fixed, original=fixed.original.replace("\n", "\r\n"), fixed=fixed.fixed.replace("\n", "\r\n"))
        fixes.append(fixed)
    refused = [f for f in fixes if f.fixed is None]
    changed = [f for f in fixes if f.fixed is not None and f.fixed != f.original]
    for fix in refused:
        print(f"{fix.path}: not edited: {fix.problem}", file=sys.stderr)
        for edit in fix.edits:
            print(f"  {edit.description}", file=sys.stderr)
    if args.diff:
        sys.stdout.write("".join(f.diff() for f in changed))
        if not changed and not refused:
            print("nothing to fix", file=sys.stderr)  # stderr: standard output stays a diff (empty) for tools
        return EXIT_FINDINGS if changed or refused else EXIT_OK
    for fix in changed:
        assert fix.fixed is not None
        try:
            write_atomically(Path(fix.path), fix.fixed)
        except OSError as exc:
            raise CliError(f"cannot write {fix.path}: {exc.strerror or exc}") from None
        print(f"{fix.path}: {len(fix.edits)} edit(s)")
        for edit in fix.edits:
            print(f"  {edit.description}")
    if not changed and not refused:
        print("nothing to fix")
    return EXIT_FINDINGS if refused else EXIT_OK
