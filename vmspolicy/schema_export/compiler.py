"""Compile policy packs and the vendor catalog into the manifest JSON Schema.

The result is the manifest v1 schema (``schemas/manifest.schema.json``) with,
on every camera, recorder and device entry, ``if``/``then`` rules for what can
be judged from that entry alone:

- it is of a restricted family (a vendor name, brand or relabel, a model
  number pattern, a MAC block or a stream URL fingerprint establishes it on
  its own) and it is a new install: ``planned``, undated, or installed on or
  after the cut-off (VP102); a recorder of a restricted family at all (VP107);
- its declared vendor contradicts strong technical evidence (VP104);
- it is legacy (installed before the cut-off): it must name its zone (the
  first condition of VP206) and P2P cloud, UPnP and vendor DDNS must be off (VP205).

Which evidence counts, and how much, is read from the compiled catalog
(:mod:`vmspolicy.analysis.identify.catalog`) with the thresholds vendor identification
uses, so that the schema and ``vmspolicy check`` agree on single pieces of
evidence. What a schema cannot see (the site's sensitivity and packs, other
files, waivers, reachability, evidence that only adds up from several weak
pieces, misspellings) is said in the schema's description.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final, Iterable, Mapping, Sequence

from vmspolicy.analysis.identify.catalog import CONFIDENCE, Catalog, NameEntry, compile_catalog, dash_optional
from vmspolicy.analysis.identify.evidence import ESTABLISHED, STRONG_WEIGHT, UNDATED_WINDOW_FACTOR
from vmspolicy.analysis.identify.normalise import vendor_name
from vmspolicy.analysis.isolation import CLOUD_SERVICES
from vmspolicy.analysis.policy import Pack
from vmspolicy.core.model import RECORDER_TYPES
from vmspolicy.core.records import record
from vmspolicy.core.schemas import load_schema
from vmspolicy.schema_export import patterns

# VP104's default ``min_weight``: how strong technical evidence must be to contradict a declared vendor.
STRONG: Final = STRONG_WEIGHT
# A declared name at least this heavy keeps its family on top against one strong piece of
# another family's technical evidence (identification keeps the first family on a tie).
OUTWEIGHS: Final = CONFIDENCE["high"]
_SERVICE_LABELS: Final = {"p2p_cloud": "P2P cloud", "upnp": "UPnP", "ddns": "Vendor dynamic DNS"}

LIMITS: Final = (
    "This schema carries the per-entry part of the policy packs {packs}: a restricted vendor's camera, recorder or device "
    "that is a new install (planned, undated, or installed on or after the cut-off) is rejected (VP102), and so is any "
    "restricted recorder (VP107) and a declared vendor that contradicts the model number, MAC block or stream URL (VP104); "
    "a legacy one must name its zone and declare P2P cloud, UPnP and vendor DDNS off (VP206, VP205). "
    "A schema judges one entry at a time, so it CANNOT check: whether the site is sensitive (VP101: every restricted "
    "device there is forbidden) or names other packs in its `policies:`; whether a legacy device is really isolated "
    "(segmentation, internet and core-network reachability, firewall coverage: VP201-VP206); waivers and their validity "
    "across files (VP103, VP105, VP301-VP305); references and duplicates across files (VP003, VP004); misspelt vendor "
    "names (Hikvison) and evidence that only adds up from several weak pieces; a declared maker that no family claims "
    "outweighing a short, ambiguous model prefix (GeoVision HWK-: judged here by the prefix, establishing the family but "
    "never contradicting the vendor). An entry with evidence of two restricted "
    "families is judged here for each of them, by `vmspolicy check` for the heavier one. Run `vmspolicy check` for the whole policy."
)

# Conditions every rule shares, kept once under $defs and referred to.
CONDITIONS: Final[Mapping[str, Any]] = {
    "vmspolicy-active": {
        "description": "Judged: not decommissioned (decommissioned devices are kept for the record, never judged).",
        "not": {"required": ["status"], "properties": {"status": {"const": "decommissioned"}}},
    },
    "vmspolicy-planned": {"description": "A proposed install.", "required": ["status"], "properties": {"status": {"const": "planned"}}},
    "vmspolicy-not-planned": {"not": {"$ref": "#/$defs/vmspolicy-planned"}},
    "vmspolicy-undated": {"description": "No installed date: counts as a new install.", "not": {"required": ["installed"]}},
}
_ACTIVE: Final[Mapping[str, Any]] = {"$ref": "#/$defs/vmspolicy-active"}
_PLANNED: Final[Mapping[str, Any]] = {"$ref": "#/$defs/vmspolicy-planned"}
_NOT_PLANNED: Final[Mapping[str, Any]] = {"$ref": "#/$defs/vmspolicy-not-planned"}
_UNDATED: Final[Mapping[str, Any]] = {"$ref": "#/$defs/vmspolicy-undated"}


class ExportError(ValueError):
    """Packs or vendor data that cannot be written as a schema (an untranslatable pattern)."""


@record(frozen=True, slots=True)
class Window:
    """The months an OEM relationship held, as first and last day; None: open-ended."""

    start: dt.date | None
    end: dt.date | None


@dataclass
class FamilyEvidence:
    """What establishes one restricted family, split by how a schema can express it."""

    family: str
    names: list[str] = field(default_factory=list)  # whole-word name keys strong enough alone
    declared: list[str] = field(default_factory=list)  # family and brand keys a model field may name (no relabels)
    heavy: list[str] = field(default_factory=list)  # family and brand keys that outweigh one strong technical piece
    heavy_contains: list[str] = field(default_factory=list)
    contains: list[str] = field(default_factory=list)  # keys that count inside longer words
    any_names: list[str] = field(default_factory=list)  # every name of the family, whatever its weight (VP104)
    any_contains: list[str] = field(default_factory=list)
    false_friends: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    strong_models: list[str] = field(default_factory=list)
    ambiguous_models: list[str] = field(default_factory=list)  # count only when the vendor names no known maker
    ouis: list[str] = field(default_factory=list)
    strong_ouis: list[str] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)
    strong_streams: list[str] = field(default_factory=list)
    windowed_names: dict[Window, list[str]] = field(default_factory=dict)
    windowed_ouis: dict[Window, list[str]] = field(default_factory=dict)


def _month_start(text: str | None) -> dt.date | None:
    if text is None:
        return None
    year, month = (int(p) for p in text.split("-")[:2])
    return dt.date(year, month, 1)


def _month_end(text: str | None) -> dt.date | None:
    start = _month_start(text)
    if start is None:
        return None
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _window(entry: NameEntry) -> Window | None:
    start, end = entry.window
    if start is None and end is None:
        return None
    return Window(_month_start(start), _month_end(end))


def _weight(confidence: str) -> float:
    return CONFIDENCE[confidence]


@dataclass
class Gathered:
    """The catalog as a schema needs it: evidence by family, blocks carved out, stream false friends."""

    families: dict[str, FamilyEvidence]
    excluded_ouis: list[str]
    false_streams: list[str]
    known_makers: list[tuple[str, ...]] = field(default_factory=list)  # the words of each name of a maker no family claims


def gather(fragments: Sequence[Mapping[str, Any]]) -> Gathered:
    """Every restricted family's evidence, from the vendor catalog fragments (built-ins and plugins)."""
    catalog: Catalog = compile_catalog(fragments)
    found = {family: FamilyEvidence(family) for family in sorted(catalog.families)}
    for key, entry in sorted(catalog.names.items()):
        if entry.family is None or entry.family not in found:
            continue
        evidence = found[entry.family]
        if entry.kind == "false-friend":
            evidence.false_friends.append(key)
            continue
        if not entry.restricted:
            continue
        window = _window(entry)
        if window is not None:
            # A relabel with dates is judged by the device's dates whatever its weight
            # (policy.restricted_family): inside the window, or undated (fail closed).
            evidence.windowed_names.setdefault(window, []).append(key)
            continue
        evidence.any_names.append(key)
        if entry.weight >= ESTABLISHED:
            evidence.names.append(key)
            if entry.kind in ("family", "brand"):
                evidence.declared.append(key)
                if entry.weight >= OUTWEIGHS:
                    evidence.heavy.append(key)
    for word, entry in catalog.contains:
        if entry.family is None or entry.family not in found:
            continue
        evidence = found[entry.family]
        evidence.any_contains.append(word)
        if _window(entry) is None and entry.weight >= ESTABLISHED:
            evidence.contains.append(word)
            if entry.kind in ("family", "brand") and entry.weight >= OUTWEIGHS:
                evidence.heavy_contains.append(word)
    excluded: list[str] = []
    for prefix, oui in sorted(catalog.ouis.items()):
        entity = oui.entity
        if not entity.restricted or entity.family is None:
            excluded.append(prefix)
            continue
        evidence = found[entity.family]
        window = _window(entity) if entity.kind == "relabel" else None
        if window is not None:
            # A MAC block is direct evidence: weighed by the install date, undated weighing less.
            if oui.weight >= ESTABLISHED:
                evidence.windowed_ouis.setdefault(window, []).append(prefix)
            if oui.weight * UNDATED_WINDOW_FACTOR >= ESTABLISHED:
                evidence.ouis.append(prefix)
            continue
        if oui.weight >= ESTABLISHED:
            evidence.ouis.append(prefix)
        if oui.weight >= STRONG:
            evidence.strong_ouis.append(prefix)
    false_streams: list[str] = []
    for fragment in fragments:
        for kind, target, strong in (("models", "models", "strong_models"), ("streams", "streams", "strong_streams")):
            for item in fragment.get(kind, ()):
                family = str(item["family"])
                weight = _weight(str(item["confidence"]))
                pattern = dash_optional(str(item["pattern"])) if kind == "models" else str(item["pattern"])
                translated = _translate(pattern, kind, model=kind == "models", anchored=bool(item.get("anchored", False)))
                if kind == "models" and item.get("ambiguous", False):
                    if weight >= ESTABLISHED:
                        found[family].ambiguous_models.append(translated)
                    continue
                if weight >= ESTABLISHED:
                    getattr(found[family], target).append(translated)
                # A short, ambiguous model prefix never contradicts a declared vendor (identify: a declared
                # maker no family claims outweighs it), so it is never strong evidence here.
                if weight >= STRONG and not item.get("ambiguous", False):
                    getattr(found[family], strong).append(translated)
        for item in fragment.get("false_friends", ()):
            false_streams.extend(_translate(str(p), "false_friends", model=False) for p in item.get("streams", ()))
    makers: set[tuple[str, ...]] = set()
    for fragment in fragments:
        for item in [*fragment.get("vendors", ()), *fragment.get("false_friends", ())]:
            makers.update(vendor_name(str(text)).core for text in [item["name"], *item.get("aliases", ())])
    return Gathered(found, excluded, false_streams, sorted(w for w in makers if w and all(word.isascii() for word in w)))


