"""Configuration: ``.vmspolicy.yaml`` or ``[tool.vmspolicy]`` in ``pyproject.toml``.

Found by walking up from the working directory (or given with ``--config``),
validated against ``schemas/config.schema.json``; a bad configuration is a
:class:`ConfigError` with file:line, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from vmspolicy.core.errors import ConfigError
from vmspolicy.core.findings import Severity
from vmspolicy.core.records import record
from vmspolicy.core.schemas import validate
from vmspolicy.core.source import LocatedMap, LocatedSeq
from vmspolicy.core.text import ParseError, decode
from vmspolicy.core.yaml_events import load_documents

if TYPE_CHECKING:
    from vmspolicy.core.rule import Rule

CONFIG_NAMES = (".vmspolicy.yaml", ".vmspolicy.yml")
ALWAYS_ON = frozenset({"VP001", "VP306"})
"""Rules that run whatever the configuration says (see :meth:`Config.enabled`)."""


@record(frozen=True, slots=True)
class Config:
    """The settings of a run, after the configuration file and the command line are combined."""


    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    profiles: tuple[str, ...] = ()
    estate: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    strict: bool = False
    disabled: frozenset[str] = frozenset()
    selected: frozenset[str] | None = None  # None: every rule
    severities: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    # Sections that later features own (packs, management zones, suppressions...), validated by the schema.
    settings: Mapping[str, Any] = field(default_factory=dict)
    # Where each rule's settings were written ("VP303" -> "path:line:col"), for precise errors.
    rule_locations: Mapping[str, str] = field(default_factory=dict)
    # Where each setting that changes a rule was written, as (line, column): "disable:VP101", "select",
    # "rules.VP101" (its key), "rules.VP101.severity", "rules.VP101.enabled", "rules.VP104.min_weight".
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    sha256: str = ""  # of the configuration file's bytes, for the record every report keeps
    command_line: tuple[str, ...] = ()  # the settings the command line gave over the file's (profiles, fail_on, strict)

    def enabled(self, code: str) -> bool:
        """Whether rule ``code`` runs. VP001 and VP306 always do: an unreadable file must never
        pass, and a refused override must always show."""
        if code in ALWAYS_ON:
            return True
        if self.selected is not None and code not in self.selected:
            return False
        return code not in self.disabled


def with_overrides(config: Config, *, profiles: Sequence[str] = (), fail_on: Severity | None = None,
                   strict: bool | None = None) -> Config:
    """``config`` with the settings given over the file's (``--profile``, ``--fail-on``, ``--strict``, or a Python
    caller's :class:`RunOptions`), each recorded in ``command_line`` so that every report says it was given."""
    changes: dict[str, Any] = {}
    if profiles:
        changes["profiles"] = tuple(profiles)
    if fail_on is not None:
        changes["fail_on"] = fail_on
    if strict:
        changes["strict"] = True
    if not changes:
        return config
    return replace(config, **changes, command_line=tuple(sorted({*config.command_line, *changes})))


