"""The load cache: what reading one file gave, kept by the file's content so that the next run skips the parse.

An entry holds the outcome of loading one file (its located documents, VP001/VP002
findings, the ``-v`` notes, and the records its manifests add to the estate model, with
the model's findings in them: :class:`vmspolicy.analysis.estate.FileModel`, which reads
no setting) and is found by a key made of the file's SHA-256, the
path it is reported under, and the fingerprint of everything else that changes
that outcome: vmspolicy's own code and data, the plugins, and the configuration
settings that loading reads (``formats:``, ``max_file_size:``, ``max_nodes:``, ``estate:``).

A repository cannot weaken the policy that judges it, so a cache folder is never
trusted for what it holds. Each entry is signed with an HMAC-SHA256 whose key is a
random secret kept in the user's own cache directory, never in a repository: an
entry that a repository committed, another user wrote, or a crash cut short fails
the check and is rebuilt, as is one in another format. Only then is it unpickled,
and then only into the classes listed in :data:`_ALLOWED_MODULES`.

Writes go to a temporary file renamed into place, so that concurrent runs see a
whole entry or none; the folder is pruned, least recently used first, when it
grows beyond :data:`MAX_BYTES`. The command line leaves the writes and the pruning
to a detached process once its report is out (:mod:`vmspolicy.run.cache_writer`);
a Python caller's run writes them as it goes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from vmspolicy import __version__
from vmspolicy.core.config import Config
from vmspolicy.run.cache_writer import ensure_folder, pending_writes
from vmspolicy.run.plugins import BUILTIN_PLUGINS, PluginHost

FOLDER_NAME = ".vmspolicy_cache"
"""The cache folder beside the configuration file (hidden: a directory scan never enters it)."""

ENV_DISABLE = "VMSPOLICY_NO_CACHE"
"""Set (to anything but empty or ``0``) to turn the cache off, as in a CI job that starts from a clean checkout."""

MAX_BYTES = 512 * 1024 * 1024
"""Above this, the least recently used entries are removed (a 100,000-camera estate takes about 120 MB with its verdicts)."""

PART_MAX_BYTES = 64 * 1024 * 1024
"""Above this, the least recently used entries of a part (the files' summaries) are removed; 100,000 cameras take about 8 MB."""

_MAGIC = b"vmspolicy-cache 2\n"  # 2: entries hold the file's model records
_TAG_BYTES = 32
_SECRET_NAME = "secret"
_ENTRIES = "entries"

# What an entry may unpickle into: the located data, documents, findings, model records and a loader's own records.
# A plugin's loader may put other classes into its documents; an entry holding one is rebuilt, not trusted.
_ALLOWED_MODULES = ("vmspolicy.", "datetime", "pathlib")
# The model's addresses and networks, rebuilt from their text by their own classes.
_ALLOWED_CLASSES = frozenset(("ipaddress", name) for name in ("IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network"))
_ALLOWED_BUILTINS = frozenset({"dict", "list", "tuple", "set", "frozenset", "str", "bytes", "int", "float", "bool", "complex"})


def user_cache_dir() -> Path:
    """The user's cache directory for vmspolicy (XDG on Linux, ``~/Library/Caches`` on macOS, ``LOCALAPPDATA`` on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "vmspolicy"


def disabled_by_environment() -> bool:
    """Whether :data:`ENV_DISABLE` turns the cache off."""
    return os.environ.get(ENV_DISABLE, "") not in ("", "0")


def code_fingerprint() -> str:
    """A digest of vmspolicy's installed files (name, size, modification time): the code and data that read files.

    The version alone would miss an edited checkout (``pip install -e``), whose
    loaders change without a new version number.
    """
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif not entry.name.endswith((".pyc", ".pyo")):  # any file a loader or the data may read, whatever its kind
                stat = entry.stat()
                digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


# The libraries whose reading of a file an entry holds: the YAML and XML parsers, the schema validator, the workbook reader.
_READERS = ("yaml", "_yaml", "jsonschema_rs", "defusedxml", "openpyxl", "pyexpat")


def readers_fingerprint() -> str:
    """Python's version and the installed files of the libraries that read and validate files (name, size, modification time).

    An upgrade of one of them may read a file otherwise; their versions would cost a metadata
    look-up each (tens of milliseconds of a pre-commit run), their files' state costs a stat.
    """
    import importlib.util

    parts = [sys.version]
    for name in _READERS:
        try:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
            stat = os.stat(origin) if origin is not None else None
        except (ImportError, ValueError, OSError):
            origin, stat = None, None
        parts.append(f"{name}\0{origin}\0{stat.st_size if stat else ''}\0{stat.st_mtime_ns if stat else ''}")
    return "\n".join(parts)


def fingerprint(parts: Iterable[str]) -> str:
    """One digest of the strings that change what loading a file gives."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _unpickle(payload: bytes) -> Any:
    import pickle  # imported by a run that uses the cache only

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if ((module == "builtins" and name in _ALLOWED_BUILTINS) or module.startswith(_ALLOWED_MODULES)
                    or (module, name) in _ALLOWED_CLASSES):
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"{module}.{name} is not cache data")

    return Unpickler(io.BytesIO(payload)).load()


