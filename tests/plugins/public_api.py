"""A plugin written against the stable surface alone: every name it uses is imported from ``vmspolicy``.

tests/test_public_api.py checks that it imports nothing else of vmspolicy,
then runs its rule, pack, loader and reporter: if an internal module moves
and the top-level package stops exporting a name, this plugin breaks first.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Iterable, Mapping, Sequence

from vmspolicy import (
    CheckContext,
    Document,
    Finding,
    Loader,
    LocatedMap,
    LocatedSeq,
    Location,
    PackData,
    ParseError,
    Reporter,
    Rule,
    RunResult,
    Severity,
    SourceFile,
    hookimpl,
)


class TaggedCamera(Rule):
    """Every camera carries an asset tag.

    What it checks
        Cameras have at least one entry in ``tags``.

    Why
        The asset register is keyed by tag.

    Example (fails)
        ``- {id: cam-1, site: hq}``

    Use instead
        ``- {id: cam-1, site: hq, tags: [A-0001]}``

    Options
        ``prefix`` (default ``"A-"``): what every tag starts with.
    """

    code = "ACME101"
    slug = "camera-asset-tag"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"prefix": "A-"}

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        prefix = ctx.options_for(type(self))["prefix"]
        for camera in ctx.estate.cameras:
            tags = camera.origin.node.get("tags") or []
            if not any(str(tag).startswith(prefix) for tag in tags):
                yield self.finding(camera.origin.loc(), f"{camera.id} has no asset tag starting {prefix!r}", subject=camera.id)


PACK: PackData = {
    "id": "acme-2026",
    "title": "ACME Corp: no Hikvision or Dahua after 2021",
    "families": ["Hikvision", {"name": "Dahua", "equipment": ["camera"]}],
    "cutoff": "2021-01-01",
    "sources": [{"title": "ACME security standard 12", "url": "https://example.org/acme/std-12", "date": "2020-11-01"}],
}


class TabLoader(Loader):
    """``.tab`` files: one camera per line, ``id<TAB>site<TAB>vendor``."""

    name = "tab"
    suffixes: Sequence[str] = (".tab",)

    def load(self, source: SourceFile) -> list[Document] | None:
        data = LocatedMap((1, 1))
        data.put("vmspolicy", 1, (1, 1), (1, 1))
        cameras = LocatedSeq((1, 1))
        for number, line in enumerate(source.text.splitlines(), start=1):
            cells = line.split("\t")
            if len(cells) != 3:
                raise ParseError(f"expected 3 tab-separated cells, found {len(cells)}", number, 1)
            entry = LocatedMap((number, 1))
            column = 1
            for key, cell in zip(("id", "site", "vendor"), cells, strict=True):
                entry.put(key, cell, (number, column), (number, column))
                column += len(cell) + 1
            cameras.push(entry, (number, 1))
        data.put("cameras", cameras, (1, 1), (1, 1))
        return [Document(source.path, data, self.name, source.sha256)]


class LinesReporter(Reporter):
    """``--format lines``: ``path:line:col CODE subject``, one finding a line, then the verdict."""

    name = "lines"
    description = "one finding a line, no message"

    def render(self, result: RunResult, *, color: bool = False) -> str:
        lines = [f"{Location(f.path, f.line, f.column)} {f.rule} {f.subject or '-'}" for f in result.active]
        lines.append(json.dumps({"passed": not result.failing}))
        return "\n".join(lines) + "\n"


@hookimpl
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return (TaggedCamera,)


@hookimpl
def vmspolicy_packs() -> Sequence[PackData]:
    return (PACK,)


@hookimpl
def vmspolicy_loaders() -> Sequence[Loader]:
    return (TabLoader(),)


@hookimpl
def vmspolicy_reporters() -> Sequence[Reporter]:
    return (LinesReporter(),)
