"""Evidence: what each field of a device says about its vendor family, and the verdict it adds up to.

Each piece of evidence has a weight (how strongly it alone establishes the
family) and names the field it was read from. Pieces for the same family
combine like independent witnesses (1 - Π(1 - weight)); the family with the
highest score is established when that score reaches :data:`ESTABLISHED`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import TYPE_CHECKING, Callable, Final, Sequence

from vmspolicy.analysis.identify.catalog import Catalog, Fingerprint, NameEntry, OuiEntry, PatternSet
from vmspolicy.analysis.identify.normalise import (
    display_order,
    format_oui,
    has_bidi,
    is_disguised,
    mac_digits,
    model_key,
    osa_distance,
    stream_key,
    vendor_name,
    visible,
)
from vmspolicy.core.records import record
from vmspolicy.core.redact import redact_url

if TYPE_CHECKING:
    from vmspolicy.analysis.identify import Evidence, Verdict

STRONG_WEIGHT: Final = 0.8
"""How strong (0-1) technical evidence must be to contradict a declared vendor (VP104's default ``min_weight``)."""
# A family is established when its combined evidence reaches this score: one
# piece of strong technical evidence (OUI, model pattern, stream URL, 0.9), an
# exact or near-miss name (0.95 / 0.62), or a medium-confidence brand or relabel (0.6).
ESTABLISHED: Final = 0.5
# A misspelt name is weaker evidence than the name itself.
NEAR_MISS_FACTOR: Final = 0.65
# A relabel whose window is known but the install date is not: possibly outside the window.
UNDATED_WINDOW_FACTOR: Final = 0.6
# A maker named in free text is weaker than a declared vendor: a record's name ("Hikvision lobby dome")
# alone just establishes the family; its notes, which may tell history ("replaced the Dahua unit"), only
# add to other evidence.
TEXT_FACTORS: Final = {"name": 0.65, "notes": 0.4}


@record(frozen=True, slots=True)
class NameMatch:
    """A catalog name found in a declared vendor: the entry, how it matched and the words that did."""

    entry: NameEntry
    how: str  # exact | contains | near-miss
    text: str  # the words that matched, as normalised


@record(frozen=True, slots=True)
class VendorReading:
    """What a declared vendor string names, computed once per distinct string."""

    matches: tuple[NameMatch, ...]
    disguised: bool
    displayed: str | None = None  # what the name displays as, when bidirectional controls reorder it

    @property
    def known(self) -> bool:
        """A maker the catalog knows; never a name that bidirectional controls make display otherwise."""
        return bool(self.matches) and (self.displayed is None or any(m.entry.restricted for m in self.matches))

    @property
    def other_maker(self) -> bool:
        """The declared vendor names only makers that no restricted family claims (Axis, Geovision, Cisco)."""
        return self.known and all(not m.entry.restricted for m in self.matches)

    @property
    def declared_family(self) -> str | None:
        """The restricted family the declared vendor names (a family or one of its brands; not a relabel)."""
        return next((m.entry.family for m in self.matches if m.entry.kind in ("family", "brand")), None)


def read_vendor(catalog: Catalog, text: str) -> VendorReading:
    """Look a declared vendor up: exact names (longest first), then distinctive names inside words, then misspellings."""
    cached: VendorReading | None = catalog.vendor_cache.get(text)
    if cached is not None:
        return cached
    displayed = None
    if has_bidi(text):
        # What a reader sees first (an override before a name written backwards), then what is stored.
        displayed = display_order(text)
        shown = _lookup(catalog, displayed)
        matches = shown or _lookup(catalog, text)
    else:
        matches = _lookup(catalog, text)
    reading = VendorReading(tuple(matches), is_disguised(text), displayed)
    if len(catalog.vendor_cache) < 100_000:
        catalog.vendor_cache[text] = reading
    return reading


def _lookup(catalog: Catalog, text: str) -> list[NameMatch]:
    name = vendor_name(text)
    matches: list[NameMatch] = []
    for words in (name.core, name.words):
        matches = _exact(catalog, words)
        if matches:
            break
    if not matches:
        # Spelt out letter by letter ("H.I.K.V.I.S.I.O.N") or run together: the whole name as one word.
        whole = catalog.names.get(name.core_compact) or catalog.names.get(name.compact)
        if whole is not None:
            matches.append(NameMatch(whole, "exact", name.core_compact))
    if not matches:
        for word, entry in catalog.contains:
            if word in name.compact:
                matches.append(NameMatch(entry, "contains", word))
                break
    if not matches:
        matches = _near_misses(catalog, name.core)
    return matches


def _exact(catalog: Catalog, words: Sequence[str]) -> list[NameMatch]:
    """Non-overlapping longest runs of words that spell a catalog name ("Hik Vision" → hikvision)."""
    found: list[NameMatch] = []
    names, prefixes, most = catalog.names, catalog.name_prefixes, catalog.max_words
    count = len(words)
    free = 0  # the first word no run found so far covers
    # Only a word that begins some name can begin a run: those are found in C, so that a long text
    # (a notes field of millions of words) costs one set look-up a word, not a Python loop step.
    for i in itertools.compress(range(count), map(prefixes.__contains__, words)):
        if i < free:
            continue
        # Words are run together from i while they still begin some name; the longest run that is one wins.
        joined, longest, end = "", "", i
        for j in range(i, i + most if i + most < count else count):
            joined += words[j]
            if joined not in prefixes:
                break
            if joined in names:
                longest, end = joined, j + 1
        if longest:
            found.append(NameMatch(names[longest], "exact", longest))
            free = end
    return found


def _near_misses(catalog: Catalog, words: Sequence[str]) -> list[NameMatch]:
    """Runs of up to three words within a small edit distance of a family or brand name (Hikvison, Dauha)."""
    runs = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 3) + 1)}
    for run in sorted(runs, key=len, reverse=True):
        if run in catalog.names or len(run) < 4:
            continue
        for key, entry in catalog.near_miss:
            limit = 2 if len(key) >= 8 else 1
            if run[0] == key[0] and osa_distance(run, key, limit) <= limit:
                return [NameMatch(entry, "near-miss", run)]
    return []


