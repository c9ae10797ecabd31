"""The ``vmspolicy`` command line.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage,
configuration, plugin or internal error. Unreadable input is a finding
(VP001), so it fails the gate with 1, not 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import importlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Sequence, TextIO

from vmspolicy import __version__, governance
from vmspolicy.config import Config, ConfigError, find_config, load_config
from vmspolicy.findings import SEVERITY_NAMES, Severity
from vmspolicy.pipeline import STDIN, RunOptions, UsageError
from vmspolicy.plugins import PluginError, PluginHost, guarded, load_plugins

if TYPE_CHECKING:
    from vmspolicy.reporters.base import RunResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Subcommands beyond check/rules/explain: modules with ``register(subparsers)``.
BUILTIN_COMMANDS = frozenset({"check", "rules", "explain"})
COMMAND_MODULES: tuple[str, ...] = (
    "vmspolicy.commands.identify",
    "vmspolicy.commands.packs",
    "vmspolicy.commands.graph",
    "vmspolicy.commands.baseline",
    "vmspolicy.commands.fix",
    "vmspolicy.commands.report",
    "vmspolicy.commands.schema",
)


class CliError(Exception):
    """A usage problem reported as ``vmspolicy: error: ...`` with exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"not a number of processes (0 or more): {text!r}")
    return jobs or os.cpu_count() or 1


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by the commands that read an estate."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files and folders to check (folders recursively); - reads stdin (YAML, JSON or XML, told by content)")
    parser.add_argument("--config", type=Path, help="configuration file (default: nearest .vmspolicy.yaml or pyproject.toml)")
    parser.add_argument("--profile", action="append", default=[], metavar="NAME", help="policy pack to apply (repeatable)")
    parser.add_argument("--as-of", type=_date, metavar="DATE", help="judge waivers, suppressions and cut-offs as of this day (default: today, UTC)")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="the name to report for input read from stdin; its suffix sets the format (e.g. bom.csv)")
    parser.add_argument("--strict", action="store_true", default=None, help="an unidentified vendor (VP106) is an error")
    parser.add_argument("-v", "--verbose", action="store_true", help="say which files were read, which skipped or excluded, and why")
    parser.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins (entry points)")


class _Version(argparse.Action):
    """``--version``: vmspolicy's version, then the installed plugins with their distributions, as pytest lists its own."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option: str | None = None) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    from vmspolicy.plugins import installed_plugins

    lines = [f"vmspolicy {__version__}"]
    plugins = installed_plugins()
    if plugins:
        lines.append("registered third-party plugins:")
        lines += [f"  {plugin.label}" for plugin in plugins]
    return "\n".join(lines)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The command line; ``commands=False`` leaves out the COMMAND_MODULES subcommands (not imported)."""
    parser = argparse.ArgumentParser(
        prog="vmspolicy",
        description="Policy-as-code for video-surveillance estates: forbid restricted vendors, prove legacy cameras are isolated.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and the installed plugins, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check manifests and other estate files")
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
    governance.add_check_arguments(check)
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="list every rule: code, slug, severity, summary")
    rules.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins")
    rules.add_argument("--format", choices=("text", "markdown"), default="text",
                       help="text: one line per rule (default); markdown: every rule's documentation (docs/rules.md)")
    rules.set_defaults(func=cmd_rules)

    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="rule code or slug, e.g. VP201 or not-segmented")
    explain.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins")
    explain.set_defaults(func=cmd_explain)

    for name in COMMAND_MODULES if commands else ():
        importlib.import_module(name).register(sub)
    return parser


def resolve_config(args: argparse.Namespace) -> Config:
    """The configuration file's settings, overridden by the command line."""
    path = args.config if getattr(args, "config", None) else find_config(Path.cwd())
    config = load_config(path)
    changes: dict[str, Any] = {}
    if getattr(args, "profile", None):
        changes["profiles"] = tuple(args.profile)
    if getattr(args, "fail_on", None):
        changes["fail_on"] = Severity.parse(args.fail_on)
    if getattr(args, "strict", None):
        changes["strict"] = True
    if changes:
        changes["command_line"] = tuple(sorted(changes))
    return replace(config, **changes) if changes else config


def run_options(args: argparse.Namespace, config: Config, *, stage_args: argparse.Namespace | None = None) -> RunOptions:
    """What a run reads, from the options every estate-reading command shares (:func:`add_common`).

    No paths means the configured estate, else the working directory; ``-`` reads stdin.
    ``stage_args`` replaces the arguments the stages see (``baseline`` runs with no baseline).
    """
    paths = list(args.paths) or ([] if config.estate else ["."])
    options = RunOptions(
        paths=paths,
        stdin_filename=args.stdin_filename,
        stdin_bytes=sys.stdin.buffer.read() if STDIN in paths else None,
        args=args if stage_args is None else stage_args,
        jobs=getattr(args, "jobs", 1),
    )
    if args.verbose:
        options.verbose = lambda message: print(message, file=sys.stderr)
    if args.as_of:
        options.as_of = args.as_of
    return options


