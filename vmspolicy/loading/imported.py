"""What the loaders of other tools' files share: located manifest data, credentials kept apart, sites.

Frigate, go2rtc, NetBox, OPNsense/pfSense and nmap files are not manifests, but
their loaders hand the pipeline the same manifest-v1 data with every value
located in the original file. This module holds the pieces they have in
common: building located sections, the document type that carries credentials
no manifest section can hold, safe XML reading, and settling what those files
cannot say (MACs listed apart, sites). Stream sources and the secrets in them
are :mod:`vmspolicy.loading.streams`.

Imported records may leave ``site`` out: the estate gives them one (see
:func:`vmspolicy.analysis.estate.build_estate`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final, Iterable, Mapping

from vmspolicy.core import records
from vmspolicy.core.limits import TooManyNodes
from vmspolicy.core.source import CellGrid, Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import SourceFile


def inner_pos(source: SourceFile, pos: Pos, offset: int, expected: str) -> Pos:
    """Position of ``expected`` found ``offset`` characters into the scalar that starts at ``pos``.

    Exact for one-line plain and quoted scalars (the common case); anything
    else (an escape before it, a folded scalar) falls back to the scalar's start.
    """
    lines = source.text.splitlines()
    line, column = pos
    if not expected or not 0 < line <= len(lines):
        return pos
    text = lines[line - 1]
    start = column - 1 + (1 if text[column - 1 : column] in ("'", '"') else 0)
    at = start + offset
    if text[at : at + len(expected)] == expected:
        return (line, at + 1)
    return pos


_ID_BAD: Final = re.compile(r"[^A-Za-z0-9._:/@-]+")


def slug_id(*parts: str) -> str:
    """An estate id from names written in another tool (``Front Door`` → ``Front-Door``)."""
    text = "-".join(p for p in (_ID_BAD.sub("-", part).strip("-._:/@") for part in parts) if p)
    return (text or "unnamed")[:128]


def entry(pos: Pos, *fields: tuple[str, Any, Pos]) -> LocatedMap:
    """A located mapping from (key, value, position) triples; None values are left out."""
    node = LocatedMap(pos)
    for key, value, at in fields:
        if value is not None:
            node.put(key, value, at, at)
    return node


def sequence(pos: Pos, items: Iterable[tuple[Any, Pos]]) -> LocatedSeq:
    """A located sequence from (value, position) pairs."""
    seq = LocatedSeq(pos)
    for value, at in items:
        seq.push(value, at)
    return seq


@records.record(frozen=True, slots=True)
class Credential:
    """A secret an imported file holds outside any device (an MQTT or API login): where, and as written."""

    field: str  # dotted path in the file, e.g. ``mqtt.password``
    value: Any
    pos: Pos
    subject: str | None = None  # the device whose login it is, when the file says (a Milestone export's row)


@records.record(frozen=True, slots=True)
class ImportedDocument(Document):
    """An imported file's manifest data, plus the credentials it holds that no manifest section can carry."""

    credentials: tuple[Credential, ...] = ()
    # MAC addresses this file gives for devices it does not list itself (a NetBox interfaces
    # export next to a devices export): device name → MAC, joined by settle_imported().
    macs: tuple[tuple[str, str], ...] = ()


def manifest_document(source: SourceFile, fmt: str, sections: dict[str, tuple[LocatedSeq, Pos]],
                      credentials: Iterable[Credential] = (), macs: Iterable[tuple[str, str]] = (),
                      grid: CellGrid | None = None) -> Document:
    """A manifest-v1 document for ``source``: ``vmspolicy: 1`` and the non-empty sections at their positions."""
    data = LocatedMap((1, 1))
    data.put("vmspolicy", 1, (1, 1), (1, 1))
    for name, (items, pos) in sections.items():
        if items:
            data.put(name, items, pos, items.pos)
    return ImportedDocument(source.path, data, fmt, source.sha256, credentials=tuple(credentials), macs=tuple(macs), grid=grid)


def credentials_at(data: LocatedMap, *paths: tuple[str, ...]) -> list[Credential]:
    """The values at each path of keys (``("mqtt", "password")``) that exist, located."""
    found: list[Credential] = []
    for path in paths:
        node: Any = data
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, LocatedMap) else None
        if isinstance(node, LocatedMap) and path[-1] in node and node[path[-1]] is not None:
            found.append(Credential(".".join(path), node[path[-1]], node.where(path[-1])))
    return found


