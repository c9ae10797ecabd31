"""What a loader is: a file format turned into located manifest-v1 data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence, runtime_checkable

from vmspolicy.core.limits import NodeLimit, TooManyNodes
from vmspolicy.core.records import record
from vmspolicy.core.source import Document, Pos
from vmspolicy.core.text import ParseError, decode
from vmspolicy.core.yaml_events import load_documents


@record(frozen=True, slots=True)
class Tagged:
    """A scalar with an application tag (``!secret camera_pw``), kept as written, never evaluated."""

    tag: str
    value: str
    pos: Pos

    def __str__(self) -> str:
        return f"{self.tag} {self.value}"


@dataclass
class SourceFile:
    """One input file, read once; decoding and YAML/JSON parsing are done on first use and shared.

    Several loaders may look at the same YAML file (a manifest, a Frigate
    config, a go2rtc config); the parse happens once whichever asks first.
    """

    path: str
    raw: bytes
    # For input without a file name (stdin): the suffix its content shows, so that loaders that
    # choose files by suffix still see it (see :func:`content_suffix`).
    sniffed_suffix: str = ""
    # The most nodes a reader builds of this file (the configuration's max_nodes); readers stop at the next one.
    node_limit: NodeLimit = field(default_factory=NodeLimit)
    _text: str | None = field(default=None, repr=False)
    _data: list[Any] | None = field(default=None, repr=False)
    tagged: list[Tagged] = field(default_factory=list, repr=False)
    _sha256: str | None = field(default=None, repr=False)

    @property
    def sha256(self) -> str:
        """The SHA-256 of ``raw`` (hex), computed once: reports, documents and the load cache all ask for it."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.raw).hexdigest()
        return self._sha256

    @property
    def suffix(self) -> str:
        name = self.path.rsplit("/", 1)[-1].lower()
        return "." + name.rsplit(".", 1)[-1] if "." in name else self.sniffed_suffix

    @property
    def text(self) -> str:
        """The decoded text (raises :class:`ParseError` for a bad encoding)."""
        if self._text is None:
            self._text = decode(self.raw).text
        return self._text

    @property
    def is_json(self) -> bool:
        return self.suffix == ".json" or (self.suffix not in (".yaml", ".yml") and self.text.lstrip()[:1] in "{[")

    def documents(self) -> list[Any]:
        """The file's YAML or JSON documents as located data (raises :class:`ParseError`)."""
        if self._data is None:
            text = self.text
            if self.is_json:
                self._data = _strict_json(text, self.node_limit)
            else:
                self._data = load_documents(text, on_tag=self._keep_tag, limit=self.node_limit)
        return self._data

    def _keep_tag(self, tag: str, value: str, pos: Pos) -> Tagged:
        tagged = Tagged(tag, value, pos)
        self.tagged.append(tagged)
        return tagged


def content_suffix(raw: bytes) -> str:
    """The suffix a nameless input (``check -``) is read as: ``.xml`` for markup, ``.json`` for an
    object or array, else ``.yaml`` (a manifest); a CSV bill of materials needs ``--stdin-filename``."""
    head = raw[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    head = head.replace(b"\x00", b"").lstrip()
    if head.startswith(b"<"):
        return ".xml"
    if head.startswith((b"{", b"[")):
        return ".json"
    return ".yaml"


def _strict_json(text: str, limit: NodeLimit) -> list[Any]:
    """The located documents of JSON ``text``, which must be strict JSON; at most ``limit`` nodes are built.

    Python's JSON reader, which tells strict JSON, builds every node, with no way to stop it
    at the limit. Every node but the first follows a ``,``, a ``:``, a ``[`` or a ``{``, so a text
    with no more of those than the limit has no more nodes, and is read by both. Any other is read
    by the counting reader first, which stops at the node past the limit (a ``,`` inside a string
    counts too, so a text under the limit may come here).
    """
    if sum(text.count(mark) for mark in ",:[{") + 1 <= limit.nodes:
        _check_strict_json(text)
        return load_documents(text.replace("\t", " "), json_mode=True, limit=limit)
    try:
        documents = load_documents(text.replace("\t", " "), json_mode=True, limit=limit)
    except TooManyNodes:
        raise
    except ParseError:
        _check_strict_json(text)  # text that is not JSON is said to be so, as below the limit
        raise
    _check_strict_json(text)
    return documents


def _check_strict_json(text: str) -> None:
    import json

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen[key] = value
        return seen

    try:
        json.loads(text, object_pairs_hook=no_duplicates)
    except RecursionError:
        # Deeper than Python's JSON reader goes: the YAML reader stops at its depth limit, with a position.
        load_documents(text.replace("\t", " "), json_mode=True)
        raise ParseError("invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        # Duplicate keys: the YAML reader finds where; run it to get the position.
        try:
            load_documents(text.replace("\t", " "), json_mode=True)
        except ParseError:
            raise
        raise ParseError(f"invalid JSON: {str(exc).split(';')[0]}") from None


@runtime_checkable
class Loader(Protocol):
    """A file format. Built-in and third-party loaders register through ``vmspolicy_loaders``."""

    name: str
    """Short name, used in configuration (``formats: {"nvr/*.yml": frigate}``) and in ``-v`` output."""

    suffixes: Sequence[str]
    """File name endings (lower case, with the dot) this loader may read in a directory scan."""

    def load(self, source: SourceFile) -> list[Document] | None:
        """Return the documents ``source`` holds, or None when the file is not in this format.

        Raise :class:`vmspolicy.core.text.ParseError` when the file is in this
        format (or cannot be told apart) but cannot be read: it becomes VP001.
        """
        ...

    # Optional: ``resembles(source) -> bool``, whether a file that raised ParseError shows signs of
    # this format (a root element, a top-level key, a header row). Outside the configured estate a
    # file no loader recognises is skipped rather than VP001, so that a repository's unrelated files
    # never block a commit; a loader without it counts every file of its suffixes as its own.
