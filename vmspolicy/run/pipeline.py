"""One run of vmspolicy: discover, load, validate, model, judge, suppress.

Stages talk through plain data: located documents, the :class:`Estate`,
findings. :func:`run` is the entry; reporters receive its :class:`Run` and compute nothing.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import gc
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from vmspolicy import __version__, governance
from vmspolicy.analysis import overrides, policy
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.estate import SECTIONS, FileModel, imported_zone_ids, merge_files, model_file
from vmspolicy.analysis.scope import FileSummary, Scope, closure, merge_scoped, summarize
from vmspolicy.core import codes
from vmspolicy.core.config import Config, check_rule_settings, find_config, load_config, with_overrides
from vmspolicy.core.errors import PluginError, UsageError
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.limits import MAX_NODES, MAX_RECORDS, NodeLimit
from vmspolicy.core.records import record
from vmspolicy.core.rule import Rule
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Location, Pos, display_path
from vmspolicy.core.text import ParseError
from vmspolicy.governance.configuration import configuration_record
from vmspolicy.governance.options import GovernanceOptions
from vmspolicy.loading.base import SourceFile, content_suffix
from vmspolicy.loading.manifest_signs import near_manifest
from vmspolicy.reporters.base import ExcludedFile, InputFile, Run, SkippedFile
from vmspolicy.run.cache import LoadCache, finish_cache, load_context, open_cache
from vmspolicy.run.discovery import ExcludedPath, discover, estate_files
from vmspolicy.run.plugins import BUILTIN_PLUGINS, ClaimedParseError, PluginHost, guarded, load_plugins
from vmspolicy.run.verdict_store import VerdictStore

STDIN = "-"
SCOPED = True
"""Whether a run with ``RunOptions.scope`` models only what the reported files' findings depend on
(:mod:`vmspolicy.analysis.scope`); tests turn it off to compare a scoped run with a whole one."""
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest input read unless the configuration's ``max_file_size`` says otherwise; a 100,000-camera manifest is about 36 MB."""


def max_file_bytes(config: Config) -> int:
    """The configuration's ``max_file_size`` (validated as a positive integer), else :data:`MAX_FILE_BYTES`."""
    return _limit_setting(config, "max_file_size")[0] or MAX_FILE_BYTES


def _too_large(size: int, config: Config, *, stream: bool = False) -> str | None:
    """Why an input of ``size`` bytes is not read, naming the limit and the setting; None when it may be.

    ``stream``: the input is standard input, read only up to one byte past the limit (an endless
    stream must not exhaust memory), so its size is known only to be larger.
    """
    value, where = _limit_setting(config, "max_file_size")
    limit = value or MAX_FILE_BYTES
    if size <= limit:
        return None
    if stream:
        return f"standard input holds more than the {limit:,} bytes an input may have ({where}); it was read no further"
    return f"{size:,} bytes is more than the {limit:,} an input may have ({where})"


def node_limit(config: Config) -> NodeLimit:
    """The configuration's ``max_nodes`` (validated as a positive integer), else :data:`MAX_NODES`, and where it is set."""
    value, where = _limit_setting(config, "max_nodes")
    return NodeLimit(MAX_NODES) if value is None else NodeLimit(value, where)


def _limit_setting(config: Config, name: str) -> tuple[int | None, str]:
    """A limit the configuration sets (validated as a positive integer; None when unset) and the words that say where."""
    value = config.settings.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None, f"the default; raise {name} in the configuration to read it"
    return value, f"{name} in {config.path.name}" if config.path is not None else f"{name} in the configuration"


def _too_many_records(documents: Sequence[Document], config: Config) -> tuple[str, Pos] | None:
    """Why a file's records are not judged, and where the first record past ``max_records`` is; None when they may be."""
    value, where = _limit_setting(config, "max_records")
    limit = value or MAX_RECORDS
    if sum(1 for _ in _record_positions(documents, located=False)) <= limit:
        return None  # the common case: counted without a position for each record
    for count, pos in enumerate(_record_positions(documents), start=1):
        if count > limit and pos is not None:
            return (f"the file gives more than the {limit:,} records (sites, zones, devices, firewall rules, waivers, scanned "
                    f"hosts) a file may have ({where}); none of them is judged: split the file", pos)
    return None


def _record_positions(documents: Sequence[Document], *, located: bool = True) -> Iterator[Pos | None]:
    """Where each record the documents give begins (None unless ``located``), in document order: what the estate model and
    the rules take one by one."""
    for doc in documents:
        hosts = getattr(doc, "hosts", None)  # a scan's observed hosts (vmspolicy.loading.nmap.ScanDocument)
        if isinstance(hosts, tuple):
            yield from (host.pos if located else None for host in hosts)
        data = doc.data
        if not isinstance(data, LocatedMap):
            continue
        for section in SECTIONS:
            items = data.get(section)
            if not isinstance(items, LocatedSeq):
                continue
            for index, item in enumerate(items):
                yield items.where(index) if located else None
                if section == "firewalls" and isinstance(item, LocatedMap):
                    for key in ("rules", "nat"):
                        entries = item.get(key)
                        if isinstance(entries, LocatedSeq):
                            yield from (entries.where(i) if located else None for i in range(len(entries)))


