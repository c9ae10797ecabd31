"""Reachability: which new flows the estate's firewalls allow, and which rule allows each.

Entry points:

- :func:`analyse` — the analysis of an :class:`~vmspolicy.core.model.Estate`
  (what the benchmark harness times): ``analyse(estate).device_flows("out", device)``.
- :func:`reachability` — the same, computed once per run on a
  :class:`~vmspolicy.core.rule.CheckContext` (memo key ``"reachability"``).

The semantics are documented in :mod:`vmspolicy.analysis.reach.engine`; the address
classes that keep the cost independent of the number of cameras in
:mod:`vmspolicy.analysis.reach.space`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmspolicy.analysis.reach import ports
from vmspolicy.analysis.reach.engine import Decision, Direction, Grant, Reachability, Unresolved
from vmspolicy.analysis.reach.intervals import EMPTY, IntervalSet, subtract, union
from vmspolicy.core.model import INTERNET, Device, Estate
from vmspolicy.core.records import record

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext



@record(frozen=True, slots=True)
class Flow:
    """Allowed new flows between a device (or zone) and one peer zone or the internet, and why.

    ``direction`` ``out``: the subject starts them; ``in``: the peer does.
    """

    direction: Direction
    subject: str
    peer: str | None  # a zone id; None: the internet
    ports: IntervalSet
    decisions: tuple[Decision, ...]
    at: str | None = None  # the zone network the subject is reached at, when not the address it declares

    @property
    def subject_label(self) -> str:
        """``cam-1``, or ``cam-1 at 2001:db8:30::/64`` when the flow reaches it only at a network of its zone."""
        return self.subject if self.at is None else f"{self.subject} at {self.at}"

    @property
    def peer_label(self) -> str:
        return INTERNET if self.peer is None else self.peer

    @property
    def arrow(self) -> str:
        """``cam-1 → internet tcp/443`` (or ``internet → cam-1 ...``)."""
        ends = (self.subject_label, self.peer_label) if self.direction == "out" else (self.peer_label, self.subject_label)
        return f"{ends[0]} → {ends[1]} {ports.describe(self.ports)}"

    def explain(self) -> str:
        """``hq-fw rule 'cams-update' (network/firewall.yaml:23) allows cam-1 → internet tcp/443``."""
        return f"{' and '.join(str(d) for d in self.decisions)} allow{'s' if len(self.decisions) < 2 else ''} {self.arrow}"

    @property
    def evidence(self) -> str:
        """Flow and rule names only, no positions: stable across edits elsewhere (baselines)."""
        ends = (self.subject_label, self.peer_label) if self.direction == "out" else (self.peer_label, self.subject_label)
        return f"{ends[0]}->{ends[1]} {ports.describe(self.ports)} via {'+'.join(d.key for d in self.decisions)}"


def analyse(estate: Estate) -> Reachability:
    """The reachability analysis of ``estate`` (flows are computed lazily, per address class)."""
    return Reachability(estate)


def reachability(ctx: CheckContext) -> Reachability:
    """The run's analysis, computed once and shared by VP201-VP206 and the graph."""
    return ctx.analyses.reachability


def device_flows(analysis: Reachability, direction: Direction, device: Device) -> list[Flow]:
    """Allowed new flows of ``device`` to (``out``) or from (``in``) other zones and the internet.

    Ordered by peer (the internet first, then zones as declared); for each
    peer, the flows of the address the device declares come first, then those
    of the other networks of its zone where it may hold addresses (its
    zone's IPv6 prefixes, a second prefix: see
    :meth:`~vmspolicy.analysis.reach.space.AddressSpace.places_of_device`), each named
    with that network and holding only what the declared address does not
    already show. One :class:`Flow` per peer, place and decision chain.
    """
    order = analysis.zone_order
    seen: dict[tuple[str | None, tuple[Decision, ...]], IntervalSet] = {}
    flows: list[Flow] = []
    for network, atoms in analysis.space.places_of_device(device):
        grouped = analysis.peers(direction, atoms)
        for peer in grouped:
            for codes, chain in grouped[peer]:
                shown = seen.get((peer, chain), EMPTY)
                new = subtract(codes, shown)
                if new:
                    seen[(peer, chain)] = union(shown, new)
                    flows.append(Flow(direction, device.id, peer, new, chain, None if network is None else str(network)))
    # Stable: within one peer, the declared address first, then the networks in the zone's order.
    return sorted(flows, key=lambda f: -1 if f.peer is None else order.get(f.peer, len(order)))


__all__ = ["Decision", "Direction", "Flow", "Grant", "Reachability", "Unresolved", "analyse", "device_flows", "reachability"]