def _translate(pattern: str, where: str, *, model: bool, anchored: bool = False) -> str:
    try:
        return patterns.translate(pattern, model=model, anchored=anchored)
    except patterns.PatternError as exc:
        raise ExportError(f"vendor data {where}: {exc}") from None


# ----------------------------------------------------------------------------- evidence subschemas

KNOWN_MAKER: Final = "vmspolicy-vendor-known-maker"


def known_maker_schema(gathered: Gathered) -> dict[str, Any]:
    """The vendor field names a maker that no family claims (Axis, GeoVision, Cisco) or a false friend."""
    # Plain letters, words apart or run together: a known maker's name written with look-alikes leaves
    # the ambiguous prefix counting here (the schema is then stricter than `vmspolicy check`), and the
    # pattern stays a few kilobytes.
    separators = patterns.char_class(patterns.SEPARATORS) + "*"
    names = [separators.join("".join(patterns.char_class({ord(c.lower()), ord(c.upper())}) for c in word) for word in words)
             for words in gathered.known_makers]
    outside = patterns.char_class(patterns.boundary())
    return _field("vendor", _string(f"(?:^|{outside})(?:{'|'.join(names)})(?:{outside}|$)"))

def _string(pattern: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern}


def _field(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"required": [name], "properties": {name: dict(schema)}}


