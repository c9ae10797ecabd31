"""Frigate NVR's ``config.yml``: its cameras, with the real camera URL behind every restream.

Each entry of ``cameras:`` becomes a camera whose id is the Frigate camera name.
Its streams are the ``ffmpeg.inputs[].path`` URLs; an input that reads
Frigate's own go2rtc restream (``rtsp://127.0.0.1:8554/<name>``, or any host on
port 8554 naming an embedded stream) is replaced by the sources of that
``go2rtc.streams`` entry, followed back to the camera. The ``onvif`` block
becomes an ``onvif://user:password@host:port`` stream, so its host and any
literal password are seen like any other stream. The camera's ``ip`` is the
first real camera host that is an IP address, else the ONVIF host.

Embedded go2rtc streams that no camera reads (live-view only) still pull from
cameras: they become cameras too, grouped by host, unless a Frigate camera
already covers that host.

Frigate files name no site: the estate gives imported cameras one (the
configuration's ``import.site``, else the only site the manifests of the same
folder declare, else the estate's only site: see
:func:`vmspolicy.loading.imported.assign_sites`).
Frigate's own ``zones`` are areas of the picture, not network zones; a camera
is placed in a network zone by its address.
"""

from __future__ import annotations

from typing import Sequence

from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile, Tagged
from vmspolicy.loading.go2rtc import LocatedSource, camera_entry, group_by_camera, resolve, stream_table
from vmspolicy.loading.imported import credentials_at, first_mapping, manifest_document, slug_id
from vmspolicy.loading.streams import parse_source, plain

# Sections only a Frigate configuration has next to `cameras:` (a manifest's cameras are a list).
FRIGATE_MARKERS = frozenset({"mqtt", "detectors", "ffmpeg", "go2rtc", "record", "snapshots", "objects", "detect", "birdseye", "model"})


class FrigateLoader:
    """Frigate NVR configuration (``config.yml``)."""

    name = "frigate"
    suffixes: Sequence[str] = (".yaml", ".yml")

    def resembles(self, source: SourceFile) -> bool:
        from vmspolicy.loading.manifest_signs import lenient_text, top_keys

        return any(top and key == "cameras" for key, top in top_keys(lenient_text(source.raw)))

    def load(self, source: SourceFile) -> list[Document] | None:
        data = first_mapping(source)
        if data is None:
            return None
        cameras = data.get("cameras")
        if not isinstance(cameras, LocatedMap):
            return None
        has_ffmpeg = any(isinstance(c, LocatedMap) and "ffmpeg" in c for c in cameras.values())
        if not has_ffmpeg and not FRIGATE_MARKERS & set(data):
            return None
        go2rtc = data.get("go2rtc")
        streams = go2rtc.get("streams") if isinstance(go2rtc, LocatedMap) else None
        streams = streams if isinstance(streams, LocatedMap) else LocatedMap()
        table = stream_table(streams)

        out = LocatedSeq(cameras.pos)
        used: set[str] = set()
        hosts: set[str] = set()
        for name, camera in cameras.items():
            if not isinstance(camera, LocatedMap):
                continue
            pos = cameras.where_key(name)
            sources = self._inputs(camera, table, used)
            onvif_source, onvif_ip = self._onvif(camera)
            if onvif_source is not None:
                sources.append(onvif_source)
            hosts.update(s.source.host for s in sources if s.source.host and s.source.restream_name is None)
            out.push(camera_entry(source, slug_id(name), name, pos, sources, onvif_ip), pos)
        # Live-view streams no camera records still pull from a camera: keep them unless already covered.
        spare = [n for n in streams if n not in used]
        for group in group_by_camera(spare, streams, table):
            if group.host and group.host in hosts:
                continue
            out.push(camera_entry(source, slug_id(group.names[0]), group.names[0], group.pos, group.sources), group.pos)
        logins = credentials_at(data, ("mqtt", "password"), ("go2rtc", "api", "password"), ("go2rtc", "rtsp", "password"))
        return [manifest_document(source, self.name, {"cameras": (out, data.where_key("cameras"))}, logins)]

    @staticmethod
    def _inputs(camera: LocatedMap, table: dict[str, list[LocatedSource]], used: set[str]) -> list[LocatedSource]:
        ffmpeg = camera.get("ffmpeg")
        inputs = ffmpeg.get("inputs") if isinstance(ffmpeg, LocatedMap) else None
        sources: list[LocatedSource] = []
        if not isinstance(inputs, LocatedSeq):
            return sources
        for item in inputs:
            if not isinstance(item, LocatedMap) or not isinstance(item.get("path"), str):
                continue  # a `!secret` path cannot be read without evaluating it
            parsed = parse_source(item["path"])
            name = parsed.restream_name or parsed.reference
            if name is not None and name in table:
                before = set(used)
                resolved = resolve(name, table, set())
                used.update(_names_reached(name, table) - before)
                sources.extend(resolved)
            else:
                sources.append(LocatedSource(parsed, item.where("path")))
        return sources

    @staticmethod
    def _onvif(camera: LocatedMap) -> tuple[LocatedSource | None, tuple[str, Pos] | None]:
        onvif = camera.get("onvif")
        if not isinstance(onvif, LocatedMap):
            return None, None
        host = plain(onvif.get("host"))
        if not host or isinstance(onvif.get("host"), Tagged):
            return None, None
        port = plain(onvif.get("port"))
        user = plain(onvif.get("user"))
        password = onvif.get("password")
        userinfo = ""
        if user and not isinstance(onvif.get("user"), Tagged):
            userinfo = user
            if isinstance(password, (str, int)) and not isinstance(password, bool) and str(password):
                userinfo += f":{password}"
            userinfo += "@"
        url = f"onvif://{userinfo}{host}" + (f":{port}" if port else "")
        # The synthesised URL is located at the password when there is one (what VP401 points at), else at the host.
        at = onvif.where("password") if "password" in onvif and ":" in userinfo else onvif.where("host")
        parsed = parse_source(url)
        ip = (str(parsed.ip), onvif.where("host")) if parsed.ip is not None else None
        return LocatedSource(parsed, at, synthetic=True), ip


def _names_reached(name: str, table: dict[str, list[LocatedSource]]) -> set[str]:
    reached: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in reached or current not in table:
            continue
        reached.add(current)
        for located in table[current]:
            target = located.source.reference or located.source.restream_name
            if target:
                todo.append(target)
    return reached


FRIGATE_LOADER: Loader = FrigateLoader()

