"""Policy judgement: which pack applies to each device, and whether it is restricted, legacy or new.

CONTRACT (other modules build on this; keep these names and fields stable):

- :class:`Judgement` — per device: the packs that apply, the restricted family
  (or None), and whether the device is a *new install* (installed on/after the
  pack's cut-off, planned, or undated), *legacy* (installed before the cut-off)
  and on a *sensitive* site.
- :func:`judgements` — every active device's judgement, computed once per run.
- :func:`legacy_restricted` — the active legacy restricted devices: the ones
  that may stay only under a waiver and only while isolated (VP103, VP2xx).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from vmspolicy.model import Device
    from vmspolicy.rules.base import CheckContext


@dataclass(frozen=True, slots=True)
class Judgement:
    device: str
    family: str | None  # the restricted family under at least one applicable pack, else None
    packs: tuple[str, ...]  # ids of the packs that apply to the device's site
    restricting_packs: tuple[str, ...] = ()  # the applicable packs that restrict ``family``
    new_install: bool = False
    legacy: bool = False
    sensitive_site: bool = False

    @property
    def restricted(self) -> bool:
        return self.family is not None


def judgements(ctx: CheckContext) -> Mapping[str, Judgement]:
    """Every active device's judgement, by device id, computed once per run."""
    raise NotImplementedError("policy packs are being implemented (issue 3)")


def legacy_restricted(ctx: CheckContext) -> list[Device]:
    """Active restricted devices installed before the cut-off of a pack that restricts them."""
    found = judgements(ctx)
    return [d for d in ctx.estate.devices.values() if d.active and d.id in found and found[d.id].legacy]


def pack(ctx: CheckContext, pack_id: str) -> Mapping[str, Any] | None:
    """The pack with id ``pack_id`` among those registered for this run."""
    for candidate in ctx.packs:
        if candidate.get("id") == pack_id:
            return candidate
    return None
