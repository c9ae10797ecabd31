"""``vmspolicy check``: judge an estate and report the findings in the formats asked for."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmspolicy.cli.options import EXIT_FINDINGS, EXIT_OK, CliError, add_common, estate_setup, is_terminal, run_options, use_color
from vmspolicy.core.config import Config
from vmspolicy.core.errors import PluginError
from vmspolicy.core.findings import SEVERITY_NAMES
from vmspolicy.governance.options import GovernanceOptions
from vmspolicy.run.cache_writer import say_with
from vmspolicy.run.pipeline import RunOptions
from vmspolicy.run.plugins import PluginHost, guarded

if TYPE_CHECKING:
    from vmspolicy.reporters.base import Run


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"not a number of processes (0 or more): {text!r}")
    return jobs or os.cpu_count() or 1


def register(subparsers: Any) -> None:
    """Add ``vmspolicy check`` to the command line."""
    check: argparse.ArgumentParser = subparsers.add_parser("check", help="check manifests and other estate files")
    add_common(check)
    check.add_argument(
        "--format", default="text", metavar="FORMAT",
        help="output format on stdout: text (default), json, sarif, junit, github, gitlab, attestation, or one a plugin adds",
    )
    check.add_argument("--output", action="append", default=[], metavar="FORMAT:FILE", help="also write FORMAT to FILE (repeatable)")
    check.add_argument("--fail-on", choices=SEVERITY_NAMES, help="lowest severity that fails the run (default: error)")
    check.add_argument("--allow-empty", action="store_true", help="exit 0 when no manifest is found (pre-commit on unrelated files)")
    check.add_argument("--whole-estate", action="store_true",
                       help="PATHS are changed files: check the whole estate (the configured one, else the working directory) "
                            "if one of them is a file of it, else nothing (the vmspolicy-estate pre-commit hook)")
    check.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                       help="load files in N processes (0: one per CPU; default 1); output is the same as a serial run")
    add_governance_arguments(check)
    check.set_defaults(func=cmd_check)


def add_governance_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vmspolicy check`` that say how waivers, inline suppressions and baselines apply."""
    group = parser.add_argument_group("exceptions (waivers, inline suppressions, baselines)")
    group.add_argument(
        "--baseline", metavar="FILE",
        help="report only findings not recorded in FILE (written by `vmspolicy baseline`); recorded ones show as suppressed",
    )
    group.add_argument(
        "--no-inline-suppressions", action="store_true",
        help="ignore `# vmspolicy: ignore[...]` comments (a gate that accepts only waivers and baselines)",
    )
    group.add_argument(
        "--report-unused-suppressions", action="store_true",
        help="report inline suppressions that suppress nothing (VP305)",
    )


def governance_options(args: argparse.Namespace) -> GovernanceOptions:
    """The governance options :func:`add_governance_arguments` added, as the governance stage takes them."""
    return GovernanceOptions(
        baseline=args.baseline or None,
        inline_suppressions=not args.no_inline_suppressions,
        report_unused_suppressions=args.report_unused_suppressions,
    )


def cmd_check(args: argparse.Namespace) -> int:
    from vmspolicy.run.pipeline import run

    config, host = estate_setup(args)
    reporters = host.reporters()
    outputs: list[tuple[str, Path]] = []
    for spec in args.output:
        name, sep, file = spec.partition(":")
        if not sep or not file:
            raise CliError(f"--output {spec!r}: expected FORMAT:FILE, e.g. sarif:results.sarif")
        outputs.append((name, Path(file)))
    for name in [args.format, *(n for n, _ in outputs)]:
        if name not in reporters:
            raise CliError(f"unknown format {name!r}; available: {', '.join(sorted(reporters))}")
    # Only the findings are reported: a pre-commit run with estate: models only what the named files' findings depend on.
    options = replace(run_options(args, config, host, governance_options(args)), scope=True)
    # The console script leaves the run's cache writes to a detached process once this returns (cache_writer): -v says so.
    say_with(options.verbose)
    if args.whole_estate:
        whole = _whole_estate(options, config)
        if whole is None:
            return EXIT_OK
        options = whole
    result = run(options)
    if not result.inputs and not result.findings and not args.allow_empty:
        # A named file that cannot be read (a link that loops) is a finding, not "nothing found" (exit 2).
        skipped = f" ({len(result.skipped)} file(s) skipped; -v says which and why)" if result.skipped else ""
        raise CliError(f"no manifest found in {', '.join(options.paths) or 'the configured estate'}{skipped}")
    if not result.inputs and "attestation" in [args.format, *(n for n, _ in outputs)]:
        # An in-toto statement names at least one subject: with nothing checked there is nothing to attest.
        raise CliError("no input file to attest: an in-toto statement needs at least one subject (drop --allow-empty or the attestation output)")
    stdout = sys.stdout
    color = use_color(stdout) and args.format == "text"
    framed = False
    if args.format == "text" and is_terminal(stdout):
        from vmspolicy.reporters.text import TextReporter

        # The built-in text format (not a plugin's replacement), read by a person: show the lines that do not parse.
        registered = host.reporters()[args.format]
        framed = isinstance(getattr(registered, "reporter", registered), TextReporter)
    stdout.write(TextReporter(frames=True).render(result, color=color) if framed else render(host, args.format, result, color=color))
    if os.environ.get("GITHUB_ACTIONS") == "true" and "github" in reporters and args.format != "github":
        # The runner reads workflow commands from stdout and stderr; a machine-readable format on
        # stdout (json, sarif...) must stay parseable, so the annotations go to stderr then.
        annotations = sys.stdout if args.format == "text" else sys.stderr
        annotations.write(render(host, "github", result))
    for name, file in outputs:
        text = render(host, name, result)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {file}: {exc.strerror or exc}") from None
    return EXIT_FINDINGS if result.failing else EXIT_OK


def render(host: PluginHost, name: str, result: Run, *, color: bool = False) -> str:
    """The report in format ``name``; a reporter that raises or returns no text is a :class:`PluginError` naming its plugin."""
    plugin = host.reporter_plugin(name)
    text = guarded(plugin, f"reporter {name!r}", functools.partial(host.reporters()[name].render, result, color=color))
    if not isinstance(text, str):
        raise PluginError(plugin, f"reporter {name!r} returned {type(text).__name__}, not the report as a string")
    return text


def _whole_estate(changes: RunOptions, config: Config) -> RunOptions | None:
    """The run over the whole estate, when a changed file named in ``changes`` is the estate's; else None.

    With ``estate:`` configured, a file is the estate's when the globs name it; without, when
    a check of it reads it (a manifest, a near-manifest or a recognised format).
    """
    from vmspolicy.core.source import display_path
    from vmspolicy.run.pipeline import estate_files, run

    whole = replace(changes, paths=[] if config.estate else ["."])
    if not changes.paths:
        return whole
    if config.estate:
        members = {shown for shown, _ in estate_files(config).files}
        changed = [p for p in changes.paths if display_path(p) in members]
    else:
        changed = [i.path for i in run(changes).inputs]
    if not changed:
        changes.verbose("no file of the estate changed: the whole-estate check has nothing to do")
        return None
    return whole