def _unmatched_import_zones(purposes: dict[str, str], imported: frozenset[str], config: Config) -> list[Finding]:
    """VP003 for each zone ``import: {zones: ...}`` names that no imported file gives: a typo would leave its purpose unsaid."""
    if config.path is None:
        return []
    line, column = config.positions.get("import.zones", (1, 1))
    where = Location(display_path(config.path), line, column)
    return [
        codes.UNKNOWN_REFERENCE.finding(
            where,
            f"import.zones names zone {zone_id!r}, which no file read from another tool gives "
            f"(zones read: {', '.join(sorted(imported)) or 'none'}); its purpose is not set",
            subject=zone_id,
            evidence=f"import.zones:{zone_id}",
        )
        for zone_id in sorted(purposes) if zone_id not in imported
    ]


def _quiet(message: str) -> None:
    """Say nothing: a run without ``-v``."""


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


@record(frozen=True, slots=True)
class RunOptions:
    """What one run reads and how (the command line builds it from its options; no argparse here).

    ``config`` is the configuration: a :class:`Config`, the path of a configuration file, or
    None for the one the command line finds (the nearest ``.vmspolicy.yaml``, or
    ``pyproject.toml`` with ``[tool.vmspolicy]``, from the working directory up). ``plugins``
    is the plugin host; None loads the built-in plugins, the installed ones (unless
    ``installed_plugins`` is False, as ``--no-plugins`` does) and then ``extra_plugins``: plugin
    objects (modules, classes or instances with ``@vmspolicy.hookimpl`` functions) registered in
    this process, reported in every report's plugins like installed ones. ``profiles``,
    ``fail_on`` and ``strict`` are given over the configuration's, as ``--profile``,
    ``--fail-on`` and ``--strict`` are (and recorded so in every report); ``governance`` holds
    the baseline and the handling of inline suppressions.
    """

    paths: Sequence[str]
    as_of: dt.date = field(default_factory=_today)
    stdin_filename: str | None = None
    stdin_bytes: bytes | None = None
    verbose: Callable[[str], None] = _quiet  # where -v's messages go
    select_only_given: bool = True
    jobs: int = 1  # worker processes that load files (1: in this process)
    governance: GovernanceOptions = field(default_factory=GovernanceOptions)
    config: Config | Path | None = None
    plugins: PluginHost | None = None
    extra_plugins: Sequence[object] = ()  # 1.2: plugins registered in this process, after the installed ones
    installed_plugins: bool = True  # 1.2: False leaves out the installed (entry-point) plugins, as --no-plugins
    cache_dir: Path | None = None  # the load cache's folder (None: no cache; see vmspolicy/run/cache.py)
    profiles: Sequence[str] = ()  # packs to apply instead of the configuration's profiles (--profile)
    fail_on: Severity | None = None  # the lowest severity that fails the run, over the configuration's (--fail-on)
    strict: bool | None = None  # True: an unidentified vendor (VP106) is an error (--strict)
    # 1.2: with estate: and paths, model in full only what the reported files' findings depend on (vmspolicy.analysis.scope),
    # as `vmspolicy check` does: the findings are the same, but Run.estate then holds only the devices so modelled.
    scope: bool = False


@dataclass
class Loaded:
    """The documents of a run, the inputs read, and the VP001 findings."""

    documents: list[Document] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    excluded: list[ExcludedFile] = field(default_factory=list)
    # Each read file's documents with their model (None: not manifests, modelled with the whole estate), in file order.
    files: list[tuple[FileModel | None, list[Document]]] = field(default_factory=list)
    # A scoped run (vmspolicy.analysis.scope): every file's summary with its model when it was read, and what is modelled.
    summaries: list[tuple[FileSummary, FileModel | None]] | None = None
    scope: Scope | None = None


def load_files(files: Sequence[tuple[str, bytes | None, Path | None]], host: PluginHost, config: Config,
               verbose: Callable[[str], None], jobs: int = 1, *, bound: bool = False, cache: LoadCache | None = None) -> Loaded:
    """Read and load every file. ``files`` holds (display path, bytes if already read, filesystem path).

    ``bound``: the files are the configured estate's, so one that does not parse is VP001
    whatever it looks like. Otherwise such a file is VP001 only when it shows signs of being
    a manifest or a format a loader reads (:meth:`resembles`); anything else is skipped, so
    that a repository's workflows, templates and data files never block a commit.

    With ``jobs`` > 1 and several files, files are read and parsed in that many
    worker processes (parsing is pure-Python work the GIL would serialise in
    threads); outcomes are merged in file order, so the result is the same as
    a serial run's.

    ``cache``: what loading a file gave is taken from it when the file's content and
    everything else loading depends on are unchanged (see :mod:`vmspolicy.run.cache`).
    """
    loaded = Loaded()
    loaders = host.loaders()
    by_name = {loader.name: loader for loader in loaders}
    workers = min(jobs, len(files))
    if workers > 1 and _can_fork():
        outcomes: Iterable[_FileOutcome] = _load_in_workers(files, host, config, loaders, by_name, workers, bound, cache)
    else:
        outcomes = (_load_one(entry, host, config, loaders, by_name, bound, cache) for entry in files)
    from_cache = 0
    for outcome in outcomes:
        from_cache += _take(loaded, outcome, verbose)
    if cache is not None:
        finish_cache(cache, from_cache, len(files), verbose)
    return loaded


