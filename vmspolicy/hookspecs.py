"""The hooks vmspolicy calls. Plugins implement them with ``@vmspolicy.hookimpl``.

Every built-in rule, loader, policy pack, vendor catalog and reporter is
registered through these same hooks, so a third-party plugin can do anything
the core does. Plugins are found through the entry-point group ``vmspolicy``.
All hooks are called through pluggy's hook relay, in pluggy's call order: the
built-in rules, packs, vendor catalog and reporters come first (``tryfirst``),
then the plugins', most recently registered first; the built-in loaders come
last (``trylast``). The hooks that register things are called for every plugin
and their results concatenated; :func:`vmspolicy_load` is first-result: it
chooses the loader that reads a file.

The registering hooks return a list or tuple (or None). What it holds is checked
when the plugin loads (:mod:`vmspolicy.run.plugin_contract`), what
:func:`vmspolicy_load` returns when it returns: anything that breaks the
contract stops the run with exit code 2 naming the plugin and the attribute.
A plugin imports the names it needs from ``vmspolicy`` itself (its
``__all__``), never from the modules below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pluggy

if TYPE_CHECKING:
    from vmspolicy.core.rule import Rule
    from vmspolicy.core.source import Document
    from vmspolicy.loading.base import Loader, SourceFile
    from vmspolicy.reporters.base import Reporter

PROJECT = "vmspolicy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin's hook implementations; public as ``vmspolicy.hookimpl``."""


@hookspec
def vmspolicy_rules() -> Sequence[type[Rule]]:
    """Return the rule classes this plugin provides.

    :return: rule classes (subclasses of :class:`vmspolicy.Rule`), each with
        a unique ``code`` (``^[A-Z]{2,}[0-9]{3,}$``) and ``slug``, a
        ``severity`` (a :class:`vmspolicy.Severity` or ``"error"``,
        ``"warning"``, ``"info"``), options whose defaults are JSON types,
        a docstring with the sections What it checks, Why, Example (fails),
        Use instead and Options, and a ``check`` method. A code that another
        plugin already registered is an error (exit 2), never a silent override.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_loaders() -> Sequence[Loader]:
    """Return loaders for the file formats this plugin reads.

    :return: objects satisfying :class:`vmspolicy.Loader` (a lower-case
        ``name`` no other loader has, ``suffixes`` such as ``(".cams",)``,
        ``load``, which returns a list of :class:`vmspolicy.Document` or None). A
        folder's files with these suffixes are read; the configuration's
        ``formats:`` may give a file to a loader by ``name``. A plugin that does
        not implement :func:`vmspolicy_load` has vmspolicy implement it for it,
        with these loaders, in the order returned.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def vmspolicy_load(source: SourceFile) -> list[Document] | None:
    """Read ``source`` when it is in a format this plugin reads: the hook that chooses a file's loader.

    :param source: the file (:class:`vmspolicy.SourceFile`): ``path``,
        ``suffix``, ``raw`` bytes, decoded ``text`` and parsed ``documents()``.
    :return: the file's documents, a list of :class:`vmspolicy.Document` whose
        ``data`` is a :class:`vmspolicy.LocatedMap`, when the file is this
        plugin's; None when it is not. Raise :class:`vmspolicy.ParseError`
        when it is (or cannot be told apart) but cannot be read: VP001 at its
        line and column.

    First result wins: the implementations are asked in pluggy's order, and
    the first that returns documents reads the file. The built-in loaders are
    ``trylast``, so a plugin claims a format before the generic ones; mark
    yours ``tryfirst`` to be asked before other plugins. A plugin that
    implements :func:`vmspolicy_loaders` and not this hook takes part all the
    same: vmspolicy asks its loaders whose ``suffixes`` include the file's, in
    the order it returned them, as the built-in loaders are asked. A file the
    configuration's ``formats:`` gives to a loader is read by that loader
    alone, without this hook. Declare the formats you read through
    :func:`vmspolicy_loaders` as well: their suffixes decide which files of a
    folder are read, and a file of those suffixes that raises ``ParseError``
    is VP001 rather than skipped.

    Called once per file, until one plugin returns documents.

    .. versionadded:: 0.1 (plugin API 1.2)
    """
    raise NotImplementedError


@hookspec
def vmspolicy_packs() -> Sequence[Mapping[str, Any]]:
    """Return policy packs as data.

    :return: mappings valid against ``schemas/pack.schema.json``: ``id``,
        ``title``, restricted ``families``, ``cutoff`` date, ``sensitive_sites``
        behaviour, ``legacy`` (waivable, isolation), ``max_waiver_months``,
        ``mandatory`` (the rules configuration may not weaken; omitted: the
        built-in packs' list) and ``sources`` (URL and date); typed as
        :class:`vmspolicy.PackData`. A pack id registered twice is an error, and
        so is a plugin pack with the id of a built-in one: plugins add policy,
        they do not replace it.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_vendor_data() -> Sequence[Mapping[str, Any]]:
    """Return vendor catalog fragments (families, brands, relabels, model patterns, OUIs, URL fingerprints).

    :return: mappings valid against ``schemas/vendors.schema.json``
        (:class:`vmspolicy.VendorData`); every entry names its source and
        confidence. Fragments are merged in order.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_reporters() -> Sequence[Reporter]:
    """Return output formats.

    :return: objects satisfying :class:`vmspolicy.Reporter`, each with a
        unique lower-case ``name`` (the ``--format`` value), a ``description``
        and ``render``, which returns the report as a string.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