@dataclass
class LoadCache:
    """The entries of one cache folder, signed with the user's secret; counts what a run found and wrote."""

    folder: Path
    secret: bytes
    fingerprint: str
    hits: int = 0
    misses: int = 0
    written: int = 0
    problems: list[str] = field(default_factory=list)  # entries ignored, writes that failed: for -v
    root: Path | None = None  # the run's cache folder, when this one lies inside it (the verdict store's, a part's)
    _parts: dict[str, LoadCache] = field(default_factory=dict, repr=False)

    def part(self, name: str) -> LoadCache:
        """The entries of another kind kept in the folder ``name`` of this one, signed and keyed alike (the files' summaries)."""
        if name not in self._parts:
            self._parts[name] = LoadCache(self.folder / name, self.secret, self.fingerprint, root=self.run_folder)
        return self._parts[name]

    def key(self, shown: str, sha256: str, context: str) -> str:
        """The entry's name for the file reported as ``shown`` with content ``sha256``, loaded under ``context``."""
        return fingerprint((self.fingerprint, shown, sha256, context))

    def _path(self, key: str) -> Path:
        return self.folder / _ENTRIES / key[:2] / key

    def _tag(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self.secret, key.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()

    def get(self, key: str) -> Any | None:
        """The object stored under ``key``, or None when there is none or it cannot be trusted (then it is rebuilt)."""
        path = self._path(key)
        try:
            with open(path, "rb") as stream:
                blob = stream.read()
        except OSError:
            self.misses += 1
            return None
        head = len(_MAGIC) + _TAG_BYTES
        if not blob.startswith(_MAGIC) or len(blob) < head or not hmac.compare_digest(blob[len(_MAGIC):head], self._tag(key, blob[head:])):
            # Damaged, cut short, written by another user or version, or committed to the repository: never used.
            self.problems.append(f"{path}: not a valid entry of this user's cache, rebuilt")
            self.misses += 1
            return None
        try:
            value = _unpickle(blob[head:])
        except Exception as exc:  # noqa: BLE001  (a signed entry that still does not load is rebuilt, whatever went wrong)
            self.problems.append(f"{path}: unreadable ({type(exc).__name__}), rebuilt")
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # the entry was used: pruning removes the least recently used first
        return value

    @property
    def run_folder(self) -> Path:
        """The run's cache folder (``--cache-dir``), which this one is or lies in."""
        return self.root or self.folder

    def put(self, key: str, value: Any, *, deferrable: bool = False) -> None:
        """Store ``value`` under ``key`` atomically; a cache that cannot be written only costs the next run time.

        Where the command line defers its writes (:mod:`vmspolicy.run.cache_writer`), a ``deferrable``
        value, one that nothing changes after it is put, is queued as it is and pickled by the writer;
        any other is pickled now, as it is, and only its writing waits.
        """
        queue = pending_writes()
        if queue is not None and deferrable:
            queue.entries[(self.folder, key)] = (self, value, False)
            return
        payload = self.pickled(key, value)
        if payload is None:
            return
        if queue is not None:
            queue.entries[(self.folder, key)] = (self, payload, True)
            return
        self.write(key, payload)

    def pickled(self, key: str, value: Any) -> bytes | None:
        """``value`` pickled for the entry ``key``; None (and a problem noted) when it cannot be."""
        import pickle

        try:
            return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001  (a plugin's loader may return data that cannot be pickled: then it is not cached)
            self.problems.append(f"cannot cache {key[:12]}: {type(exc).__name__}")
            return None

    def write(self, key: str, payload: bytes) -> bool:
        """Sign ``payload`` and write it as the entry ``key`` (a temporary file renamed into place); whether it was written."""
        import tempfile

        path = self._path(key)
        try:
            ensure_folder(self.folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(_MAGIC + self._tag(key, payload) + payload)
                os.replace(temporary, path)
            except BaseException:
                _remove(Path(temporary))
                raise
        except OSError as exc:
            self.problems.append(f"cannot write the cache in {self.folder}: {exc.strerror or exc}")
            return False
        self.written += 1
        return True

    def prune(self, limit: int = MAX_BYTES) -> None:
        """Remove the least recently used entries until the folder holds at most ``limit`` bytes (after the writes queued before)."""
        queue = pending_writes()
        if queue is not None:
            queue.prunes[self.folder] = (self, limit)
            return
        self.prune_now(limit)

    def prune_now(self, limit: int) -> None:
        """:meth:`prune`, whether or not writes are deferred."""
        entries: list[tuple[float, int, Path]] = []
        for sub in _scandir(self.folder / _ENTRIES):
            if sub.is_dir(follow_symlinks=False):
                for entry in _scandir(Path(sub.path)):
                    if entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        entries.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= limit:
                break
            _remove(path)
            total -= size


def _scandir(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def user_secret(folder: Path | None = None) -> bytes | None:
    """The signing secret of this user's cache entries, created on first use; None when it cannot be kept.

    It lives in the user's cache directory (mode 0600), outside any repository,
    so that no repository can hold a valid entry.
    """
    home = folder or user_cache_dir()
    path = home / _SECRET_NAME
    try:
        with open(path, "rb") as stream:
            secret = stream.read()
        if len(secret) >= 32:
            return secret
    except OSError:
        pass
    import secrets  # the first run of this user only
    import tempfile

    try:
        home.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=home, prefix=".secret-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(32))
        try:
            # Two first runs at once: the first secret in place wins and both read it back.
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:
            if not os.path.lexists(path):  # a file system without hard links
                os.replace(temporary, path)
        finally:
            _remove(Path(temporary))
        with open(path, "rb") as stream:
            secret = stream.read()
    except OSError:
        return None
    return secret if len(secret) >= 32 else None


def load_context(config: Config, bound: bool, *, stdin: bool) -> str:
    """The settings loading one file reads, as one string of the cache key."""
    return json.dumps(
        {"formats": dict(config.formats), "max_file_size": config.settings.get("max_file_size"),
         "max_nodes": config.settings.get("max_nodes"), "max_records": config.settings.get("max_records"), "bound": bound, "stdin": stdin,
         "configuration": config.path.name if config.path is not None else None},  # the limits' messages name it
        sort_keys=True, default=str,
    )


def open_cache(folder: Path | None, host: PluginHost, config: Config, verbose: Callable[[str], None]) -> LoadCache | None:
    """The load cache of a run in ``folder`` (None: no cache), or None when it cannot be used honestly.

    A loader of a third-party plugin (or its ``vmspolicy_load``) may read more than
    its file (another file it includes, the environment), which no key of the file's
    content would cover: with one, the cache is off. The other plugins are named in
    the key, with their versions and their vendor data (a workbook's headerless
    sheets are searched with it).
    """
    if folder is None or disabled_by_environment() or config.settings.get("cache") is False:
        return None
    loading = {host.loader_plugin(loader) for loader in host.loaders()}
    loading |= {impl.plugin_name for impl in host.manager.hook.vmspolicy_load.get_hookimpls()}
    outside = sorted(loading - set(BUILTIN_PLUGINS))
    if outside:
        verbose(f"cache: off, the loaders of plugin(s) {', '.join(outside)} may read more than the file they load")
        return None
    if folder.is_symlink():
        verbose(f"cache: off, {folder} is a symbolic link (a cache folder is written only where it is)")
        return None
    holder = _repository_holding(user_cache_dir(), folder)
    if holder is not None:
        # A CI job may set HOME to its checkout: a secret there could be the repository's own, and entries signed with it trusted.
        verbose(f"cache: off, the user cache directory {user_cache_dir()} lies inside {holder}, whose files cannot sign its entries")
        return None
    secret = user_secret()
    if secret is None:
        verbose(f"cache: off, no signing secret can be kept in {user_cache_dir()}")
        return None
    parts = [__version__, code_fingerprint(), readers_fingerprint(), *host.names(), *(f"{p.name}=={p.version}" for p in host.plugins)]
    if set(host.names()) - set(BUILTIN_PLUGINS):
        # A workbook's sheets are searched with the run's vendor data, plugins' relabels included.
        parts.append(json.dumps(host.vendor_data(), sort_keys=True, default=str))
    return LoadCache(folder, secret, fingerprint(parts))


def _repository_holding(home: Path, folder: Path) -> Path | None:
    """The repository (a folder holding ``.git``) or the cache's own folder that ``home`` lies inside, if it does.

    The repositories considered are those of the working directory and of the cache folder: what a run judges.
    """
    try:
        home = home.resolve()
        starts = [Path.cwd().resolve(), folder.resolve().parent]
    except (OSError, RuntimeError):
        return None
    for start in starts:
        for candidate in (start, *start.parents):
            if (candidate / ".git").exists() and home.is_relative_to(candidate):
                return candidate
    return folder.resolve() if home.is_relative_to(folder.resolve()) else None


def finish_cache(cache: LoadCache, from_cache: int, files: int, verbose: Callable[[str], None]) -> None:
    """Say (with ``-v``) what the cache gave; prune it when this run read files afresh (and so added entries)."""
    verbose(f"cache: {from_cache} of {files} file(s) taken from {cache.folder} unchanged, the others read")
    for part in cache._parts.values():
        for problem in part.problems:
            verbose(f"cache: {problem}")
        part.problems.clear()
    if from_cache < files:
        cache.prune()
        for part in cache._parts.values():
            part.prune(PART_MAX_BYTES)


def cache_folder(config_path: Path | None, given: Path | None) -> Path:
    """Where a run's cache lives: ``--cache-dir``, else beside the configuration, else the user's cache directory."""
    if given is not None:
        return given
    if config_path is not None:
        return config_path.resolve().parent / FOLDER_NAME
    return user_cache_dir() / "files"


__all__ = ["ENV_DISABLE", "FOLDER_NAME", "LoadCache", "cache_folder", "disabled_by_environment", "finish_cache", "load_context",
           "open_cache", "user_secret"]
