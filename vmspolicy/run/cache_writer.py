"""The load cache's writes left to a detached process, so that the command line's user does not wait for them.

A cold run learns an entry for every file it reads and the vendor verdicts of every
file's devices; pickling and writing them costs a quarter of the run. The console script
(and only it: a library must not fork behind its caller's back) turns deferral on before
its command runs (:func:`defer_writes`). From then on the load cache queues what it is
given, and once the command has returned and its report is flushed, :func:`leave_to_writer`
starts a detached writer, as git's ``gc.autoDetach`` does: a double fork, a session of its
own, standard streams on ``/dev/null`` (a caller reading our pipes, as pre-commit and
``subprocess.run(capture_output=True)`` do, sees them end when the command exits). The
writer pickles and writes the entries (atomically, as ever), prunes the folder, and leaves
with ``os._exit``; the command exits at once with its own code, and nothing the writer does
reaches its output.

A deferred entry is pickled as its objects are at the end of the run, so only objects no
stage changes after loading are queued as objects (``LoadCache.put(..., deferrable=True)``).
The documents of other tools' files are completed in place by the estate
(:func:`vmspolicy.loading.imported.settle_imported`): their entries are pickled when they are
put, and only the writing waits.

A ``--jobs`` worker (forked by the run) writes at once: its queue would die with it. Where
there is no ``fork`` (Windows), or it fails, or the command is process 1 of its namespace (a
container's, whose end ends every process in it), the queue is written in the process before it exits.

The writer holds a shared ``flock`` on :data:`LOCK_NAME` in the cache folder from before the
command exits until it is done, so that :func:`wait_for_writer` (the tests, the benchmark
harness) can wait for it; its last act is to record what it did and what it cost in
:data:`REPORT_NAME` (entries written, problems, its own CPU and wall seconds). Problems it
meets (a full disk, data that cannot be pickled) cannot reach the user's terminal: as a
failed write always did, they cost the next run the time of reading those files again.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

if TYPE_CHECKING:
    from vmspolicy.run.cache import LoadCache

LOCK_NAME = "writer.lock"
"""Held (shared) by each detached writer of a cache folder while it works: :func:`wait_for_writer` waits for it."""

WRITER_NICENESS = 10
"""How much lower the writer's scheduling priority is than the command's."""

REPORT_NAME = "writer.json"
"""What the last detached writer of a cache folder did: pid, entries, written, problems, cpu_seconds, seconds."""


@dataclass
class PendingWrites:
    """The cache writes a process has queued: each entry as its object or its pickle, and the folders to prune after."""

    pid: int  # the process that queues; a process forked from it (a --jobs worker) writes at once
    verbose: Callable[[str], None] | None = None  # where the command's -v says what became of the writes
    entries: dict[tuple[Path, str], tuple[LoadCache, Any, bool]] = field(default_factory=dict)  # (folder, key): (cache, value, pickled)
    prunes: dict[Path, tuple[LoadCache, int]] = field(default_factory=dict)  # folder: (cache, byte limit)

    def __len__(self) -> int:
        return len(self.entries)

    def folders(self) -> list[Path]:
        """The run folders (the ``--cache-dir``) of the caches written to, where a writer is waited for."""
        caches = [cache for cache, _, _ in self.entries.values()] + [cache for cache, _ in self.prunes.values()]
        return list(dict.fromkeys(cache.run_folder for cache in caches))

    def write(self) -> tuple[int, list[str]]:
        """Pickle and write every entry, then prune; the number of entries written and the problems met."""
        caches: dict[int, LoadCache] = {}
        written = 0
        for (_, key), (cache, value, pickled) in self.entries.items():
            caches[id(cache)] = cache
            payload = value if pickled else cache.pickled(key, value)
            if payload is not None and cache.write(key, payload):
                written += 1
        for cache, limit in self.prunes.values():
            caches[id(cache)] = cache
            cache.prune_now(limit)
        return written, [problem for cache in caches.values() for problem in cache.problems]


# This process's queue, once the command line defers its writes (a list, so that it is changed in place, not rebound).
_QUEUE: list[PendingWrites] = []
_LEFT: list[PendingWrites] = []  # the queues handed to a writer, never freed by this process


def defer_writes() -> None:
    """Queue this process's cache writes from now on, for :func:`leave_to_writer` (the console script only)."""
    _QUEUE[:] = [PendingWrites(os.getpid())]


