"""When a written reason, approver or justification says nothing.

An exception must name who approved it and why. A value made only of
characters that render as nothing (zero-width spaces and joiners, the
byte-order mark, bidirectional controls, soft hyphens, variation selectors,
tag characters, Hangul fillers, control characters, any kind of space or line
break) would pass a check for "not empty" while a reviewer sees a blank field:
it counts as missing. The value itself is reported and kept as written.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Control, format (ZWSP, ZWJ, LRM/RLM and the bidi embeddings and isolates, BOM, soft hyphen, tags),
# surrogate, private-use and unassigned code points, separators of every kind, and combining marks,
# which show nothing without a letter to sit on (variation selectors, the combining grapheme joiner).
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})

# Letters and symbols that Unicode classes as visible but fonts draw as blank space
# (Hangul fillers, the blank Braille pattern).
_BLANK_GLYPHS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_missing(text: str | None) -> bool:
    """True when ``text`` is absent or holds nothing a reader can see."""
    if text is None:
        return True
    return all(
        ch.isspace() or ch in _BLANK_GLYPHS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
        for ch in unicodedata.normalize("NFKC", text)
    )
