"""The vendor catalog, compiled once from its data fragments into lookup tables.

Fragments come from the ``vmspolicy_vendor_data`` hook (built-ins first) and
are validated against ``schemas/vendors.schema.json``. Compiling turns names
into dictionary keys and patterns into one precompiled regular expression per
field, so that identifying a device costs a few dictionary lookups and one
regex search per field, whatever the size of the catalog: it runs for every
device of a 100,000-device estate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Final, Mapping, Sequence

from vmspolicy.analysis.identify.normalise import name_key, vendor_name
from vmspolicy.core.errors import PluginError
from vmspolicy.core.records import record
from vmspolicy.core.schemas import validate

# How much one matching entry, alone, establishes its family (see vendors.yaml).
CONFIDENCE: Final[Mapping[str, float]] = {
    "owner": 0.95,
    "high": 0.9,
    "medium-high": 0.75,
    "medium": 0.6,
    "low-medium": 0.4,
    "low": 0.25,
}


class CatalogError(ValueError):
    """A vendor catalog fragment that cannot be compiled (unknown family, bad pattern, unresolved OUI entity)."""


@record(frozen=True, slots=True)
class NameEntry:
    """A name the catalog knows: a restricted family, one of its brands, a relabel, a known maker or a false friend."""

    kind: str  # family | brand | relabel | vendor | false-friend
    name: str
    family: str | None  # the restricted family it belongs to (the one it resembles, for a false friend)
    confidence: str = "owner"
    source: str = ""
    relation: str = ""  # for a brand: subsidiary, own brand, joint venture...
    window: tuple[str | None, str | None] = (None, None)  # relabel months (YYYY-MM), inclusive

    @property
    def weight(self) -> float:
        return CONFIDENCE[self.confidence]

    @property
    def restricted(self) -> bool:
        return self.kind in ("family", "brand", "relabel")


@record(frozen=True, slots=True)
class Fingerprint:
    """A model pattern, stream URL fingerprint or scan string of a restricted family."""

    family: str
    display: str
    confidence: str
    source: str
    description: str = ""
    protocol: str = ""
    brand: str = ""  # the brand a model pattern belongs to, when not the family's own (HiLook, Amcrest...)
    ambiguous: bool = False  # a short model prefix other makers may share: a declared other maker outweighs it

    @property
    def weight(self) -> float:
        return CONFIDENCE[self.confidence]


@record(frozen=True, slots=True)
class OuiEntry:
    """A registered MAC block and who it belongs to."""

    prefix: str  # lower-case hex digits, 6, 7 or 9 of them
    owner: str
    entity: NameEntry
    confidence: str
    source: str

    @property
    def weight(self) -> float:
        return CONFIDENCE[self.confidence]


# Case folded the ASCII way: Unicode case folding made compiling the model patterns three times
# slower (7.5 against 2.5 ms, on every run). Model numbers reach the patterns already folded to
# upper-case ASCII lookalikes (normalise.model_key), and the non-ASCII letters Unicode would fold
# onto ASCII ones (ſ, K, ı) do not make a working stream URL or a scanner's banner.
_PATTERN_FLAGS: Final = re.IGNORECASE | re.ASCII


class PatternSet:
    """Fingerprints compiled into one regular expression; ``search`` says which one matched first.

    The expression is compiled at the first search: compiling the model,
    stream and banner alternations costs more than the rest of a one-file
    pre-commit run's identification, and a run without stream URLs or scan
    strings never needs two of them. ``compile_catalog`` compiles them at once
    when it has patterns from a plugin to check.
    """

    __slots__ = ("_regex", "fingerprints", "source")

    def __init__(self, source: str | None, fingerprints: tuple[Fingerprint, ...]) -> None:
        self.source = source  # the alternation of named groups, None when there are no patterns
        self.fingerprints = fingerprints
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str] | None:
        if self._regex is None and self.source is not None:
            self._regex = re.compile(self.source, _PATTERN_FLAGS)
        return self._regex

    def search(self, text: str) -> tuple[Fingerprint, str] | None:
        regex = self.regex
        if regex is None:
            return None
        found = regex.search(text)
        if found is None or found.lastgroup is None:
            return None
        return self.fingerprints[int(found.lastgroup[1:])], found.group(found.lastgroup)


@dataclass
class Catalog:
    """Everything identification looks up, compiled."""

    families: frozenset[str]
    names: dict[str, NameEntry]  # name key -> entry (longest name wins at lookup)
    contains: tuple[tuple[str, NameEntry], ...]  # distinctive names matched inside longer words
    near_miss: tuple[tuple[str, NameEntry], ...]  # names a misspelling is compared with
    max_words: int
    name_prefixes: frozenset[str]  # every prefix of every name key: a run of words that is none can only end a lookup
    models: PatternSet
    distinctive_models: PatternSet  # the model patterns that a declared other maker does not outweigh
    streams: PatternSet
    banners: PatternSet
    ouis: dict[str, OuiEntry]
    firmware: PatternSet  # firmware version forms (a device's ``firmware`` or its ONVIF FirmwareVersion)
    oui_long_prefixes: frozenset[str]  # MA-L prefixes holding a registered MA-M or MA-S block
    false_streams: tuple[tuple[re.Pattern[str], NameEntry], ...]
    # Known makers that no family claims, by their technical evidence: a device that no family is
    # established for is theirs (no VP106). Never weighed against a restricted family.
    maker_ouis: dict[str, str] = field(default_factory=dict)  # prefix -> maker
    maker_streams: PatternSet = field(default_factory=lambda: PatternSet(None, ()))
    maker_models: PatternSet = field(default_factory=lambda: PatternSet(None, ()))
    # Per-string results: estates repeat the same vendor and model strings thousands of times.
    vendor_cache: dict[str, Any] = field(default_factory=dict)
    vendor_evidence_cache: dict[tuple[str, bool | None], Any] = field(default_factory=dict)
    model_cache: dict[tuple[str, bool, str], Any] = field(default_factory=dict)
    oui_cache: dict[tuple[str, bool | None], Any] = field(default_factory=dict)


# What a literal dash of a pattern is not: an escape, or a character class (whose '-' is a range).
_DASH_OR_SKIPPED: Final = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]])*\]|-")


def dash_optional(pattern: str) -> str:
    """``pattern`` with every literal dash optional: a bill of materials writes ``DS2CD2143G0I`` for ``DS-2CD2143G0-I``.

    Only dashes outside character classes and not escaped; model numbers reach
    the patterns with their dashes and spaces already written as one ``-``.
    """
    return _DASH_OR_SKIPPED.sub(lambda m: "-?" if m.group() == "-" else m.group(), pattern)


def _patterns(items: Sequence[tuple[str, Fingerprint, bool]], *, words: bool, check: bool) -> PatternSet:
    """One alternation of named groups: a single search per field, and ``lastgroup`` says which pattern matched.

    ``check``: compile every pattern now, so that a plugin's bad one is a
    configuration error naming it (the built-in ones are checked by the tests).
    """
    if not items:
        return PatternSet(None, ())
    parts = []
    for index, (pattern, _, anchored) in enumerate(items):
        if check:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogError(f"pattern {pattern!r}: {exc}") from None
        if words:
            pattern = dash_optional(pattern)
        if anchored:
            # Short prefixes (SD, ASI...) only where a model number starts, never inside another one.
            # The whole alternation, not only its first branch ("TPC…|EZ-…" anchors both).
            pattern = f"(?:^|(?<=[ /(,;]))(?:{pattern})"
        elif words:
            pattern = f"(?<![A-Z0-9])(?:{pattern})"
        parts.append(f"(?P<p{index}>{pattern})")
    compiled = PatternSet("|".join(parts), tuple(fp for _, fp, _ in items))
    if check:
        try:
            compiled.regex  # noqa: B018 - compiled now so that the error surfaces here
        except re.error as exc:
            raise CatalogError(f"patterns do not combine: {exc}") from None
    return compiled


def _month(value: Any) -> str | None:
    return str(value) if value is not None else None


def compile_catalog(fragments: Sequence[Mapping[str, Any]], *, check_patterns: bool = True) -> Catalog:
    """Merge and compile vendor catalog fragments.

    In order: a name, OUI or pattern of a later fragment overrides an earlier
    one's, so a plugin can reclassify a built-in entry (call a known maker a
    relabel, say). A family must be declared in its fragment or an earlier one.
    ``check_patterns=False`` leaves the patterns to be compiled when first
    used: only for fragments whose patterns are known to compile (the built-in
    data, which the tests compile).
    """
    for number, fragment in enumerate(fragments, 1):
        _check_sources(number, fragment)
    builder = _CatalogBuilder()
    for fragment in fragments:
        builder.add_fragment(fragment)
    return builder.build(check_patterns=check_patterns)


@dataclass
class _CatalogBuilder:
    """The catalog's tables as the fragments fill them, one section at a time, in fragment order."""

    families: set[str] = field(default_factory=set)
    names: dict[str, NameEntry] = field(default_factory=dict)
    contains: list[tuple[str, NameEntry]] = field(default_factory=list)
    max_words: int = 1
    models: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)
    streams: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)
    banners: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)
    firmware: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)
    raw_ouis: list[tuple[Mapping[str, Any], str]] = field(default_factory=list)
    false_ouis: list[tuple[str, NameEntry]] = field(default_factory=list)
    false_streams: list[tuple[re.Pattern[str], NameEntry]] = field(default_factory=list)
    maker_ouis: dict[str, str] = field(default_factory=dict)
    maker_streams: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)
    maker_models: list[tuple[str, Fingerprint, bool]] = field(default_factory=list)

    def add_fragment(self, fragment: Mapping[str, Any]) -> None:
        # Section order matters: a brand's family must be declared first, and a later name overrides an earlier one.
        source = str(fragment.get("source", ""))
        self._families(fragment.get("families", ()), source)
        self._brands(fragment.get("brands", ()), source)
        self._relabels(fragment.get("relabels", ()), source)
        self._vendors(fragment.get("vendors", ()), source)
        self._false_friends(fragment.get("false_friends", ()), source)
        for kind, target in (("models", self.models), ("streams", self.streams), ("banners", self.banners), ("firmware", self.firmware)):
            self._fingerprints(fragment.get(kind, ()), source, target)
        self.raw_ouis.extend((item, source) for item in fragment.get("ouis", ()))

    def _add_name(self, text: str, entry: NameEntry) -> None:
        reduced = vendor_name(text)
        if reduced.core_compact:
            _keep_restricted(self.names.get(reduced.core_compact), entry, text)
            self.names[reduced.core_compact] = entry
            self.max_words = max(self.max_words, len(reduced.core))

    def _families(self, items: Sequence[Mapping[str, Any]], source: str) -> None:
        for item in items:
            family = str(item["family"])
            self.families.add(family)
            entry = NameEntry("family", family, family, str(item["confidence"]), str(item.get("source", source)))
            for text in [family, *item.get("names", ())]:
                self._add_name(str(text), entry)
            self.contains.extend((str(word), entry) for word in item.get("contains", ()))

    def _brands(self, items: Sequence[Mapping[str, Any]], source: str) -> None:
        for item in items:
            _known_family(item["family"], self.families)
            entry = NameEntry(
                "brand", str(item["name"]), str(item["family"]), str(item["confidence"]),
                str(item.get("source", source)), relation=str(item.get("relation", "brand")),
            )
            for text in [item["name"], *item.get("aliases", ())]:
                self._add_name(str(text), entry)
            self.contains.extend((str(word), entry) for word in item.get("contains", ()))

    def _relabels(self, items: Sequence[Mapping[str, Any]], source: str) -> None:
        for item in items:
            _known_family(item["family"], self.families)
            entry = NameEntry(
                "relabel", str(item["name"]), str(item["family"]), str(item["confidence"]),
                str(item.get("source", source)), window=(_month(item.get("from")), _month(item.get("until"))),
            )
            for text in [item["name"], *item.get("aliases", ())]:
                self._add_name(str(text), entry)

    def _vendors(self, items: Sequence[Mapping[str, Any]], source: str) -> None:
        for item in items:
            entry = NameEntry("vendor", str(item["name"]), None, "owner", str(item.get("source", source)))
            for text in [item["name"], *item.get("aliases", ())]:
                self._add_name(str(text), entry)
            maker = Fingerprint(str(item["name"]), str(item["name"]), "owner", entry.source)
            self.maker_ouis.update((str(prefix).lower(), entry.name) for prefix in item.get("ouis", ()))
            self.maker_streams.extend((str(pattern), maker, False) for pattern in item.get("streams", ()))
            self.maker_models.extend((str(pattern), maker, False) for pattern in item.get("models", ()))

    def _false_friends(self, items: Sequence[Mapping[str, Any]], source: str) -> None:
        for item in items:
            entry = NameEntry("false-friend", str(item["name"]), str(item["resembles"]), "owner", str(item.get("source", source)))
            for text in [item["name"], *item.get("aliases", ())]:
                self._add_name(str(text), entry)
            self.false_ouis.extend((str(prefix).lower(), entry) for prefix in item.get("ouis", ()))
            for pattern in item.get("streams", ()):
                try:
                    self.false_streams.append((re.compile(str(pattern), re.IGNORECASE), entry))
                except re.error as exc:
                    raise CatalogError(f"false friend {item['name']!r}: pattern {pattern!r}: {exc}") from None

    def _fingerprints(self, items: Sequence[Mapping[str, Any]], source: str, target: list[tuple[str, Fingerprint, bool]]) -> None:
        for item in items:
            _known_family(item["family"], self.families)
            target.append((
                str(item["pattern"]),
                Fingerprint(
                    str(item["family"]), str(item["display"]), str(item["confidence"]),
                    str(item.get("source", source)), str(item.get("description", "")), str(item.get("protocol", "")),
                    str(item.get("brand", "")), bool(item.get("ambiguous", False)),
                ),
                bool(item.get("anchored", False)),
            ))

    def _ouis(self) -> dict[str, OuiEntry]:
        """The MAC blocks: each names a family, brand or relabel already in the names; a false friend's never takes one."""
        ouis: dict[str, OuiEntry] = {}
        entities: dict[str, NameEntry | None] = {}  # the extract names a few dozen entities, each hundreds of times
        for item, default_source in self.raw_ouis:
            raw_entity = str(item["entity"])
            if raw_entity not in entities:
                entities[raw_entity] = self.names.get(name_key(_bare(raw_entity)))
            entity = entities[raw_entity]
            if entity is None or not entity.restricted:
                raise CatalogError(f"OUI {item['prefix']}: entity {item['entity']!r} is not a family, brand or relabel of the catalog")
            prefix = str(item["prefix"]).lower()
            confidence = str(item.get("confidence", entity.confidence))
            ouis[prefix] = OuiEntry(prefix, str(item["owner"]), entity, confidence, str(item.get("source", default_source)))
        for prefix, entry in self.false_ouis:
            if prefix in ouis:
                held = ouis[prefix].entity
                raise CatalogError(
                    f"false friend {entry.name!r}: the MAC block {prefix.upper()} is registered to {held.name} "
                    f"({held.family}); vendor data may not declare a restricted family's block a false friend"
                )
            ouis[prefix] = OuiEntry(prefix, entry.name, entry, "owner", entry.source)
        return ouis

    def _near_miss(self) -> tuple[tuple[str, NameEntry], ...]:
        # Misspellings are looked for only of names long and distinctive enough not to hit ordinary words
        # ("Hillock" is not HiLook's business), and only of brands whose link to the family is documented.
        return tuple(
            (key, entry)
            for key, entry in self.names.items()
            if key == name_key(entry.name) and key.isascii() and key.isalpha()
            and (
                (entry.kind == "family" and len(key) >= 5)
                or (entry.kind == "brand" and len(key) >= 7 and entry.weight >= CONFIDENCE["medium"])
            )
        )

    def build(self, *, check_patterns: bool) -> Catalog:
        ouis = self._ouis()
        return Catalog(
            families=frozenset(self.families),
            names=self.names,
            contains=tuple(self.contains),
            near_miss=self._near_miss(),
            max_words=self.max_words,
            name_prefixes=frozenset(key[:end] for key in self.names for end in range(1, len(key) + 1)),
            models=_patterns(self.models, words=True, check=check_patterns),
            distinctive_models=_patterns([m for m in self.models if not m[1].ambiguous], words=True, check=False),
            streams=_patterns(self.streams, words=False, check=check_patterns),
            banners=_patterns(self.banners, words=False, check=check_patterns),
            firmware=_patterns(self.firmware, words=False, check=check_patterns),
            ouis=ouis,
            oui_long_prefixes=frozenset(prefix[:6] for prefix in ouis if len(prefix) > 6),
            false_streams=tuple(self.false_streams),
            maker_ouis=self.maker_ouis,
            maker_streams=_patterns(self.maker_streams, words=False, check=check_patterns),
            maker_models=_patterns(self.maker_models, words=True, check=check_patterns),
        )


