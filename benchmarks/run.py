"""The benchmark harness: vmspolicy side by side with the floor and its peer, in one run.

For each estate size it times, alternating and each in a fresh subprocess:

- **floor**: PyYAML's libyaml loader (``yaml.load(..., Loader=CSafeLoader)``) reading the
  same files and doing nothing else: no tool that reads YAML can be much faster;
- **vmspolicy**: ``vmspolicy check --format json --no-cache`` (output to /dev/null), the whole
  run, every file read (the peers keep no cache either);
- **check-jsonschema**: ``check-jsonschema --schemafile schemas/manifest.schema.json``
  on the same files, i.e. schema validation only.

Repetitions are interleaved (floor, vmspolicy, peer, then again in a rotated order)
so that a noisy neighbour or a warming cache hits every tool alike; the table shows
medians. Peak memory is the child's own ``ru_maxrss`` from :func:`os.wait4`.
Before timing, both tools' packages are byte-compiled as installing them does
(``bytecode.py``: with ``PYTHONDONTWRITEBYTECODE`` set, an editable install would
otherwise compile vmspolicy from source on every run), and one untimed run of each
tool warms the page cache and checks that every tool accepts the estate.

    python benchmarks/run.py                      # N = 1,000 / 10,000 / 100,000 and the small file
    python benchmarks/run.py --update-readme      # ... and write the table into benchmarks/README.md
    python benchmarks/run.py --quick              # N = 200 and the small file, once each (CI smoke test)
    python benchmarks/run.py --sizes 10000 --precommit-only   # the pre-commit rows alone

The split estates are also checked as the pre-commit hook checks them, one changed file
against the whole estate with ``estate:`` configured, with and without the load cache
(``precommit.py``); vmspolicy leaves its cache writes to a detached process, which the harness
waits for (untimed) after each run and whose own CPU and wall seconds it shows apart.

Exit status: 0 when every run succeeded (targets missed are reported, not failed:
timings are no test), 2 when a tool crashed or rejected the generated estate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)
import precommit  # noqa: E402
from bytecode import compile_bytecode  # noqa: E402

from vmspolicy.run.cache_writer import REPORT_NAME, wait_for_writer, writer_report  # noqa: E402

SCHEMA = ROOT / "schemas" / "manifest.schema.json"
SIZES = (1_000, 10_000, 100_000)
SMALL_CAMERAS = 20
FLOOR = "import sys, yaml\nfor path in sys.argv[1:]:\n    with open(path, 'rb') as f:\n        yaml.load(f, Loader=yaml.CSafeLoader)\n"
README = HERE / "README.md"
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"

# The performance targets, as ratios measured in one run.
TARGET_FLOOR_RATIO = 1.5  # vmspolicy / floor at 10k and 100k cameras
TARGET_LINEAR = 11.0  # t(100k) / t(10k)
TARGET_PEER_SPEEDUP = 5.0  # check-jsonschema / vmspolicy on the same files
TARGET_SMALL_RATIO = 0.5  # vmspolicy / check-jsonschema on one small file
TARGET_MEMORY_RATIO = 2.0  # vmspolicy peak / floor peak at 100k cameras


@dataclass
class Sample:
    seconds: float  # wall clock
    peak_mb: float
    exit_code: int
    cpu_seconds: float = 0.0  # user + system, of the tool and its worker processes
    # The detached process vmspolicy leaves its cache writes to (vmspolicy/run/cache_writer.py), run after the command
    # has exited and waited for before the next one starts: its own CPU and wall seconds, as it records them.
    writer_cpu_seconds: float = 0.0
    writer_seconds: float = 0.0

    @property
    def total_seconds(self) -> float:
        """The command's wall time and then its writer's: how long the run keeps the machine busy."""
        return self.seconds + self.writer_seconds

    @property
    def total_cpu_seconds(self) -> float:
        return self.cpu_seconds + self.writer_cpu_seconds


@dataclass
class Case:
    """One estate (size and layout) and the samples of each tool on it."""

    label: str
    cameras: int
    files: list[Path]
    commands: dict[str, list[str]]
    repeat: dict[str, int]
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)

    @property
    def megabytes(self) -> float:
        return sum(f.stat().st_size for f in self.files) / 1e6

    def median(self, tool: str) -> float | None:
        values = [s.seconds for s in self.samples.get(tool, [])]
        return statistics.median(values) if values else None

    def cpu(self, tool: str) -> float | None:
        values = [s.cpu_seconds for s in self.samples.get(tool, [])]
        return statistics.median(values) if values else None

    def peak(self, tool: str) -> float | None:
        values = [s.peak_mb for s in self.samples.get(tool, [])]
        return max(values) if values else None


def executable(name: str, module: str) -> list[str]:
    """The venv's console script for ``name``, else ``python -m module``."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    found = shutil.which(name)
    return [found] if found else [sys.executable, "-m", module]