def _vendor_names(names: Sequence[str], contains: Sequence[str], false_friends: Sequence[str]) -> dict[str, Any] | None:
    """The vendor field names the family (and is not one of its false friends: Shanghai Dahua Scale, Dahuangshan)."""
    pattern = patterns.names_pattern(names, contains)
    if pattern is None:
        return None
    vendor: dict[str, Any] = _string(pattern)
    friends = patterns.names_pattern(false_friends)
    if friends is not None:
        vendor = {"type": "string", "allOf": [{"pattern": pattern}, {"not": {"pattern": friends}}]}
    return _field("vendor", vendor)


def _installed_within(window: Window) -> dict[str, Any]:
    """Installed within the months an OEM relationship held."""
    installed: dict[str, Any] = {"type": "string"}
    conditions: list[dict[str, Any]] = []
    if window.start is not None:
        conditions.append({"not": {"pattern": patterns.date_before(window.start)}})
    if window.end is not None:
        conditions.append({"pattern": patterns.date_before(window.end + dt.timedelta(days=1))})
    if conditions:
        installed["allOf"] = conditions
    return _field("installed", installed)


def _judged_within(window: Window, *, undated: bool) -> dict[str, Any]:
    """The device's dates put it inside the months an OEM relationship held.

    Identification and judgement place an installed device by its install date
    and a planned one by the date of the run (it will be made from then on), which
    is after every window that has closed: only an open-ended window holds it.
    ``undated``: a device without a date counts as inside (for a name: it cannot be
    shown to be outside, fail closed).
    """
    judged: list[dict[str, Any]] = [{"allOf": [_NOT_PLANNED, _installed_within(window)]}]
    if undated:
        judged.append({"allOf": [_NOT_PLANNED, _UNDATED]})
    if window.end is None:
        judged.append(dict(_PLANNED))
    return {"anyOf": judged}


