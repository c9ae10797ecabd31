"""go2rtc's ``go2rtc.yaml``: every stream source names a camera, its address and often its vendor.

go2rtc (standalone, or embedded in Frigate as ``go2rtc:``) maps stream names to
one or more sources: ``rtsp://``, ``rtsps://``, ``http://``, ``isapi://``
(Hikvision), ``onvif://``, ``dvrip://`` (Xiongmai/XMeye, *not* Dahua),
``ffmpeg:<url or stream name>#options``, ``exec:ffmpeg -i <url> ...``. A source
may name another stream (``ffmpeg:front_door#audio=opus``) or go2rtc's own
restream (``rtsp://127.0.0.1:8554/front_door``); both are followed back to the
real camera URL.

Streams are grouped into cameras by the camera host they resolve to (a main and
a sub stream of one camera are one device); the camera's id is the first stream
name of its group, its ``ip`` the host when it is an IP address. Placeholders
(``$VAR``, ``${VAR}``, ``{FRIGATE_...}``) stay as written; a source that is an
application tag (``!secret``) is skipped, never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from vmspolicy.core.records import record
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import (
    credentials_at,
    entry,
    first_mapping,
    inner_pos,
    manifest_document,
    sequence,
    slug_id,
)
from vmspolicy.loading.streams import StreamSource, parse_source

# Top-level keys of go2rtc.yaml; a file with `streams:` and anything else is someone else's YAML.
GO2RTC_KEYS = frozenset(
    {"api", "app", "rtsp", "rtmp", "webrtc", "webtorrent", "srtp", "streams", "log", "ffmpeg", "hass", "homekit", "ngrok", "publish",
     "preload", "exec", "echo"}
)


@record(frozen=True, slots=True)
class LocatedSource:
    """A stream source and where its text starts in the file."""

    source: StreamSource
    pos: Pos
    synthetic: bool = False  # built from several fields (Frigate's onvif block), not written as one string


def stream_table(streams: LocatedMap) -> dict[str, list[LocatedSource]]:
    """The sources of each go2rtc stream, in order, each located."""
    table: dict[str, list[LocatedSource]] = {}
    for name, value in streams.items():
        items: list[tuple[object, Pos]] = (
            [(item, value.where(i)) for i, item in enumerate(value)] if isinstance(value, LocatedSeq) else [(value, streams.where(name))]
        )
        table[name] = [LocatedSource(parse_source(text), pos) for text, pos in items if isinstance(text, str) and text.strip()]
    return table


def resolve(name: str, table: dict[str, list[LocatedSource]], seen: set[str] | None = None) -> list[LocatedSource]:
    """The real camera sources behind stream ``name``, following references and restreams."""
    seen = set() if seen is None else seen
    if name in seen:
        return []
    seen.add(name)
    out: list[LocatedSource] = []
    for located in table.get(name, ()):
        target = _followed(located.source, table)
        if target is not None:
            out.extend(resolve(target, table, seen))
        elif located.source.scheme:
            out.append(located)
    return out


def _followed(source: StreamSource, table: dict[str, list[LocatedSource]]) -> str | None:
    if source.reference is not None:
        return source.reference
    name = source.restream_name
    return name if name is not None and name in table else None


@dataclass
class CameraSources:
    """The sources that make up one camera, and the stream names they came from."""

    names: list[str]
    pos: Pos
    sources: list[LocatedSource] = field(default_factory=list)

    @property
    def host(self) -> str:
        return next((s.source.host for s in self.sources if s.source.host), "")


def camera_entry(source_file: SourceFile, camera_id: str, name: str, pos: Pos, sources: Sequence[LocatedSource],
                 extra_ip: tuple[str, Pos] | None = None) -> LocatedMap:
    """A located camera entry: id, name, stream URLs (each at its own place) and the IP of the first real host."""
    urls: list[tuple[str, Pos]] = []
    ip: tuple[str, Pos] | None = None
    for located in sources:
        src = located.source
        if not src.scheme:
            continue  # a whole-URL placeholder ({FRIGATE_RTSP_URL}) says nothing about the camera
        at = inner_pos(source_file, located.pos, src.offset, src.url[:8])
        if src.url not in {u for u, _ in urls}:
            urls.append((src.url, at))
        if ip is None and src.ip is not None and src.restream_name is None and not located.synthetic:
            host_at = src.url.find(src.host, len(src.scheme) + 3)
            ip = (str(src.ip), inner_pos(source_file, located.pos, src.offset + max(host_at, 0), src.host))
    ip = ip or extra_ip
    streams = sequence(urls[0][1], urls) if urls else None
    return entry(
        pos,
        ("id", camera_id, pos),
        ("name", name, pos),
        ("ip", ip[0] if ip else None, ip[1] if ip else pos),
        ("streams", streams, streams.pos if streams else pos),
    )


def group_by_camera(names: Sequence[str], streams: LocatedMap, table: dict[str, list[LocatedSource]]) -> list[CameraSources]:
    """Streams grouped by the camera host they resolve to; streams without a real URL are left out."""
    groups: dict[str, CameraSources] = {}
    for name in names:
        sources = resolve(name, table)
        if not sources:
            continue
        host = next((s.source.host for s in sources if s.source.host), "")
        key = host or f"stream:{name}"
        group = groups.get(key)
        if group is None:
            groups[key] = CameraSources([name], streams.where_key(name), list(sources))
        else:
            group.names.append(name)
            group.sources.extend(sources)
    return list(groups.values())


class Go2rtcLoader:
    """Standalone go2rtc configuration (``go2rtc.yaml``): its streams become cameras."""

    name = "go2rtc"
    suffixes: Sequence[str] = (".yaml", ".yml")

    def resembles(self, source: SourceFile) -> bool:
        from vmspolicy.loading.manifest_signs import lenient_text, top_keys

        return any(top and key == "streams" for key, top in top_keys(lenient_text(source.raw)))

    def load(self, source: SourceFile) -> list[Document] | None:
        data = first_mapping(source)
        if data is None or not isinstance(data.get("streams"), LocatedMap) or not set(data) <= GO2RTC_KEYS:
            return None
        streams: LocatedMap = data["streams"]
        table = stream_table(streams)
        cameras = LocatedSeq(streams.pos)
        for group in group_by_camera(list(streams), streams, table):
            cameras.push(camera_entry(source, slug_id(group.names[0]), group.names[0], group.pos, group.sources), group.pos)
        logins = credentials_at(data, ("api", "password"), ("rtsp", "password"))
        return [manifest_document(source, self.name, {"cameras": (cameras, data.where_key("streams"))}, logins)]


GO2RTC_LOADER: Loader = Go2rtcLoader()