def _in_window(entry: NameEntry, installed: dt.date | None) -> bool | None:
    """Whether ``installed`` falls in the relabel's window; None when that cannot be told."""
    start, end = entry.window
    if start is None and end is None:
        return True
    if installed is None:
        return None
    month = f"{installed.year:04d}-{installed.month:02d}"
    return (start is None or month >= start) and (end is None or month <= end)


def _window_text(entry: NameEntry) -> str:
    start, end = entry.window
    if start and end:
        return f" from {start} to {end}"
    if end:
        return f" until {end}"
    if start:
        return f" since {start}"
    return ""


def vendor_evidence(catalog: Catalog, text: str, installed: dt.date | None, make: type[Evidence]) -> tuple[VendorReading, tuple[Evidence, ...]]:
    """Evidence from the declared vendor (computed once per distinct string and relabel-window state)."""
    reading = read_vendor(catalog, text)
    windowed = next((m.entry for m in reading.matches if m.entry.kind == "relabel" and m.entry.window != (None, None)), None)
    state = _in_window(windowed, installed) if windowed is not None else True
    key = (text, state)
    cached: tuple[Evidence, ...] | None = catalog.vendor_evidence_cache.get(key)
    if cached is None:
        cached = tuple(_vendor_pieces(reading, text, installed, make))
        if len(catalog.vendor_evidence_cache) < 100_000:
            catalog.vendor_evidence_cache[key] = cached
    return reading, cached