def _take(loaded: Loaded, outcome: _FileOutcome | _FileGist, verbose: Callable[[str], None]) -> bool:
    """Add what loading one file gave to ``loaded``; whether it came from the cache."""
    if isinstance(outcome, _FileGist):
        if outcome.skipped is not None:
            loaded.skipped.append(SkippedFile(outcome.shown, outcome.skipped))
        if outcome.input is not None:
            loaded.inputs.append(outcome.input)
        return True
    if outcome.plugin_error is not None:
        raise PluginError(*outcome.plugin_error)
    for message in outcome.notes:
        verbose(message)
    loaded.findings.extend(outcome.findings)
    if outcome.skipped is not None:
        loaded.skipped.append(SkippedFile(outcome.shown, outcome.skipped))
    if outcome.documents is not None:
        loaded.documents.extend(outcome.documents)
        loaded.files.append((outcome.model, outcome.documents))
    if outcome.input is not None:
        loaded.inputs.append(outcome.input)
    return outcome.from_cache


@dataclass
class _FileOutcome:
    """What loading one file gave; plain picklable data, so a worker process can hand it back."""

    shown: str
    documents: list[Document] | None = None
    model: FileModel | None = None  # what the documents add to the estate model, when they are manifests
    input: InputFile | None = None
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None  # why the file was not judged
    notes: list[str] = field(default_factory=list)  # the -v messages, replayed in file order
    plugin_error: tuple[str, str] | None = None  # (plugin, message): PluginError does not survive pickling
    from_cache: bool = False  # taken from the load cache rather than read again
    summary: FileSummary | None = None  # with the cache: what a scoped run needs of the file's model (vmspolicy.analysis.scope)


@record(frozen=True, slots=True)
class _FileGist:
    """What a scoped run keeps of a file no finding of which it reports (:mod:`vmspolicy.analysis.scope`).

    ``summary`` is None for a file that gives no records (skipped, unreadable); ``modelled`` is False
    for another tool's file, which only the whole estate's model can place.
    """

    shown: str
    summary: FileSummary | None
    input: InputFile | None
    skipped: str | None
    modelled: bool = True


def _gist(outcome: _FileOutcome) -> _FileGist:
    if outcome.documents is not None and outcome.model is None:
        return _FileGist(outcome.shown, None, outcome.input, outcome.skipped, modelled=False)
    if outcome.summary is None and outcome.model is not None:
        outcome.summary = summarize(outcome.model)
    return _FileGist(outcome.shown, outcome.summary, outcome.input, outcome.skipped)


def _read(shown: str, path: Path, config: Config) -> bytes:
    """The bytes of the file ``path``; OSError (with a message for the user) when it cannot or may not be read."""
    if not path.is_file():
        raise OSError(_not_a_file(path, shown))
    refused = _too_large(path.stat().st_size, config)
    if refused is not None:
        raise OSError(refused)
    return path.read_bytes()


def _load_one(entry: tuple[str, bytes | None, Path | None], host: PluginHost, config: Config, loaders: Sequence[Any],
              by_name: dict[str, Any], bound: bool, cache: LoadCache | None = None) -> _FileOutcome:
    shown, raw, path = entry
    outcome = _FileOutcome(shown)
    if raw is None:
        assert path is not None
        try:
            raw = _read(shown, path, config)
        except OSError as exc:
            # Fail closed: a file we were asked to read and cannot is a finding, not a pass.
            outcome.findings.append(codes.PARSE_ERROR.finding(Location(shown), f"cannot read file: {exc.strerror or exc}"))
            return outcome
    refused = _too_large(len(raw), config, stream=path is None)
    if refused is not None:
        outcome.findings.append(codes.PARSE_ERROR.finding(Location(shown), f"cannot read file: {refused}"))
        return outcome
    source = SourceFile(shown, raw, node_limit=node_limit(config))
    if cache is None:
        return _load_bytes(outcome, source, path, config, loaders, by_name, host, bound)
    # The digest is kept by the source file: the documents and the inputs list it too, and a file is hashed once.
    key = cache.key(shown, source.sha256, load_context(config, bound, stdin=path is None))
    known = len(cache.problems)
    kept = cache.get(key)
    if isinstance(kept, _FileOutcome) and kept.shown == shown and kept.plugin_error is None:
        kept.from_cache = True
        return kept
    outcome = _load_bytes(outcome, source, path, config, loaders, by_name, host, bound)
    # What a scoped run needs of the file when it reports none of its findings, kept beside the whole outcome.
    gist = _gist(outcome)
    # A manifest file's outcome and summary are not changed after loading, so the command line may pickle them after its
    # report; other tools' documents are completed in place by the estate (loading.imported.settle_imported): pickled now.
    settled = outcome.model is not None
    cache.put(key, outcome, deferrable=settled)
    cache.part(SUMMARIES).put(key, gist, deferrable=settled)
    # What the cache ignored or could not write, among this file's -v notes (a worker process's count is its own);
    # the entry, which may be pickled later, keeps the notes of loading alone.
    problems = [f"cache: {problem}" for problem in cache.problems[known:]]
    del cache.problems[known:]
    return replace(outcome, notes=[*problems, *outcome.notes]) if problems else outcome