def pending_writes() -> PendingWrites | None:
    """Where this process's cache writes go; None when they are made at once (no deferral, or a process forked from the run)."""
    return _QUEUE[0] if _QUEUE and _QUEUE[0].pid == os.getpid() else None


def say_with(verbose: Callable[[str], None]) -> None:
    """Have :func:`leave_to_writer` say with ``verbose`` (a command's ``-v``) what becomes of the writes queued so far."""
    queue = pending_writes()
    if queue is not None:
        queue.verbose = verbose


def leave_to_writer() -> None:
    """Hand the queued writes to a detached writer (written here where none can be started); nothing when none are queued.

    Called by the console script once the command has returned and its output is flushed, just before the process
    ends: after the fork, every page this process still wrote to would be copied for the writer, so it does no more
    than say where the writes went.
    """
    import gc

    queue = pending_writes()
    if queue is None or not (queue.entries or queue.prunes):
        return
    _QUEUE[:] = [PendingWrites(queue.pid)]  # writes queued later wait for another call
    gc.disable()  # the process is ending: a collection now would rescan the run's heap for nothing
    say = queue.verbose or _say_nothing
    pid: int | None = None
    why = "this platform cannot fork"
    if os.getpid() == 1:
        # The first process of its namespace (`docker run image vmspolicy ...`): the others end when it does.
        why = "it is process 1 of its namespace, whose end would end a detached writer"
    elif hasattr(os, "fork"):
        try:
            pid = _detach(queue)
        except OSError as exc:
            why = f"no process could be started: {exc.strerror or exc}"
    if pid is not None:
        # Kept until the process ends: freeing the queued objects now would write to every page they lie on, and each
        # page written after the fork is copied (a tenth of a cold run's CPU at 10,000 cameras).
        _LEFT.append(queue)
        records = ", ".join(str(folder / REPORT_NAME) for folder in queue.folders())
        say(f"cache: {len(queue)} entries left to a detached writer (pid {pid}), which records what it did in {records}")
    else:
        written, problems = queue.write()
        say(f"cache: {written} entries written by this process ({why})")
        for problem in problems:
            say(f"cache: {problem}")
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()  # what was said: the process ends without flushing


def _say_nothing(message: str) -> None:
    """The messages of a command that asked for none."""


def _detach(queue: PendingWrites) -> int | None:
    """Start the writer of ``queue`` in a process of its own session; its pid (None when it could not be started)."""
    import fcntl

    locks: list[int] = []
    for folder in queue.folders():
        try:
            ensure_folder(folder)
            handle = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError:
            continue  # the writer still writes (and fails as a write would); only waiting for it is lost
        try:
            # Shared: writers of several runs may work at once; a waiter's exclusive lock waits for them all.
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            locks.append(handle)
        except OSError:
            os.close(handle)
    reader, sender = os.pipe()
    try:
        middle = os.fork()
        if middle == 0:  # pragma: no cover  (the middle process: counted by coverage in no process that reports)
            os.close(reader)
            _middle(queue, sender, locks)
        os.close(sender)
        sender = -1
        told = os.read(reader, 32)  # the writer's pid, written as the middle process starts it and exits
        os.waitpid(middle, 0)
    finally:
        os.close(reader)
        if sender >= 0:
            os.close(sender)
        for handle in locks:
            os.close(handle)  # the writer holds its own copies: the lock lasts as long as it does
    return int(told) if told.strip().isdigit() else None