def _vendor_pieces(reading: VendorReading, text: str, installed: dt.date | None, make: type[Evidence]) -> list[Evidence]:
    shown = _shown(text)
    how = " (written with look-alike or invisible characters)" if reading.disguised else ""
    if reading.displayed is not None:
        how = f' (written with bidirectional controls: it displays as "{_shown(reading.displayed)}")'

    def piece(match: NameMatch) -> Evidence | None:
        entry = match.entry
        if not entry.restricted or entry.family is None:
            return None
        if match.how == "near-miss":
            return make("near-miss", entry.family, round(entry.weight * NEAR_MISS_FACTOR, 3),
                        f'vendor "{shown}"{how} is a near-miss spelling of {entry.name}'
                        + ("" if entry.kind == "family" else f", a {entry.family} {entry.relation}"),
                        "vendor", text, None, entry.source)
        if entry.kind == "family":
            detail = f'vendor "{shown}"{how} names {entry.family}'
            return make("declared-vendor", entry.family, entry.weight, detail, "vendor", text, None, entry.source)
        if entry.kind == "brand":
            return make("brand", entry.family, entry.weight,
                        f'vendor "{shown}"{how} is {entry.name}, a {entry.family} {entry.relation} (confidence {entry.confidence})',
                        "vendor", text, None, entry.source)
        inside = _in_window(entry, installed)
        if inside is False:
            return None
        weight = entry.weight if inside else round(entry.weight * UNDATED_WINDOW_FACTOR, 3)
        when = _window_text(entry)
        undated = "; no install date to tell whether the device falls in that window" if inside is None else ""
        detail = f'vendor "{shown}"{how} is {entry.name}, a known OEM relabel of {entry.family}{when} (confidence {entry.confidence}){undated}'
        return make("relabel", entry.family, weight, detail, "vendor", text, None, entry.source)

    return _each_match(reading.matches, piece)


def _each_match(matches: Sequence[NameMatch], piece: Callable[[NameMatch], Evidence | None]) -> list[Evidence]:
    """The evidence of each match, worked out once for each name and way of matching and repeated for its every mention.

    The messages hold the text: a long text naming a family thousands of times would otherwise
    build thousands of copies of itself (400 KB of them took 7.7 GB and 18 s).
    """
    made: dict[tuple[str, int], Evidence | None] = {}
    out: list[Evidence] = []
    for match in matches:
        key = (match.how, id(match.entry))
        if key not in made:
            made[key] = piece(match)
        found = made[key]
        if found is not None:
            out.append(found)
    return out


def model_evidence(catalog: Catalog, text: str, make: type[Evidence], *, other_maker: bool = False,
                   field: str = "model", label: str = "model") -> tuple[Evidence, ...]:
    """Evidence from the model number (one pattern: the first that matches), computed once per distinct string.

    ``other_maker``: the declared vendor is a maker no family claims (Geovision,
    Cisco). Its word outweighs a short, ambiguous pattern (``HWK-``, ``ASA5506``),
    never a distinctive one (``DS-2CD…``), which stays evidence (and a VP104).
    ``field`` and ``label``: where the model was read (the ONVIF answer's ``onvif.model``).
    """
    key = (text, other_maker, field)
    cached: tuple[Evidence, ...] | None = catalog.model_cache.get(key)
    if cached is not None:
        return cached
    hit = _model_hit(catalog.models, display_order(text)) or (_model_hit(catalog.models, text) if has_bidi(text) else None)
    if hit is not None and other_maker and hit[0].ambiguous:
        # Only now the second alternation (compiled at its first use): most models match nothing at all.
        distinctive = catalog.distinctive_models
        hit = _model_hit(distinctive, display_order(text)) or (_model_hit(distinctive, text) if has_bidi(text) else None)
    pieces: tuple[Evidence, ...] = ()
    if hit is not None:
        fingerprint, matched = hit
        # Name the prefix that matched ("DS-2DE…"), not the whole pattern: that is what a reader can check.
        prefix = matched.rstrip("0123456789-") or fingerprint.display.rstrip("…")
        owner = f"{fingerprint.brand} ({fingerprint.family})" if fingerprint.brand else fingerprint.family
        pieces = (make("model", fingerprint.family, fingerprint.weight,
                       f"{label} {_shown(text)} matches the {owner} pattern {prefix}…",
                       field, text, None, fingerprint.source),)
    if len(catalog.model_cache) < 200_000:
        catalog.model_cache[key] = pieces
    return pieces


def _model_hit(patterns: PatternSet, text: str) -> tuple[Fingerprint, str] | None:
    key = model_key(text)
    # A model written with spaces for dashes ("DS 2CD2143G0 I") is still that model.
    return patterns.search(key) or patterns.search(key.replace(" ", "-"))


