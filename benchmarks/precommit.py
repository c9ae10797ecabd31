"""The pre-commit case of a large estate: one changed file checked against the whole estate, with the load cache.

A split estate (one file per site, plus ``waivers.yaml``) gets a ``.vmspolicy.yaml``
with ``estate:``, so that ``vmspolicy check site-001.yaml`` judges that file against
every other file, as the pre-commit hook does. Three runs of that command, interleaved:

- **no cache**: ``--no-cache``, every file read, as before the cache existed (the cold check);
- **cold cache**: an empty cache folder, removed before each run: every file read and
  every entry written (what the cache costs a run that gains nothing from it);
- **warm, one file changed**: the cache left by the previous runs, and ``site-001.yaml``
  edited (untimed) before each run, so that it alone is read again.

The command leaves its cache writes to a detached writer once its report is out
(vmspolicy/run/cache_writer.py): each run with a cache is followed, untimed, by a wait for
that writer, whose own CPU and wall seconds (it records them in the cache folder) are shown
apart from the command's: what the user waits for, and what the machine does in all.

Before timing, the warm run's JSON report is compared with the no-cache run's on the
same content: the harness stops when they differ.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CHANGED = "site-001.yaml"
TOOLS = ("no cache", "cold cache", "warm, one file changed")
TARGET_WARM = {10_000: 0.3, 100_000: 0.2}  # warm / no cache, by cameras (other sizes: reported, no target)
TARGET_COLD_CACHE = 1.05  # cold cache / no cache


@dataclass
class PrecommitCase:
    """One split estate with ``estate:`` configured, and the samples of each way of running the pre-commit check."""

    label: str
    cameras: int
    folder: Path
    commands: dict[str, list[str]]
    repeat: int
    caches: dict[str, Path] = field(default_factory=dict)  # the load cache of each way that keeps one
    samples: dict[str, list[Any]] = field(default_factory=dict)
    edits: int = 0

    def median(self, tool: str, what: str = "seconds") -> float | None:
        values = sorted(getattr(s, what) for s in self.samples.get(tool, []))
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    def before(self, tool: str) -> None:
        """Untimed set-up of one run: an empty cache for the cold run, an edited file for the warm one."""
        if tool == "cold cache":
            shutil.rmtree(self.folder / "cache-cold", ignore_errors=True)
        elif tool == "warm, one file changed":
            self.edit()

    def edit(self) -> None:
        """Change the file being committed: a comment line that says which edit this is."""
        path = self.folder / CHANGED
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if lines and lines[-1].startswith("# benchmark edit "):
            lines.pop()
        self.edits += 1
        path.write_text("".join(lines) + f"# benchmark edit {self.edits}\n", encoding="utf-8")


def make_precommit_case(label: str, cameras: int, folder: Path, vmspolicy: list[str], repeat: int) -> PrecommitCase:
    """The case for the split estate in ``folder``: its configuration written, the three commands set."""
    (folder / ".vmspolicy.yaml").write_text('estate: ["site-*.yaml", "waivers.yaml"]\n', encoding="utf-8")
    shutil.rmtree(folder / "cache-warm", ignore_errors=True)
    commands = {
        "no cache": [*vmspolicy, "--no-cache", CHANGED],
        "cold cache": [*vmspolicy, "--cache-dir", "cache-cold", CHANGED],
        "warm, one file changed": [*vmspolicy, "--cache-dir", "cache-warm", CHANGED],
    }
    caches = {"cold cache": folder / "cache-cold", "warm, one file changed": folder / "cache-warm"}
    return PrecommitCase(label, cameras, folder, commands, repeat, caches)


def warm_up(case: PrecommitCase, timed: Callable[..., Any], failure: type[Exception]) -> None:
    """Fill the warm cache, then check that a warm run after an edit reports what a run without the cache does."""
    report = case.folder / "report.json"
    warm, cold = TOOLS[2], TOOLS[1]
    timed(case.commands[warm], case.folder, cache_dir=case.caches[warm])
    case.edit()
    timed(case.commands[warm], case.folder, stdout=report, cache_dir=case.caches[warm])
    warm_report = report.read_bytes()
    timed(case.commands["no cache"], case.folder, stdout=report)
    if report.read_bytes() != warm_report:
        raise failure(f"{case.label}: a warm run reports other findings than a run without the cache")
    timed(case.commands[cold], case.folder, cache_dir=case.caches[cold])


def measure(case: PrecommitCase, timed: Callable[..., Any], log: Callable[[str, str, Any], None]) -> None:
    for rep in range(case.repeat):
        order = TOOLS[rep % len(TOOLS):] + TOOLS[: rep % len(TOOLS)]  # rotated, as the other cases
        for tool in order:
            case.before(tool)
            sample = timed(case.commands[tool], case.folder, cache_dir=case.caches.get(tool))
            case.samples.setdefault(tool, []).append(sample)
            log(case.label, tool, sample)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def render(cases: list[PrecommitCase], fmt: Callable[..., str]) -> list[str]:
    """The table of the pre-commit cases, as Markdown lines."""
    lines = [
        "",
        f"Pre-commit on a split estate with `estate:` configured: `vmspolicy check {CHANGED}` judged against every file "
        "(medians; wall s / CPU s). \"The command\" is what the user (or pre-commit) waits for; \"its writer\" is the "
        "detached process it leaves its cache writes to, which runs after it has exited; \"with its writer\" counts both.",
        "",
        "| estate | files | no cache | cold cache: the command | cold: its writer | warm, one file changed: the command "
        "| warm: its writer | cold / no cache (wall, CPU) | cold with its writer / no cache (wall, CPU) "
        "| warm / no cache (wall, CPU) | warm with its writer / no cache (wall, CPU) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]

    def cell(tool: str, wall: str = "seconds", cpu: str = "cpu_seconds") -> str:
        return f"{fmt(case.median(tool, wall), '.3f')} / {fmt(case.median(tool, cpu), '.3f')}"

    def ratios(tool: str, wall: str = "seconds", cpu: str = "cpu_seconds") -> str:
        return ", ".join(fmt(_ratio(case.median(tool, mine), case.median("no cache", theirs)))
                         for mine, theirs in ((wall, "seconds"), (cpu, "cpu_seconds")))

    for case in cases:
        cold, warm = TOOLS[1], TOOLS[2]
        cells = [cell("no cache"), cell(cold), cell(cold, "writer_seconds", "writer_cpu_seconds"), cell(warm),
                 cell(warm, "writer_seconds", "writer_cpu_seconds"), ratios(cold), ratios(cold, "total_seconds", "total_cpu_seconds"),
                 ratios(warm), ratios(warm, "total_seconds", "total_cpu_seconds")]
        files = len([p for p in case.folder.glob("*.yaml") if not p.name.startswith(".")])
        lines.append(f"| {case.label} | {files} | {' | '.join(cells)} |")
    return lines


def targets(cases: list[PrecommitCase]) -> list[tuple[str, float | None, float | None, float]]:
    """(label, wall ratio, CPU ratio, limit) of each pre-commit target measured."""
    rows = []
    for case in cases:
        limit = TARGET_WARM.get(case.cameras)
        if limit is not None:
            rows.append((f"one changed file, {case.cameras:,}-camera split estate with `estate:`, warm cache ≤ {limit}x no cache",
                         _ratio(case.median(TOOLS[2]), case.median("no cache")),
                         _ratio(case.median(TOOLS[2], "cpu_seconds"), case.median("no cache", "cpu_seconds")), limit))
    for case in cases:
        rows.append((f"cold run writing the cache ≤ {TARGET_COLD_CACHE}x no cache at {case.cameras:,} cameras (the command: the user's wait)",
                     _ratio(case.median("cold cache"), case.median("no cache")),
                     _ratio(case.median("cold cache", "cpu_seconds"), case.median("no cache", "cpu_seconds")), TARGET_COLD_CACHE))
        rows.append((f"the same, counting its detached writer (the machine's work) at {case.cameras:,} cameras",
                     _ratio(case.median("cold cache", "total_seconds"), case.median("no cache")),
                     _ratio(case.median("cold cache", "total_cpu_seconds"), case.median("no cache", "cpu_seconds")), TARGET_COLD_CACHE))
    return rows
