"""The hooks vmspolicy calls. Plugins implement them with ``@vmspolicy.hookimpl``.

Every built-in rule, loader, policy pack, vendor catalog and reporter is
registered through these same hooks, so a third-party plugin can do anything
the core does. Plugins are found through the entry-point group ``vmspolicy``.
All hooks are called for every plugin (none is first-result) and their
results are concatenated in registration order, built-ins first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pluggy

if TYPE_CHECKING:
    from vmspolicy.loading.base import Loader
    from vmspolicy.reporters.base import Reporter
    from vmspolicy.rules.base import Rule

PROJECT = "vmspolicy"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def vmspolicy_rules() -> Sequence[type[Rule]]:
    """Return the rule classes this plugin provides.

    :return: rule classes (subclasses of :class:`vmspolicy.rules.base.Rule`),
        each with a unique ``code`` and ``slug`` and a documented docstring.
        A code that another plugin already registered is a configuration error
        (exit 2), never a silent override.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_loaders() -> Sequence[Loader]:
    """Return loaders for the file formats this plugin reads.

    :return: objects satisfying :class:`vmspolicy.loading.base.Loader`. For
        each file the loaders are asked in order (built-ins last, so a plugin
        can claim a format before the generic ones); the first whose ``load``
        returns documents wins.

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
        built-in packs' list) and ``sources`` (URL and date). A pack id registered twice is an error.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_vendor_data() -> Sequence[Mapping[str, Any]]:
    """Return vendor catalog fragments (families, brands, relabels, model patterns, OUIs, URL fingerprints).

    :return: mappings valid against ``schemas/vendors.schema.json``; every
        entry names its source and confidence. Fragments are merged in order.

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def vmspolicy_reporters() -> Sequence[Reporter]:
    """Return output formats.

    :return: objects satisfying :class:`vmspolicy.reporters.base.Reporter`,
        each with a unique ``name`` (the ``--format`` value).

    Called once per run, for every plugin; results are concatenated.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