def _windowed_names(evidence: FamilyEvidence) -> list[dict[str, Any]]:
    """The vendor names a relabel with dates, and the device's dates fall in them (or it has none)."""
    out: list[dict[str, Any]] = []
    for window, keys in sorted(evidence.windowed_names.items(), key=lambda item: str(item[0])):
        named = _vendor_names(keys, (), evidence.false_friends)
        if named is not None:
            out.append({"allOf": [named, _judged_within(window, undated=True)]})
    return out


# Above this many blocks a family's MAC pattern is split by its first hex digit: validators
# such as check-jsonschema compile a pattern each time they meet it, and Huawei's 2,000
# blocks make a 48 KB pattern (about 20 ms to compile, for every entry with a MAC).
MAC_SPLIT: Final = 200


def _mac(prefixes: Sequence[str], excluded: Sequence[str]) -> dict[str, Any] | None:
    """The ``mac`` field lies in one of the blocks ``prefixes`` (any notation)."""
    if not prefixes:
        return None
    if len(prefixes) <= MAC_SPLIT:
        whole = patterns.oui_pattern(prefixes, excluded)
        return _field("mac", _string(whole)) if whole else None
    # An if/then/else chain on the first digit: only one small pattern is met per address.
    chain: dict[str, Any] = {"not": {}}
    for digit in sorted({p[0] for p in prefixes}, reverse=True):
        part = patterns.oui_pattern([p for p in prefixes if p[0] == digit], excluded)
        if part is None:
            continue
        first = f"^[{digit}{digit.upper()}]" if digit.isalpha() else f"^{digit}"
        chain = {"if": {"pattern": first}, "then": {"pattern": part}, "else": chain}
    return _field("mac", {"type": "string", **chain})


def _streams(found: Sequence[str], false_streams: Sequence[str]) -> dict[str, Any]:
    url: dict[str, Any] = _string("|".join(found))
    if false_streams:
        url = {"type": "string", "allOf": [{"pattern": "|".join(found)}, {"not": {"pattern": "|".join(false_streams)}}]}
    return _field("streams", {"type": "array", "contains": url})


def technical_pieces(evidence: FamilyEvidence, gathered: Gathered) -> dict[str, dict[str, Any]]:
    """The family's technical evidence by field and strength, each kept once under ``$defs`` (``vmspolicy-mac-huawei-strong``...).

    Strong pieces contradict a declared vendor (VP104); the others are enough to
    establish the family. A model field that names the maker word for word
    ("HIKVISION 4MP dome") is a declaration, counted with the other model evidence.
    """
    slug = _slug(evidence.family)
    out: dict[str, dict[str, Any]] = {}
    if evidence.strong_models:
        out[f"vmspolicy-model-{slug}-strong"] = _field("model", _string("|".join(evidence.strong_models)))
    other_models: list[dict[str, Any]] = []
    medium = [m for m in evidence.models if m not in evidence.strong_models]
    if medium:
        other_models.append(_field("model", _string("|".join(medium))))
    if evidence.ambiguous_models:
        # A declared maker that no family claims outweighs a short, ambiguous prefix (identify's rule).
        ambiguous = _field("model", _string("|".join(evidence.ambiguous_models)))
        other_models.append({"allOf": [ambiguous, {"not": {"$ref": f"#/$defs/{KNOWN_MAKER}"}}]} if gathered.known_makers else ambiguous)
    in_model = _vendor_names(evidence.declared, (), evidence.false_friends)
    if in_model is not None:
        other_models.append(_field("model", in_model["properties"]["vendor"]))
    if other_models:
        out[f"vmspolicy-model-{slug}-other"] = other_models[0] if len(other_models) == 1 else {"anyOf": other_models}
    for strength, prefixes in (("strong", evidence.strong_ouis), ("other", sorted(set(evidence.ouis) - set(evidence.strong_ouis)))):
        mac = _mac(prefixes, gathered.excluded_ouis)
        if mac is not None:
            out[f"vmspolicy-mac-{slug}-{strength}"] = mac
    medium_streams = [m for m in evidence.streams if m not in evidence.strong_streams]
    for strength, found in (("strong", evidence.strong_streams), ("other", medium_streams)):
        if found:
            out[f"vmspolicy-streams-{slug}-{strength}"] = _streams(found, gathered.false_streams)
    return out