_SOURCED_SECTIONS: Final = ("families", "brands", "relabels", "models", "ouis", "streams", "banners", "firmware", "vendors", "false_friends")


def _check_sources(number: int, fragment: Mapping[str, Any]) -> None:
    """Every entry names where it comes from: its own ``source`` or its fragment's."""
    if fragment.get("source"):
        return
    for section in _SOURCED_SECTIONS:
        for index, item in enumerate(fragment.get(section, ())):
            if not item.get("source"):
                raise CatalogError(f"vendor data fragment {number}: {section}[{index}] has no source, and the fragment names none")


def _keep_restricted(held: NameEntry | None, entry: NameEntry, text: str) -> None:
    """A false friend or a known maker never takes a restricted family's, brand's or relabel's name.

    Later fragments override earlier ones, so that a plugin can call a known
    maker a relabel (stricter); the other way, a plugin's ``false_friends:`` or
    ``vendors:`` entry named "Hikvision" would make every Hikvision camera
    unrestricted. A false friend is a *different* company whose name resembles
    a family's (Shanghai Dahua Scale Factory), never the family itself.
    """
    if held is None or not held.restricted or entry.restricted:
        return
    what = "a false friend" if entry.kind == "false-friend" else "a maker no family claims"
    raise CatalogError(
        f"{entry.kind.replace('-', ' ')} {entry.name!r}: {text!r} is the name of {held.name} "
        f"({held.kind} of {held.family}); vendor data may not declare a restricted maker's name {what}"
    )


