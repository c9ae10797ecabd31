"""Signs that a file was meant to be a manifest, for the files and documents no loader read.

A gate must not pass a manifest because its ``vmspolicy: 1`` line was lost, misspelt or
wrapped in a list (its cameras would vanish from the judgement), nor block a commit
because of a workflow, a Helm template or a ``tsconfig.json`` that happens to be YAML or
JSON. The line between the two is drawn here, on what a file's top level says:

- a *header-like* key: ``vmspolicy`` in any letter case, spacing or punctuation, or
  within two edits of it (``vmspolicyy``, ``vmpolicy``, ``VMS-Policy``);
- a *manifest section*: ``sites``, ``zones``, ``cameras``, ``recorders``, ``devices``,
  ``firewalls`` or ``waivers``, in any letter case (one is enough). A ``version`` key
  beside a section is taken for a header that names the wrong key.

:func:`near_manifest` judges parsed documents (the finding is VP002, at the key);
:func:`shows_signs` scans the text of a file that does not parse (then VP001, since
it cannot be read) line by line for the same keys; without them such a file is
skipped, unless it belongs to the configured estate.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

from vmspolicy.core.records import record
from vmspolicy.core.source import LocatedMap, LocatedSeq, Pos
from vmspolicy.core.text import ParseError, decode

SECTIONS = frozenset({"sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers"})
HEADER = "vmspolicy"


@record(frozen=True, slots=True)
class NearManifest:
    """Why a document reads as a manifest that lost its header, and where to say so."""

    message: str
    pos: Pos


def header_like(key: object) -> bool:
    """Whether ``key`` looks like the manifest header without being exactly ``vmspolicy``."""
    text = str(key)
    if text == HEADER:
        return False
    folded = re.sub(r"[^0-9a-z]", "", text.casefold())
    return HEADER in folded or folded.startswith("vmspolic") or _edits(folded, HEADER) <= 2


def is_section(key: object) -> bool:
    """Whether ``key`` names a manifest section, in any letter case."""
    return str(key).strip().casefold() in SECTIONS


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), capped at 3."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return min(previous[len(b)], 3)


def _mapping_reason(data: LocatedMap) -> NearManifest | None:
    keys = list(data)
    header = next((k for k in keys if header_like(k)), None)
    if header is not None:
        return NearManifest(
            f"key {str(header)!r} looks like a misspelt 'vmspolicy': this document is not read as a manifest "
            "until it says 'vmspolicy: 1'",
            data.where_key(header),
        )
    sections = [str(k) for k in keys if is_section(k)]
    if not sections:
        return None
    version = next((k for k in keys if str(k).strip().casefold() == "version"), None)
    if version is not None:
        return NearManifest(
            f"this document has manifest sections ({', '.join(sections)}) and a {str(version)!r} key, but a manifest's "
            "header is 'vmspolicy: 1': without it nothing here would be checked",
            data.where_key(version),
        )
    return NearManifest(
        f"this document has manifest sections ({', '.join(sections)}) but no 'vmspolicy: 1' line, so it would not be "
        "checked; add the line, or exclude the file in the configuration",
        data.where_key(sections[0]),
    )


def near_manifest(documents: Sequence[Any], *, manifest_file: bool) -> Iterator[NearManifest]:
    """Every document of a file that was meant to be a manifest but will not be read as one.

    ``manifest_file``: the file's other documents are manifests, so each of the rest
    needs its own header too (one ``---`` too many must not hide the cameras below it).
    Empty documents are nothing.
    """
    for index, data in enumerate(documents):
        if data is None or (isinstance(data, LocatedMap) and HEADER in data):
            continue
        reason: NearManifest | None = None
        if isinstance(data, LocatedMap):
            reason = _mapping_reason(data)
        elif isinstance(data, LocatedSeq):
            for position, item in enumerate(data):
                if isinstance(item, LocatedMap) and (HEADER in item or _mapping_reason(item) is not None):
                    reason = NearManifest(
                        "a manifest wrapped in a list is not read: its top level must be a mapping "
                        "that starts with 'vmspolicy: 1' (remove the '- ')",
                        data.where(position),
                    )
                    break
        if reason is None and manifest_file:
            pos = data.pos if isinstance(data, (LocatedMap, LocatedSeq)) else (1, 1)
            reason = NearManifest(
                f"document {index + 1} of this manifest file has no 'vmspolicy: 1' line: every document of a file "
                "needs its own, or nothing in it is checked",
                pos,
            )
        if reason is not None:
            yield reason


# A key at the start of a line: plain, or quoted; after '- ' (a list-wrapped manifest), '--- ' or '{'.
_YAML_KEY = re.compile(
    r"""^([ \t]*)(?:---[ \t]+|-[ \t]+|\{[ \t]*)?(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"{}\[\],:&*!|>%@`-][^:#\n]*?))[ \t]*:(?:[ \t]|$)""",
    re.MULTILINE,
)


def lenient_text(raw: bytes) -> str:
    """``raw`` decoded as vmspolicy decodes files, with undecodable bytes replaced: for looking, not reading."""
    try:
        return decode(raw).text
    except ParseError:
        for bom, encoding in (("\xff\xfe\x00\x00", "utf-32-le"), ("\x00\x00\xfe\xff", "utf-32-be"), ("\xff\xfe", "utf-16-le"),
                              ("\xfe\xff", "utf-16-be")):
            if raw.startswith(bom.encode("latin-1")):
                return raw[len(bom):].decode(encoding, errors="replace")
        return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def top_keys(text: str) -> Iterator[tuple[str, bool]]:
    """Keys a text that may not parse puts at its top, each with whether it starts its line unindented.

    YAML: a key at the start of a line, or of a list item there. JSON (also read from
    YAML files, which may be written in flow style): a key of the outermost object, or
    of an object directly inside an outermost list.
    """
    for match in _YAML_KEY.finditer(text):
        yield next(k for k in match.groups()[1:] if k is not None), not match.group(1)
    for key in _json_top_keys(text):
        yield key, True


def shows_signs(raw: bytes) -> bool:
    """Whether a file that does not parse names the header or a manifest section at its top.

    A header-like key counts at any indentation (nothing else is called ``vmspolicy``);
    a section name only unindented, since ``devices:`` is common deeper in other files.
    """
    return any(key == HEADER or header_like(key) or (top and is_section(key)) for key, top in top_keys(lenient_text(raw)))


def _json_top_keys(text: str) -> Iterator[str]:
    """Keys at depth one of a JSON(-like) text that may be broken: strings followed by ':'.

    Comments (``//``, ``/* */``) are passed over, so that ``tsconfig.json`` reads as what it is.
    """
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            key = text[i + 1 : end]
            i = end + 1
            rest = text[i : i + 40].lstrip()
            if rest.startswith(":") and stack in (["{"], ["[", "{"]):
                yield key
            continue
        if ch == "/" and text[i + 1 : i + 2] == "/":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if ch == "/" and text[i + 1 : i + 2] == "*":
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        if ch in "{[":
            stack.append(ch)
        elif ch in "}]" and stack:
            stack.pop()
        i += 1
