"""The built-in policy packs: ``uk-gov-2022``, ``us-ndaa-889``, ``au-gov-2023``.

A pack is data, not code (``vmspolicy/data/packs/*.yaml``, checked against
``schemas/pack.schema.json``); this module hands the shipped files to the
plugin host through the same ``vmspolicy_packs`` hook that third-party
plugins implement. What a pack *means* is decided in :mod:`vmspolicy.analysis.policy`.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Sequence

from vmspolicy.core.shipped import data_file
from vmspolicy.core.text import decode
from vmspolicy.core.yaml_events import load_documents
from vmspolicy.hookspecs import hookimpl


@functools.cache
def builtin_packs() -> tuple[Mapping[str, Any], ...]:
    """The packs shipped inside the package, in file-name order."""
    folder = data_file("packs")
    packs: list[Mapping[str, Any]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            documents = load_documents(decode(entry.read_bytes()).text)
            packs.append(documents[0])
    return tuple(packs)


def builtin_pack_ids() -> tuple[str, ...]:
    """Ids of the built-in packs: the default selection when nothing else is configured."""
    return tuple(str(p["id"]) for p in builtin_packs())


@hookimpl(tryfirst=True)
def vmspolicy_packs() -> Sequence[Mapping[str, Any]]:
    return builtin_packs()