def _known_family(family: Any, families: set[str]) -> None:
    if family not in families:
        raise CatalogError(f"unknown family {family!r}: declare it under 'families' first")


@functools.lru_cache(maxsize=256)
def _bare(text: str) -> str:
    """``Huacheng(Imou?)`` → ``Huacheng``: the registry extract annotates some groups in parentheses."""
    return re.sub(r"\(.*?\)", "", text).strip()


# Compiled catalogs by the identity of their fragments: the plugin host hands the
# same fragment objects to every device of a run. The fragments are kept
# alongside so their ids cannot be reused while the entry lives.
_COMPILED: dict[tuple[int, ...], tuple[tuple[Mapping[str, Any], ...], Catalog]] = {}
_MAX_COMPILED: Final = 8


_last: list[Any] = [None, None]  # the fragments object of the latest call and its catalog: the common case


def catalog_for(fragments: Sequence[Mapping[str, Any]]) -> Catalog:
    """The compiled catalog of ``fragments`` (the built-in data when empty), validated and compiled once.

    :raises PluginError: a fragment breaks ``schemas/vendors.schema.json`` or cannot be compiled.
    """
    if fragments is _last[0]:
        last: Catalog = _last[1]
        return last
    given = fragments
    from vmspolicy.analysis.identify.builtin import builtin_fragments

    builtin = builtin_fragments()
    if not fragments:
        fragments = builtin
    else:
        # Built-ins first whatever order the fragments come in, so that plugins override them.
        first = [f for f in fragments if any(f is b for b in builtin)]
        fragments = [*first, *(f for f in fragments if not any(f is b for b in builtin))]
    key = tuple(id(f) for f in fragments)
    cached = _COMPILED.get(key)
    if cached is not None:
        _last[:] = [given, cached[1]]
        return cached[1]
    try:
        # The built-in fragments are checked against the schema, and their patterns compiled, by the
        # test suite; a run checks only what plugins add (a one-file pre-commit run saves a fifth of its time).
        added = False
        for index, fragment in enumerate(fragments, 1):
            if any(fragment is b for b in builtin):
                continue
            added = True
            errors = validate("vendors", fragment)
            if errors:
                raise CatalogError(f"vendor data fragment {index}: {errors[0].message}")
        catalog = compile_catalog(fragments, check_patterns=added)
    except CatalogError as exc:
        # A plugin's bad catalog is a configuration error (exit 2), never a silent pass.
        raise PluginError("vmspolicy_vendor_data", str(exc)) from None
    if len(_COMPILED) >= _MAX_COMPILED:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = (tuple(fragments), catalog)
    _last[:] = [given, catalog]
    return catalog