def serial_evidence(catalog: Catalog, text: str, make: type[Evidence]) -> tuple[Evidence, ...]:
    """Evidence from a serial number that starts with a distinctive model number (Hikvision writes them so)."""
    hit = _model_hit(catalog.distinctive_models, text)
    if hit is None:
        return ()
    fingerprint, matched = hit
    if not model_key(text).replace(" ", "-").startswith(matched):
        return ()  # only a serial that starts with the model: one that merely holds a few matching letters says nothing
    prefix = matched.rstrip("0123456789-") or fingerprint.display.rstrip("…")
    owner = f"{fingerprint.brand} ({fingerprint.family})" if fingerprint.brand else fingerprint.family
    return (make("model", fingerprint.family, fingerprint.weight,
                 f"serial number {_shown(text)} starts with a model of the {owner} pattern {prefix}…",
                 "serial", text, None, fingerprint.source),)


def _named(catalog: Catalog, text: str) -> list[tuple[NameEntry, str, str]]:
    """Each restricted family or brand ``text`` names word for word (never a misspelling or a relabel):
    the entry, its family and how the finding says what it is ("" or ", a Hikvision subsidiary")."""
    return [naming for match in read_vendor(catalog, text).matches if (naming := _naming(match)) is not None]


def _naming(match: NameMatch) -> tuple[NameEntry, str, str] | None:
    """What :func:`_named` gives for one match, or None when it names no restricted family or brand word for word."""
    entry = match.entry
    if match.how != "exact" or entry.kind not in ("family", "brand") or entry.family is None:
        return None
    return entry, entry.family, "" if entry.kind == "family" else f", a {entry.family} {entry.relation}"


def named_in_model(catalog: Catalog, text: str, make: type[Evidence]) -> tuple[Evidence, ...]:
    """A restricted family or brand named word for word in the model field (never a misspelling or a relabel)."""
    return tuple(
        make("declared-vendor" if entry.kind == "family" else "brand", family, entry.weight,
             f'model "{_shown(text)}" names {entry.name}{what}', "model", text, None, entry.source)
        for entry, family, what in _named(catalog, text)
    )


def onvif_evidence(catalog: Catalog, text: str, installed: dt.date | None, make: type[Evidence]) -> list[Evidence]:
    """The ONVIF Manufacturer a device reports: a family, brand or relabel it names is the device's own word."""
    shown = _shown(text)

    def piece(match: NameMatch) -> Evidence | None:
        entry = match.entry
        if not entry.restricted or entry.family is None or match.how == "near-miss":
            return None
        if entry.kind == "relabel" and _in_window(entry, installed) is False:
            return None
        what = {"family": "", "brand": f", a {entry.family} {entry.relation}"}.get(
            entry.kind, f", a known OEM relabel of {entry.family}{_window_text(entry)}")
        return make("onvif", entry.family, entry.weight, f'ONVIF manufacturer "{shown}" names {entry.name}{what}',
                    "onvif.manufacturer", text, None, entry.source)

    return _each_match(read_vendor(catalog, text).matches, piece)


QUOTED: Final = 300
"""Characters of a free text a finding quotes: a name or a note, not a 64 MiB document (its length is said instead)."""


def _shown(text: str) -> str:
    """A vendor, model or ONVIF text as a finding quotes it: whole when it is short, as :func:`_quoted` cuts it when long."""
    return visible(text.strip()) if len(text) <= QUOTED else _quoted(text)


def _quoted(text: str) -> str:
    """``text`` as a finding quotes it: its whitespace runs made single spaces, and at most :data:`QUOTED` characters."""
    head = _WHITESPACE.sub(" ", text[: 4 * QUOTED]).strip()  # as " ".join(text.split()), on no more than is shown
    if len(head) <= QUOTED and len(text) <= 4 * QUOTED:
        return visible(head)
    return f"{visible(head[:QUOTED].rstrip())}… ({len(text):,} characters)"