def _pieces(defs: Mapping[str, Any], family: str, field_name: str, strengths: Sequence[str]) -> list[dict[str, Any]]:
    names = [f"vmspolicy-{field_name}-{_slug(family)}-{s}" for s in strengths]
    return [{"$ref": f"#/$defs/{n}"} for n in names if n in defs]


def other_evidence_schema(evidence: FamilyEvidence, gathered: Gathered, defs: Mapping[str, Any]) -> dict[str, Any]:
    """An entry that one piece of evidence alone establishes as ``evidence.family``, besides strong technical evidence.

    Names, brands and relabels in the vendor field, and technical evidence enough
    to establish the family but not to contradict a declared vendor. The strong
    kind is ``vmspolicy-strong-*``, tried first since VP104 needs it too.
    """
    family = evidence.family
    any_of: list[dict[str, Any]] = [_named("vendor", family)]
    any_of.extend(_windowed_names(evidence))
    for field_name in ("model", "mac", "streams"):
        any_of.extend(_pieces(defs, family, field_name, ["other"]))
    for window, prefixes in sorted(evidence.windowed_ouis.items(), key=lambda item: str(item[0])):
        windowed_ouis = _mac(prefixes, gathered.excluded_ouis)
        if windowed_ouis is not None:
            any_of.append({"allOf": [windowed_ouis, _judged_within(window, undated=False)]})
    return {"anyOf": any_of}


def evidence_schema(family: str, defs: Mapping[str, Any]) -> dict[str, Any]:
    """An entry that one piece of evidence alone establishes as ``family`` (of any kind)."""
    slug = _slug(family)
    refs = [{"$ref": f"#/$defs/vmspolicy-other-evidence-{slug}"}]
    if f"vmspolicy-strong-{slug}" in defs:
        refs.insert(0, {"$ref": f"#/$defs/vmspolicy-strong-{slug}"})
    return {
        "description": f"Evidence that alone establishes {family}: its names, brands and relabels (look-alike "
        "characters, spacing, punctuation and corporate suffixes included), model numbers, MAC blocks and stream URLs.",
        "anyOf": refs,
    }


def name_schema(evidence: FamilyEvidence) -> dict[str, Any]:
    """A string that names the family, a brand or a relabel strong enough alone (whatever the install date)."""
    named = _vendor_names(evidence.names, evidence.contains, evidence.false_friends)
    if named is None:
        return {"not": {}}
    text: dict[str, Any] = named["properties"]["vendor"]
    return {
        "description": f"Names {evidence.family}, one of its brands or a relabel: look-alike characters, spacing, "
        "punctuation and corporate suffixes are read through; false friends are not.",
        **text,
    }


def _named(field_name: str, family: str) -> dict[str, Any]:
    """Field ``field_name`` names ``family``."""
    return _field(field_name, {"$ref": f"#/$defs/vmspolicy-name-{_slug(family)}"})


def strong_schema(family: str, defs: Mapping[str, Any]) -> dict[str, Any] | None:
    """Technical evidence strong enough to contradict a declared vendor (VP104's ``min_weight``)."""
    any_of = [piece for f in ("model", "mac", "streams") for piece in _pieces(defs, family, f, ["strong"])]
    return {"anyOf": any_of} if any_of else None


def vendor_names_schema(evidence: FamilyEvidence) -> dict[str, Any]:
    """The vendor field names the family, a brand or a relabel of it, however weakly (VP104 then stays quiet).

    A relabel with dates counts when the device's dates fall in them or it has
    none, as identification weighs it.
    """
    any_of: list[dict[str, Any]] = [_named("vendor", evidence.family)]
    weak = [k for k in evidence.any_names if k not in evidence.names]
    weak_contains = [k for k in evidence.any_contains if k not in evidence.contains]
    named = _vendor_names(weak, weak_contains, evidence.false_friends)
    if named is not None:
        any_of.append(named)
    any_of.extend(_windowed_names(evidence))
    return {"anyOf": any_of}


def declares_schema(evidence: FamilyEvidence) -> dict[str, Any]:
    """The vendor field, or the model field word for word, names the family or a brand heavy enough to stay on top."""
    any_of: list[dict[str, Any]] = []
    in_vendor = _vendor_names(evidence.heavy, evidence.heavy_contains, evidence.false_friends)
    if in_vendor is not None:
        any_of.append(in_vendor)
    in_model = _vendor_names(evidence.heavy, (), evidence.false_friends)
    if in_model is not None:
        any_of.append(_field("model", in_model["properties"]["vendor"]))
    return {"anyOf": any_of} if any_of else {"not": {}}


