"""What a plugin must hand over, checked when it loads.

Every rule class, loader, reporter, pack and vendor-data fragment a hook
returns is checked here before anything uses it, so that a mistake in a
plugin is a :class:`PluginError` naming the plugin, the object and the
attribute (exit 2) instead of an internal error, or worse a silent pass,
somewhere in the middle of a run.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Final, Mapping, Sequence

from vmspolicy.core.errors import PluginError
from vmspolicy.core.findings import SEVERITY_NAMES, Severity
from vmspolicy.core.rule import DOC_SECTIONS, Looser, Rule
from vmspolicy.core.source import Document, LocatedMap

RULE_CODE: Final = re.compile(r"^[A-Z]{2,}[0-9]{3,}$")
RULE_SLUG: Final = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FORMAT_NAME: Final = re.compile(r"^[a-z][a-z0-9_-]*$")
SUFFIX: Final = re.compile(r"^\.[a-z0-9][a-z0-9._-]*$")
# The sections `vmspolicy explain` shows and SARIF's help carries, each heading a line of its own.
RULE_DOC_SECTIONS: Final = (*DOC_SECTIONS, "Options")


def check_rule(plugin: str, rule: Any, *, builtin: bool) -> None:
    """Raise :class:`PluginError` unless ``rule`` is a usable rule class."""
    if not (isinstance(rule, type) and issubclass(rule, Rule)):
        raise PluginError(plugin, f"vmspolicy_rules() returned {rule!r}, not a subclass of vmspolicy.Rule")
    name = f"rule class {rule.__name__}"
    code = getattr(rule, "code", None)
    if not isinstance(code, str) or not RULE_CODE.match(code):
        raise PluginError(plugin, f"{name}: code {code!r} must be two or more capital letters and three or more digits, e.g. ACME101")
    name = f"rule {code} ({rule.__name__})"
    slug = getattr(rule, "slug", None)
    if not isinstance(slug, str) or not RULE_SLUG.match(slug):
        raise PluginError(plugin, f"{name}: slug {slug!r} must be lower-case words joined by '-', e.g. camera-location")
    if not isinstance(rule.severity, Severity):
        choices = ", ".join(repr(s) for s in SEVERITY_NAMES)
        raise PluginError(plugin, f"{name}: severity {rule.severity!r} must be a vmspolicy.Severity or one of {choices}")
    for flag in ("waivable", "inline_suppressible", "baselinable"):
        if not isinstance(getattr(rule, flag), bool):
            raise PluginError(plugin, f"{name}: {flag} must be True or False, not {getattr(rule, flag)!r}")
    if not isinstance(rule.summary, str):
        raise PluginError(plugin, f"{name}: summary must be a string, not {rule.summary!r}")
    _check_options(plugin, name, rule.options)
    _check_looser(plugin, name, rule.looser, rule.options)
    _check_documentation(plugin, name, rule.__doc__)
    if not builtin and rule.check is Rule.check:
        # The built-in VP001-VP004 are emitted by the pipeline; a plugin rule without check() would find nothing, ever.
        raise PluginError(plugin, f"{name}: check() is not implemented, so the rule could never find anything")


def _check_options(plugin: str, name: str, options: Any) -> None:
    if not isinstance(options, Mapping):
        raise PluginError(plugin, f"{name}: options must be a mapping of option names to defaults, not {type(options).__name__}")
    for key, default in options.items():
        if not isinstance(key, str) or not key:
            raise PluginError(plugin, f"{name}: option name {key!r} must be a non-empty string")
        problem = _json_problem(default)
        if problem:
            raise PluginError(plugin, f"{name}: option {key!r} default {problem}: options are set in YAML or TOML, so they hold JSON types")


def _check_looser(plugin: str, name: str, looser: Any, options: Mapping[str, Any]) -> None:
    if not isinstance(looser, Mapping):
        raise PluginError(plugin, f"{name}: looser must be a mapping of option names to vmspolicy.Looser, not {type(looser).__name__}")
    for key, direction in looser.items():
        if key not in options:
            raise PluginError(plugin, f"{name}: looser names {key!r}, which is not one of its options ({', '.join(options) or 'none'})")
        if not isinstance(direction, Looser):
            raise PluginError(plugin, f"{name}: looser[{key!r}] must be a vmspolicy.Looser (HIGHER, LOWER, FEWER, MORE), not {direction!r}")


def _json_problem(value: Any) -> str:
    """Why ``value`` is not JSON data (None, bool, int, float, str, lists and string-keyed mappings), else ''."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return ""
    if isinstance(value, (list, tuple)):
        return next((p for p in map(_json_problem, value) if p), "")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has the key {key!r}, which is not a string"
            problem = _json_problem(item)
            if problem:
                return problem
        return ""
    return f"holds {value!r} ({type(value).__name__})"