def first_mapping(source: SourceFile) -> LocatedMap | None:
    """The file's first YAML/JSON document when it is a mapping and not a vmspolicy manifest."""
    documents = source.documents()
    data = documents[0] if documents else None
    if not isinstance(data, LocatedMap) or "vmspolicy" in data:
        return None
    return data


IMPORTED_SITE: Final = "imported"
"""The site imported records get when no manifest declares any site (not sensitive: declare yours)."""

_SITED_SECTIONS: Final = ("zones", "cameras", "recorders", "devices", "firewalls")


def settle_imported(documents: list[Document], import_site: str | None = None,
                    given: Mapping[int, str] | None = None) -> list[Document]:
    """Complete imported records from the other files of the run: MACs listed apart, then sites.

    ``given``: the site a manifest record completing an imported record names
    (see :mod:`vmspolicy.analysis.estate`), by the imported record's identity: the
    user's word, taken before any guess.
    """
    _join_macs(documents)
    if given:
        for doc in documents:
            if doc.format == "manifest":
                continue
            for section in _SITED_SECTIONS:
                for record in _entries(doc, section):
                    if "site" not in record and id(record) in given:
                        record.put("site", given[id(record)], record.pos, record.pos)
    return assign_sites(documents, import_site)


def _join_macs(documents: list[Document]) -> None:
    macs = {name: mac for doc in documents if isinstance(doc, ImportedDocument) for name, mac in doc.macs}
    if not macs:
        return
    for doc in documents:
        if doc.format == "manifest":
            continue  # what a manifest declares is the user's word: never completed behind their back
        for section in ("cameras", "recorders", "devices"):
            for record in _entries(doc, section):
                name = record.get("name")
                if "mac" not in record and isinstance(name, str) and name in macs:
                    # Located at the device record: the MAC's own line is in another file.
                    record.put("mac", macs[name], record.pos, record.pos)


def assign_sites(documents: list[Document], import_site: str | None = None) -> list[Document]:
    """Give a site to the records of imported files that name none; return the documents (maybe one more).

    Frigate, go2rtc, OPNsense and nmap files do not say which site they
    describe. In order: the configuration's ``import.site``; else the only
    site declared by the manifests in the file's own folder (or, failing
    that, the nearest parent folder whose manifests declare sites: the
    ``sites/hq/{site.yaml,frigate.yml}`` layout); else the only site of the
    whole estate; else the site of the declared zone whose network holds the
    record's IP address; else, when no document declares any site, a site
    named ``imported`` (not sensitive). A record still without a site is left
    to the schema (VP002 at the record).
    """
    by_folder: dict[PurePosixPath, list[str]] = {}
    for doc in documents:
        for site in _entries(doc, "sites"):
            if isinstance(site.get("id"), str):
                by_folder.setdefault(PurePosixPath(doc.path).parent, []).append(site["id"])
    site_ids = list(dict.fromkeys(s for ids in by_folder.values() for s in ids))
    unsited = [
        (doc, e) for doc in documents if doc.format != "manifest" for section in _SITED_SECTIONS
        for e in _entries(doc, section) if "site" not in e
    ]
    if not unsited:
        return documents
    extra: list[Document] = []
    default = import_site or (site_ids[0] if len(site_ids) == 1 else None)
    if default is None and not site_ids:
        first_doc, first_entry = unsited[0]
        at = first_entry.pos
        synthetic = entry(at, ("id", IMPORTED_SITE, at), ("notes", "given to imported records: no manifest declares a site", at))
        extra.append(manifest_document_from(first_doc, {"sites": (sequence(at, [(synthetic, at)]), at)}))
        default = IMPORTED_SITE
    networks = _zone_networks(documents) if default is None else []
    for doc, record in unsited:
        folder = PurePosixPath(doc.path).parent
        given = import_site or _nearest_site(folder, by_folder) or default or _site_by_address(record.get("ip"), networks)
        if given is not None:
            record.put("site", given, record.pos, record.pos)
    return [*documents, *extra]