def twice_schema(family: str, defs: Mapping[str, Any]) -> dict[str, Any]:
    """Two of the model, the MAC address and a stream URL point at the family: together they outweigh any declared name."""
    pieces = []
    for field_name in ("model", "mac", "streams"):
        found = _pieces(defs, family, field_name, ["strong", "other"])
        if found:
            pieces.append(found[0] if len(found) == 1 else {"anyOf": found})
    pairs = [{"allOf": [pieces[i], pieces[j]]} for i in range(len(pieces)) for j in range(i + 1, len(pieces))]
    return {"anyOf": pairs} if pairs else {"not": {}}


# ----------------------------------------------------------------------------- rules

def _reject(code: str, slug: str, text: str) -> dict[str, Any]:
    """A schema that fails, carrying its reason where validators and editors show it.

    An ``enum`` whose one value is the message itself (no entry or field is ever
    that sentence): jsonschema and check-jsonschema quote the allowed values, so
    the rule code, slug and fix are in the error; yaml-language-server (VS Code,
    Neovim, Helix...) shows ``errorMessage`` for a failed ``enum`` (it ignores it
    for ``not``, hence no ``not``), and ``doNotSuggest`` keeps the sentence out of
    its completions.
    """
    message = f"{code} {slug}: {text}"
    return {"title": f"{code} {slug}", "errorMessage": message, "enum": [message], "doNotSuggest": True}


def _at(field_name: str, rejection: Mapping[str, Any]) -> dict[str, Any]:
    return {"properties": {field_name: dict(rejection)}}


def _rule(conditions: Sequence[Mapping[str, Any]], then: Mapping[str, Any]) -> dict[str, Any]:
    """If every condition holds, the entry is rejected with ``then``'s message (the family is established by then)."""
    if not conditions:
        return dict(then)
    return {"if": conditions[0] if len(conditions) == 1 else {"allOf": list(conditions)}, "then": dict(then)}


def _ids(packs: Sequence[Pack]) -> str:
    return ", ".join(p.id for p in packs)


def _before(day: dt.date) -> dict[str, Any]:
    return {"$ref": f"#/$defs/vmspolicy-installed-before-{day.isoformat()}"}


def _installed_from(day: dt.date, until: dt.date | None) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = [{"required": ["installed"]}, {"not": _before(day)}]
    if until is not None:
        conditions.append(_before(until))
    return {"allOf": conditions}


def date_conditions(days: Sequence[dt.date]) -> dict[str, Any]:
    """``$defs`` entries "installed before DAY" for each cut-off: a date pattern is how a schema compares dates."""
    return {
        f"vmspolicy-installed-before-{day.isoformat()}": {
            "description": f"Installed before {day.isoformat()} (an ISO date compared digit by digit).",
            "required": ["installed"],
            "properties": {"installed": {"type": "string", "pattern": patterns.date_before(day)}},
        }
        for day in days
    }


def recorder_rule(family: str, packs: Sequence[Pack]) -> dict[str, Any]:
    """VP107: a recorder of a restricted family, legacy or not."""
    return _reject(
        "VP107", "restricted-recorder",
        f"{family} recorders are restricted by {_ids(packs)}, legacy or not: a recorder holds and reaches every camera's "
        "footage. Replace it with a recorder or VMS from a maker no pack restricts.")


