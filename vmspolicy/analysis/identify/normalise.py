"""Normalisation of what people write into what the catalog can look up.

A declared vendor is reduced to a *skeleton* in the sense of Unicode TR39:
compatibility forms folded (NFKC: fullwidth ``Ｄａｈｕａ``, ligatures,
mathematical letters), accents, zero-width and other format characters
dropped, look-alike letters of every script mapped to the Latin letter they
imitate (Unicode's confusables data, :mod:`vmspolicy.analysis.identify.lookalikes`:
Cyrillic ``і``, Greek ``ο``, Cherokee ``Ꮋ``, Coptic ``ⲏ``...), case folded;
then split into words with corporate suffixes ("Co., Ltd.", "Digital
Technology") set aside.

Bidirectional controls (a right-to-left override before a name written
backwards, ``\u202enoisivkiH``, displays as "Hikvision") are read in the order
a reader sees, and said in findings, escaped.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from typing import Final
from urllib.parse import unquote

from vmspolicy.core.records import record

# Look-alikes of Latin letters, applied before case folding so that the case a
# letter imitates is kept (Greek capital eta looks like H, small eta like n).
# These are read on top of Unicode's confusables data (lookalikes.py): letters
# that TR39 gives no Latin prototype but that read as one in common fonts
# (Cyrillic в, к, м, н, т; Greek β, ε, κ, τ; stroke letters ł, ø, đ; ß).
CONFUSABLES: Final[dict[str, str]] = {
    # Cyrillic, lower case
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "ү": "y", "ь": "b",
    # Cyrillic, upper case
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "Н": "H", "І": "I", "Ї": "I", "Ј": "J", "К": "K",
    "М": "M", "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T", "У": "Y", "Х": "X", "Ԁ": "D",
    "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ү": "Y", "Ь": "b",
    # Greek, lower case
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j", "µ": "u", "μ": "u",
    # Greek, upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Armenian and Latin oddities
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d",
    "ß": "ss", "æ": "ae", "œ": "oe",
}


@functools.cache
def lookalike_table() -> dict[str, str]:
    """Every look-alike identification maps: Unicode's confusables with :data:`CONFUSABLES` on top."""
    from vmspolicy.analysis.identify.lookalikes import latin_lookalikes

    return {**latin_lookalikes(), **CONFUSABLES}


@functools.cache
def _confusable_table() -> dict[int, str]:
    return str.maketrans(lookalike_table())


# Explicit bidirectional formatting: embeddings, overrides, isolates and their terminators. A name
# holding one can display as something other than what it is: evidence of tampering in itself.
BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_OPENERS: Final = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")
_CLOSERS: Final = frozenset("\u202c\u2069")

# In a vendor name a zero stands for the letter O ("HIKVISI0N"); model numbers keep their digits.
_VENDOR_DIGITS: Final = str.maketrans({"0": "o"})

# Words that say what kind of company it is, not which: dropped before names are compared.
_CORPORATE_TEXT: Final = (
    "co company corp corporation inc incorporated ltd limited llc llp lp plc gmbh ag kg mbh sa sas sarl srl spa "
    "bv nv oy ab as aps pty pvt private public kk jsc ojsc pte sdn bhd "
    "digital technology technologies tech electronic electronics system systems security securities "
    "international intl group holding holdings industrial industry industries network networks "
    "communication communications software solutions solution products product trading enterprise "
    "enterprises america usa uk europe eu india china global the and of "
)
CORPORATE_WORDS: Final[frozenset[str]] = frozenset(_CORPORATE_TEXT.split())

# Words are letters and digits of any script: a Chinese legal name is a word too (海康威视).
_NON_WORD: Final = re.compile(r"[\W_]+")
_DASHES: Final = re.compile(r"[_‐-―−﹘﹣－]+")
_SPACES: Final = re.compile(r"\s+")


def _unconfuse(text: str) -> str:
    """Look-alikes mapped before NFKC as well as after it: NFKC turns some into letters that no longer
    look Latin (lunate sigma ``ϲ``, which reads as c, becomes ``σ``), and others into ones that do."""
    if text.isascii() or all(ch < "\u0080" or "\u4e00" <= ch <= "\u9fff" for ch in text):
        return text  # ASCII and CJK ideographs (海康威视) hold no look-alike of a Latin letter: the table is not read
    return text.translate(_confusable_table())


def has_bidi(text: str) -> bool:
    """True when ``text`` holds an explicit bidirectional embedding, override or isolate."""
    return not text.isascii() and not BIDI_CONTROLS.isdisjoint(text)


def display_order(text: str) -> str:
    """``text`` in the order it is displayed: what a right-to-left override (U+202E) covers is reversed.

    Embeddings and isolates do not reorder Latin letters, only an override does;
    each opener runs to its terminator (PDF, PDI) or to the end of the text.
    Nested runs are reversed as units, as the Unicode bidirectional algorithm does.
    """
    if not has_bidi(text):
        return text
    stack: list[tuple[str, list[str]]] = [("", [])]
    for ch in text:
        if ch in _OPENERS:
            stack.append((ch, []))
        elif ch in _CLOSERS and len(stack) > 1:
            _close(stack)
        else:
            stack[-1][1].append(ch)
    while len(stack) > 1:
        _close(stack)
    return "".join(stack[0][1])


def _close(stack: list[tuple[str, list[str]]]) -> None:
    opener, run = stack.pop()
    unit = "".join(reversed(run)) if opener == "\u202e" else "".join(run)
    stack[-1][1].append(unit)