def _middle(queue: PendingWrites, sender: int, locks: list[int]) -> NoReturn:
    """The first child: a session of its own (no terminal's signals reach the writer), then the writer, then gone."""
    code = 1
    try:
        os.setsid()
        writer = os.fork()
        if writer == 0:
            _writer(queue, locks)
        os.write(sender, str(writer).encode("ascii"))
        code = 0
    finally:
        os._exit(code)


def _writer(queue: PendingWrites, locks: list[int]) -> NoReturn:
    """The detached writer: streams on /dev/null, every other inherited descriptor released, the queue written and recorded."""
    import gc

    started = time.monotonic()
    gc.disable()  # the run's heap is large and holds no cycle to find: a collection would only rescan it
    try:
        _release_descriptors(keep=locks)
        with contextlib.suppress(OSError):
            # Background work: the user's next command (pre-commit's next hook) comes first on a busy machine.
            os.nice(WRITER_NICENESS)
        written, problems = 0, list[str]()
        try:
            written, problems = queue.write()
        except Exception as exc:  # noqa: BLE001  (whatever goes wrong costs the next run time, never the user an error)
            problems.append(f"the writer stopped: {type(exc).__name__}: {exc}")
        _record(queue, written, problems, started)
    finally:
        os._exit(0)


def _release_descriptors(keep: list[int]) -> None:
    """Point standard input, output and error, and every other descriptor inherited but ``keep``, at /dev/null.

    A caller waits for the end of the pipes it gave the command; the writer must hold none of them. Each
    descriptor is replaced rather than closed, so that no number the run's objects still name is reused.
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        listed = [int(name) for name in os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd")]
    except OSError:
        listed = []
    for number in sorted({0, 1, 2, *listed}):
        if number == null or number in keep:
            continue
        try:
            os.fstat(number)
            os.dup2(null, number)
        except OSError:
            continue  # not open (the listing's own descriptor, closed since)
    os.close(null)


def _record(queue: PendingWrites, written: int, problems: list[str], started: float) -> None:
    """Write :data:`REPORT_NAME` into each run folder: what this writer did and its own CPU and wall seconds."""
    import json
    import resource
    import tempfile

    usage = resource.getrusage(resource.RUSAGE_SELF)  # a forked process's usage starts at zero: the writer's alone
    text = json.dumps({"pid": os.getpid(), "entries": len(queue), "written": written, "problems": problems,
                       "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4), "seconds": round(time.monotonic() - started, 4)})
    for folder in queue.folders():
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text + "\n")
            os.replace(temporary, folder / REPORT_NAME)
        except OSError:
            continue


def ensure_folder(folder: Path) -> None:
    """Create the cache folder with a ``.gitignore`` of ``*``, so that git leaves it out (as ruff's and pytest's)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not os.path.lexists(ignore):
        try:
            # O_EXCL: never write through a link someone placed there.
            handle = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write("# Created by vmspolicy: its load cache, never to be committed.\n*\n")


def wait_for_writer(folder: Path, timeout: float = 600.0) -> bool:
    """Wait until no detached writer works in the cache folder ``folder``; False when ``timeout`` seconds pass first."""
    try:
        import fcntl
    except ImportError:
        return True  # no flock, no fork (Windows): every write was made by the command itself
    try:
        handle = os.open(folder / LOCK_NAME, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True  # no writer ever worked there
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.005)
    finally:
        os.close(handle)  # and with it the lock


def writer_report(folder: Path) -> dict[str, Any] | None:
    """What the last detached writer of ``folder`` recorded (:data:`REPORT_NAME`), or None when there is no such record."""
    import json

    try:
        value = json.loads((folder / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


__all__ = ["LOCK_NAME", "REPORT_NAME", "WRITER_NICENESS", "PendingWrites", "defer_writes", "ensure_folder", "leave_to_writer",
           "pending_writes", "say_with", "wait_for_writer", "writer_report"]