def text_evidence(catalog: Catalog, text: str, field: str, make: type[Evidence]) -> list[Evidence]:
    """A record's ``name`` or ``notes``: a family or brand named word for word, and a distinctive model number in it.

    Weaker than the same words in ``vendor`` or ``model`` (:data:`TEXT_FACTORS`):
    free text also tells history and intentions. A short, ambiguous model prefix
    (``SD…``, ``HWI-``) means nothing in free text.
    """
    factor = TEXT_FACTORS[field]
    shown = _quoted(text)

    def piece(match: NameMatch) -> Evidence | None:
        naming = _naming(match)
        if naming is None:
            return None
        entry, family, what = naming
        return make(field, family, round(entry.weight * factor, 3), f'{field} "{shown}" names {entry.name}{what}', field, text,
                    None, entry.source)

    # Each mention is a piece of evidence, but the mentions of one name are one (immutable) object, listed once per
    # mention: a long text naming a family a million times builds a few objects, not a million.
    out = _each_match(read_vendor(catalog, text).matches, piece)
    hit = _model_hit(catalog.distinctive_models, text)
    if hit is not None:
        fingerprint, matched = hit
        prefix = matched.rstrip("0123456789-") or fingerprint.display.rstrip("…")
        owner = f"{fingerprint.brand} ({fingerprint.family})" if fingerprint.brand else fingerprint.family
        out.append(make(field, fingerprint.family, round(fingerprint.weight * factor, 3),
                        f'{field} "{shown}" holds a model number of the {owner} pattern {prefix}…', field, text, None, fingerprint.source))
    return out


def firmware_evidence(catalog: Catalog, text: str, field: str, make: type[Evidence]) -> list[Evidence]:
    """A firmware version in a form only one family's firmware takes (Hikvision's ``V5.5.0 build 170725``)."""
    hit = catalog.firmware.search(" ".join(text.split()))
    if hit is None:
        return []
    fingerprint, _ = hit
    what = "ONVIF firmware version" if field != "firmware" else "firmware"
    return [make("firmware", fingerprint.family, fingerprint.weight,
                 f'{what} "{_shown(text)}" has the {fingerprint.family} form {fingerprint.display}',
                 field, text, None, fingerprint.source)]


def mac_evidence(catalog: Catalog, text: str, installed: dt.date | None, make: type[Evidence]) -> list[Evidence]:
    """Evidence from the MAC address: the longest registered block (MA-S, MA-M, then MA-L) it falls in."""
    digits = _canonical_mac_digits(text) or mac_digits(text)
    if digits is None:
        return []
    entry = None
    if digits[:6] in catalog.oui_long_prefixes:  # an MA-M/MA-S block is registered inside this MA-L
        entry = catalog.ouis.get(digits[:9]) or catalog.ouis.get(digits[:7])
    entry = entry or catalog.ouis.get(digits[:6])
    if entry is None:
        return []
    entity = entry.entity
    state = _in_window(entity, installed) if entity.kind == "relabel" else True
    key = (entry.prefix, state)
    reading: tuple[str, float, str] | None
    if key in catalog.oui_cache:
        reading = catalog.oui_cache[key]
    else:
        reading = catalog.oui_cache[key] = _oui_reading(entry, state)
    if reading is None:
        return []
    family, weight, detail = reading
    return [make("oui", family, weight, detail, "mac", text, None, entry.source)]


def _oui_reading(entry: OuiEntry, inside: bool | None) -> tuple[str, float, str] | None:
    """What a registered block says, once per block: (family, weight, detail), or None for nothing."""
    entity = entry.entity
    if not entity.restricted or entity.family is None:
        return None  # a false friend's block inside a restricted family's: the more specific registration wins
    weight = entry.weight
    tail = ""
    if entity.kind == "brand":
        tail = f", {entity.name}, a {entity.family} {entity.relation}"
    elif entity.kind == "relabel":
        if inside is False:
            return None
        if inside is None:
            weight = round(weight * UNDATED_WINDOW_FACTOR, 3)
        tail = f", {entity.name}, a known OEM relabel of {entity.family}{_window_text(entity)}"
    return entity.family, weight, f"MAC {format_oui(entry.prefix)} is registered to {entry.owner}{tail}"


_HEX_DIGITS: Final = frozenset("0123456789abcdef")
_WHITESPACE: Final = re.compile(r"\s+")  # what str.split() splits at (str.isspace)


def _canonical_mac_digits(text: str) -> str | None:
    """Fast path for the manifest's normalised form ``44:19:b6:12:34:56`` (every device of an estate has it)."""
    if len(text) == 17 and text[2] == ":" and text[14] == ":":
        digits = text.replace(":", "")
        if len(digits) == 12 and set(digits) <= _HEX_DIGITS:
            return digits
    return None