def _check_documentation(plugin: str, name: str, docstring: str | None) -> None:
    doc = inspect.cleandoc(docstring or "")
    if not doc:
        raise PluginError(plugin, f"{name}: the docstring is its documentation (`vmspolicy explain`) and is missing")
    lines = {line.strip() for line in doc.splitlines()}
    missing = [section for section in RULE_DOC_SECTIONS if section not in lines]
    if missing:
        raise PluginError(
            plugin,
            f"{name}: the docstring lacks the section(s) {', '.join(repr(s) for s in missing)} "
            f"(each heading on a line of its own: {', '.join(RULE_DOC_SECTIONS)})",
        )


def check_loader(plugin: str, loader: Any) -> None:
    """Raise :class:`PluginError` unless ``loader`` satisfies :class:`vmspolicy.Loader`."""
    name = getattr(loader, "name", None)
    if not isinstance(name, str) or not FORMAT_NAME.match(name):
        raise PluginError(plugin, f"loader {loader!r}: name {name!r} must be a lower-case word (letters, digits, '-', '_')")
    suffixes = getattr(loader, "suffixes", None)
    if isinstance(suffixes, str) or not isinstance(suffixes, (list, tuple, frozenset, set)):
        raise PluginError(plugin, f"loader {name!r}: suffixes must be a sequence of file endings such as ('.cams',), not {suffixes!r}")
    for suffix in suffixes:
        if not isinstance(suffix, str) or not SUFFIX.match(suffix):
            raise PluginError(plugin, f"loader {name!r}: suffix {suffix!r} must be a lower-case file ending with its dot, e.g. '.cams'")
    if not callable(getattr(loader, "load", None)):
        raise PluginError(plugin, f"loader {name!r}: load(source) is missing")


def check_documents(plugin: str, what: str, documents: Any, path: str) -> list[Document]:
    """``documents``, what ``what`` (a loader, ``vmspolicy_load()``) returned for the file at ``path``, if it is
    a list of :class:`Document` whose data are :class:`LocatedMap`; else :class:`PluginError` naming ``plugin``."""
    if not isinstance(documents, list) or not all(isinstance(d, Document) and isinstance(d.data, LocatedMap) for d in documents):
        raise PluginError(plugin, f"{what} returned {documents!r} for {path}: a list of Documents (data a LocatedMap) or None")
    return documents


def check_reporter(plugin: str, reporter: Any) -> None:
    """Raise :class:`PluginError` unless ``reporter`` satisfies :class:`vmspolicy.Reporter`."""
    name = getattr(reporter, "name", None)
    if not isinstance(name, str) or not FORMAT_NAME.match(name):
        raise PluginError(plugin, f"reporter {reporter!r}: name {name!r} must be a lower-case word (letters, digits, '-', '_')")
    # Looked up without running a property: the built-in reporters import their module to describe themselves.
    try:
        description = inspect.getattr_static(reporter, "description")
    except AttributeError:
        raise PluginError(plugin, f"reporter {name!r}: description (one line for --help) is missing") from None
    if not isinstance(description, (str, property)):
        raise PluginError(plugin, f"reporter {name!r}: description must be a string, not {description!r}")
    if not callable(getattr(reporter, "render", None)):
        raise PluginError(plugin, f"reporter {name!r}: render(result, *, color=False) is missing")