SUMMARIES = "summaries"
"""The load cache's part that holds each file's :class:`_FileGist`, which a scoped run reads instead of the whole entry."""


def _unscopable(host: PluginHost, config: Config) -> str | None:
    """Why a run may not model only what its reported files' findings depend on (:mod:`vmspolicy.analysis.scope`); None when
    it may.

    Only vmspolicy's own rules are known to judge a file from the records the scope holds; a
    configuration's ``import:`` completes other tools' files from manifests anywhere.
    """
    if config.settings.get("import"):
        return "import: completes other tools' files from manifests anywhere"
    outside = sorted(set(host.names()) - set(BUILTIN_PLUGINS))
    return f"plugin(s) {', '.join(outside)} may judge across files" if outside else None


def _load_scoped(files: Sequence[tuple[str, bytes | None, Path | None]], reported: set[str], host: PluginHost, config: Config,
                 verbose: Callable[[str], None], cache: LoadCache) -> Loaded | None:
    """Load the reported files and what their findings depend on; summarise the others from the cache.

    None when the estate cannot be scoped (a plugin outside vmspolicy, ``import:``, another tool's file, a waiver
    in a reported file, a file changed while it was read), which ``verbose`` says: the caller then loads every file.
    """
    unscopable = _unscopable(host, config)
    if unscopable is not None:
        verbose(f"scope: off, {unscopable}")
        return None
    loaders = host.loaders()
    by_name = {loader.name: loader for loader in loaders}
    outcomes: list[_FileOutcome | _FileGist] = []
    another_tools = "scope: off, the estate holds another tool's file, {}, which only the whole estate's model places"
    for shown, raw, path in files:
        gist, key, raw = (None, None, raw) if shown in reported else _cached_gist(shown, raw, path, config, cache)
        if gist is not None and not gist.modelled:
            verbose(another_tools.format(shown))
            return None
        if gist is None:
            # The bytes the key was made of: a file changed since would store its summary under another content's key.
            read = _load_one((shown, raw, path), host, config, loaders, by_name, True, cache)
            if key is not None and read.from_cache:  # the summary was pruned before the entry: kept again
                cache.part(SUMMARIES).put(key, _gist(read), deferrable=read.model is not None)
        outcomes.append(gist or read)
    summaries: list[FileSummary] = []
    for outcome in outcomes:
        gist = outcome if isinstance(outcome, _FileGist) else _gist(outcome)
        if not gist.modelled:
            verbose(another_tools.format(gist.shown))
            return None
        summaries.append(gist.summary or FileSummary(""))  # no records (skipped, unreadable): no path of the estate's
    reported_indexes = [index for index, (shown, _, _) in enumerate(files) if shown in reported]
    if any(summaries[index].waivers for index in reported_indexes):
        # Whether a reported waiver is still needed (VP304) depends on findings anywhere.
        verbose("scope: off, a file named holds a waiver, whose use (VP304) depends on findings in every file")
        return None
    scope = closure(summaries, reported_indexes)
    loaded = Loaded(summaries=[])
    from_cache = 0
    for index, entry in enumerate(files):
        taken = outcomes[index]
        if index in scope.files and isinstance(taken, _FileGist):
            summarised = taken.input
            taken = _load_one(entry, host, config, loaders, by_name, True, cache)
            if summarised is None or taken.input is None or taken.input.sha256 != summarised.sha256:
                verbose(f"scope: off, {entry[0]} changed while it was read: the scope was drawn from its other content")
                return None
        from_cache += _take(loaded, taken, verbose)
        assert loaded.summaries is not None
        loaded.summaries.append((summaries[index], taken.model if isinstance(taken, _FileOutcome) else None))
    loaded.scope = scope
    verbose(f"scope: {len(scope.files)} of {len(files)} file(s) modelled in full ({len(scope.devices)} device(s)), "
            "the others known by their summaries")
    finish_cache(cache, from_cache, len(files), verbose)
    return loaded


def _cached_gist(shown: str, raw: bytes | None, path: Path | None, config: Config,
                 cache: LoadCache) -> tuple[_FileGist | None, str | None, bytes | None]:
    """The summary the cache holds for the file's content (None: none), its key and the bytes read (None, None when the
    file cannot be read: it is then loaded, which says why)."""
    if raw is None:
        if path is None:
            return None, None, None
        try:
            raw = _read(shown, path, config)
        except OSError:
            return None, None, None
    if _too_large(len(raw), config, stream=path is None) is not None:
        return None, None, None
    source = SourceFile(shown, raw, node_limit=node_limit(config))
    key = cache.key(shown, source.sha256, load_context(config, True, stdin=path is None))
    kept = cache.part(SUMMARIES).get(key)
    return (kept if isinstance(kept, _FileGist) and kept.shown == shown else None), key, raw