def stream_evidence(catalog: Catalog, urls: Sequence[str], make: type[Evidence]) -> list[Evidence]:
    """Evidence from stream and management URLs, one piece per URL that carries a fingerprint."""
    out: list[Evidence] = []
    for index, url in enumerate(urls):
        key = stream_key(url)
        hit = catalog.streams.search(key)
        if hit is None or any(pattern.search(key) for pattern, _ in catalog.false_streams):
            continue
        fingerprint, _ = hit
        shown = redact_url(url)  # evidence is quoted in findings and reports: never a password
        out.append(make("stream", fingerprint.family, fingerprint.weight,
                        f"stream URL {_shown(shown)} has the {fingerprint.family} fingerprint {fingerprint.display}",
                        "streams", shown, index, fingerprint.source))
    return out


def banner_evidence(catalog: Catalog, banners: Sequence[str], make: type[Evidence]) -> list[Evidence]:
    """Evidence from scan strings: HTTP/RTSP server headers, SNMP sysObjectID, ONVIF manufacturer."""
    out: list[Evidence] = []
    for index, banner in enumerate(banners):
        hit = catalog.banners.search(banner)
        if hit is None:
            continue
        fingerprint, _ = hit
        protocol = f"{fingerprint.protocol.upper()} " if fingerprint.protocol else ""
        out.append(make("banner", fingerprint.family, fingerprint.weight,
                        f'{protocol}string "{_shown(banner)}" is a {fingerprint.family} fingerprint ({fingerprint.display})',
                        "banners", banner, index, fingerprint.source))
    return out


def known_maker(catalog: Catalog, model: str | None, mac: str | None, urls: Sequence[str]) -> str | None:
    """The maker that no family claims which the MAC block, a stream URL or the model shows, if any.

    Asked only when no restricted family is established and the declared vendor
    names no known maker: it keeps a compliant estate free of VP106 noise
    (seven Reolink cameras in a Frigate configuration, known by their streams).
    """
    if mac:
        digits = _canonical_mac_digits(mac) or mac_digits(mac)
        if digits is not None:
            maker = catalog.maker_ouis.get(digits[:9]) or catalog.maker_ouis.get(digits[:7]) or catalog.maker_ouis.get(digits[:6])
            if maker is not None:
                return maker
    for url in urls:
        hit = catalog.maker_streams.search(stream_key(url))
        if hit is not None:
            return hit[0].family
    if model and model.strip():
        found = _model_hit(catalog.maker_models, model)
        if found is not None:
            return found[0].family
    return None


def named_maker(catalog: Catalog, text: str) -> str | None:
    """The maker no family claims that ``text`` (an ONVIF manufacturer) names, if any."""
    reading = read_vendor(catalog, text)
    return next((m.entry.name for m in reading.matches if m.entry.kind == "vendor" and m.how == "exact"), None) if reading.known else None


def combine(evidence: Sequence[Evidence], reading: VendorReading | None, make: type[Verdict]) -> Verdict:
    """The verdict: the best-supported family if its score reaches :data:`ESTABLISHED`."""
    if not evidence:
        return make(family=None, confidence=0.0, known_vendor=reading.known if reading is not None else False)
    if len(evidence) == 1:
        best: str | None = evidence[0].family
        confidence = round(evidence[0].weight, 3)
    else:
        scores: dict[str, float] = {}
        for piece in evidence:
            scores[piece.family] = 1 - (1 - scores.get(piece.family, 0.0)) * (1 - piece.weight)
        best = max(scores, key=lambda family: scores[family])
        confidence = round(scores[best], 3)
    declared = reading.declared_family if reading is not None else None
    relabel = next((e for e in evidence if e.kind == "relabel"), None) if reading is not None else None
    ordered = tuple(evidence) if len(evidence) == 1 else tuple(sorted(evidence, key=lambda e: (e.family != best, -e.weight)))
    return make(
        family=best if confidence >= ESTABLISHED else None,
        confidence=confidence,
        evidence=ordered,
        declared_family=declared,
        known_vendor=reading.known if reading is not None else False,
        relabel=relabel,
    )
