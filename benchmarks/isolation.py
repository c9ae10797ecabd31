"""Does the isolation analysis cost the same per camera at 1,000 and at 100,000 cameras?

The isolation analysis is the reachability analysis (:mod:`vmspolicy.analysis.reach`)
plus the isolation rules VP201-VP206 that ask it about every legacy restricted
device. Its design promises a cost that grows with firewall rules and zones,
not with cameras (devices are looked up in address classes, never evaluated
one by one), so on the synthetic estates (sites of 1,000 cameras, ten zones
each, 5% legacy cameras to prove isolated) the cost per camera must stay flat.

For each size this script builds the estate once, outside the timing (read,
parse, model, and vendor identification and policy judgements, which the
rules before VP201 compute in a real run), then times only the isolation work,
several times in this one process: a fresh analysis (``Reachability``) and
the six rules' checks, on a context that keeps the run's earlier analyses but
neither the reachability analysis nor the isolation subjects. CPU seconds come
from :func:`time.process_time` (the machine is shared; the wall clock mostly
measures the neighbours), wall seconds from :func:`time.perf_counter`. The
cyclic collector is paused while timing, as ``vmspolicy check`` pauses it.
"reach setup" is what ``Reachability`` computes up front (the address
classes); the flows themselves are computed lazily, per address class, when
the rules ask for them, so they are in "rules and flows".

    python benchmarks/isolation.py                 # N = 1,000 / 10,000 / 100,000 (a few minutes)
    python benchmarks/isolation.py --quick         # N = 200 / 1,000, two repetitions (CI smoke test)
    python benchmarks/isolation.py --sizes 1000,10000 --repeat 7
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)
import run  # noqa: E402

from vmspolicy.analysis import policy  # noqa: E402
from vmspolicy.analysis.context import CheckContext  # noqa: E402
from vmspolicy.analysis.isolation import isolated_devices  # noqa: E402
from vmspolicy.analysis.reach import reachability  # noqa: E402
from vmspolicy.core.config import Config  # noqa: E402
from vmspolicy.rules.isolation import RULES  # noqa: E402
from vmspolicy.run.pipeline import RunOptions, prepare  # noqa: E402
from vmspolicy.run.plugins import load_plugins  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
COLUMNS = ("cameras", "sites", "zones", "legacy isolated", "findings", "reach setup CPU s",
           "rules and flows CPU s", "isolation CPU s", "wall s", "µs / camera (CPU)")


@dataclass
class Measure:
    """The isolation work on one estate: medians over the repetitions."""

    cameras: int
    sites: int
    zones: int
    subjects: int
    findings: int
    analysis_cpu: list[float] = field(default_factory=list)
    rules_cpu: list[float] = field(default_factory=list)
    total_cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return statistics.median(self.total_cpu)

    @property
    def per_camera_us(self) -> float:
        return self.cpu / self.cameras * 1e6


def build(path: Path) -> CheckContext:
    """Read and model the estate, and judge its devices: everything a check does before VP201."""
    options = RunOptions(paths=[str(path)], as_of=dt.date.fromisoformat(generate.AS_OF))
    ctx = prepare(options, Config(), load_plugins(entry_points_enabled=False)).ctx
    policy.judgements(ctx)  # identification and policy: the vendor rules compute them before VP201 in a run
    return ctx


def isolation_pass(ctx: CheckContext) -> tuple[float, float, float, int]:
    """One fresh isolation analysis: (analysis CPU s, rules CPU s, wall s, findings)."""
    wall = time.perf_counter()
    start = time.process_time()
    reachability(ctx)
    built = time.process_time()
    found = sum(len(list(rule().check(ctx))) for rule in RULES)
    end = time.process_time()
    return built - start, end - built, time.perf_counter() - wall, found


def measure(cameras: int, path: Path, repeat: int) -> Measure:
    ctx = build(path)
    # The run's context without the analyses being timed: each pass starts from the same point.
    # (dataclasses.replace copies the context with fresh analyses; the cached ones a pass does not time are carried over.)
    earlier = {name: value for name, value in vars(ctx.analyses).items() if name not in ("_ctx", "reachability", "isolated_devices")}
    estate = ctx.estate
    result = Measure(cameras, len(estate.sites), len(estate.zones), 0, 0)
    for _ in range(repeat):
        fresh = dataclasses.replace(ctx)
        vars(fresh.analyses).update(earlier)
        analysis_cpu, rules_cpu, wall, found = isolation_pass(fresh)
        result.analysis_cpu.append(analysis_cpu)
        result.rules_cpu.append(rules_cpu)
        result.total_cpu.append(analysis_cpu + rules_cpu)
        result.wall.append(wall)
        result.findings = found
        result.subjects = len(isolated_devices(fresh))
        del fresh
        gc.collect()  # outside the timing: each pass starts from a clean heap
    return result


def render(measures: Sequence[Measure], repeat: int) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("--:" for _ in COLUMNS) + "|",
    ]
    for m in measures:
        cells = (f"{m.cameras:,}", f"{m.sites:,}", f"{m.zones:,}", f"{m.subjects:,}", f"{m.findings:,}",
                 f"{statistics.median(m.analysis_cpu):.3f}", f"{statistics.median(m.rules_cpu):.3f}",
                 f"{m.cpu:.3f}", f"{statistics.median(m.wall):.3f}", f"{m.per_camera_us:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    first, last = measures[0], measures[-1]
    lines += [
        "",
        f"Per-camera cost, {last.cameras:,} / {first.cameras:,} cameras: "
        f"**{last.per_camera_us / first.per_camera_us:.2f}** (1.00 is flat). "
        f"Medians of {repeat} repetition(s) in one process.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"N = {QUICK_SIZES[0]:,} and {QUICK_SIZES[1]:,}, two repetitions")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="camera counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, help="timed repetitions per size (default 7; --quick: 2)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="where the estates are (re)used (default benchmarks/out)")
    args = parser.parse_args(argv)
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    repeat = args.repeat or (2 if args.quick else 7)
    if len(sizes) < 2 or repeat < 1:
        parser.error("give at least two sizes and one repetition")
    work: Path = args.work.resolve()
    enabled = gc.isenabled()
    gc.disable()  # as `vmspolicy check` does for its whole run (see benchmarks/README.md)
    try:
        measures = []
        for cameras in sorted(sizes):
            path = work / f"estate-{cameras}.yaml"
            if not path.is_file():  # deterministic: the same bytes run.py writes, so reuse them
                generate.generate(cameras, path)
            measures.append(measure(cameras, path, repeat))
            print(f"{cameras:,} cameras: {measures[-1].cpu:.3f} CPU s", file=sys.stderr)
    finally:
        if enabled:
            gc.enable()
    print(f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {run._machine()}; "
          f"Python {platform.python_version()}.\n")
    print(render(measures, repeat), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