def _load_bytes(outcome: _FileOutcome, source: SourceFile, path: Path | None, config: Config, loaders: Sequence[Any],
                by_name: dict[str, Any], host: PluginHost, bound: bool) -> _FileOutcome:
    shown, raw = outcome.shown, source.raw
    if path is None and not source.suffix:
        # Standard input without --stdin-filename: recognised by its content, as a file of that format.
        source.sniffed_suffix = content_suffix(raw)
    forced = [name for pattern, name in config.formats.items() if fnmatch.fnmatch(shown, pattern)]
    if forced and forced[0] not in by_name:
        raise UsageError(f"formats: {forced[0]!r} (for {shown}) is not a known loader: {', '.join(by_name)}")
    candidates = [by_name[forced[0]]] if forced else loaders
    if not raw.strip():
        outcome.notes.append(f"{shown}: empty, skipped")
        outcome.skipped = "empty"
        return outcome
    try:
        documents = _first_claim(source, candidates, host, forced=bool(forced))
    except ParseError as exc:
        if not (bound or forced or isinstance(exc, ClaimedParseError) or _resembles(source, candidates, host)):
            outcome.notes.append(
                f"{shown}: does not parse ({exc.line}:{exc.column}: {exc.message}) and shows no sign of being a manifest "
                "or a known format, skipped"
            )
            outcome.skipped = "does not parse, no sign of a manifest"
            return outcome
        outcome.findings.append(codes.PARSE_ERROR.finding(Location(shown, exc.line, exc.column, exc.cell), exc.message))
        outcome.input = InputFile(shown, source.sha256, "unreadable")
        return outcome
    if documents is None and forced:
        pattern = next(p for p in config.formats if fnmatch.fnmatch(shown, p))
        outcome.findings.append(codes.PARSE_ERROR.finding(
            Location(shown),
            f"formats: {pattern!r} says this file is {forced[0]}, but the {forced[0]} loader does not read it as one; "
            "fix the file or the configuration's formats:",
        ))
        outcome.input = InputFile(shown, source.sha256, "unreadable")
        return outcome
    if documents is None:
        near = list(near_manifest(_parsed(source), manifest_file=False)) if source.suffix in _NEAR_SUFFIXES else []
        if near:
            # Fail closed: a lost, damaged or misspelt header must not make a manifest's violations vanish.
            outcome.findings.extend(codes.SCHEMA_VIOLATION.finding(Location(shown, *n.pos), n.message) for n in near)
            outcome.input = InputFile(shown, source.sha256, "unreadable")
            return outcome
    if documents is None:
        outcome.notes.append(f"{shown}: not a manifest or a known format, skipped")
        outcome.skipped = "not a manifest or a known format"
        return outcome
    if documents and documents[0].format == "manifest":
        # Each document of a manifest file needs its own header: the others would be dropped unread.
        outcome.findings.extend(
            codes.SCHEMA_VIOLATION.finding(Location(shown, *n.pos), n.message)
            for n in near_manifest(_parsed(source), manifest_file=True)
        )
    if documents and documents[0].format == "bom" and source.suffix == ".xlsx":
        unread = _sheet_naming_a_maker(source.raw, shown, host.vendor_data())
        if unread is not None:
            outcome.findings.append(codes.PARSE_ERROR.finding(unread[1], unread[0]))
            outcome.input = InputFile(shown, source.sha256, "unreadable")
            return outcome
    too_many = _too_many_records(documents, config)
    if too_many is not None:
        # Fail closed, before any record is modelled or judged: what costs time and memory is the records.
        outcome.findings.append(codes.PARSE_ERROR.finding(Location(shown, *too_many[1]), too_many[0]))
        outcome.input = InputFile(shown, source.sha256, "unreadable")
        return outcome
    outcome.notes.append(f"{shown}: {len(documents)} document(s) read as {documents[0].format if documents else '?'}")
    outcome.documents = documents
    # Modelled here, with the file: kept in the load cache with the documents, and built in the worker processes of -j.
    outcome.model = model_file(documents)
    outcome.input = InputFile(shown, source.sha256, documents[0].format if documents else "empty")
    return outcome


_SHEET_CELLS_IDENTIFIED = 5_000
"""Cells of a workbook's headerless sheets whose text is identified: far more than a cover sheet holds."""