def family_rules(family: str, packs: Sequence[Pack]) -> list[dict[str, Any]]:
    """VP102 (new installs), VP206 (a legacy one names its zone) and VP205 (its cloud services off) for ``family`` under ``packs``."""
    rules: list[dict[str, Any]] = []
    strict = [p for p in packs if not p.legacy_waivable]
    waivable = sorted((p for p in packs if p.legacy_waivable), key=lambda p: (p.cutoff, p.id))
    first = waivable[0].cutoff if waivable else None
    every = _ids(packs)
    rules.append(_rule([_PLANNED], _at("status", _reject(
        "VP102", "restricted-vendor-new-install",
        f"planned {family} equipment is a new install, forbidden on every site by {every}. "
        "Choose a maker no pack restricts."))))
    since = f" (before {first}: {_ids([p for p in waivable if p.cutoff == first])})" if first else ""
    rules.append(_rule([_NOT_PLANNED, _UNDATED], _reject(
        "VP102", "restricted-vendor-new-install",
        f"{family} equipment without an `installed` date counts as a new install under {every}. "
        f"Record the real install date if it went in before the cut-off{since}, or remove it.")))
    if strict:
        rules.append(_rule([_NOT_PLANNED, {"required": ["installed"]}], _at("installed", _reject(
            "VP102", "restricted-vendor-new-install",
            f"{family} ({_ids(strict)}) allows no legacy devices, whatever the install date. Remove it."))))
    cutoffs = sorted({p.cutoff for p in waivable})
    for index, cutoff in enumerate(cutoffs):
        until = cutoffs[index + 1] if index + 1 < len(cutoffs) else None
        forbidding = [p for p in waivable if p.cutoff <= cutoff]
        rules.append(_rule([_NOT_PLANNED, _installed_from(cutoff, until)], _at("installed", _reject(
            "VP102", "restricted-vendor-new-install",
            f"{family} ({_ids(forbidding)}) may not be installed on or after {forbidding[0].cutoff}. "
            "Remove it, or record the real install date."))))
    if first is not None and not strict and any(p.isolation_required for p in waivable):
        legacy = [_NOT_PLANNED, _before(first)]
        rules.append(_rule([*legacy, {"not": {"required": ["zone"]}}], _reject(
            "VP206", "isolation-unverifiable",
            f"legacy {family} equipment (installed before {first}) must name its `zone`, a legacy-cameras zone of its own: "
            "a device in no zone cannot be placed behind any firewall rule, so its isolation cannot be shown.")))
        for service in CLOUD_SERVICES:
            label = _SERVICE_LABELS.get(service, service)
            written = {"required": ["services"], "properties": {"services": {"required": [service]}}}
            not_off = {"required": ["services"], "properties": {"services": {
                "required": [service], "properties": {service: {"not": {"const": False}}}}}}
            rules.append(_rule([*legacy, not_off], _at("services", _at(service, _reject(
                "VP205", "cloud-services-enabled",
                f"{label} must be off on legacy {family} equipment: it opens a path to the vendor's cloud or through "
                f"the router. Set services.{service}: false.")))))
            # Unknown is not off: a service not declared off cannot be shown off.
            rules.append(_rule([*legacy, {"not": written}], _reject(
                "VP205", "cloud-services-enabled",
                f"{label} is not declared off on legacy {family} equipment, and unknown is not off: it may open a path "
                f"to the vendor's cloud or through the router. Add services.{service}: false.")))
    return rules


def mismatch_rule(family: str, others: Sequence[str]) -> dict[str, Any]:
    """VP104, on an entry whose strong technical evidence is ``family``'s: a declared vendor that does not name it.

    Unless the entry declares another restricted family (``others``) by a name
    heavy enough to stay on top of one piece of ``family``'s evidence: the entry is
    then judged as that family and its paperwork does not contradict it.
    """
    slug = _slug(family)
    declared = _field("vendor", {"type": "string", "minLength": 1})
    conditions: list[dict[str, Any]] = [declared, {"not": {"$ref": f"#/$defs/vmspolicy-vendor-names-{slug}"}}]
    if others:
        outweighed = {"anyOf": [{"$ref": f"#/$defs/vmspolicy-declares-{_slug(o)}"} for o in others]}
        conditions.append({"not": {"allOf": [outweighed, {"not": {"$ref": f"#/$defs/vmspolicy-twice-{slug}"}}]}})
    return _rule(conditions, _at("vendor", _reject(
        "VP104", "vendor-mismatch",
        f"the model number, MAC block or stream URL is {family}'s but the declared vendor does not say so; the entry is "
        f"judged as {family}. Correct the vendor, or the model/MAC/URL if they were copied wrongly.")))


def _evidence(family: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/vmspolicy-evidence-{_slug(family)}"}


# ----------------------------------------------------------------------------- the schema

def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())


