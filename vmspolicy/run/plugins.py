"""The plugin host: built-in plugins and entry-point plugins, behind the same hooks.

A plugin that fails to import, registers a misspelt hook, or raises while it
runs is a :class:`PluginError` naming it; the CLI turns that into exit code 2.
It never becomes a silent pass.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Iterator, Mapping, Sequence, TypeVar

import pluggy

from vmspolicy import hookspecs
from vmspolicy.core.errors import PluginError
from vmspolicy.core.plugin_data import PluginInfo
from vmspolicy.core.text import ParseError

if TYPE_CHECKING:
    from vmspolicy.core.rule import Rule
    from vmspolicy.core.source import Document
    from vmspolicy.loading.base import Loader, SourceFile
    from vmspolicy.reporters.base import Reporter
    from vmspolicy.run.plugin_contract import BuiltinGuard

T = TypeVar("T")

ENTRY_POINT_GROUP = "vmspolicy"

# Built-in plugins: modules implementing the same hooks as third-party plugins.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "vmspolicy.rules.structure",
    "vmspolicy.loading.builtin",
    "vmspolicy.rules.drift",
    "vmspolicy.rules.credentials",
    "vmspolicy.reporters.builtin",
    "vmspolicy.rules.waivers",
    "vmspolicy.rules.overrides",
    "vmspolicy.core.packs",
    "vmspolicy.rules.vendor",
    "vmspolicy.analysis.identify.builtin",
    "vmspolicy.rules.isolation",
)
# Modules that may not exist yet in a partial checkout are not optional: every
# name above must import, and a test keeps this list complete.


class _StandIn(types.SimpleNamespace):
    """What pluggy registers for a plugin: its wrapped hook implementations, and to ``dir()`` nothing else.

    pluggy inspects every name ``dir()`` gives; an object's own dunder names
    are some thirty per plugin, none of them a hook.
    """

    def __dir__(self) -> list[str]:
        return list(vars(self))


@dataclass(frozen=True)
class Contribution(Generic[T]):
    """What one plugin's implementation of a hook returned: the plugin's name and the items, checked to be a list."""

    plugin: str
    items: tuple[T, ...]


@dataclass
class PluginHost:
    """The loaded plugins and what they registered.

    Every hook is called through pluggy's hook relay (``manager.hook``), in
    pluggy's order: ``tryfirst`` implementations, then the others, most
    recently registered first, then ``trylast`` ones. The built-in rules,
    packs, vendor catalog and reporters are ``tryfirst`` (so a plugin's
    duplicate is the one named), the built-in loaders ``trylast`` (so a plugin
    can claim a format before the generic ones). ``vmspolicy_load`` chooses a
    file's loader (first result wins); a plugin that declares loaders and does
    not implement it is given one that asks its loaders (:meth:`register`).
    """

    manager: pluggy.PluginManager
    # The third-party plugins registered, in registration order (built-ins are vmspolicy itself).
    plugins: tuple[PluginInfo, ...] = ()
    # Set when third-party plugins are registered: the built-in mandatory rules and packs as they were before.
    guard: BuiltinGuard | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    def check_untouched(self, plugin: str) -> None:
        """Raise :class:`PluginError` naming ``plugin`` if third-party code changed a built-in mandatory rule or pack."""
        if self.guard is not None and plugin not in BUILTIN_PLUGINS:
            self.guard.check(plugin)

    def names(self) -> list[str]:
        """Names of every registered plugin, built-ins first."""
        return [name for name, _ in self.manager.list_name_plugin() if name is not None]

    def register(self, plugin: object, name: str, *, builtin: bool = False) -> None:
        """Register ``plugin`` so that each of its hook implementations, called through the relay, is isolated.

        pluggy registers a stand-in holding the plugin's hook implementations,
        each wrapped: a call that raises or returns something other than a
        list is a :class:`PluginError` naming the plugin, and so is a call
        after which a built-in mandatory rule or pack is no longer as it was.
        Its result reaches the host as a :class:`Contribution` that names
        the plugin; ``vmspolicy_load``'s, checked to be documents, as it is.

        A ``builtin`` plugin names each implementation after its hook
        (``tests/test_plugins.py`` checks it), so only those names are looked
        at: pluggy inspects each name statically, and the built-in modules'
        imports are some nine hundred names (2 ms of every run's start-up).
        """
        stand_in = _StandIn(__name__=name)
        names = dir(plugin)
        if builtin:
            names = [attribute for attribute in names if attribute.startswith(f"{hookspecs.PROJECT}_")]
        for attribute in names:
            options = self.manager.parse_hookimpl_opts(plugin, attribute)
            if options is not None:
                wrap = self._isolated_load if attribute == "vmspolicy_load" else self._isolated
                isolated = wrap(name, attribute, getattr(plugin, attribute))
                setattr(isolated, f"{hookspecs.PROJECT}_impl", options)
                setattr(stand_in, attribute, isolated)
        declared = vars(stand_in).get("vmspolicy_loaders")
        if declared is not None and "vmspolicy_load" not in vars(stand_in):
            self._load_with_declared_loaders(stand_in, name, getattr(declared, f"{hookspecs.PROJECT}_impl"))
        self.manager.register(stand_in, name=name)

    def _load_with_declared_loaders(self, stand_in: _StandIn, plugin: str, options: Mapping[str, Any]) -> None:
        """Implement ``vmspolicy_load`` for ``plugin`` with the loaders it declares, in the order it returned them.

        In the place its ``vmspolicy_loaders`` takes among the hook's implementations
        (``tryfirst``/``trylast`` as that one's): the built-in loaders are chosen last.
        """

        def vmspolicy_load(source: SourceFile) -> list[Document] | None:
            return self.first_claim(source, self.loaders_of(plugin))

        marked = hookspecs.hookimpl(tryfirst=bool(options.get("tryfirst")), trylast=bool(options.get("trylast")))(vmspolicy_load)
        stand_in.vmspolicy_load = marked

    def _isolated_load(self, plugin: str, hook_name: str, function: Callable[..., object]) -> Callable[..., list[Document] | None]:
        """A plugin's own ``vmspolicy_load``: what it raises (but ``ParseError``) or returns other than documents is a PluginError."""
        from vmspolicy.run.plugin_contract import check_documents

        @functools.wraps(function)
        def load(*args: SourceFile) -> list[Document] | None:
            path = args[0].path if args else "?"
            try:
                documents = guarded(plugin, f"{hook_name}() on {path}", functools.partial(function, *args), passthrough=(ParseError,))
            except ParseError as exc:
                raise ClaimedParseError(exc.message, exc.line, exc.column, cell=exc.cell) from exc
            return None if documents is None else check_documents(plugin, f"{hook_name}()", documents, path)

        return load

    def _isolated(self, plugin: str, hook_name: str, function: Callable[..., object]) -> Callable[..., Contribution[Any] | None]:
        @functools.wraps(function)
        def contribution(*args: object) -> Contribution[Any] | None:
            try:
                result = function(*args)
            except Exception as exc:
                raise PluginError(plugin, f"{hook_name}() raised {type(exc).__name__}: {exc}") from exc
            if result is None:
                return None
            # A string or a single mapping (one pack returned bare) iterates, but not as a list of items.
            if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, Iterable):
                raise PluginError(plugin, f"{hook_name}() must return a list or tuple, not {type(result).__name__}")
            try:
                items = tuple(result)
            except Exception as exc:
                raise PluginError(plugin, f"{hook_name}() raised {type(exc).__name__}: {exc}") from exc
            self.check_untouched(plugin)
            return Contribution(plugin, items)

        return contribution

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        if hook_name not in self._cache:
            contributions: list[Contribution[Any]] = getattr(self.manager.hook, hook_name)()
            self._cache[hook_name] = [(c.plugin, item) for c in contributions for item in c.items]
        collected: list[tuple[str, Any]] = self._cache[hook_name]
        return collected

    def rules(self) -> list[type[Rule]]:
        """Every rule class, checked against the rule contract, with unique codes and slugs."""
        if "rules" not in self._cache:
            from vmspolicy.run.plugin_contract import check_rule

            seen: dict[str, str] = {}
            rules: list[type[Rule]] = []
            for plugin, rule in self._collect("vmspolicy_rules"):
                check_rule(plugin, rule, builtin=plugin in BUILTIN_PLUGINS)
                for key in (rule.code, rule.slug):
                    if key in seen:
                        raise PluginError(plugin, f"rule {key} is already registered by {seen[key]!r}")
                    seen[key] = plugin
                rules.append(rule)
            self._cache["rules"] = sorted(rules, key=lambda r: r.code)
        checked: list[type[Rule]] = self._cache["rules"]
        return checked

    def rule_plugin(self, code: str) -> str:
        """Which plugin registered rule ``code``."""
        for plugin, rule in self._collect("vmspolicy_rules"):
            if getattr(rule, "code", None) == code:
                return plugin
        return "?"

    def loaders(self) -> list[Loader]:
        """Loaders, checked against the loader protocol, in the order they are offered a file (built-ins last)."""
        if "loaders" not in self._cache:
            from vmspolicy.run.plugin_contract import check_loader

            collected = self._collect("vmspolicy_loaders")
            seen: dict[str, str] = {}
            # A plugin may add formats, not take a built-in loader's name: built-ins are seen first.
            for plugin, loader in sorted(collected, key=lambda entry: entry[0] not in BUILTIN_PLUGINS):
                check_loader(plugin, loader)
                if loader.name in seen:
                    raise PluginError(plugin, f"loader {loader.name!r} is already registered by {seen[loader.name]!r}")
                seen[loader.name] = plugin
            self._cache["loaders"] = [loader for _, loader in collected]
        loaders: list[Loader] = self._cache["loaders"]
        return loaders

    def loaders_of(self, plugin: str) -> list[Loader]:
        """The loaders ``plugin`` declares (``vmspolicy_loaders``), checked, in the order it returned them."""
        key = f"loaders of {plugin}"
        if key not in self._cache:
            self.loaders()
            self._cache[key] = [loader for name, loader in self._collect("vmspolicy_loaders") if name == plugin]
        loaders: list[Loader] = self._cache[key]
        return loaders

    def load(self, source: SourceFile) -> list[Document] | None:
        """The documents of ``source`` as the first plugin that claims it reads them (``vmspolicy_load``), or None."""
        documents: list[Document] | None = self.manager.hook.vmspolicy_load(source=source)
        return documents

    def first_claim(self, source: SourceFile, loaders: Sequence[Loader], *, forced: bool = False) -> list[Document] | None:
        """Offer ``source`` to each of ``loaders`` whose suffixes include its own (to all when ``forced``), in order:
        the documents of the first that claims it, else None.

        A loader that raises (but ``ParseError``, which is VP001) or returns
        something other than documents is a :class:`PluginError` naming its plugin.
        """
        from vmspolicy.run.plugin_contract import check_documents

        for loader in loaders:
            if source.suffix not in loader.suffixes and not forced:
                continue
            plugin = self.loader_plugin(loader)
            documents = guarded(plugin, f"loader {loader.name!r} on {source.path}", functools.partial(loader.load, source),
                                passthrough=(ParseError,))
            if documents is not None:
                return check_documents(plugin, f"loader {loader.name!r}", documents, source.path)
        return None

    def loader_plugin(self, loader: Loader) -> str:
        """Which plugin registered ``loader``."""
        for plugin, item in self._collect("vmspolicy_loaders"):
            if item is loader:
                return plugin
        return "?"

    def reporters(self) -> dict[str, Reporter]:
        """Reporters by format name, checked against the reporter protocol."""
        if "reporters" not in self._cache:
            from vmspolicy.run.plugin_contract import check_reporter

            out: dict[str, Reporter] = {}
            for plugin, reporter in self._collect("vmspolicy_reporters"):
                check_reporter(plugin, reporter)
                if reporter.name in out:
                    raise PluginError(plugin, f"reporter {reporter.name!r} is already registered by {self.reporter_plugin(reporter.name)!r}")
                out[reporter.name] = reporter
            self._cache["reporters"] = out
        reporters: dict[str, Reporter] = self._cache["reporters"]
        return reporters

    def reporter_plugin(self, name: str) -> str:
        """Which plugin registered the format ``name`` (the first one)."""
        for plugin, reporter in self._collect("vmspolicy_reporters"):
            if getattr(reporter, "name", None) == name:
                return plugin
        return "?"

    def packs(self) -> list[Mapping[str, Any]]:
        """Policy packs as data: a plugin's checked against the pack schema; ids unique, built-in ids never redefined."""
        if "packs" not in self._cache:
            from vmspolicy.run.plugin_contract import check_pack

            out: dict[str, Mapping[str, Any]] = {}
            builtin_ids: set[str] = set()
            for plugin, pack in self._collect("vmspolicy_packs"):
                if plugin not in BUILTIN_PLUGINS:
                    pack = check_pack(plugin, pack)
                pack_id = pack.get("id") if isinstance(pack, Mapping) else None
                if not isinstance(pack_id, str):
                    raise PluginError(plugin, "vmspolicy_packs() returned a pack without an 'id'")
                if pack_id in builtin_ids and plugin not in BUILTIN_PLUGINS:
                    # Plugins add policy, they do not weaken it: a pack of the same id could drop a family or move a cut-off.
                    raise PluginError(
                        plugin, f"policy pack {pack_id!r} redefines the built-in pack of that id; plugins may add packs, "
                        "not replace built-in ones: give yours another id",
                    )
                if pack_id in out:
                    raise PluginError(plugin, f"policy pack {pack_id!r} is already registered")
                if plugin in BUILTIN_PLUGINS:
                    builtin_ids.add(pack_id)
                out[pack_id] = pack
            self._cache["packs"] = list(out.values())
        packs: list[Mapping[str, Any]] = self._cache["packs"]
        return packs

    def vendor_data(self) -> list[Mapping[str, Any]]:
        """Vendor catalog fragments, built-ins first; a plugin's checked against the vendor-data schema."""
        if "vendor_data" not in self._cache:
            from vmspolicy.run.plugin_contract import check_vendor_data

            self._cache["vendor_data"] = [
                data if plugin in BUILTIN_PLUGINS else check_vendor_data(plugin, data)
                for plugin, data in self._collect("vmspolicy_vendor_data")
            ]
        fragments: list[Mapping[str, Any]] = self._cache["vendor_data"]
        return fragments


class ClaimedParseError(ParseError):
    """What a plugin's own ``vmspolicy_load`` raised as ``ParseError``: the file is in its format but cannot be read.

    VP001 whatever the file resembles: a plugin that implements the hook claims a file
    by raising it (a loader declared through ``vmspolicy_loaders`` says so by ``resembles``).
    """


def guarded(plugin: str, what: str, call: Callable[[], T], passthrough: tuple[type[Exception], ...] = ()) -> T:
    """Run plugin code, turning any exception into a :class:`PluginError` naming ``plugin``.

    Exceptions of the ``passthrough`` types are part of the plugin's contract
    (a loader's ParseError) and are raised unchanged.
    """
    try:
        return call()
    except PluginError:
        raise
    except passthrough:
        raise
    except Exception as exc:
        raise PluginError(plugin, f"{what} raised {type(exc).__name__}: {exc}") from exc


def load_plugins(*, entry_points_enabled: bool = True, extra: Sequence[object] = ()) -> PluginHost:
    """Register the built-in plugins, then the entry-point plugins, then ``extra`` (tests)."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager)
    for name in BUILTIN_PLUGINS:
        host.register(importlib.import_module(name), name, builtin=True)
    registered: list[PluginInfo] = []
    entry_points = list(_entry_points()) if entry_points_enabled else []
    if entry_points or extra:
        host.guard = _guard(manager)
    for ep in entry_points:
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(ep.name, f"failed to load ({ep.value}): {type(exc).__name__}: {exc}") from exc
        try:
            host.register(plugin, ep.name)
        except ValueError as exc:
            raise PluginError(ep.name, str(exc)) from exc
        host.check_untouched(ep.name)  # what its import did
        registered.append(_info(ep))
    for index, plugin in enumerate(extra):
        name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{index}"
        try:
            host.register(plugin, name)
        except ValueError as exc:
            raise PluginError(name, str(exc)) from exc
        registered.append(PluginInfo(name))
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(getattr(exc.plugin, "__name__", "?"), f"unknown hook: {exc}") from exc
    host.plugins = tuple(registered)
    return host


def _guard(manager: pluggy.PluginManager) -> BuiltinGuard:
    from vmspolicy.run.plugin_contract import BuiltinGuard

    contributions: list[Contribution[type[Rule]]] = manager.hook.vmspolicy_rules()  # only the built-ins are registered yet
    return BuiltinGuard([rule for contribution in contributions for rule in contribution.items])


def installed_plugins() -> list[PluginInfo]:
    """The plugins the entry-point group lists, read from their metadata without importing them (``--version``)."""
    return [_info(ep) for ep in _entry_points()]


def _info(ep: Any) -> PluginInfo:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return PluginInfo(ep.name)
    return PluginInfo(ep.name, str(dist.metadata["Name"] or ep.name), str(dist.version))


def _entry_points() -> Iterator[Any]:
    # importlib.metadata costs ~35 ms to import, a tenth of a pre-commit run: pay it only when some
    # installed distribution declares the group at all.
    if not _declared_somewhere():
        return
    from importlib.metadata import entry_points

    yield from sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _declared_somewhere() -> bool:
    """Whether any distribution on ``sys.path`` lists the ``[vmspolicy]`` entry-point group (a quick scan)."""
    marker = f"[{ENTRY_POINT_GROUP}]"
    for folder in sys.path:
        if os.path.isfile(folder):
            return True  # a zip or egg on the path: let importlib.metadata look inside
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
                    if marker in handle.read():
                        return True
            except OSError:
                continue
    return False
