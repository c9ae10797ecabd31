"""Where the time of one ``vmspolicy check`` goes, stage by stage.

Runs the check in this process under :mod:`cProfile` and charges every
function's own time to a pipeline stage by the module it lives in
(``vmspolicy/loading/`` is parse, ``vmspolicy/analysis/reach/`` is reachability...).
Time spent in the standard library or in C (``ipaddress``, ``re``, libyaml's
event objects) is charged to the stages that called it, in proportion to the
time each caller spent there. The profiler slows Python code down more than C
code, so read the shares as "where to look", and the CPU time (measured
separately, without the profiler, in user + system seconds) as the truth.

    python benchmarks/stages.py benchmarks/out/estate-10000.yaml
    python benchmarks/stages.py --top 25 benchmarks/out/estate-10000.yaml
    cd benchmarks/out/estate-10000-split && python ../../stages.py --cache-dir cache-warm site-001.yaml   # pre-commit, warm

Every file is read afresh (``--no-cache``) unless ``--cache-dir`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)
from bytecode import compile_bytecode  # noqa: E402

# Module path fragments → stage, first match wins. Anything unmatched inherits its callers' stages.
STAGES: tuple[tuple[str, str], ...] = (
    ("vmspolicy/loading/", "parse"),
    ("/yaml/", "parse"),
    ("vmspolicy/core/schemas.py", "schema"),
    ("vmspolicy/analysis/estate.py", "model"),
    ("vmspolicy/core/model.py", "model"),
    ("vmspolicy/core/source.py", "model"),
    ("vmspolicy/analysis/identify/", "identification"),
    ("vmspolicy/analysis/reach/", "reachability"),
    ("vmspolicy/analysis/policy.py", "rules"),
    ("vmspolicy/rules/", "rules"),
    ("vmspolicy/governance/", "governance"),
    ("vmspolicy/reporters/", "reporting"),
    ("/json/", "reporting"),
    ("<frozen importlib", "startup (imports, plugins, config)"),
    ("vmspolicy/run/plugins.py", "startup (imports, plugins, config)"),
    ("vmspolicy/core/config.py", "startup (imports, plugins, config)"),
    ("/pluggy/", "startup (imports, plugins, config)"),
    ("/importlib/", "startup (imports, plugins, config)"),
)
# Functions of the orchestrating modules that belong to one stage.
FUNCTIONS: dict[tuple[str, str], str] = {
    ("vmspolicy/run/pipeline.py", "load_files"): "parse",
    ("vmspolicy/run/pipeline.py", "_load_one"): "parse",
    ("vmspolicy/run/pipeline.py", "_first_claim"): "parse",
    # The plugin host chooses each file's loader (the vmspolicy_load hook) while the files load.
    ("vmspolicy/run/plugins.py", "load"): "parse",
    ("vmspolicy/run/plugins.py", "vmspolicy_load"): "parse",
    ("vmspolicy/run/plugins.py", "first_claim"): "parse",
    ("vmspolicy/run/plugins.py", "loaders_of"): "parse",
    ("vmspolicy/run/plugins.py", "loader_plugin"): "parse",
    ("vmspolicy/run/discovery.py", "discover"): "startup (imports, plugins, config)",
    ("vmspolicy/run/discovery.py", "estate_files"): "startup (imports, plugins, config)",
}
ORDER = ("startup (imports, plugins, config)", "parse", "schema", "model", "identification", "reachability", "rules",
         "governance", "reporting", "other")

Func = tuple[str, int, str]


def own_stage(func: Func) -> str | None:
    path, _, name = func
    path = path.replace(os.sep, "/")
    if name == "<module>":
        return "startup (imports, plugins, config)"
    for (fragment, function), stage in FUNCTIONS.items():
        if fragment in path and name == function:
            return stage
    for fragment, stage in STAGES:
        if fragment in path:
            return stage
    return None


def stage_shares(stats: dict[Func, Any]) -> dict[str, float]:
    """Seconds of own time per stage (profiled seconds, inflated by the profiler)."""
    memo: dict[Func, dict[str, float]] = {}

    def distribution(func: Func, seen: frozenset[Func]) -> dict[str, float]:
        if func in memo:
            return memo[func]
        stage = own_stage(func)
        if stage is not None:
            result = {stage: 1.0}
        else:
            callers = stats[func][4] if func in stats else {}
            total = sum(edge[3] for edge in callers.values())
            result = {}
            for caller, edge in callers.items():
                if caller in seen or not total:
                    continue
                weight = edge[3] / total
                for s, share in distribution(caller, seen | {func}).items():
                    result[s] = result.get(s, 0.0) + weight * share
            if not result:
                result = {"other": 1.0}
        memo[func] = result
        return result

    seconds: dict[str, float] = {}
    for func, (_, _, own, _, _) in stats.items():
        for stage, share in distribution(func, frozenset()).items():
            seconds[stage] = seconds.get(stage, 0.0) + own * share
    return seconds


CACHE_DIR: list[str] = []  # --cache-dir DIR: profile runs that take unchanged files from the load cache in DIR


def check_args(paths: list[str], jobs: int) -> list[str]:
    parallel = ["--jobs", str(jobs)] if jobs != 1 else []
    cache = ["--cache-dir", *CACHE_DIR] if CACHE_DIR else ["--no-cache"]
    return ["check", "--as-of", generate.AS_OF, "--format", "json", *cache, *parallel, *paths]


def cpu_time(paths: list[str], jobs: int, repeat: int) -> float:
    """Median CPU seconds (user + system) of the real command, without the profiler.

    CPU rather than wall time: on a shared machine the wall clock mostly measures the neighbours.
    """
    runs = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "vmspolicy", *check_args(paths, jobs)], stdout=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return sorted(runs)[len(runs) // 2]


def profile(paths: list[str], jobs: int) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    from vmspolicy.cli import main as cli_main  # imports are part of what a run costs

    with contextlib.redirect_stdout(io.StringIO()):
        cli_main(check_args(paths, jobs))
    profiler.disable()
    return pstats.Stats(profiler)


def report(paths: list[str], *, top: int, repeat: int) -> str:
    cpu = cpu_time(paths, 1, repeat)
    stats = profile(paths, 1)
    raw: dict[Func, Any] = stats.stats  # type: ignore[attr-defined]
    seconds = stage_shares(raw)
    total = sum(seconds.values()) or 1.0
    size = sum(Path(p).stat().st_size for p in paths) / 1e6
    lines = [
        f"`vmspolicy check` on {', '.join(Path(p).name for p in paths)} ({size:.1f} MB): {cpu:.2f} CPU s "
        f"(median of {repeat}), {total:.2f} s under the profiler.",
        "",
        "| stage | share | ≈ CPU s |",
        "|---|--:|--:|",
    ]
    for stage in sorted(seconds, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER)):
        share = seconds[stage] / total
        lines.append(f"| {stage} | {share:.0%} | {share * cpu:.2f} |")
    lines += ["", f"Top {top} functions by own time (profiled seconds):", "", "| own s | calls | function |", "|--:|--:|---|"]
    ranked = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (path, line, name), (_, calls, own, _, _) in ranked:
        where = path.replace(os.sep, "/")
        where = where.split("site-packages/", 1)[-1].split("/work/main/", 1)[-1]
        lines.append(f"| {own:.3f} | {calls} | `{where}:{line}({name})` |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="the estate's files")
    parser.add_argument("--top", type=int, default=15, help="how many functions to list (default 15)")
    parser.add_argument("--repeat", type=int, default=3, help="CPU-time repetitions without the profiler (default 3)")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="use the load cache in DIR, filled by one untimed run first (default: --no-cache, every file read)")
    args = parser.parse_args(argv)
    compile_bytecode()  # as installed: without it an editable install may compile every module on every run
    if args.cache_dir:
        CACHE_DIR[:] = [args.cache_dir]
        subprocess.run([sys.executable, "-m", "vmspolicy", *check_args(args.paths, 1)], stdout=subprocess.DEVNULL, check=False)
    print(report(args.paths, top=args.top, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