def _nearest_site(folder: PurePosixPath, by_folder: dict[PurePosixPath, list[str]]) -> str | None:
    for candidate in (folder, *folder.parents):
        ids = list(dict.fromkeys(by_folder.get(candidate, ())))
        if ids:
            return ids[0] if len(ids) == 1 else None
    return None


def manifest_document_from(doc: Document, sections: dict[str, tuple[LocatedSeq, Pos]]) -> Document:
    """A manifest-v1 document located in the same file as ``doc`` (for records the estate adds)."""
    data = LocatedMap((1, 1))
    data.put("vmspolicy", 1, (1, 1), (1, 1))
    for name, (items, pos) in sections.items():
        data.put(name, items, pos, items.pos)
    return Document(doc.path, data, doc.format, doc.sha256)


def _entries(doc: Document, section: str) -> list[LocatedMap]:
    items = doc.data.get(section)
    return [e for e in items if isinstance(e, LocatedMap)] if isinstance(items, list) else []


def _zone_networks(documents: list[Document]) -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]:
    out: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
    for doc in documents:
        for zone in _entries(doc, "zones"):
            site, cidr = zone.get("site"), zone.get("cidr")
            if not isinstance(site, str):
                continue
            for text in [cidr] if isinstance(cidr, str) else list(cidr) if isinstance(cidr, list) else []:
                try:
                    out.append((ipaddress.ip_network(str(text), strict=False), site))
                except ValueError:
                    continue
    return out


def _site_by_address(ip: Any, networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]) -> str | None:
    try:
        address = ipaddress.ip_address(str(ip))
    except ValueError:
        return None
    best = max(((n.prefixlen, site) for n, site in networks if n.version == address.version and address in n), default=None)
    return best[1] if best else None


@dataclass(slots=True)
class XmlElement:
    """One XML element with where its start tag is: enough of a tree for configuration exports."""

    tag: str
    pos: Pos
    attrs: dict[str, str]
    children: list[XmlElement]
    text: str = ""

    def first(self, tag: str) -> XmlElement | None:
        """The first child named ``tag``."""
        for child in self.children:  # a loop, not next() over a generator: asked millions of times of a large backup
            if child.tag == tag:
                return child
        return None

    def all(self, tag: str) -> list[XmlElement]:
        """Every child named ``tag``."""
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The stripped text of the first child named ``tag``."""
        child = self.first(tag)
        return child.text.strip() if child is not None else default

    def has(self, tag: str) -> bool:
        return self.first(tag) is not None

    def path(self, *tags: str) -> XmlElement | None:
        """The element reached by following first children named ``tags``."""
        node: XmlElement | None = self
        for tag in tags:
            node = node.first(tag) if node is not None else None
        return node


_XML_ROOT: Final = re.compile(r"<([A-Za-z_][\w.-]*)[\s/>]")


# How the first bytes of an XML file tell its encoding family (XML 1.0, appendix F): byte-order marks,
# then "<?" written in UTF-32 or UTF-16 without one. The declaration is read in that family.
_XML_FAMILIES: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"),
)
_XML_DECLARED: Final = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*(["'])(.*?)\1""")
# The encodings expat reads itself; others go through Python codecs, which work only for one-byte encodings.
_EXPAT_NATIVE: Final = frozenset({"utf-8", "utf8", "utf-16", "utf16", "iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"})


def _xml_head(raw: bytes) -> tuple[str, str]:
    """The first 8 KiB of an XML file as text, and the family of its encoding (``utf-8`` for ASCII-compatible)."""
    family = next((name for prefix, name in _XML_FAMILIES if raw.startswith(prefix)), "utf-8")
    return raw[:8192].decode(family, errors="replace").lstrip("\ufeff"), family


def xml_root_tag(source: SourceFile) -> str | None:
    """The root element's name, read cheaply (past the prolog, comments and doctype); None if not XML."""
    head, _ = _xml_head(source.raw)
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", "", head, flags=re.DOTALL)
    match = _XML_ROOT.search(head)
    return match.group(1) if match and not head[: match.start()].strip() else None