def plugins_for(args: argparse.Namespace) -> PluginHost:
    return load_plugins(entry_points_enabled=not getattr(args, "no_plugins", False))


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


def cmd_check(args: argparse.Namespace) -> int:
    from vmspolicy.commands import estate_setup
    from vmspolicy.pipeline import check

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
    options = run_options(args, config)
    if args.whole_estate:
        whole = _whole_estate(options, config, host)
        if whole is None:
            return EXIT_OK
        options = whole
    result = check(options, config, host)
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


def render(host: PluginHost, name: str, result: RunResult, *, color: bool = False) -> str:
    """The report in format ``name``; a reporter that raises or returns no text is a :class:`PluginError` naming its plugin."""
    plugin = host.reporter_plugin(name)
    text = guarded(plugin, f"reporter {name!r}", functools.partial(host.reporters()[name].render, result, color=color))
    if not isinstance(text, str):
        raise PluginError(plugin, f"reporter {name!r} returned {type(text).__name__}, not the report as a string")
    return text


def _whole_estate(options: RunOptions, config: Config, host: PluginHost) -> RunOptions | None:
    """The run over the whole estate, when a changed file named in ``options`` is the estate's; else None.

    With ``estate:`` configured, a file is the estate's when the globs name it; without, when
    a check of it reads it (a manifest, a near-manifest or a recognised format).
    """
    from vmspolicy.pipeline import check, display_path, estate_files

    whole = replace(options, paths=[] if config.estate else ["."])
    if not options.paths:
        return whole
    if config.estate:
        members = {shown for shown, _ in estate_files(config).files}
        changed = [p for p in options.paths if display_path(p) in members]
    else:
        changed = [i.path for i in check(options, config, host).inputs]
    if not changed:
        options.verbose("no file of the estate changed: the whole-estate check has nothing to do")
        return None
    return whole


def cmd_rules(args: argparse.Namespace) -> int:
    host = plugins_for(args)
    if args.format == "markdown":
        from vmspolicy.reporters.common import rules_reference

        print(rules_reference(host.rules()), end="")
        return EXIT_OK
    for rule in host.rules():
        print(f"{rule.code}  {rule.slug:<38} {rule.severity.label:<8} {rule.short_description()}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from vmspolicy.citations import references
    from vmspolicy.policy import CORE_MANDATORY

    host = plugins_for(args)
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


def _without_cycle_collector(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    # A command builds its estate and its report and frees little before it ends, so the cyclic
    # collector would rescan that growing heap for nothing (see pipeline.check): 8% of the CPU of a
    # 100,000-camera check, spent after the check itself. Back on when the command returns.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return command(args)
    finally:
        if enabled:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `check` in a pre-commit hook needs none of the other commands: importing them all would
    # cost every commit their start-up time (see benchmarks/README.md).
    parser = build_parser(commands=not argv or argv[0] not in BUILTIN_COMMANDS)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        code = _without_cycle_collector(args.func, args)
        return code
    except (CliError, ConfigError, UsageError) as exc:
        print(f"vmspolicy: error: {exc}", file=sys.stderr)
    except PluginError as exc:
        print(f"vmspolicy: plugin error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("vmspolicy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except OSError as exc:  # the environment, not a bug: a full disk under `> report.json`, a vanished directory
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"vmspolicy: error: {exc.strerror or exc}{where}", file=sys.stderr)
    except Exception as exc:
        if os.environ.get("VMSPOLICY_DEBUG"):
            raise
        print(
            f"vmspolicy: internal error: {type(exc).__name__}: {exc} "
            "(set VMSPOLICY_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
    return EXIT_ERROR


def run() -> NoReturn:
    """The console script and ``python -m vmspolicy``: :func:`main`, then an exit without interpreter teardown.

    At exit Python frees every module and object one by one and runs a last
    garbage collection: about 25 ms, a tenth of a one-file pre-commit run, to
    free memory the operating system takes back anyway (mypy ends the same
    way). Nothing of ours needs finalising: output files are closed where they
    are written, and the standard streams are flushed here.
    """
    if sys.stdout is None:  # started with standard output closed (`>&-`): the exit code is the answer
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    code = main()  # argparse's own exits (--help, a usage error) end the ordinary way, before this
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # stderr is None when the process was started with it closed
                stream.flush()
        except BrokenPipeError:  # the reader went away (`| head`): as main does for a pipe closed earlier
            code = EXIT_ERROR
        except OSError as exc:  # a full disk under `> report.sarif`: the report is incomplete, say so
            code = EXIT_ERROR
            os.write(2, f"vmspolicy: error: cannot write the output: {exc.strerror or exc}\n".encode(errors="replace"))
    os._exit(code)