def _strip_marks(text: str) -> str:
    """Drop combining marks and format characters (zero-width space and joiners, LRM/RLM, word joiner, BOM, soft hyphen)."""
    if text.isascii() and text.isprintable():
        return text  # nearly every name: nothing to decompose or drop, and no per-character walk
    # A tab or a line break separates words as a space does (dropped, it would join "dome\tHikvision" into one word).
    decomposed = unicodedata.normalize("NFD", text.translate(_SPACING_CONTROLS))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf", "Cc"))


_SPACING_CONTROLS: Final = {code: " " for code in range(0x20) if chr(code).isspace()} | {0x85: " "}


def skeleton(text: str) -> str:
    """The TR39-style skeleton of ``text``: NFKC, no marks or format characters, confusables mapped, case folded."""
    folded = _strip_marks(unicodedata.normalize("NFKC", _unconfuse(text)))
    return unicodedata.normalize("NFKC", _unconfuse(folded)).casefold()


def is_disguised(text: str) -> bool:
    """True when ``text`` relies on look-alike, compatibility or invisible characters (worth saying in a finding)."""
    if text.isascii():
        return False
    plain = unicodedata.normalize("NFKC", text)
    table = lookalike_table()
    return plain != text or any(unicodedata.category(ch) == "Cf" or ch in table for ch in plain)


def visible(text: str) -> str:
    """``text`` with invisible and control characters written as ``\\u200b`` escapes, so a finding shows them."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


@record(frozen=True, slots=True)
class VendorName:
    """A declared vendor reduced for lookup: its words, the words that name it, and both run together."""

    words: tuple[str, ...]  # every word of the skeleton
    core: tuple[str, ...]  # without corporate words
    compact: str  # every word run together: "hikvisiondigitaltechnologycoltd"
    core_compact: str  # core words run together: "hangzhouhikvision"


@functools.lru_cache(maxsize=4096)
def vendor_name(text: str) -> VendorName:
    """Reduce a declared vendor (brand or manufacturer) for lookup.

    Cached: the registry extract repeats a few owner names thousands of times
    (1,988 Huawei blocks), and estates repeat their vendors.
    """
    # filter() rather than generator expressions: a long notes text has millions of words.
    words = tuple(filter(None, _NON_WORD.split(skeleton(text).translate(_VENDOR_DIGITS))))
    # The same tuple when no corporate word is in it: a long text's words are not held twice.
    core = words if CORPORATE_WORDS.isdisjoint(words) else tuple(itertools.filterfalse(CORPORATE_WORDS.__contains__, words)) or words
    return VendorName(words, core, "".join(words), "".join(core))


def name_key(text: str) -> str:
    """The lookup key of a catalog name: its core words run together ("Co., Ltd." and spacing ignored)."""
    return vendor_name(text).core_compact


def model_key(text: str) -> str:
    """A model number as patterns see it: skeleton, upper case, every dash or underscore ``-``, spaces single."""
    folded = _unconfuse(_strip_marks(unicodedata.normalize("NFKC", _unconfuse(text))))
    dashed = _DASHES.sub("-", unicodedata.normalize("NFKC", folded).upper())
    return _SPACES.sub(" ", dashed).strip(" -")


_URL_PARTS: Final = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)*(?://[^/?#]*)?)([^?#]*)(.*)$", re.DOTALL)
_SLASHES: Final = re.compile(r"/{2,}")


def stream_key(url: str) -> str:
    """A stream or management URL as fingerprints see it: percent-decoded, its path's slashes normalised.

    ``rtsp://cam//%53treaming/./Channels/101`` → ``rtsp://cam/Streaming/Channels/101``.
    Decoded until nothing changes (twice-encoded ``%2553`` too), backslashes read as
    slashes, doubled slashes and ``.`` segments dropped, ``..`` resolved; the scheme,
    host and query are kept, so that a fingerprint can be anchored where the path starts.
    """
    text = url.strip()
    for _ in range(3):
        if "%" not in text:
            break
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    text = text.replace("\\", "/")
    head, path, tail = _URL_PARTS.match(text).groups()  # type: ignore[union-attr]  # every string matches
    if "//" in path or "/." in path:
        segments: list[str] = []
        for segment in _SLASHES.sub("/", path).split("/"):
            if segment == ".":
                continue
            if segment == ".." and len(segments) > 1:
                segments.pop()
                continue
            segments.append(segment)
        path = "/".join(segments)
    return head + path + tail


_HEX: Final = frozenset("0123456789abcdef")
_MAC_SEPARATORS: Final = re.compile(r"[\s:.\-_]+")


def mac_digits(text: str) -> str | None:
    """The hex digits of a MAC address or OUI in any notation, lower case; None when it is not one.

    Accepts ``44:19:B6:12:34:56``, ``44-19-B6-12-34-56``, ``4419.b612.3456``,
    ``4419B6123456``, ``44 19 b6 12 34 56``, ``0x4419b6123456`` and a bare OUI
    (``44:19:B6``, ``4419B6``; 7 or 9 digits for MA-M/MA-S blocks).
    """
    digits = _MAC_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).strip()).lower()
    if digits.startswith("0x"):
        digits = digits[2:]
    if len(digits) not in (6, 7, 9, 12) or not set(digits) <= _HEX:
        return None
    return digits


def format_oui(digits: str) -> str:
    """``4419b6`` → ``44:19:B6``; ``402c761`` → ``40:2C:76:1``."""
    upper = digits.upper()
    pairs = [upper[i : i + 2] for i in range(0, len(upper), 2)]
    return ":".join(pairs)


def osa_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment); stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
