"""The ``vmspolicy`` program: its command line and what becomes of a command's outcome.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage,
configuration, plugin or internal error. Unreadable input is a finding
(VP001), so it fails the gate with 1, not 2.

Dependencies point one way: this module imports the commands, and the
commands import the shared options (:mod:`vmspolicy.cli.options`), never this.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import os
import sys
from typing import Any, Callable, NoReturn, Sequence

from vmspolicy import __version__
from vmspolicy.cli import check, explain, rules
from vmspolicy.cli.options import EXIT_ERROR
from vmspolicy.core.errors import VmspolicyError
from vmspolicy.run.cache_writer import defer_writes, leave_to_writer

# Commands a pre-commit hook runs: registered always. The others are modules with ``register(subparsers)``,
# imported only when the command line names one of them.
BUILTIN_COMMANDS = frozenset({"check", "rules", "explain"})
COMMAND_MODULES: tuple[str, ...] = (
    "vmspolicy.cli.identify",
    "vmspolicy.cli.packs",
    "vmspolicy.cli.graph",
    "vmspolicy.cli.baseline",
    "vmspolicy.cli.fix",
    "vmspolicy.cli.report",
    "vmspolicy.cli.schema",
)


class _Version(argparse.Action):
    """``--version``: vmspolicy's version, then the installed plugins with their distributions, as pytest lists its own."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option: str | None = None) -> None:
        print(version_text())
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """An argument parser (and, through ``add_subparsers``, each command's) whose help is as wide as the terminal.

    argparse asks ``shutil.get_terminal_size`` each time it makes a help
    formatter, which it does for every option added; importing ``shutil``
    (with ``bz2`` and ``lzma``) was 3 ms of every pre-commit run, which never
    prints help. The width is measured the same way, without it.
    """

    def __init__(self, **options: Any) -> None:
        formatter: type[argparse.HelpFormatter] = options.pop("formatter_class", argparse.HelpFormatter)
        super().__init__(formatter_class=functools.partial(formatter, width=help_width()), **options)


def help_width() -> int:
    """What argparse's help formatter would take: ``shutil.get_terminal_size().columns - 2``."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


def version_text() -> str:
    from vmspolicy.run.plugins import installed_plugins

    lines = [f"vmspolicy {__version__}"]
    plugins = installed_plugins()
    if plugins:
        lines.append("registered third-party plugins:")
        lines += [f"  {plugin.label}" for plugin in plugins]
    return "\n".join(lines)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The command line; ``commands=False`` leaves out the COMMAND_MODULES subcommands (not imported)."""
    parser = _Parser(
        prog="vmspolicy",
        description="Policy-as-code for video-surveillance estates: forbid restricted vendors, prove legacy cameras are isolated.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and the installed plugins, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (check, rules, explain):
        command.register(sub)
    for name in COMMAND_MODULES if commands else ():
        importlib.import_module(name).register(sub)
    return parser


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
    except VmspolicyError as exc:
        print(f"vmspolicy: {exc.kind}: {exc}", file=sys.stderr)
        return exc.exit_code
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
    # This process's cache writes are left to a detached writer once the report is out (a library caller's, and
    # main()'s run in a caller's process, are written as they go: nothing forks behind their back).
    defer_writes()
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
    # The report is out: the cache writes the command queued go to a detached process, not into the user's wait.
    leave_to_writer()
    os._exit(code)
