"""Which files a run reads: files named on the command line, files below named folders, the configured estate.

Symbolic links to folders are followed, because estates are assembled from shared
folders that way; a link that leads back into a folder being walked (a loop) is
reported at the link, and a folder that cannot be listed is reported at the folder:
both are VP001, since what they hold could not be judged. A folder reached twice
through different links is walked once.

``exclude:`` patterns keep files out of the judgement, never out of sight: the
excluded files are handed back with the pattern that excluded each, so that the
reports can list the ones that are manifests.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

from vmspolicy.core import codes
from vmspolicy.core.config import Config
from vmspolicy.core.errors import ConfigError, UsageError
from vmspolicy.core.findings import Finding
from vmspolicy.core.records import record
from vmspolicy.core.source import Location, display_path

# Folders a directory scan never enters: tool caches and dependencies, not the estate.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"})


@record(frozen=True, slots=True)
class ExcludedPath:
    """A file the configuration's ``exclude:`` keeps out of the judgement, and the pattern that does."""

    shown: str
    path: Path
    pattern: str


@dataclass
class Discovery:
    """The files found, the files excluded, and the folders that could not be walked (VP001 findings)."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    excluded: list[ExcludedPath] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)


def _link_shown(link: Path) -> str:
    """A link named as written in its folder: resolving it would follow the loop it is reported for."""
    parent = display_path(link.parent)
    return link.name if parent == "." else f"{parent}/{link.name}"


def excluded_by(shown: str, patterns: Sequence[str]) -> str | None:
    """The first ``exclude:`` pattern that matches the file shown as ``shown``, if any."""
    return next((pattern for pattern in patterns if fnmatch.fnmatch(shown, pattern)), None)


def walk(folder: Path, problems: list[Finding]) -> Iterator[Path]:
    """Every entry below ``folder`` that is not a folder, in name order, following links to folders.

    Hidden folders and :data:`SKIP_DIRS` are not entered. Loops and folders that
    cannot be listed are appended to ``problems`` as VP001.
    """
    try:
        root = folder.stat()
    except OSError as exc:
        problems.append(codes.PARSE_ERROR.finding(Location(display_path(folder)), f"cannot list folder: {exc.strerror or exc}"))
        return
    seen: set[tuple[int, int]] = {(root.st_dev, root.st_ino)}
    yield from _walk(folder, ((root.st_dev, root.st_ino),), seen, problems)


def _walk(folder: Path, ancestors: tuple[tuple[int, int], ...], seen: set[tuple[int, int]],
          problems: list[Finding]) -> Iterator[Path]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        shown = display_path(folder)
        problems.append(codes.PARSE_ERROR.finding(Location(shown), f"cannot list folder {shown}: {exc.strerror or exc}"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            if entry.is_symlink() and _loops(path):
                problems.append(codes.PARSE_ERROR.finding(
                    Location(_link_shown(path)), f"symbolic link {_link_shown(path)} loops back on itself: nothing behind it can be read",
                ))
                continue
            yield path
            continue
        if entry.name in SKIP_DIRS or entry.name.startswith("."):
            continue
        try:
            status = path.stat()
        except OSError as exc:
            problems.append(codes.PARSE_ERROR.finding(Location(display_path(path)), f"cannot list folder: {exc.strerror or exc}"))
            continue
        key = (status.st_dev, status.st_ino)
        if key in ancestors:
            shown = _link_shown(path)
            problems.append(codes.PARSE_ERROR.finding(
                Location(shown),
                f"symbolic link {shown} leads back to {display_path(path)}, a folder it is inside of: a loop, not followed",
            ))
            continue
        if key in seen:
            continue  # the same folder through another link: its files are found once
        seen.add(key)
        yield from _walk(path, (*ancestors, key), seen, problems)


def _loops(link: Path) -> bool:
    try:
        link.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def discover(paths: Sequence[str], suffixes: set[str], exclude: Sequence[str]) -> Discovery:
    """Files named in ``paths`` (any suffix) and files below named folders (known suffixes only).

    A file that matches ``exclude`` goes to :attr:`Discovery.excluded`, named or found.
    Raises :class:`UsageError` for a path that does not exist.
    """
    found = Discovery()
    files: dict[str, Path] = {}
    excluded: dict[str, ExcludedPath] = {}

    def add(candidate: Path) -> None:
        shown = display_path(candidate)
        pattern = excluded_by(shown, exclude)
        if pattern is not None:
            excluded.setdefault(shown, ExcludedPath(shown, candidate, pattern))
        else:
            files.setdefault(shown, candidate)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in walk(path, found.problems):
                # A FIFO or a link to a device would block or never end: a scan reads regular files only.
                # A dangling link stays, so that it is reported as unreadable (fail closed).
                if candidate.exists() and not candidate.is_file():
                    continue
                if candidate.suffix.lower() in suffixes:
                    add(candidate)
        elif path.exists() or path.is_symlink():
            add(path)
        else:
            raise UsageError(f"{raw}: no such file or directory")
    found.files = [(key, files[key]) for key in sorted(files)]
    found.excluded = [excluded[key] for key in sorted(excluded)]
    return found


def estate_files(config: Config) -> Discovery:
    """The files the configuration's ``estate`` globs name (relative to the configuration file).

    A glob must stay below the configuration's folder: an absolute or ``..`` pattern is a
    configuration error (it could walk the whole machine, /proc included). ``**`` follows
    links to folders, as a folder scan does.
    """
    found = Discovery()
    files: dict[str, Path] = {}
    excluded: dict[str, ExcludedPath] = {}
    for pattern in config.estate:
        parts = PurePosixPath(pattern).parts
        if PurePosixPath(pattern).is_absolute() or ".." in parts or Path(pattern).is_absolute():
            raise ConfigError(
                f"estate: {pattern!r} must be relative to the configuration's folder, without '..'",
                str(config.path or ""),
            )
        for match in _glob(config.root, pattern, found.problems):
            shown = display_path(match)
            by = excluded_by(shown, config.exclude)
            if by is not None:
                excluded.setdefault(shown, ExcludedPath(shown, match, by))
            else:
                files.setdefault(shown, match)
    found.files = [(key, files[key]) for key in sorted(files)]
    found.excluded = [excluded[key] for key in sorted(excluded)]
    return found


def _glob(root: Path, pattern: str, problems: list[Finding]) -> Iterator[Path]:
    """Files below ``root`` whose path relative to it matches ``pattern`` (``*``, ``?``, ``[...]``, ``**``)."""
    segments = [s for s in PurePosixPath(pattern).parts if s not in ("", ".")]
    literal: list[str] = []
    for segment in segments[:-1]:
        if _has_magic(segment):
            break
        literal.append(segment)
    base = root.joinpath(*literal)
    rest = segments[len(literal):]
    if not rest:
        return
    matcher = re.compile(_translate(rest))
    if len(rest) == 1 and not _has_magic(rest[0]):
        candidates: Iterator[Path] = iter([base / rest[0]] if (base / rest[0]).exists() or (base / rest[0]).is_symlink() else [])
    elif not base.is_dir():
        return
    elif len(rest) == 1:
        candidates = (p for p in _listing(base, problems))
    else:
        candidates = walk(base, problems)
    for candidate in candidates:
        relative = candidate.relative_to(base).as_posix()
        if not matcher.fullmatch(relative):
            continue
        # Regular files, and dangling links (unreadable: VP001); never a FIFO or a device.
        if candidate.is_file() or not candidate.exists():
            yield candidate


def _listing(folder: Path, problems: list[Finding]) -> Iterator[Path]:
    try:
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing)
    except OSError as exc:
        shown = display_path(folder)
        problems.append(codes.PARSE_ERROR.finding(Location(shown), f"cannot list folder {shown}: {exc.strerror or exc}"))
        return
    for name in names:
        yield folder / name


def _has_magic(segment: str) -> bool:
    return any(ch in segment for ch in "*?[")


def _translate(segments: Sequence[str]) -> str:
    """A regular expression for path segments with glob wildcards; ``**`` spans any number of folders."""
    out: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        out.append(_translate_segment(segment) + ("" if last else "/"))
    return "".join(out)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            close = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close < 0:
                out.append(re.escape(ch))
            else:
                body = segment[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)
