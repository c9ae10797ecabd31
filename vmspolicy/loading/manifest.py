"""The manifest loader: YAML and JSON files whose top level carries ``vmspolicy:``."""

from __future__ import annotations

from typing import Sequence

from vmspolicy.core.source import Document, LocatedMap
from vmspolicy.core.text import ParseError
from vmspolicy.loading.base import Loader, SourceFile


class ManifestLoader:
    """Manifest format v1 in YAML or JSON (one file may hold several ``---`` documents)."""

    name = "manifest"
    suffixes: Sequence[str] = (".yaml", ".yml", ".json")

    def load(self, source: SourceFile) -> list[Document] | None:
        if source.suffix not in self.suffixes:
            return None
        manifests = [d for d in source.documents() if isinstance(d, LocatedMap) and "vmspolicy" in d]
        if not manifests:
            return None
        if source.tagged:
            first = source.tagged[0]
            raise ParseError(f"tag {first.tag} is not allowed: manifests hold plain data only (no custom tags)", *first.pos)
        return [Document(source.path, data, self.name, source.sha256, text=source.text) for data in manifests]

    def resembles(self, source: SourceFile) -> bool:
        """A top-level header-like key or manifest section (see :mod:`vmspolicy.loading.manifest_signs`)."""
        from vmspolicy.loading.manifest_signs import shows_signs

        return shows_signs(source.raw)


MANIFEST_LOADER: Loader = ManifestLoader()