def _sheet_naming_a_maker(raw: bytes, shown: str, vendor_data: Sequence[Mapping[str, Any]]) -> tuple[str, Location] | None:
    """A sheet without a header row that names a restricted maker: (message, where its first such cell is); None when none does.

    Such a sheet cannot be read as equipment (no column says what is what),
    and leaving it out would let a restricted camera pass because its sheet
    lost its header. Cover sheets and terms name no restricted maker. Makers
    are those of the run's vendor data, plugins' relabels included; headerless
    sheets too large to search cannot be told apart, so they are refused too.
    """
    from vmspolicy.analysis.identify import identify
    from vmspolicy.loading.bom import headerless_sheets

    seen = 0
    sheets, grid = headerless_sheets(raw)
    for title, cells in sheets:
        for cell in cells:
            seen += 1
            if seen > _SHEET_CELLS_IDENTIFIED:
                return (
                    f"sheet {title!r} has no header row (manufacturer/make/vendor/brand or model/part number/SKU), and the "
                    f"sheets without one hold more than {_SHEET_CELLS_IDENTIFIED:,} filled cells: too many to search for "
                    "restricted makers, so vmspolicy cannot tell whether they list equipment; add the header row, or leave "
                    "the sheet out of the file",
                    Location(shown, cell.line, cell.column, grid.cell_at(cell.pos)),
                )
            verdict = identify(vendor=cell.value, model=cell.value, vendor_data=vendor_data)
            if verdict.family is not None:
                return (
                    f"sheet {title!r} names {verdict.family} ({cell.value[:60]!r}) but has no header row "
                    "(manufacturer/make/vendor/brand or model/part number/SKU), so vmspolicy cannot tell what equipment "
                    "it lists; add the header row",
                    Location(shown, cell.line, cell.column, grid.cell_at(cell.pos)),
                )
    return None


def _not_a_file(path: Path, shown: str) -> str:
    """Why a named path holds no file to read: a link that loops or leads nowhere, or no regular file."""
    if path.is_symlink():
        import errno

        try:
            path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return f"symbolic link {shown} loops back on itself: nothing behind it can be read"
            return f"symbolic link {shown} leads to nothing that exists ({exc.strerror or exc})"
    return f"not a regular file (a FIFO, device or folder cannot be checked): {shown}"


_NEAR_SUFFIXES = (".yaml", ".yml", ".json")


def _parsed(source: SourceFile) -> list[Any]:
    try:
        return source.documents()
    except ParseError:
        return []


def _can_fork() -> bool:
    import multiprocessing  # imported only by a parallel run: the pre-commit case never pays for it

    return "fork" in multiprocessing.get_all_start_methods()


# What forked workers load: set by the parent just before the fork, so only file indexes cross
# the process boundary on the way out (not the plugin host, which cannot be pickled).
_WORK: list[tuple[Sequence[tuple[str, bytes | None, Path | None]], PluginHost, Config, Sequence[Any], dict[str, Any], bool,
                  LoadCache | None]] = []


def _load_in_workers(files: Sequence[tuple[str, bytes | None, Path | None]], host: PluginHost, config: Config,
                     loaders: Sequence[Any], by_name: dict[str, Any], workers: int, bound: bool,
                     cache: LoadCache | None) -> Iterator[_FileOutcome]:
    import multiprocessing

    _WORK[:] = [(files, host, config, loaders, by_name, bound, cache)]
    try:
        # fork, not spawn: the children inherit the loaded plugins (including ones registered in-process).
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # imap keeps file order; chunks of one balance files of very different sizes.
            yield from pool.imap(_load_by_index, range(len(files)), chunksize=1)
    finally:
        _WORK.clear()


def _load_by_index(index: int) -> _FileOutcome:
    files, host, config, loaders, by_name, bound, cache = _WORK[0]
    try:
        return _load_one(files[index], host, config, loaders, by_name, bound, cache)
    except PluginError as exc:
        prefix = f"plugin {exc.plugin!r}: "
        message = str(exc)
        return _FileOutcome(files[index][0], plugin_error=(exc.plugin, message.removeprefix(prefix)))


def _resembles(source: SourceFile, loaders: Sequence[Any], host: PluginHost) -> bool:
    """Whether a loader that could read ``source``'s kind of file sees signs of its format in it.

    A loader without ``resembles`` cannot say, so the file counts as its (fail closed).
    """
    for loader in loaders:
        if source.suffix not in loader.suffixes:
            continue
        resembles = getattr(loader, "resembles", None)
        if resembles is None or guarded(host.loader_plugin(loader), f"loader {loader.name!r} on {source.path}",
                                        functools.partial(resembles, source)):
            return True
    return False


def _first_claim(source: SourceFile, loaders: Sequence[Any], host: PluginHost, *, forced: bool) -> list[Document] | None:
    """The documents of the loader that claims ``source``: the plugins choose it (``vmspolicy_load``, first result
    wins), unless the configuration's ``formats:`` names it (``forced``: ``loaders`` is that one)."""
    if forced:
        return host.first_claim(source, loaders, forced=True)
    return host.load(source)


def _excluded_file(entry: ExcludedPath, host: PluginHost, config: Config, verbose: Callable[[str], None]) -> ExcludedFile:
    """What an excluded file is, without judging it: a manifest or a known format is listed in the reports."""
    loaders = host.loaders()
    outcome = _load_one((entry.shown, None, entry.path), host, config, loaders, {loader.name: loader for loader in loaders}, False)
    if outcome.input is None:
        verbose(f"{entry.shown}: excluded by {entry.pattern!r} (not a manifest)")
        return ExcludedFile(entry.shown, entry.pattern)
    verbose(f"{entry.shown}: excluded by {entry.pattern!r}: a {outcome.input.format} file, listed in the report's inputs as excluded")
    return ExcludedFile(entry.shown, entry.pattern, outcome.input.format, outcome.input.sha256)