TIME = Path("/usr/bin/time")


def timed(command: Sequence[str], cwd: Path, stdout: Path | None = None, cache_dir: Path | None = None) -> Sample:
    """Run ``command`` once: wall time, the child's peak resident memory, its exit code.

    Linux counts a child's ``ru_maxrss`` from the resident size of the process
    it was forked from (the harness, which holds a generated estate), so the
    peak is read through GNU time, a small C program that forks the tool
    itself. Without it, :func:`os.wait4` on the direct child is the fallback.

    ``cache_dir``: the command's load cache. vmspolicy leaves its cache writes to a detached
    writer once its report is out; that writer is waited for (untimed), so that it never runs
    beside the next timed command, and its own CPU and wall seconds are read from the record
    it leaves in the folder.
    """
    if cache_dir is not None:
        (cache_dir / REPORT_NAME).unlink(missing_ok=True)  # a record left by an earlier run is not this run's
    peak_file = cwd / ".peak-rss"
    wrapper = [str(TIME), "-f", "%M %U %S", "-o", str(peak_file)] if TIME.exists() else []
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        child = subprocess.Popen([*wrapper, *command], cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        assert child.stderr is not None
        errors = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stderr.close()
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    code = child.returncode
    if code not in (0, 1):
        raise HarnessError(f"{' '.join(command[:4])}... exited {code}: {errors.decode(errors='replace')[-2000:]}")
    kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # ru_maxrss is in KiB on Linux
    if wrapper:
        # GNU time may write a "Command exited with non-zero status" line first: the numbers are last.
        fields = peak_file.read_text(encoding="ascii").split()[-3:]
        kib, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        peak_file.unlink()
    if cache_dir is None:
        return Sample(seconds, kib / 1024, code, cpu)
    if not wait_for_writer(cache_dir, timeout=600):
        raise HarnessError(f"{' '.join(command[:4])}...: its cache writer in {cache_dir} has not finished after 600 s")
    written = writer_report(cache_dir) or {}  # none: the run left nothing to write
    return Sample(seconds, kib / 1024, code, cpu, float(written.get("cpu_seconds", 0.0)), float(written.get("seconds", 0.0)))


class HarnessError(Exception):
    """A tool crashed or rejected the generated estate: the numbers would mean nothing."""


def vmspolicy_check() -> list[str]:
    return [*executable("vmspolicy", "vmspolicy"), "check", "--as-of", generate.AS_OF, "--format", "json"]


def make_case(label: str, cameras: int, files: list[Path], repeat: int, peer_repeat: int, jobs: int | None = None) -> Case:
    names = [str(f) for f in files]
    vmspolicy = [*vmspolicy_check(), "--no-cache"]
    commands = {"floor": [sys.executable, "-c", FLOOR, *names]}
    if jobs is None:
        commands["vmspolicy"] = [*vmspolicy, *names]
    else:
        commands["vmspolicy"] = [*vmspolicy, "--jobs", "1", *names]
        commands[f"vmspolicy --jobs {jobs}"] = [*vmspolicy, "--jobs", str(jobs), *names]
    if peer_repeat:
        commands["check-jsonschema"] = [*executable("check-jsonschema", "check_jsonschema"), "--schemafile", str(SCHEMA), *names]
    repeats = {tool: repeat for tool in commands}
    if "check-jsonschema" in repeats:
        repeats["check-jsonschema"] = peer_repeat
    return Case(label, cameras, files, commands, repeats)


def warm_up(case: Case, work: Path, *, peer: bool) -> None:
    """One untimed run of each tool; vmspolicy's report is kept to count what it found.

    The peer is warmed up only when asked (the small file): on a large estate one of
    its runs takes minutes, and its bytecode is warm by then; its timed runs are checked.
    """
    for tool, command in case.commands.items():
        if tool == "check-jsonschema" and not peer:
            continue
        if tool.startswith("vmspolicy"):
            report = work / f"report-{case.label.replace(' ', '-')}.json"
            timed(command, work, stdout=report)
            findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
            for f in findings:
                key = f["rule"] + (" waived" if f.get("suppressed") else "")
                case.findings[key] = case.findings.get(key, 0) + 1
        else:
            sample = timed(command, work)
            if tool == "check-jsonschema" and sample.exit_code != 0:
                raise HarnessError(f"check-jsonschema rejects the generated estate {case.label}: fix benchmarks/generate.py")


def measure(case: Case, work: Path, log: bool) -> None:
    tools = list(case.commands)
    for rep in range(max(case.repeat.values())):
        order = tools[rep % len(tools) :] + tools[: rep % len(tools)]  # rotate: no tool always runs first
        for tool in order:
            if len(case.samples.get(tool, [])) >= case.repeat[tool]:
                continue
            sample = timed(case.commands[tool], work)
            if tool == "check-jsonschema" and sample.exit_code != 0:
                raise HarnessError(f"check-jsonschema rejects the generated estate {case.label}: fix benchmarks/generate.py")
            case.samples.setdefault(tool, []).append(sample)
            if log:
                print(f"  {case.label:>22} {tool:<20} {sample.seconds:8.3f} s {sample.cpu_seconds:8.3f} cpu s {sample.peak_mb:8.1f} MB",
                      file=sys.stderr)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt(value: float | None, spec: str = ".2f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def verdict(value: float | None, limit: float, *, at_most: bool = True) -> str:
    if value is None:
        return "not measured"
    met = value <= limit if at_most else value >= limit
    return "**met**" if met else "**NOT met**"


def render(cases: list[Case], small: Case, split: list[Case], args: argparse.Namespace,
           commits: Sequence[precommit.PrecommitCase] = ()) -> str:
    """The results as Markdown: the machine, the command, the tables, the targets."""
    lines = [
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {_machine()}; "
        f"Python {platform.python_version()}, {_versions()}.",
        "",
        f"Command: `{' '.join(['python', 'benchmarks/run.py', *args.argv])}` "
        f"({args.repeat} repetition(s), interleaved; check-jsonschema {args.peer_repeat_large}x above 10,000 cameras).",
        "",
        "| estate | MB | floor s | vmspolicy s | check-jsonschema s | vmspolicy / floor | check-jsonschema / vmspolicy "
        "| floor peak MB | vmspolicy peak MB | peak ratio | vmspolicy findings |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for case in [*cases, small]:
        floor, ours, peer = case.median("floor"), case.median("vmspolicy"), case.median("check-jsonschema")
        found = ", ".join(f"{code} x{n}" for code, n in sorted(case.findings.items())) or "none"
        lines.append(
            f"| {case.label} | {case.megabytes:.2f} | {fmt(floor, '.3f')} | {fmt(ours, '.3f')} | {fmt(peer, '.3f')} "
            f"| {fmt(ratio(ours, floor))} | {fmt(ratio(peer, ours), '.1f')} | {fmt(case.peak('floor'), '.0f')} "
            f"| {fmt(case.peak('vmspolicy'), '.0f')} | {fmt(ratio(case.peak('vmspolicy'), case.peak('floor')))} | {found} |"
        )
    lines += [
        "",
        "The same runs in CPU seconds (user + system, median): less sensitive to other work on the machine.",
        "",
        "| estate | floor cpu s | vmspolicy cpu s | check-jsonschema cpu s | vmspolicy / floor | check-jsonschema / vmspolicy |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for case in [*cases, small]:
        floor, ours, peer = case.cpu("floor"), case.cpu("vmspolicy"), case.cpu("check-jsonschema")
        lines.append(
            f"| {case.label} | {fmt(floor, '.3f')} | {fmt(ours, '.3f')} | {fmt(peer, '.3f')} | {fmt(ratio(ours, floor))} "
            f"| {fmt(ratio(peer, ours), '.1f')} |"
        )
    if split:
        lines += [
            "",
            "Multi-file estates (one file per site, plus waivers.yaml): serial against `--jobs`.",
            "",
            "| estate | files | vmspolicy --jobs 1 s | parallel s | speed-up | --jobs 1 peak MB | parallel peak MB |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        for case in split:
            parallel = next(t for t in case.commands if t.startswith("vmspolicy --jobs"))
            serial_s, parallel_s = case.median("vmspolicy"), case.median(parallel)
            lines.append(
                f"| {case.label} ({parallel.split()[-1]} jobs) | {len(case.files)} | {fmt(serial_s, '.3f')} | {fmt(parallel_s, '.3f')} "
                f"| {fmt(ratio(serial_s, parallel_s))} | {fmt(case.peak('vmspolicy'), '.0f')} | {fmt(case.peak(parallel), '.0f')} |"
            )
    if commits:
        lines += precommit.render(list(commits), fmt)
    lines += [
        "",
        "Targets, judged on the medians of wall time, with the same ratio in CPU seconds beside it.",
        "",
        "| target | wall | CPU | verdict |",
        "|---|--:|--:|---|",
    ]

    def target(label: str, wall: float | None, cpu: float | None, limit: float, *, at_most: bool = True, unit: str = "x") -> None:
        lines.append(f"| {label} | {fmt(wall)}{unit} | {fmt(cpu)}{unit} | {verdict(wall, limit, at_most=at_most)} |")

    by_size = {c.cameras: c for c in cases}
    for size in (10_000, 100_000):
        if size in by_size:
            c = by_size[size]
            target(f"vmspolicy ≤ {TARGET_FLOOR_RATIO}x floor at {size:,} cameras", ratio(c.median("vmspolicy"), c.median("floor")),
                   ratio(c.cpu("vmspolicy"), c.cpu("floor")), TARGET_FLOOR_RATIO)
    if 10_000 in by_size and 100_000 in by_size:
        big, ten = by_size[100_000], by_size[10_000]
        target(f"linear: t(100k) / t(10k) ≤ {TARGET_LINEAR:.0f}", ratio(big.median("vmspolicy"), ten.median("vmspolicy")),
               ratio(big.cpu("vmspolicy"), ten.cpu("vmspolicy")), TARGET_LINEAR, unit="")
    for case in cases:
        if case.cameras >= 10_000:
            target(f"≥ {TARGET_PEER_SPEEDUP:.0f}x faster than check-jsonschema at {case.cameras:,} cameras",
                   ratio(case.median("check-jsonschema"), case.median("vmspolicy")),
                   ratio(case.cpu("check-jsonschema"), case.cpu("vmspolicy")), TARGET_PEER_SPEEDUP, at_most=False)
    target(f"one small file ≤ {TARGET_SMALL_RATIO}x check-jsonschema", ratio(small.median("vmspolicy"), small.median("check-jsonschema")),
           ratio(small.cpu("vmspolicy"), small.cpu("check-jsonschema")), TARGET_SMALL_RATIO)
    for label, wall, cpu, limit in precommit.targets(list(commits)):
        target(label, wall, cpu, limit)
    largest = max(cases, key=lambda c: c.cameras) if cases else None
    if largest is not None and largest.cameras >= 100_000:  # the target is set at 100,000 cameras
        r = ratio(largest.peak("vmspolicy"), largest.peak("floor"))
        lines.append(
            f"| peak memory ≤ {TARGET_MEMORY_RATIO:.0f}x floor at {largest.cameras:,} cameras | {fmt(r)}x | | {verdict(r, TARGET_MEMORY_RATIO)} |"
        )
    return "\n".join(lines) + "\n"


def render_precommit(commits: Sequence[precommit.PrecommitCase], args: argparse.Namespace) -> str:
    """The pre-commit rows alone (``--precommit-only``), with their targets."""
    lines = [
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {_machine()} (load average at the start: {args.load}, "
        f"at the end: {_load()}); "
        f"Python {platform.python_version()}, {_versions()}.",
        "",
        f"Command: `{' '.join(['python', 'benchmarks/run.py', *args.argv])}` ({args.repeat} repetition(s), interleaved).",
        *precommit.render(list(commits), fmt),
        "",
        "| target | wall | CPU | verdict |",
        "|---|--:|--:|---|",
    ]
    lines += [f"| {label} | {fmt(wall)}x | {fmt(cpu)}x | {verdict(wall, limit)} |" for label, wall, cpu, limit in precommit.targets(list(commits))]
    return "\n".join(lines) + "\n"


def _load() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _logger(quiet: bool) -> Callable[[str, str, Sample], None]:
    def log(label: str, tool: str, sample: Sample) -> None:
        if not quiet:
            print(f"  {label:>22} {tool:<24} {sample.seconds:8.3f} s {sample.cpu_seconds:8.3f} cpu s {sample.peak_mb:8.1f} MB",
                  file=sys.stderr)

    return log


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({model or 'unknown CPU'})"


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("vmspolicy", "PyYAML", "jsonschema-rs", "check-jsonschema"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    if MARK_START not in text or MARK_END not in text:
        raise HarnessError(f"{README}: no {MARK_START} ... {MARK_END} block to replace")
    head, rest = text.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    README.write_text(f"{head}{MARK_START}\n{table}{MARK_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=200 and the small file, one repetition (CI smoke test)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="camera counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, help="timed repetitions per tool (default 5; --quick: 1)")
    parser.add_argument("--peer-repeat-large", type=int, default=1,
                        help="repetitions of check-jsonschema above 10,000 cameras, where one run takes minutes (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run of the multi-file estates (default 2; 0: skip)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where estates and reports are written (default benchmarks/out)")
    parser.add_argument("--update-readme", action="store_true", help=f"write the results between the markers in {README.name}")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log each sample on stderr")
    parser.add_argument("--precommit-only", action="store_true",
                        help="time only the pre-commit rows of the split estates (precommit.py); not with --update-readme")
    args = parser.parse_args(argv)
    if args.precommit_only and args.update_readme:
        parser.error("--precommit-only measures part of the table: it cannot replace the README's")
    args.argv = list(argv if argv is not None else sys.argv[1:])
    args.load = _load()
    sizes = args.sizes or ([200] if args.quick else list(SIZES))
    args.repeat = args.repeat or (1 if args.quick else 5)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    compile_bytecode()
    # The vmspolicy runs say whether they use the cache (--no-cache, --cache-dir): an inherited switch must not decide.
    os.environ.pop("VMSPOLICY_NO_CACHE", None)
    try:
        cases: list[Case] = []
        split_cases: list[Case] = []
        commits: list[precommit.PrecommitCase] = []
        for size in sizes:
            if args.precommit_only:
                files = generate.generate(size, work / f"estate-{size}-split", split=True)
                commits.append(precommit.make_precommit_case(f"{size:,} cameras", size, files[0].parent, vmspolicy_check(), args.repeat))
                continue
            files = generate.generate(size, work / f"estate-{size}.yaml")
            peer = args.repeat if size <= 10_000 else args.peer_repeat_large
            cases.append(make_case(f"{size:,} cameras", size, files, args.repeat, peer))
            if args.jobs and (size >= 10_000 or args.quick):
                files = generate.generate(size, work / f"estate-{size}-split", split=True)
                split_cases.append(make_case(f"{size:,} cameras, split", size, files, args.repeat, 0, jobs=args.jobs))
                commits.append(precommit.make_precommit_case(f"{size:,} cameras", size, files[0].parent, vmspolicy_check(), args.repeat))
        small_files = generate.generate(SMALL_CAMERAS, work / "small.yaml")
        small_repeat = 1 if args.quick else max(args.repeat, 10)
        small = make_case(f"one small file ({SMALL_CAMERAS} cameras)", SMALL_CAMERAS, small_files, small_repeat, small_repeat)
        for case in [] if args.precommit_only else [small, *cases, *split_cases]:
            if not args.quiet:
                print(f"{case.label}: {case.megabytes:.1f} MB in {len(case.files)} file(s)", file=sys.stderr)
            warm_up(case, work, peer=case is small)
            measure(case, work, log=not args.quiet)
        for commit in commits:
            if not args.quiet:
                print(f"{commit.label}, split, estate: configured: pre-commit of {precommit.CHANGED}", file=sys.stderr)
            precommit.warm_up(commit, timed, HarnessError)
            precommit.measure(commit, timed, _logger(args.quiet))
    except HarnessError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 2
    table = render_precommit(commits, args) if args.precommit_only else render(cases, small, split_cases, args, commits)
    (work / "results.md").write_text(table, encoding="utf-8")
    print(table)
    if args.update_readme:
        update_readme(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
