"""The command line leaves its cache writes to a detached writer; nothing else forks, and no result changes.

The console script queues what the load cache learns and, once its report is out, forks a
writer of its own session that pickles and writes it (vmspolicy/run/cache_writer.py). These
tests run the console script in subprocesses, as a user or pre-commit does, with the cache
on and the user's cache directory in a temporary folder; a writer is waited for through the
lock it holds in the cache folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.formats.test_completion import FRIGATE
from tests.formats.test_completion import MANIFEST as COMPLETING  # the manifest record completing Frigate's camera
from vmspolicy.run import cache_writer, pipeline
from vmspolicy.run.cache import FOLDER_NAME, LoadCache
from vmspolicy.run.cache_writer import LOCK_NAME, REPORT_NAME, wait_for_writer, writer_report
from vmspolicy.testing import run_cli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402  (benchmarks/ holds scripts, not a package)

AS_OF = ("--as-of", generate.AS_OF)
CHECK = ("check", *AS_OF, "--format", "json", "-v")
# A camera site-001 gains: a new Hikvision install (VP102), so that the run has findings to report (exit 1).
RESTRICTED = "  - id: added-cam\n    site: site-001\n    vendor: Hikvision\n    model: DS-2CD2143G0-I\n    installed: 2024-05-01\n"

# The console script with the writer held back until the file $GATE exists (at most two minutes): what it did before
# its command returned is then told apart from what the writer does.
GATED = """
import os, sys, time
from vmspolicy.run import cache_writer
write = cache_writer.PendingWrites.write
def gated(self):
    deadline = time.monotonic() + 120
    while not os.path.exists(os.environ["GATE"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return write(self)
cache_writer.PendingWrites.write = gated
from vmspolicy.cli import run
run()
"""
# The console script with each os.fork noted in the file $FORKS.
COUNTED = """
import os
fork = os.fork
def counted():
    with open(os.environ["FORKS"], "a", encoding="utf-8") as stream:
        stream.write(f"{os.getpid()}\\n")
    return fork()
os.fork = counted
from vmspolicy.cli import run
run()
"""
CONSOLE = "from vmspolicy.cli import run\nrun()\n"


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The cache on, with the user's cache directory (its secret) in a folder of this test's own."""
    monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return {**os.environ, "GATE": str(tmp_path / "gate"), "FORKS": str(tmp_path / "forks")}


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """A split estate of three sites with ``estate:`` configured, site-001 holding a restricted camera."""
    folder = tmp_path / "repo"
    generate.generate(2100, folder, split=True)
    (folder / ".vmspolicy.yaml").write_text('estate: ["site-*.yaml", "waivers.yaml"]\n', encoding="utf-8")
    site = folder / "site-001.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("\ncameras:\n", "\ncameras:\n" + RESTRICTED, 1), encoding="utf-8")
    return folder


def console(program: str, folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user or pre-commit runs it: its output read through pipes until they end."""
    return subprocess.run([sys.executable, "-c", program, *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / FOLDER_NAME).rglob("entries/*/*") if p.is_file())


def test_the_command_returns_before_its_writer_and_the_next_run_finds_the_entries(estate: Path, environment: dict[str, str]) -> None:
    cache = estate / FOLDER_NAME
    try:
        done = console(GATED, estate, environment, *CHECK, "site-001.yaml")
        assert done.returncode == 1, done.stderr
        # The command has exited, its pipes have ended, and nothing is written yet: the writer waits for the gate.
        assert entries(estate) == [] and writer_report(cache) is None
        assert not wait_for_writer(cache, timeout=0.2)
        last = done.stderr.splitlines()[-1]
        writer = int(last.split("(pid ")[1].split(")")[0])
        # It runs behind the user's next command: a lower priority than the command's (this test's, inherited), taken as
        # it starts (which may be just after the command has exited).
        lower = min(19, os.getpriority(os.PRIO_PROCESS, 0) + cache_writer.WRITER_NICENESS)
        deadline = time.monotonic() + 30
        while os.getpriority(os.PRIO_PROCESS, writer) != lower and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, writer) == lower
        assert last.startswith("cache: ") and " entries left to a detached writer (pid " in last and last.endswith(f"{cache / REPORT_NAME}")
        assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"  # git ignores the folder from the start
    finally:
        Path(environment["GATE"]).touch()
    assert wait_for_writer(cache, timeout=120)
    report = writer_report(cache)
    assert report is not None and report["problems"] == [] and report["written"] == report["entries"] == len(entries(estate))
    assert last.startswith(f"cache: {report['entries']} entries left to a detached writer (pid {report['pid']})")
    assert report["cpu_seconds"] > 0 and report["seconds"] > 0
    again = run_cli(*CHECK, "site-001.yaml", cwd=estate)
    assert "cache: 4 of 4 file(s) taken from" in again.stderr and "vendor verdict(s) computed afresh" not in again.stderr
    assert (again.exit_code, again.stdout) == (done.returncode, done.stdout)


def test_the_output_and_exit_code_are_those_of_a_run_that_writes_at_once(estate: Path, environment: dict[str, str], tmp_path: Path) -> None:
    detached = console(CONSOLE, estate, environment, *CHECK, "site-001.yaml")
    assert wait_for_writer(estate / FOLDER_NAME)
    at_once = run_cli(*CHECK, "--cache-dir", str(tmp_path / "in-process"), "site-001.yaml", cwd=estate)  # main() in this process
    plain = console(CONSOLE, estate, environment, *CHECK, "--no-cache", "site-001.yaml")
    assert detached.returncode == at_once.exit_code == plain.returncode == 1
    assert detached.stdout == at_once.stdout == plain.stdout
    assert "detached writer" in detached.stderr and "detached writer" not in at_once.stderr
    said = [line.replace(str(estate / FOLDER_NAME), "DIR") for line in detached.stderr.splitlines() if "detached writer" not in line]
    assert said == [line.replace(str(tmp_path / "in-process"), "DIR") for line in at_once.stderr.splitlines()]
    # The text report on a pipe, as pre-commit shows it: the same lines.
    text = console(CONSOLE, estate, environment, "check", *AS_OF, "site-002.yaml")
    assert text.stdout == console(CONSOLE, estate, environment, "check", *AS_OF, "--no-cache", "site-002.yaml").stdout
    assert text.returncode == 0 and text.stderr == ""
    assert wait_for_writer(estate / FOLDER_NAME)


def test_a_python_caller_writes_the_cache_before_the_run_returns(estate: Path, environment: dict[str, str], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(estate)
    folder = tmp_path / "kept"
    options = pipeline.RunOptions(paths=["site-001.yaml"], as_of=dt.date.fromisoformat(generate.AS_OF), cache_dir=folder)
    pipeline.run(options)
    assert [p for p in folder.rglob("entries/*/*") if p.is_file()]
    assert not (folder / LOCK_NAME).exists() and not (folder / REPORT_NAME).exists() and cache_writer.pending_writes() is None
    said: list[str] = []
    pipeline.run(replace(options, verbose=said.append))
    assert "cache: 4 of 4 file(s) taken from" in "\n".join(said)
    # main() called in a caller's process (as vmspolicy.testing.run_cli does) writes at once the entries the command
    # line's writer writes.
    done = run_cli(*CHECK, "--cache-dir", str(tmp_path / "main"), "site-001.yaml", cwd=estate)
    assert done.exit_code == 1 and "detached writer" not in done.stderr
    written = sorted(p.relative_to(tmp_path / "main") for p in (tmp_path / "main").rglob("entries/*/*") if p.is_file())
    console(CONSOLE, estate, environment, *CHECK, "site-001.yaml")
    assert wait_for_writer(estate / FOLDER_NAME)
    assert written == sorted(p.relative_to(estate / FOLDER_NAME) for p in entries(estate))


def test_nothing_forks_without_a_cache_or_without_anything_to_write(estate: Path, environment: dict[str, str]) -> None:
    forks = Path(environment["FORKS"])
    done = console(COUNTED, estate, environment, *CHECK, "--no-cache", "site-001.yaml")
    assert done.returncode == 1 and not forks.exists() and not (estate / FOLDER_NAME).exists()
    done = console(COUNTED, estate, environment, *CHECK, "site-001.yaml")  # the cold run: the run and its middle process fork
    assert done.returncode == 1 and len(forks.read_text(encoding="utf-8").splitlines()) == 2
    assert wait_for_writer(estate / FOLDER_NAME)
    forks.unlink()
    done = console(COUNTED, estate, environment, *CHECK, "site-001.yaml")  # warm, nothing changed: nothing to write
    assert done.returncode == 1 and "cache: 4 of 4" in done.stderr and not forks.exists()
    assert "detached writer" not in done.stderr


def test_jobs_workers_write_their_entries_themselves(estate: Path, environment: dict[str, str]) -> None:
    # A worker's queue would die with it: each writes the entries of the files it read, the writer the verdicts.
    done = console(CONSOLE, estate, environment, *CHECK, "--jobs", "2")  # the whole estate, read by the workers
    assert done.returncode == 1, done.stderr
    assert wait_for_writer(estate / FOLDER_NAME)
    verdicts = [p for p in entries(estate) if p.relative_to(estate / FOLDER_NAME).parts[0] == "verdicts"]
    assert verdicts and f"cache: {len(verdicts)} entries left to a detached writer" in done.stderr
    assert len(entries(estate)) > len(verdicts)
    again = run_cli(*CHECK, cwd=estate)
    assert "cache: 4 of 4 file(s) taken from" in again.stderr and again.stdout == done.stdout


# An entry left to the writer is pickled from the objects as they are at the end of the run: it must be the entry a
# write at load time gives. Other tools' documents are completed in place by the estate, so theirs are pickled at once.

CROSS_FORMAT = ["site.yaml", "nvr/config.yml", "firewall/config.xml", "scans/scan.xml", "netbox/devices.json"]
def _inputs(kind: str, folder: Path) -> list[str]:
    if kind == "manifests":
        shutil.copy(ROOT / "tests" / "data" / "golden-estate" / "estate.yaml", folder / "estate.yaml")
        shutil.copy(ROOT / "tests" / "data" / "design-example.yaml", folder / "design.yaml")
        generate.generate(300, folder / "generated", split=True)
        return ["estate.yaml", "design.yaml", "generated"]
    if kind == "frigate-completed":
        (folder / "config.yml").write_text(FRIGATE, encoding="utf-8")
        (folder / "site.yaml").write_text(COMPLETING, encoding="utf-8")
        return ["config.yml", "site.yaml"]
    shutil.copytree(ROOT / "examples" / "cross-format", folder, dirs_exist_ok=True)  # Frigate, nmap, OPNsense, NetBox
    shutil.copy(ROOT / "tests" / "formats" / "fixtures" / "pfsense-config.xml", folder / "firewall" / "pfsense.xml")
    return [*CROSS_FORMAT, "firewall/pfsense.xml"]


@pytest.fixture
def deferring() -> Iterator[None]:
    """Writes deferred in this process, as the console script defers them; the queue dropped afterwards."""
    cache_writer.defer_writes()
    try:
        yield
    finally:
        cache_writer._QUEUE.clear()


@pytest.mark.parametrize("kind", ["manifests", "frigate-completed", "cross-format"])
def test_an_entry_left_to_the_writer_is_the_entry_written_at_load_time(kind: str, environment: dict[str, str], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch, deferring: None) -> None:
    folder = tmp_path / kind
    folder.mkdir()
    paths = _inputs(kind, folder)
    at_put: dict[tuple[Path, str], tuple[bytes, Any]] = {}
    put = LoadCache.put

    def noted(self: LoadCache, key: str, value: Any, *, deferrable: bool = False) -> None:
        at_put[(self.folder, key)] = (pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), value)
        put(self, key, value, deferrable=deferrable)

    monkeypatch.setattr(LoadCache, "put", noted)
    monkeypatch.chdir(folder)
    cache = tmp_path / "cache"
    options = pipeline.RunOptions(paths=paths, as_of=dt.date.fromisoformat(generate.AS_OF), cache_dir=cache)
    result = pipeline.run(options)
    assert result.findings
    queue = cache_writer.pending_writes()
    assert queue is not None and set(queue.entries) == set(at_put)
    deferred = {place: value for place, (_, value, pickled) in queue.entries.items() if not pickled}
    assert deferred  # the manifests' entries and the verdicts
    for place, value in deferred.items():
        assert pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) == at_put[place][0], place
    at_once = {place: payload for place, (_, payload, pickled) in queue.entries.items() if pickled}
    assert all(payload == at_put[place][0] for place, payload in at_once.items())
    if kind != "manifests":
        # Other tools' records were completed during the run: pickled at its end, their entries would differ.
        changed = [place for place in at_once if pickle.dumps(at_put[place][1], protocol=pickle.HIGHEST_PROTOCOL) != at_put[place][0]]
        assert changed
    assert queue.write() == (len(queue), [])
    cache_writer._QUEUE.clear()  # the warm run writes at once, as a Python caller's does
    warm = pipeline.run(options)
    cold = pipeline.run(pipeline.RunOptions(paths=paths, as_of=options.as_of))
    assert [f.sort_key() for f in warm.findings] == [f.sort_key() for f in cold.findings] == [f.sort_key() for f in result.findings]
    assert [f.message for f in warm.findings] == [f.message for f in cold.findings]


def test_a_writer_that_cannot_write_costs_only_time(estate: Path, environment: dict[str, str], tmp_path: Path) -> None:
    # A cache folder whose entries cannot be written (a file stands where their folder would): the run reports as ever,
    # the writer records the problems, and the next run reads every file again.
    cache = tmp_path / "blocked"
    cache.mkdir()
    (cache / "entries").write_text("not a folder\n", encoding="utf-8")
    done = console(CONSOLE, estate, environment, *CHECK, "--cache-dir", str(cache), "site-001.yaml")
    plain = console(CONSOLE, estate, environment, *CHECK, "--no-cache", "site-001.yaml")
    assert (done.returncode, done.stdout) == (plain.returncode, plain.stdout)
    assert wait_for_writer(cache)
    report = writer_report(cache)
    assert report is not None and len(report["problems"]) == 4  # the four files' entries; the other parts lie elsewhere
    assert report["written"] + 4 == report["entries"]
    assert all(problem.startswith(f"cannot write the cache in {cache}: ") for problem in report["problems"])
    again = run_cli(*CHECK, "--cache-dir", str(cache), "site-001.yaml", cwd=estate)
    assert "cache: cannot write the cache in" in again.stderr and again.stdout == plain.stdout


def test_the_writer_report_is_plain_json(tmp_path: Path) -> None:
    (tmp_path / REPORT_NAME).write_text("[1, 2]\n", encoding="utf-8")
    assert writer_report(tmp_path) is None
    (tmp_path / REPORT_NAME).write_text(json.dumps({"entries": 1}), encoding="utf-8")
    assert writer_report(tmp_path) == {"entries": 1}
    assert wait_for_writer(tmp_path / "never-written", timeout=0)


def test_an_entry_rebuilt_by_a_detached_run_holds_no_note_of_the_damage(estate: Path, environment: dict[str, str]) -> None:
    # The run says (-v) which entries it ignored; the entries written in their place, pickled after the run, must not
    # carry those notes into every later run.
    console(CONSOLE, estate, environment, *CHECK, "site-001.yaml")
    assert wait_for_writer(estate / FOLDER_NAME)
    for entry in entries(estate):
        entry.write_bytes(b"damaged")
    damaged = console(CONSOLE, estate, environment, *CHECK, "site-001.yaml")
    assert "not a valid entry of this user's cache, rebuilt" in damaged.stderr
    assert wait_for_writer(estate / FOLDER_NAME)
    again = run_cli(*CHECK, "site-001.yaml", cwd=estate)
    assert "cache: 4 of 4 file(s) taken from" in again.stderr and "not a valid entry" not in again.stderr
    assert again.stdout == damaged.stdout


# The console script as process 1 of a container's namespace, whose end would end the writer with it; each fork noted.
FIRST = COUNTED.replace("os.fork = counted\n", "os.fork = counted\nos.getpid = lambda: 1\n")


def test_a_container_s_first_process_writes_the_cache_itself(estate: Path, environment: dict[str, str]) -> None:
    forks = Path(environment["FORKS"])
    assert "os.getpid = lambda: 1" in FIRST
    done = console(FIRST, estate, environment, *CHECK, "site-001.yaml")
    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("cache: ") and last.endswith(" entries written by this process (it is process 1 of its namespace, "
                                                        "whose end would end a detached writer)")
    assert not forks.exists() and not (estate / FOLDER_NAME / LOCK_NAME).exists()
    assert f"cache: {len(entries(estate))} entries written" in last