def run_rules(ctx: CheckContext, rules: Sequence[type[Rule]], config: Config, host: PluginHost) -> list[Finding]:
    """Run every enabled rule; apply configured severities. A rule that raises is a PluginError."""
    findings: list[Finding] = []
    for rule in rules:
        if not config.enabled(rule.code):
            continue
        plugin = host.rule_plugin(rule.code)
        produced = guarded(plugin, f"rule {rule.code}", functools.partial(_findings_of, rule, ctx))
        host.check_untouched(plugin)
        for finding in produced:
            if not isinstance(finding, Finding):
                raise PluginError(plugin, f"rule {rule.code} yielded {finding!r}, not a Finding (use self.finding(location, message))")
        findings.extend(produced)
    return findings


def _named_cells(findings: list[Finding], documents: Sequence[Document]) -> list[Finding]:
    """The findings in tables (CSV, workbooks) with the cell of their position: what a spreadsheet user looks for."""
    grids = {d.path: d.grid for d in documents if d.grid is not None}
    if not grids:
        return findings
    named: list[Finding] = []
    for finding in findings:
        grid = grids.get(finding.path)
        where = finding.location
        cell = grid.cell_at((where.line, where.column)) if grid is not None and where.cell is None else None
        named.append(replace(finding, location=replace(where, cell=cell)) if cell is not None else finding)
    return named


def _findings_of(rule: type[Rule], ctx: CheckContext) -> list[Finding]:
    return list(rule().check(ctx))


@dataclass
class Prepared:
    """An estate read and modelled, ready to be judged: what ``check`` and the other commands share."""

    ctx: CheckContext
    loaded: Loaded
    build_findings: list[Finding]
    # With an ``estate`` configuration, findings are reported only for the files named on the command line.
    report_only: set[str] | None
    # The configuration the rules run with: as written, less the settings refused because they would
    # weaken a mandatory rule (VP306). ``ctx.config`` keeps it as written.
    config: Config
    # Where the vendor verdicts of this run are kept for the next (None: the cache is off).
    verdict_store: VerdictStore | None = None


def prepare(options: RunOptions, config: Config, host: PluginHost, *, scoped: bool = False) -> Prepared:
    """Discover, load and model the estate named by ``options`` and ``config``; run no rule yet.

    ``scoped``: with ``estate:`` and files named, model in full only what the named files' findings
    depend on (:mod:`vmspolicy.analysis.scope`), when that can be done exactly. Only for a run that
    reports findings: the estate it gives holds the other files' sites, zones, firewalls and waivers
    but not all their devices.
    """
    rules = host.rules()
    suffixes = {s for loader in host.loaders() for s in loader.suffixes}
    given: list[tuple[str, bytes | None, Path | None]] = []
    for raw in options.paths:
        if raw == STDIN:
            name = options.stdin_filename or "<stdin>"
            given.append((name, options.stdin_bytes or b"", None))
    found = discover([p for p in options.paths if p != STDIN], suffixes, config.exclude)
    given.extend((shown, None, path) for shown, path in found.files)
    files = list(given)
    problems, excluded = found.problems, list(found.excluded)
    skipped: list[SkippedFile] = []
    report_only: set[str] | None = None
    if config.estate:
        # Only the estate is judged: a workflow or a template committed beside it is not its business.
        configured = estate_files(config)
        members = {shown for shown, _ in configured.files}
        given_members = {entry[0]: entry for entry in given if entry[0] in members}
        for shown, _, _ in given:
            if shown not in members:
                options.verbose(f"{shown}: not in the configured estate ({', '.join(config.estate)}), skipped")
                skipped.append(SkippedFile(shown, "not in the configured estate", outside_estate=True))
        if options.select_only_given and options.paths:
            report_only = set(given_members)
        # The estate's own order, each given file (or standard input) in its place: the first declaration of an id is
        # the one a duplicate is reported against (and a waiver applies to), which must not depend on the files given.
        files = [given_members.get(shown, (shown, None, path)) for shown, path in configured.files]
        problems = configured.problems
        excluded += [e for e in configured.excluded if e.shown not in {x.shown for x in excluded}]
    cache = open_cache(options.cache_dir, host, config, options.verbose)
    import_settings = config.settings.get("import") or {}
    import_zones = import_settings.get("zones") or {}
    merged = None
    if scoped and report_only and cache is not None:
        partial = _load_scoped(files, report_only, host, config, options.verbose, cache)
        if partial is not None and partial.summaries is not None and partial.scope is not None:
            loaded, merged = partial, merge_scoped(partial.summaries, partial.scope)
            if merged is None:
                options.verbose("scope: an id is declared in two files; the whole estate is modelled")
    if merged is None:
        loaded = load_files(files, host, config, options.verbose, jobs=options.jobs, bound=bool(config.estate), cache=cache)
        merged = merge_files(loaded.files, import_site=import_settings.get("site"), import_zones=import_zones)
    estate, build_findings = merged
    loaded.findings.extend(problems)
    loaded.skipped[:0] = skipped
    loaded.excluded = [_excluded_file(entry, host, config, options.verbose) for entry in sorted(excluded, key=lambda e: e.shown)]
    if import_zones:
        build_findings.extend(_unmatched_import_zones(import_zones, imported_zone_ids(estate.zones, loaded.documents), config))
    verdict_store = VerdictStore(cache) if cache is not None else None
    ctx = CheckContext(
        estate=estate,
        documents=loaded.documents,
        as_of=options.as_of,
        profiles=config.profiles,
        strict=config.strict,
        rule_options={code: opts for code, opts in config.rule_options.items()},
        settings=config.settings,
        vendor_data=host.vendor_data(),
        packs=host.packs(),
        rules=tuple(rules),
        config=config,
        known_verdicts=verdict_store.known(estate, options.verbose) if verdict_store is not None else None,
    )
    # An unknown profile or a broken pack is exit 2 whichever rules are enabled.
    policy.default_selection(ctx)
    # The applied packs are known only now (sites name theirs), and with them the mandatory rules.
    effective = overrides.enforce(config, overrides.refused_overrides(ctx))
    ctx.rule_options = effective.rule_options
    ctx.enabled = frozenset(r.code for r in ctx.rules if effective.enabled(r.code))
    return Prepared(ctx, loaded, build_findings, report_only, effective, verdict_store)


