"""The hooks vmspolicy calls. Plugins implement them with ``@vmspolicy.hookimpl``.

Every built-in rule, loader, policy pack, vendor catalog and reporter is
registered through these same hooks, so a third-party plugin can do anything
the core does. Plugins are found through the entry-point group ``vmspolicy``.
All hooks are called through pluggy's hook relay for every plugin (none is
first-result) and their results are concatenated in pluggy's call order:
the built-in rules, packs, vendor catalog and reporters come first
(``tryfirst``), then the plugins', most recently registered first; the
built-in loaders come last (``trylast``).

Each hook returns a list or tuple (or None). What it holds is checked when the
plugin loads (:mod:`vmspolicy.run.plugin_contract`): anything that breaks the
contract stops the run with exit code 2 naming the plugin and the attribute.
A plugin imports the names it needs from ``vmspolicy`` itself (its
``__all__``), never from the modules below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pluggy

if TYPE_CHECKING:
    from vmspolicy.core.rule import Rule
    from vmspolicy.loading.base import Loader
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
        ``load``, which returns a list of :class:`vmspolicy.Document` or None). For
        each file the loaders are asked in order (the built-in ones are
        ``trylast``, so a plugin can claim a format before the generic ones);
        the first whose ``load`` returns documents wins.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
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