def read_xml(source: SourceFile) -> XmlElement:
    """Parse ``source`` as XML with expat, defused: no entity is declared or expanded, no external one fetched.

    Every element keeps its start tag's 1-based line and column. Raises
    :class:`~vmspolicy.core.text.ParseError` at the offending line, and at the
    element whose elements and attributes would pass ``source.node_limit``.

    The expat parser is driven directly rather than through SAX: a configuration
    backup near the input-size limit holds millions of elements, and SAX's
    wrappers (an attributes object and two locator calls per element) cost as
    much again as expat itself. The refusals are defusedxml's, raised by the
    same handlers its SAX driver installs.
    """
    from xml.parsers import expat

    from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

    from vmspolicy.core.text import ParseError

    _check_xml_encoding(source.raw)
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one call per run of text, not per line of it
    stack: list[XmlElement] = []
    texts: list[list[str]] = []
    root: list[XmlElement] = []
    limit = source.node_limit
    nodes_left = [limit.nodes]  # elements and attributes still to be built

    def here() -> Pos:
        return (parser.CurrentLineNumber or 1, parser.CurrentColumnNumber + 1)

    def start(name: str, attrs: dict[str, str]) -> None:
        nodes_left[0] -= 1 + len(attrs)
        if nodes_left[0] < 0:
            raise limit.refused("XML elements and attributes", here())
        element = XmlElement(name, (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1), attrs, [])
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)
        texts.append([])

    def end(name: str) -> None:
        stack.pop().text = "".join(texts.pop())

    def characters(content: str) -> None:
        if texts:
            texts[-1].append(content)

    def entity_declared(name: str, is_parameter: bool, value: str | None, base: str | None, sysid: str | None,
                        pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed_entity_declared(name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external_reference(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.EntityDeclHandler = entity_declared
    parser.UnparsedEntityDeclHandler = unparsed_entity_declared
    parser.ExternalEntityRefHandler = external_reference
    # As SAX does: an external DTD subset is asked for through the handler above, and so refused, never read past.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE)
    try:
        parser.Parse(source.raw, True)
    except TooManyNodes:
        raise  # from the handler, at the element past the limit; expat stops there
    except expat.ExpatError as exc:
        raise ParseError(f"invalid XML: {expat.ErrorString(exc.code)}", exc.lineno or 1, (exc.offset or 0) + 1) from None
    except DefusedXmlException as exc:
        # Entity declarations and external references are how XML bombs and XXE work: refuse, never expand.
        raise ParseError(f"XML refused for safety: {exc}", *here()) from None
    except (ValueError, LookupError) as exc:
        # pyexpat's last word on an encoding it cannot read (a multi-byte codec, an unknown name).
        raise ParseError(f"XML that cannot be decoded: {exc}; save the file as UTF-8", *here()) from None
    if not root:
        raise ParseError("invalid XML: no root element")
    return root[0]


def _check_xml_encoding(raw: bytes) -> None:
    """Refuse, as a located parse error, an encoding the XML parser cannot read (UTF-7, UTF-32, an unknown name).

    Expat reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself and one-byte
    encodings through Python's codecs; anything else would end in an exception
    from inside the parser. Guessing is no option: a vendor name decoded in
    the wrong encoding is another name.
    """
    import codecs

    from vmspolicy.core.text import ParseError, line_col_of_index

    head, family = _xml_head(raw)
    if family.startswith("utf-32"):
        raise ParseError("XML in UTF-32, which the XML parser does not read; save the file as UTF-8")
    match = _XML_DECLARED.match(head)
    if match is None:
        return
    name = match.group(2).strip()
    where = line_col_of_index(head, match.start(2))
    if name.lower() in _EXPAT_NATIVE:
        return
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ParseError(f"XML declares encoding={name!r}, which is no known encoding; save the file as UTF-8 and "
                         "declare encoding=\"UTF-8\"", *where) from None
    # A one-byte encoding turns 256 bytes into 256 characters; UTF-7, UTF-32 and the East Asian codecs do not,
    # and "base64" or "rot13" are no text encodings at all.
    one_byte = getattr(info, "_is_text_encoding", True) and not info.name.startswith("utf")
    if one_byte:
        try:
            one_byte = len(bytes(range(256)).decode(info.name, errors="replace")) == 256
        except (ValueError, LookupError, TypeError):
            one_byte = False
    if not one_byte:
        raise ParseError(f"XML declares encoding={name!r}, which the XML parser does not read (it reads UTF-8, UTF-16 "
                         "and one-byte encodings); save the file as UTF-8 and declare encoding=\"UTF-8\"", *where)