def check_pack(plugin: str, pack: Any) -> dict[str, Any]:
    """``pack`` as plain JSON data; raise :class:`PluginError` unless it is valid against ``schemas/pack.schema.json``."""
    plain = _plain_mapping(plugin, "vmspolicy_packs()", "a pack as data", pack)
    _schema_check(plugin, "pack", plain, f"policy pack {plain.get('id', '?')!r}")
    return plain


def check_vendor_data(plugin: str, fragment: Any) -> dict[str, Any]:
    """``fragment`` as plain JSON data; raise :class:`PluginError` unless it is valid against ``schemas/vendors.schema.json``."""
    plain = _plain_mapping(plugin, "vmspolicy_vendor_data()", "a vendor catalog fragment", fragment)
    _schema_check(plugin, "vendors", plain, "vendor data")
    return plain


def _plain_mapping(plugin: str, hook: str, what: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise PluginError(plugin, f"{hook} returned {type(value).__name__}, not a mapping ({what})")
    problem = _json_problem(value)
    if problem:
        raise PluginError(plugin, f"{hook} returned {what} that {problem}, which is not JSON data")
    plain: dict[str, Any] = _plain(value)
    return plain


def _plain(value: Any) -> Any:
    # Tuples and read-only mappings are fine in Python but not in a JSON Schema validator (nor in a report).
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _schema_check(plugin: str, schema: str, data: dict[str, Any], what: str) -> None:
    from vmspolicy.core.schemas import validate

    errors = validate(schema, data)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PluginError(plugin, f"{what}: {errors[0].message}{more} (schemas/{schema}.schema.json)")


class BuiltinGuard:
    """What third-party plugin code must leave as it is: the built-in mandatory rules and the built-in packs.

    Plugins add policy, they do not weaken it. A plugin could otherwise turn a
    pack's mandatory rule down from inside Python (set its severity to info,
    replace its ``check`` with one that finds nothing, loosen an option's
    default) or edit a built-in pack's data, and no configuration check would
    see it. The state is recorded before any third-party code runs and
    compared after each piece of it (an import, a hook, a rule), so the plugin
    that did it is the one named.
    """

    def __init__(self, builtin_rules: Sequence[type[Rule]]) -> None:
        from vmspolicy.analysis.policy import ALWAYS_MANDATORY, CORE_MANDATORY
        from vmspolicy.core.packs import builtin_packs

        packs = builtin_packs()
        mandatory = set(ALWAYS_MANDATORY).union(*(p.get("mandatory", CORE_MANDATORY) for p in packs))
        self._rules = {rule: _judging_state(rule) for rule in builtin_rules if rule.code in mandatory}
        self._packs = _pack_state(packs)

    def check(self, plugin: str) -> None:
        """Raise :class:`PluginError` naming ``plugin`` when a built-in mandatory rule or pack is no longer as it was."""
        from vmspolicy.core.packs import builtin_packs

        for rule, before in self._rules.items():
            after = _judging_state(rule)
            if after != before:
                changed = next(name for name in before if before[name] != after[name])
                was, now = _shown(before[changed]), _shown(after[changed])
                raise PluginError(
                    plugin,
                    f"changed {changed} of the built-in rule {before['code']} ({was} -> {now}), which packs make mandatory: "
                    "plugins add rules and packs; they may not disable or weaken the built-in ones",
                )
        if _pack_state(builtin_packs()) != self._packs:
            raise PluginError(plugin, "changed the data of a built-in policy pack: plugins add packs; they may not alter the built-in ones")


def _judging_state(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "slug": rule.slug,
        "severity": rule.severity,
        "check": rule.check,
        "options": repr(dict(rule.options)),
        "looser": repr(dict(rule.looser)),
        "waivable": rule.waivable,
        "inline_suppressible": rule.inline_suppressible,
        "baselinable": rule.baselinable,
    }


def _shown(value: Any) -> str:
    if isinstance(value, Severity):
        return value.label
    if callable(value):
        return str(getattr(value, "__qualname__", value))
    return str(value)


def _pack_state(packs: Sequence[Mapping[str, Any]]) -> str:
    import json

    return json.dumps(list(packs), sort_keys=True, default=str)
