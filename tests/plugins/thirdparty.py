"""A third-party plugin, as a vendor of an NVR export format would write one.

It adds a rule (VP901: cameras must carry a ``location``) and a loader for a
made-up ``.cams`` format: one camera per line, ``id,site,vendor,model``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from vmspolicy import CheckContext, Document, Finding, LocatedMap, LocatedSeq, ParseError, Rule, Severity, SourceFile, hookimpl


class CameraLocation(Rule):
    """Every camera records where it hangs.

    What it checks
        Cameras have a ``location``.

    Why
        Auditors walk the site with the list.

    Example (fails)
        ``- {id: cam-1, site: hq}``

    Use instead
        ``- {id: cam-1, site: hq, location: Lobby}``

    Options
        None.
    """

    code = "VP901"
    slug = "camera-location"
    severity = Severity.WARNING

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for camera in ctx.estate.cameras:
            if "location" not in camera.origin.node:
                yield self.finding(camera.origin.loc(), f"{camera.id} has no location", subject=camera.id)


class CamsLoader:
    name = "cams"
    suffixes: Sequence[str] = (".cams",)

    def load(self, source: SourceFile) -> list[Document] | None:
        data = LocatedMap((1, 1))
        data.put("vmspolicy", 1, (1, 1), (1, 1))
        cameras = LocatedSeq((1, 1))
        for number, line in enumerate(source.text.splitlines(), start=1):
            if not line.strip():
                continue
            cells = line.split(",")
            if len(cells) != 4:
                raise ParseError(f"expected 4 comma-separated cells, found {len(cells)}", number, 1)
            entry = LocatedMap((number, 1))
            column = 1
            for key, cell in zip(("id", "site", "vendor", "model"), cells, strict=True):
                entry.put(key, cell.strip(), (number, column), (number, column))
                column += len(cell) + 1
            cameras.push(entry, (number, 1))
        data.put("cameras", cameras, (1, 1), (1, 1))
        return [Document(source.path, data, self.name, source.sha256)]


@hookimpl
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return (CameraLocation,)


@hookimpl
def vmspolicy_loaders() -> Sequence[CamsLoader]:
    return (CamsLoader(),)