def run(options: RunOptions) -> Run:
    """One whole check, as ``vmspolicy check`` runs it: the :class:`Run` of every rule on the estate ``options`` names.

    The configuration and the plugins are ``options.config`` and ``options.plugins``, or found
    as the command line finds them. A rule setting the rules do not have is a ``ConfigError``,
    a plugin that fails a ``PluginError`` naming it, a path that cannot be used a
    ``UsageError``: each a ``VmspolicyError`` carrying the command line's exit code (2).
    Input that cannot be read is a finding (VP001), never an exception.
    """
    config = with_overrides(configuration(options.config), profiles=options.profiles, fail_on=options.fail_on, strict=options.strict)
    if options.plugins is not None and (options.extra_plugins or not options.installed_plugins):
        raise UsageError("RunOptions: give either plugins (a loaded plugin host) or extra_plugins/installed_plugins, not both")
    host = options.plugins if options.plugins is not None else load_plugins(
        entry_points_enabled=options.installed_plugins, extra=options.extra_plugins)
    check_rule_settings(config, host.rules())
    return check(options, config, host)


def configuration(given: Config | Path | None) -> Config:
    """The configuration a run uses: ``given``, the file at that path, or the one found from the working directory."""
    if isinstance(given, Config):
        return given
    return load_config(given if given is not None else find_config(Path.cwd()))


def check(options: RunOptions, config: Config, host: PluginHost) -> Run:
    """The whole check with this configuration and these plugins (``options.config`` and ``options.plugins`` are not read).

    The caller has checked the configuration's rule settings against the plugins' rules
    (:func:`run` does).
    """
    # A run builds millions of small objects and frees almost none before it ends, so the cyclic
    # collector would scan the growing heap again and again and find nothing: located data and the
    # model hold no reference cycles (a fifth of the CPU time of a 100,000-camera check; see
    # benchmarks/README.md). Reference counting still frees everything; the collector resumes after.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(options, config, host)
    finally:
        if enabled:
            gc.enable()


def _check(options: RunOptions, written: Config, host: PluginHost) -> Run:
    prepared = prepare(options, written, host, scoped=options.scope and SCOPED)
    ctx, loaded, report_only, config = prepared.ctx, prepared.loaded, prepared.report_only, prepared.config
    if report_only is not None:
        ctx.reported = frozenset(report_only)  # the rules that judge document by document skip the other files
    rules = list(ctx.rules)
    findings = [f for f in [*loaded.findings, *prepared.build_findings] if config.enabled(f.rule)]
    findings.extend(run_rules(ctx, rules, config, host))
    if prepared.verdict_store is not None:
        prepared.verdict_store.keep(ctx, options.verbose)
    findings = _named_cells(findings, loaded.documents)
    findings = governance.apply(findings, ctx, options.governance, frozenset(r.code for r in rules if config.enabled(r.code)))
    configuration = configuration_record(written, config, ctx, options.governance, overrides.refused_overrides(ctx))
    # After governance, so that its own findings (VP304, unused VP305) take configured severities too.
    findings = [f.with_severity(config.severities[f.rule]) if f.rule in config.severities else f for f in findings]
    if report_only is not None:
        findings = [f for f in findings if f.path in report_only]
    findings.sort(key=Finding.sort_key)
    return Run(
        findings=findings,
        rules=rules,
        inputs=sorted(loaded.inputs, key=lambda i: i.path),
        as_of=options.as_of,
        fail_on=config.fail_on,
        version=__version__,
        # The packs sites that name none are judged under: the configured profiles, else the default pack,
        # so that a report says which regime it applied rather than an empty list.
        profiles=policy.default_selection(ctx),
        packs=ctx.packs,
        estate=ctx.estate,
        context=ctx,
        skipped=loaded.skipped,
        configuration=configuration,
        plugins=host.plugins,
        excluded=loaded.excluded,
    )


__all__ = [
    "PluginError", "Prepared", "Run", "RunOptions", "UsageError", "check", "configuration", "discover", "display_path", "estate_files",
    "prepare", "run",
]