def find_config(start: Path) -> Path | None:
    """The nearest ``.vmspolicy.yaml`` or ``pyproject.toml`` with ``[tool.vmspolicy]``, walking up."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.vmspolicy" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate the configuration at ``path`` (None: defaults)."""
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError("configuration file not found", str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", str(path)) from None
    data = _read_pyproject(path, raw) if path.name == "pyproject.toml" else _read_yaml(path, raw)
    errors = validate("config", data)
    if errors:
        first = errors[0]
        where = f"{path}:{first.pos[0]}:{first.pos[1]}" if isinstance(data, LocatedMap) else str(path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"invalid configuration: {first.message}{more}", where)
    positions = _located_positions(data) if isinstance(data, LocatedMap) else _toml_positions(raw, data)
    return _interpret(path, data, positions, hashlib.sha256(raw).hexdigest())


def _read_yaml(path: Path, raw: bytes) -> Any:
    try:
        docs = load_documents(decode(raw).text)
    except ParseError as exc:
        raise ConfigError(exc.message, f"{path}:{exc.line}:{exc.column}") from None
    data = docs[0] if docs else None
    return data if data is not None else LocatedMap()


def _read_pyproject(path: Path, raw: bytes) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        parsed = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", str(path)) from None
    return parsed.get("tool", {}).get("vmspolicy", {})


def _setting_keys(data: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Every setting that changes a rule, as (name in ``Config.positions``, its path of keys in the data)."""
    keys: list[tuple[str, tuple[str, ...]]] = []
    if "select" in data:
        keys.append(("select", ("select",)))
    isolation = data.get("isolation")
    if isinstance(isolation, Mapping) and "management_zones" in isolation:
        keys.append(("isolation.management_zones", ("isolation", "management_zones")))
    imports = data.get("import")
    if isinstance(imports, Mapping) and "zones" in imports:
        keys.append(("import.zones", ("import", "zones")))
    for code in data.get("disable") or ():
        keys.append((f"disable:{code}", ("disable", str(code))))
    for code, settings in (data.get("rules") or {}).items():
        keys.append((f"rules.{code}", ("rules", code)))
        for name, value in (settings or {}).items():
            if name == "enabled" and value is not False:
                continue  # only a rule switched off is a setting to answer for
            keys.append((f"rules.{code}.{name}", ("rules", code, name)))
    return keys


def _located_positions(data: LocatedMap) -> dict[str, tuple[int, int]]:
    positions: dict[str, tuple[int, int]] = {}
    for name, path in _setting_keys(data):
        if path[0] == "disable":
            items = data.get("disable")
            if isinstance(items, LocatedSeq):
                positions[name] = items.where([str(c) for c in items].index(path[1]))
            continue
        node: Any = data
        for key in path[:-1]:
            node = node.get(key)
        if isinstance(node, LocatedMap):
            positions[name] = node.where_key(path[-1])
    return positions


def _toml_positions(raw: bytes, data: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Where each setting of ``[tool.vmspolicy]`` is written; tomllib keeps no positions, so read the text.

    Each key is looked for after the one that holds it (``VP101`` after ``rules``,
    ``severity`` after ``VP101``), from the ``[tool.vmspolicy`` table on; what cannot
    be found is placed at that table's header, which is still the right file and section.
    """
    text = raw.decode("utf-8", errors="replace")
    start = max(text.find("[tool.vmspolicy"), 0)
    positions: dict[str, tuple[int, int]] = {}
    for name, path in _setting_keys(data):
        offset = start
        for key in path:
            found = re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])").search(text, offset)
            if found is None:
                break
            offset = found.start()
        line = text.count("\n", 0, offset) + 1
        positions[name] = (line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    return positions


def _interpret(path: Path, data: Mapping[str, Any], positions: Mapping[str, tuple[int, int]], sha256: str) -> Config:
    severities: dict[str, Severity] = {}
    options: dict[str, dict[str, Any]] = {}
    disabled = set(data.get("disable", ()))
    for code, settings in (data.get("rules") or {}).items():
        settings = dict(settings or {})
        if "severity" in settings:
            severities[code] = Severity.parse(settings.pop("severity"))
        if settings.pop("enabled", True) is False:
            disabled.add(code)
        options[code] = settings
    locations: dict[str, str] = {}
    for key in ("select", "disable"):
        items = data.get(key)
        if isinstance(items, LocatedSeq):
            for index, code in enumerate(items):
                locations[str(code)] = "{}:{}:{}".format(path, *items.where(index))
    rules_node = data.get("rules")
    if isinstance(rules_node, LocatedMap):
        for code in rules_node:
            locations[code] = "{}:{}:{}".format(path, *rules_node.where_key(code))
    known = {"profiles", "estate", "exclude", "fail_on", "strict", "disable", "select", "rules", "formats"}
    return Config(
        path=path,
        root=path.parent,
        profiles=tuple(data.get("profiles", ())),
        estate=tuple(data.get("estate", ())),
        exclude=tuple(data.get("exclude", ())),
        fail_on=Severity.parse(data.get("fail_on", "error")),
        strict=bool(data.get("strict", False)),
        disabled=frozenset(disabled),
        selected=frozenset(data["select"]) if "select" in data else None,
        severities=severities,
        rule_options=options,
        formats=dict(data.get("formats") or {}),
        settings={k: v for k, v in data.items() if k not in known},
        rule_locations=locations,
        positions=dict(positions),
        sha256=sha256,
    )


def check_rule_settings(config: Config, rules: Sequence[type[Rule]]) -> None:
    """Validate per-rule settings against the registered rules: one place for every rule's options.

    An unknown rule code, an option the rule does not have, or a value of
    another type than the option's default is a :class:`ConfigError`.
    """
    by_code = {rule.code: rule for rule in rules}
    where = config.rule_locations
    for code in sorted({*config.rule_options, *config.severities, *config.disabled, *(config.selected or ())}):
        location = where.get(code, str(config.path or ""))
        if code not in by_code:
            raise ConfigError(f"unknown rule {code} (`vmspolicy rules` lists them)", location)
        rule = by_code[code]
        for name, value in config.rule_options.get(code, {}).items():
            if name not in rule.options:
                allowed = ", ".join(sorted(rule.options)) or "none"
                raise ConfigError(f"rule {code} has no option {name!r} (its options: {allowed})", location)
            default = rule.options[name]
            if default is not None and not _same_kind(value, default):
                raise ConfigError(
                    f"rule {code} option {name!r} must be {type(default).__name__}, not {type(value).__name__}",
                    location,
                )


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))
