"""Look-alikes of Latin letters and digits from Unicode's confusables data (UTS #39), as shipped.

``data/confusables-latin.tsv`` holds every character whose TR39 prototype is
made of ASCII letters and digits (Cyrillic ``а`` → ``a``, Cherokee ``Ꮋ`` →
``H``, Coptic ``ⲏ``…), derived from Unicode's ``confusables.txt`` by
:func:`latin_table`; the version it was derived from is in its header. It is
read only when a name or model holds a non-ASCII character, so a run over
ASCII text never pays for it.

Two adjustments keep what a name needs: a prototype ``l`` stands for the
capital ``I`` when the look-alike is a capital (Cyrillic ``І``, Greek ``Ι``:
TR39 folds I and l together), and ``rn`` is the prototype TR39 gives ``m``.

Regenerate from a ``confusables.txt`` downloaded from Unicode (nothing is
fetched at run time)::

    python -m vmspolicy.analysis.identify.lookalikes confusables.txt > vmspolicy/data/confusables-latin.tsv
"""

from __future__ import annotations

import functools
import string
import sys
import unicodedata
from typing import Final, Iterable

from vmspolicy.core.shipped import data_file

DATA_FILE: Final = "confusables-latin.tsv"
_LATIN: Final = frozenset(string.ascii_letters + string.digits)


@functools.cache
def latin_lookalikes() -> dict[str, str]:
    """Character → the ASCII letters or digits it imitates, from the shipped table."""
    table: dict[str, str] = {}
    for line in data_file(DATA_FILE).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, latin = line.split("\t")[:2]
        table[chr(int(code, 16))] = latin
    return table


def _latin(source: str, prototype: str) -> str:
    if prototype == "rn":
        return "m"
    if prototype == "l" and (source.isupper() or "CAPITAL" in unicodedata.name(source, "")):
        return "I"
    return prototype


def latin_table(lines: Iterable[str]) -> tuple[str, dict[str, str]]:
    """The version line and the Latin look-alikes of a ``confusables.txt`` (``SOURCE ; TARGET ; MA # …`` lines)."""
    version = ""
    table: dict[str, str] = {}
    for line in lines:
        line = line.lstrip("\ufeff")
        if line.startswith("# Version:"):
            version = line[len("# Version:"):].strip()
        if not line[:1].isalnum():
            continue
        fields = [part.strip() for part in line.split(";")]
        source = "".join(chr(int(c, 16)) for c in fields[0].split())
        prototype = "".join(chr(int(c, 16)) for c in fields[1].split())
        if len(source) == 1 and not source.isascii() and prototype and set(prototype) <= _LATIN:
            table[source] = _latin(source, prototype)
    return version, table


def render(version: str, table: dict[str, str], origin: str) -> str:
    """The shipped file: a provenance header, then ``CODEPOINT<TAB>LATIN<TAB># NAME`` sorted by code point."""
    head = [
        "# Look-alikes of ASCII letters and digits: every single character whose Unicode TR39 confusable",
        "# prototype is made of ASCII letters and digits (capital-like prototypes of 'l' written 'I', 'rn' written 'm').",
        f"# Source: Unicode confusables.txt, version {version} ({origin}).",
        "# Regenerate: python -m vmspolicy.analysis.identify.lookalikes confusables.txt > vmspolicy/data/confusables-latin.tsv",
    ]
    rows = [f"{ord(ch):04X}\t{latin}\t# {unicodedata.name(ch, '?')}" for ch, latin in sorted(table.items())]
    return "\n".join(head + rows) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m vmspolicy.analysis.identify.lookalikes confusables.txt", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8-sig") as handle:
        version, table = latin_table(handle)
    sys.stdout.write(render(version, table, argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