def compile_schema(packs: Sequence[Pack], fragments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The manifest schema with ``packs`` compiled in, from the vendor catalog ``fragments``.

    Each camera, recorder and device entry that is judged (not decommissioned)
    goes once through each family: strong technical evidence first (it also
    decides VP104), else the other evidence, and only then the family's rules,
    which live once under ``$defs`` per family and set of restricting packs
    (``vmspolicy-rules-hikvision--uk-gov-2022``). Validators such as
    check-jsonschema compile a pattern each time they meet it, so the evidence
    patterns are evaluated once per entry and family, not once per rule. A
    device is routed by its ``type``: a pack may restrict a family for some
    equipment only.
    """
    if not packs:
        raise ExportError("no policy pack selected")
    gathered = gather(fragments)
    schema: dict[str, Any] = copy.deepcopy(load_schema("manifest"))
    ids = [p.id for p in packs]
    defs: dict[str, Any] = schema["$defs"]
    schema["$id"] = f"https://vmspolicy.dev/schemas/packs/{'+'.join(ids)}.schema.json"
    schema["title"] = f"vmspolicy manifest v1 with policy packs {', '.join(ids)}"
    schema["description"] = f"{schema['description']} {LIMITS.format(packs=', '.join(ids))}"
    schema["$comment"] = f"Generated by `vmspolicy schema {' '.join('--profile ' + i for i in ids)}`; do not edit by hand."
    defs.update(CONDITIONS)
    defs.update(date_conditions(sorted({p.cutoff for p in packs})))
    if gathered.known_makers:
        defs[KNOWN_MAKER] = known_maker_schema(gathered)
    for family, evidence in gathered.families.items():
        slug = _slug(family)
        defs[f"vmspolicy-name-{slug}"] = name_schema(evidence)
        defs.update(technical_pieces(evidence, gathered))
        defs[f"vmspolicy-other-evidence-{slug}"] = other_evidence_schema(evidence, gathered, defs)
        defs[f"vmspolicy-declares-{slug}"] = declares_schema(evidence)
        strong = strong_schema(family, defs)
        if strong is not None:
            others = [f for f in gathered.families if f != family]
            defs[f"vmspolicy-strong-{slug}"] = strong
            defs[f"vmspolicy-vendor-names-{slug}"] = vendor_names_schema(evidence)
            defs[f"vmspolicy-twice-{slug}"] = twice_schema(family, defs)
            defs[f"vmspolicy-mismatch-{slug}"] = mismatch_rule(family, others)
        defs[f"vmspolicy-evidence-{slug}"] = evidence_schema(family, defs)
    device_types: list[str] = list(defs["device"]["properties"]["type"]["enum"])
    sections: dict[str, list[dict[str, Any]]] = {"camera": [], "recorder": [], "device": []}
    for family in gathered.families:
        by_type = {t: [p for p in packs if p.restricts(family, t)] for t in ("camera", "recorder", *device_types)}
        for restricting in _distinct(by_type.values()):
            name = f"vmspolicy-rules-{_slug(family)}--{'+'.join(p.id for p in restricting)}"
            defs[name] = {"allOf": family_rules(family, restricting)}
            defs[f"{name}--recorder"] = recorder_rule(family, restricting)
        for section in ("camera", "recorder"):
            sections[section].append(_family_block(defs, family, by_type[section], recorder=section == "recorder"))
        groups: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        for device_type in device_types:
            key = (tuple(p.id for p in by_type[device_type]), device_type in RECORDER_TYPES)
            groups.setdefault(key, []).append(device_type)
        for (_, recorder), types in groups.items():
            block = _family_block(defs, family, by_type[types[0]], recorder=recorder)
            if block:
                sections["device"].append({"if": _field("type", {"enum": sorted(types)}), "then": block})
        software = _software_rule(family, by_type["recorder"])
        if software:
            sections["recorder"].append(software)
    for section, blocks in sections.items():
        judged = [b for b in blocks if b]
        if judged:
            defs[section]["allOf"] = [*defs[section].get("allOf", ()), {"if": _ACTIVE, "then": {"allOf": judged}}]
    return schema


def _family_block(defs: Mapping[str, Any], family: str, packs: Sequence[Pack], *, recorder: bool) -> dict[str, Any]:
    """One family's part of an entry's schema: evidence once, then VP104 and the packs' rules."""
    slug = _slug(family)
    rules: list[dict[str, Any]] = []
    if packs:
        name = f"#/$defs/vmspolicy-rules-{slug}--{'+'.join(p.id for p in packs)}"
        rules.append({"$ref": name})
        if recorder:
            rules.append({"$ref": f"{name}--recorder"})
    strong = f"vmspolicy-strong-{slug}" in defs
    other = {"if": {"$ref": f"#/$defs/vmspolicy-other-evidence-{slug}"}, "then": {"allOf": rules}} if rules else {}
    if not strong:
        return other
    block: dict[str, Any] = {
        "if": {"$ref": f"#/$defs/vmspolicy-strong-{slug}"},
        "then": {"allOf": [{"$ref": f"#/$defs/vmspolicy-mismatch-{slug}"}, *rules]},
    }
    if other:
        block["else"] = other
    return block


def _software_rule(family: str, packs: Sequence[Pack]) -> dict[str, Any]:
    """VP107 for a recorder whose VMS software names a restricted family (when nothing else established the family)."""
    if not packs:
        return {}
    name = f"#/$defs/vmspolicy-rules-{_slug(family)}--{'+'.join(p.id for p in packs)}--recorder"
    return {"if": {"allOf": [_named("software", family), {"not": _evidence(family)}]}, "then": {"$ref": name}}


def _distinct(groups: Iterable[list[Pack]]) -> list[list[Pack]]:
    seen: dict[tuple[str, ...], list[Pack]] = {}
    for group in groups:
        if group:
            seen.setdefault(tuple(p.id for p in group), group)
    return list(seen.values())


