"""Regular expressions for JSON Schema ``pattern``: vendor names, model numbers, MAC blocks and dates.

A schema pattern is run by whatever validator reads the schema: ECMA-262 in
editors (yaml-language-server, with or without the ``u`` flag), Python ``re``
in jsonschema, ``regress`` in check-jsonschema, a Rust engine in jsonschema-rs
and other Rust tools (whose ``regex`` crate has no lookaround or backreferences).
Everything built here keeps to what all of them accept: no lookaround, no
backreferences, no inline flags, no ``\\p{..}``, ``\\d``, ``\\w`` or ``\\b`` (their
meaning differs between engines); case-insensitivity is spelt out as explicit
character classes; ASCII punctuation inside a class is written ``\\xHH``
(Rust reads ``&&``, ``--`` and ``~~`` inside a class as set operations, and
ECMA in ``u`` mode rejects most identity escapes).

What vendor identification reads through (:mod:`vmspolicy.analysis.identify.normalise`)
is compiled in: the confusable skeleton of every letter becomes a class of
the characters (of the common blocks, :data:`LOOK_ALIKE_BLOCKS`) whose skeleton
is that letter, and the characters the skeleton drops (zero-width and format
characters, combining marks) may appear anywhere inside a name. Nothing outside
the Basic Multilingual Plane: an ECMA pattern without the ``u`` flag sees such
a character as two surrogates.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from typing import Final, Iterable, Sequence

from vmspolicy.analysis.identify.normalise import CONFUSABLES, skeleton


class PatternError(ValueError):
    """A catalog pattern that uses a construct a portable schema pattern cannot express."""


_ALNUM: Final = frozenset(string.ascii_lowercase + string.digits)


# The blocks whose look-alikes are compiled into the classes: the ones a disguise is
# typed or pasted from (Latin with accents, Greek, Cyrillic, Armenian, fullwidth forms).
# Left out, to keep each letter's class short (validators compile every class), are
# Latin Extended-B and the phonetic, Vietnamese, polytonic Greek, letterlike and
# circled blocks; `vmspolicy check` still reads those.
LOOK_ALIKE_BLOCKS: Final = (
    range(0x0000, 0x0180),  # ASCII, Latin-1 Supplement, Latin Extended-A
    range(0x0370, 0x0590),  # Greek and Coptic, Cyrillic, Cyrillic Supplement, Armenian
    range(0xFF00, 0xFFF0),  # Halfwidth and Fullwidth Forms
)


@functools.cache
def _skeleton_table() -> dict[str, frozenset[int]]:
    """The characters of :data:`LOOK_ALIKE_BLOCKS` grouped by their skeleton, for the skeletons that are one letter or digit."""
    groups: dict[str, set[int]] = {}
    # Every look-alike identification maps is in its letter's class, wherever its block is (ɡ, ȷ).
    mapped = (ord(ch) for ch in CONFUSABLES if len(ch) == 1)
    for code in {*(c for block in LOOK_ALIKE_BLOCKS for c in block), *mapped}:
        reduced = skeleton(chr(code))
        if len(reduced) == 1 and reduced in _ALNUM:
            groups.setdefault(reduced, set()).add(code)
    return {k: frozenset(v) for k, v in groups.items()}


def look_alikes(letter: str, *, vendor: bool = False) -> frozenset[int]:
    """Code points whose skeleton is ``letter``; in a vendor name a zero also stands for O.

    Latin letters and digits have their look-alikes; any other character of a name
    (the Chinese legal names: 海康威视) stands for itself.
    """
    groups = _skeleton_table()
    found = set(groups.get(letter.lower(), ())) or {ord(letter)}
    if vendor and letter.lower() == "o":
        found |= groups["0"]
    return frozenset(found)


# What the skeleton drops, and a disguise slips between letters: soft hyphen, zero-width
# space and joiners, direction marks, word joiner and invisible operators, variation
# selectors, BOM, and the combining marks of the blocks Latin text uses. A subset of
# the dropped set, kept small because it is repeated between every letter of a name.
INVISIBLE: Final[frozenset[int]] = frozenset((
    0xAD, 0x034F, 0x061C, 0x180E, 0xFEFF,
    *range(0x0300, 0x0370), *range(0x200B, 0x2010), *range(0x202A, 0x202F),
    *range(0x2060, 0x2065), *range(0xFE00, 0xFE10), *range(0xFE20, 0xFE30),
))
# What separates the words of a name ("Hik Vision", "Hik-Vision", "HIK.VISION"): ASCII
# punctuation and space, and the Unicode spaces and dashes people paste from documents.
SEPARATORS: Final[frozenset[int]] = frozenset((
    *(c for c in range(0x20, 0x7F) if not chr(c).isalnum()),
    0x09, 0xA0, 0xB7, 0x3000, 0xFF0D, 0xFE58, 0xFE63, 0x2212,
    *range(0x2000, 0x200B), *range(0x2010, 0x2028),
))
# Separators inside a model number: model_key() writes a run of dashes or underscores as
# one '-' and a run of spaces as one ' ', and a pattern's '-' matches either.
MODEL_DASHES: Final[frozenset[int]] = frozenset((
    0x09, 0x0A, 0x0D, 0x20, 0x2D, 0x5F, 0xA0, 0x2212, 0xFE58, 0xFE63, 0xFF0D, 0x3000, *range(0x2000, 0x200B), *range(0x2010, 0x2016),
))
# Where an anchored model pattern (a short prefix) may start besides the start of the model.
MODEL_WORD_START: Final[frozenset[int]] = frozenset((0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000, 0x2F, 0x28, 0x2C, 0x3B))


def boundary() -> frozenset[int]:
    """Characters that end a word (identification's words are letters and digits of any script).

    A positive class of separators rather than the complement of every letter,
    which would be several kilobytes repeated in every pattern.
    """
    return SEPARATORS | MODEL_DASHES


def _char(code: int) -> str:
    if code < 0x80 and not chr(code).isalnum():
        return f"\\x{code:02x}"
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    return chr(code)


def char_class(codes: Iterable[int], *, negated: bool = False) -> str:
    """A character class of ``codes``, consecutive code points written as ranges."""
    ordered = sorted(set(codes))
    if not ordered:
        raise PatternError("empty character class")
    if len(ordered) == 1 and not negated:
        single = _char(ordered[0])
        return single if len(single) == 1 and single.isalnum() else f"[{single}]"
    parts: list[str] = []
    start = previous = ordered[0]
    for code in [*ordered[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        if previous == start:
            parts.append(_char(start))
        elif previous == start + 1:
            parts.append(_char(start) + _char(previous))
        else:
            parts.append(f"{_char(start)}-{_char(previous)}")
        start = previous = code
    return f"[{'^' if negated else ''}{''.join(parts)}]"


# ----------------------------------------------------------------------------- vendor names

def _gap() -> str:
    return char_class(INVISIBLE | SEPARATORS) + "*"


def _trie(keys: Sequence[str], atom: dict[str, str], between: str) -> str:
    """An alternation of ``keys`` sharing common prefixes (``keys`` sorted), each letter written as ``atom[letter]``."""
    if keys == [""]:
        return ""
    by_first: dict[str, list[str]] = {}
    ends_here = False
    for key in keys:
        if key == "":
            ends_here = True
        else:
            by_first.setdefault(key[0], []).append(key[1:])
    branches = []
    for first in sorted(by_first):
        rest = _trie(sorted(by_first[first]), atom, between)
        branches.append(atom[first] + (between + rest if rest else ""))
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        body = f"(?:{body})?"
    return body


def names_pattern(bounded: Sequence[str], unbounded: Sequence[str] = ()) -> str | None:
    """A pattern that finds a vendor name as vendor identification reads it.

    ``bounded`` keys must stand as whole words (``dahua`` in "Zhejiang Dahua Co.,
    Ltd." but not in "Dahuangshan"); ``unbounded`` keys count inside longer words
    too (the catalog's ``contains``, e.g. ``hikvision`` in "HikvisionCCTV").
    """
    # A key that holds an unbounded key already matches through it ("hangzhouhikvision"
    # through "hikvision"): leaving it out keeps the pattern short and changes nothing.
    unbounded = [k for k in set(unbounded) if not any(other != k and other in k for other in unbounded)]
    bounded = [k for k in set(bounded) if not any(other in k for other in unbounded)]
    atom: dict[str, str] = {}
    for key in [*bounded, *unbounded]:
        for ch in key:
            atom.setdefault(ch, char_class(look_alikes(ch, vendor=True)))
    gap = _gap()
    invisible = char_class(INVISIBLE) + "*"
    outside = char_class(boundary())
    alternatives = []
    if bounded:
        body = _trie(sorted(set(bounded)), atom, gap)
        alternatives.append(f"(?:^|{outside}){invisible}{body}{invisible}(?:{outside}|$)")
    if unbounded:
        alternatives.append(_trie(sorted(set(unbounded)), atom, gap))
    if not alternatives:
        return None
    return "|".join(alternatives)


# ----------------------------------------------------------------------------- catalog patterns

def translate(pattern: str, *, model: bool, anchored: bool = False) -> str:
    """Rewrite a catalog pattern (Python ``re``, matched case-insensitively) as a portable schema pattern.

    ``model``: the pattern is matched against ``model_key()`` of the model (look-alikes
    folded, dashes unified), at the start or after a non-alphanumeric, or for an
    ``anchored`` pattern after a space, '/', '(', ',' or ';'; the result matches the
    raw model text instead. Otherwise (stream URLs) only case is folded.
    """
    body = _Translator(pattern, model=model).run()
    if model:
        before = MODEL_WORD_START if anchored else boundary()
        return f"(?:^|{char_class(before)})(?:{body})"
    return body


class _Translator:
    """A recursive-descent rewrite of the small regex subset the catalog uses."""

    def __init__(self, pattern: str, *, model: bool) -> None:
        self.source = pattern
        self.pos = 0
        self.model = model
        self.depth = 0

    def fail(self, what: str) -> PatternError:
        return PatternError(f"pattern {self.source!r}: {what} at offset {self.pos} cannot be written portably")

    def peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def run(self) -> str:
        out = self.alternation()
        if self.pos != len(self.source):
            raise self.fail("unbalanced ')'")
        return out

    def alternation(self) -> str:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return "|".join(branches)

    def sequence(self) -> str:
        parts: list[str] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            quantifier = self.quantifier()
            if quantifier == "?" and atom.endswith("+"):
                atom, quantifier = atom[:-1], "*"  # an optional dash ("DS-?2CD"): a run of separators or none
            parts.append(atom + quantifier)
        return "".join(parts)

    def quantifier(self) -> str:
        ch = self.peek()
        out = ""
        if ch in ("*", "+", "?"):
            self.pos += 1
            out = ch
        elif ch == "{":
            end = self.source.find("}", self.pos)
            inner = self.source[self.pos + 1 : end] if end > 0 else ""
            if end < 0 or not inner or not all(c.isdigit() or c == "," for c in inner):
                raise self.fail("'{'")
            self.pos = end + 1
            out = "{" + inner + "}"
        if out and self.peek() == "?":
            self.pos += 1  # lazy and greedy match the same strings; a pattern only asks whether one exists
        return out

    def atom(self) -> str:
        ch = self.peek()
        if ch == "(":
            self.pos += 1
            lookahead = self.source.startswith("?=", self.pos)
            if self.source.startswith("?:", self.pos) or lookahead:
                self.pos += 2
            elif self.peek() == "?":
                raise self.fail("a lookbehind, negative lookahead, named group or inline flag")
            self.depth += 1
            inner = self.alternation()
            self.depth -= 1
            if self.peek() != ")":
                raise self.fail("an unclosed group")
            self.pos += 1
            if lookahead and (self.depth or self.pos != len(self.source)):
                raise self.fail("a lookahead before the end of the pattern")
            # A lookahead that ends the pattern asks only whether its text follows: for
            # "is there a match", consuming that text is the same question.
            return f"(?:{inner})"
        if ch == "[":
            return self.bracket()
        if ch in ("^", "$"):
            self.pos += 1
            return ch
        if ch == ".":
            self.pos += 1
            return "[\\x00-\\uffff]" if not self.model else "[^\\x0a]"
        if ch == "\\":
            nxt = self.source[self.pos + 1 : self.pos + 2]
            self.pos += 2
            if nxt == "d":
                return self.codes_atom(set(range(0x30, 0x3A)))
            if nxt.isalnum() or nxt == "":
                raise self.fail(f"the escape \\{nxt}")
            return self.literal(nxt)
        if ch in ("*", "+", "?", "{"):
            raise self.fail(f"a quantifier {ch!r} with nothing to repeat")
        self.pos += 1
        return self.literal(ch)

    def bracket(self) -> str:
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        members: set[int] = set()
        first = True
        while True:
            ch = self.peek()
            if ch == "":
                raise self.fail("an unclosed '['")
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            low = self.class_char()
            if self.peek() == "-" and self.source[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                high = self.class_char()
                members.update(range(ord(low), ord(high) + 1))
            else:
                members.add(ord(low))
        return self.codes_atom(members, negated=negated)

    def class_char(self) -> str:
        ch = self.peek()
        if ch == "\\":
            nxt = self.source[self.pos + 1 : self.pos + 2]
            if nxt.isalnum() or nxt == "":
                raise self.fail(f"the escape \\{nxt} in a class")
            self.pos += 2
            return nxt
        self.pos += 1
        return ch

    def expand(self, code: int) -> set[int]:
        ch = chr(code)
        if self.model and ch == "-":
            return set(MODEL_DASHES)
        if ch.isascii() and ch.isalnum():
            if self.model:
                return set(look_alikes(ch))
            return {ord(ch.lower()), ord(ch.upper())}
        return {code}

    def literal(self, ch: str) -> str:
        if self.model and ch == "-":
            return char_class(MODEL_DASHES) + "+"
        return self.codes_atom({ord(ch)})

    def codes_atom(self, codes: set[int], *, negated: bool = False) -> str:
        expanded: set[int] = set()
        for code in codes:
            expanded |= self.expand(code)
        # Unlike a name, a model number gets no room for invisible characters between its
        # letters: it would double the patterns, and a disguise aims at the vendor column.
        return char_class(expanded, negated=negated)


# ----------------------------------------------------------------------------- MAC blocks

_HEX: Final = "0123456789abcdef"


def _hex_atom(digit: str) -> str:
    return digit if digit.isdigit() else f"[{digit}{digit.upper()}]"


def _hex_class(digits: Iterable[str]) -> str:
    chosen = sorted(set(digits))
    if len(chosen) == 1:
        return _hex_atom(chosen[0])
    codes = {ord(d) for d in chosen} | {ord(d.upper()) for d in chosen if d.isalpha()}
    return char_class(codes)


# After these digits of a MAC the notations differ: aa:bb:cc / aa-bb-cc put a separator
# after every second digit, aabb.ccdd.eeff after every fourth, aabbccddeeff none.
_SEPARATOR_AFTER: Final = {2: "[\\x2d\\x3a]?", 4: "[\\x2d\\x2e\\x3a]?", 6: "[\\x2d\\x3a]?", 8: "[\\x2d\\x2e\\x3a]?"}


def oui_pattern(prefixes: Iterable[str], excluded: Iterable[str] = ()) -> str | None:
    """A pattern for MAC addresses (any notation the manifest accepts) in the given blocks.

    ``prefixes``: 6, 7 or 9 lower-case hex digits (MA-L, MA-M, MA-S). ``excluded``:
    longer blocks inside them that belong to someone else (a false friend's MA-M
    block inside a restricted family's MA-L block); they are carved out with
    character classes, since a portable pattern has no negative lookahead.
    """
    wanted = sorted({p.lower() for p in prefixes})
    if not wanted:
        return None
    carved: list[str] = []
    for prefix in wanted:
        inside = sorted(e.lower() for e in excluded if e.lower().startswith(prefix) and len(e) > len(prefix))
        carved.extend(_carve(prefix, inside) if inside else [prefix])
    return "^" + _mac_trie(sorted(set(carved)), 0)


def _carve(prefix: str, excluded: Sequence[str]) -> list[str]:
    """``prefix`` minus the longer blocks ``excluded``, as a list of prefixes one digit longer each time."""
    if prefix in excluded:
        return []
    if not any(e.startswith(prefix) for e in excluded):
        return [prefix]
    out: list[str] = []
    for digit in _HEX:
        out.extend(_carve(prefix + digit, excluded))
    return out


def _mac_trie(prefixes: Sequence[str], depth: int) -> str:
    by_digit: dict[str, list[str]] = {}
    for prefix in prefixes:
        if prefix:
            by_digit.setdefault(prefix[0], []).append(prefix[1:])
    # Digits whose continuations are the same share one class: 00BC99 and 00BD99 read 00B[CD]99.
    by_rest: dict[str, list[str]] = {}
    for digit, rests in by_digit.items():
        if "" in rests:
            by_rest.setdefault("", []).append(digit)
            continue
        rest = _mac_trie(sorted(rests), depth + 1)
        by_rest.setdefault(rest, []).append(digit)
    separator = _SEPARATOR_AFTER.get(depth + 1, "")
    branches = []
    for rest, digits in sorted(by_rest.items(), key=lambda item: sorted(item[1])):
        head = _hex_class(digits)
        branches.append(head + (separator + rest if rest else ""))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# ----------------------------------------------------------------------------- dates

def _digits_below(bound: str) -> list[str]:
    """Patterns for digit strings of ``len(bound)`` digits, lexicographically below ``bound``."""
    out: list[str] = []
    for i, digit in enumerate(bound):
        if digit == "0":
            continue
        below = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
        rest = len(bound) - i - 1
        out.append(bound[:i] + below + ("[0-9]" * rest if rest <= 2 else f"[0-9]{{{rest}}}"))
    return out


def date_before(day: dt.date) -> str:
    """A pattern for ISO dates (YYYY-MM-DD) strictly before ``day``: "before 2022-11-24" is ``^(?:[01][0-9]{3}|20[01][0-9]|...)``."""
    bound = day.strftime("%Y%m%d")
    alternatives = []
    for shape in _digits_below(bound):
        # Re-insert the dashes: positions 4 and 6 of the digit string.
        atoms = _split_atoms(shape)
        text = "".join(atoms[:4]) + "-" + "".join(atoms[4:6]) + "-" + "".join(atoms[6:])
        alternatives.append(text)
    return "^(?:" + "|".join(alternatives) + ")$"


def _split_atoms(shape: str) -> list[str]:
    """Split a digit-pattern into one atom per digit position (``[0-9]{3}`` counts as three)."""
    atoms: list[str] = []
    i = 0
    while i < len(shape):
        if shape[i] == "[":
            end = shape.index("]", i) + 1
            atom = shape[i:end]
            if shape.startswith("{", end):
                close = shape.index("}", end)
                atoms.extend([atom] * int(shape[end + 1 : close]))
                i = close + 1
                continue
            atoms.append(atom)
            i = end
        else:
            atoms.append(shape[i])
            i += 1
    return atoms
