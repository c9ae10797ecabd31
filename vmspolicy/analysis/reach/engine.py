"""First-match firewall evaluation over address atoms and port codes.

Semantics (the contract VP202-VP206 and ``vmspolicy graph`` rely on):

- A site's firewalls hold its inter-zone policy. Each firewall evaluates its
  port forwards first (they come from ``internet`` and always allow), then its
  rules top-down, first match wins, then its ``default``.
- Traffic inside one zone is never filtered.
- A flow between two zones of one site, or between a zone and the internet,
  passes that site's firewalls. With several firewalls on one site a flow is
  allowed when *any* of them allows it: vmspolicy does not know their
  topology, and assuming the most permissive one can only over-report.
- A flow between zones of two sites leaves through the first site's firewalls
  and enters through the second's: both must allow it.
- A site without any firewall filters nothing; such a flow is explained as
  "no firewall at site X" (and VP206 says so for legacy devices there).
- A flow stays in its address family: an IPv4 address exchanges flows with
  IPv4 addresses only. A zone's members without an address stand for both
  families. A device without an address is anywhere in its zone: a rule
  naming it counts as naming its zone if it allows, and as naming nothing if
  it denies. A device with an address is there, and also anywhere in its
  zone's IPv6 networks (cameras configure IPv6 addresses of their own) and
  in its zone's other networks; a rule naming it names its declared address.
- Only new flows are analysed. Replies to an allowed flow are allowed and are
  not new flows: a camera answering an allowed inbound connection is not
  internet egress (the inbound connection is the finding).
- An endpoint that names nothing known fails closed: in an ``allow`` rule it
  matches everything, in a ``deny`` rule nothing.

Cost: each firewall sorts the atoms it sees into classes by its rules'
boundaries and evaluates a class once; a device is looked up, never
evaluated, so the cost grows with rules and zones, not with cameras.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from typing import Literal, Mapping

from vmspolicy.analysis.reach import ports as port_codes
from vmspolicy.analysis.reach.intervals import EMPTY, IntervalSet, contains, intersect, normalise, subtract, union
from vmspolicy.analysis.reach.space import AddressSpace
from vmspolicy.core.model import Estate, Firewall, FirewallRule, PortForward
from vmspolicy.core.records import record
from vmspolicy.core.source import Location

Direction = Literal["out", "in"]  # out: the atom starts the flow; in: the atom receives it


@record(frozen=True, slots=True)
class Decision:
    """Why one site lets a flow through: a rule, a port forward, the default, or no firewall at all."""

    kind: Literal["rule", "nat", "default", "no-firewall"]
    site: str
    firewall: str | None = None
    name: str = ""
    location: Location | None = None

    def __str__(self) -> str:
        where = f" ({self.location.path}:{self.location.line})" if self.location else ""
        if self.kind == "rule":
            return f"{self.firewall} rule '{self.name}'{where}"
        if self.kind == "nat":
            return f"{self.firewall} port forward '{self.name}'{where}"
        if self.kind == "default":
            return f"{self.firewall} default allow{where}"
        return f"no firewall at site '{self.site}'"

    @property
    def key(self) -> str:
        """A name that survives edits elsewhere in the file (for finding evidence and baselines)."""
        if self.kind == "no-firewall":
            return f"site:{self.site}:no-firewall"
        if self.kind == "default":
            return f"{self.firewall}:default"
        if self.kind == "nat":
            return f"{self.firewall}:nat:{self.name}"
        return f"{self.firewall}:{self.name}"


@record(frozen=True, slots=True)
class Grant:
    """Flows allowed between a fixed atom and ``peers`` on ``ports``, and the decisions that allow them."""

    peers: IntervalSet
    ports: IntervalSet
    decisions: tuple[Decision, ...]


@record(frozen=True, slots=True)
class Unresolved:
    """A rule endpoint that names no zone, device or network: the analysis failed closed on it."""

    firewall: str
    site: str
    rule: str
    field: str  # "from" | "to"
    value: str
    location: Location


@record(frozen=True, slots=True)
class _Rule:
    """A firewall rule as the reachability engine evaluates it: its address and port sets as intervals."""

    source: IntervalSet
    destination: IntervalSet
    ports: IntervalSet
    allow: bool
    decision: Decision


FULL_PORTS = port_codes.ALL_PORTS


@dataclass
class CompiledFirewall:
    """One firewall's rules as atom and port sets, with evaluation cached per class of atoms."""

    firewall: Firewall
    rules: list[_Rule]
    default_allow: bool
    default: Decision
    size: int
    _bounds: dict[str, list[int]] = field(default_factory=dict)
    _cache: dict[tuple[str, int], list[Grant]] = field(default_factory=dict)
    # Per direction: the rules that apply to each class, as a segment tree over the classes (leaves, node → rules).
    _applies: dict[str, tuple[int, dict[int, list[int]]]] = field(default_factory=dict)

    def evaluate(self, direction: Direction, atom: int) -> list[Grant]:
        """What this firewall allows between ``atom`` and every other atom, in ``direction``."""
        # Atoms between two consecutive cuts are matched by the same rules: one evaluation serves them all.
        key = (direction, bisect_right(self._class_bounds(direction), atom) - 1)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._sweep(direction, atom)
        return cached

    def applicable(self, direction: Direction, atom: int) -> list[_Rule]:
        """The rules whose own side (``from`` for ``out``, ``to`` for ``in``) holds ``atom``, in order.

        Looked up in a segment tree over the classes rather than asked of every rule: a firewall with a rule
        per camera would otherwise cost classes x rules.
        """
        bounds = self._class_bounds(direction)
        index = self._applies.get(direction)
        if index is None:
            index = self._applies[direction] = self._segment_tree(direction, bounds)
        leaves, nodes = index
        node = leaves + bisect_right(bounds, atom) - 1
        found: list[int] = []
        while node:
            found.extend(nodes.get(node, ()))
            node >>= 1
        return [self.rules[number] for number in sorted(found)]

    def _class_bounds(self, direction: Direction) -> list[int]:
        """Where the classes of atoms begin: at each end of each rule's own side."""
        bounds = self._bounds.get(direction)
        if bounds is None:
            cuts: set[int] = {0, self.size}
            for rule in self.rules:
                for start, end in rule.source if direction == "out" else rule.destination:
                    cuts.update((start, end))
            bounds = self._bounds[direction] = sorted(cuts)
        return bounds

    def _segment_tree(self, direction: Direction, bounds: list[int]) -> tuple[int, dict[int, list[int]]]:
        # Each rule is noted at the few nodes whose classes its side covers wholly; a class's rules lie on its path to the root.
        leaves = 1
        while leaves < len(bounds) - 1:
            leaves *= 2
        at = {point: number for number, point in enumerate(bounds)}
        nodes: dict[int, list[int]] = {}
        for number, rule in enumerate(self.rules):
            for start, end in rule.source if direction == "out" else rule.destination:
                low, high = leaves + at[start], leaves + at[end]
                while low < high:
                    if low & 1:
                        nodes.setdefault(low, []).append(number)
                        low += 1
                    if high & 1:
                        high -= 1
                        nodes.setdefault(high, []).append(number)
                    low >>= 1
                    high >>= 1
        return leaves, nodes

    def _sweep(self, direction: Direction, atom: int) -> list[Grant]:
        outgoing = direction == "out"
        applicable = self.applicable(direction, atom)
        # Where each rule's ports begin and end to match: sweeping the port line visits each slice of it
        # with just the rules that match there, instead of asking every rule at every slice (a backup whose
        # rules each open their own port would cost rules x ports).
        opening: dict[int, list[int]] = {}
        closing: dict[int, list[int]] = {}
        for index, rule in enumerate(applicable):
            for start, end in rule.ports:
                opening.setdefault(start, []).append(index)
                closing.setdefault(end, []).append(index)
        edges = sorted({FULL_PORTS[0][0], FULL_PORTS[0][1], *opening, *closing})
        found: dict[tuple[IntervalSet, Decision], list[tuple[int, int]]] = {}
        # Slices matched by the same rules get the same answer: worked out once.
        answers: dict[tuple[int, ...], list[tuple[IntervalSet, Decision]]] = {}
        active: list[int] = []  # indices into applicable, in rule order
        for low, high in itertools.pairwise(edges):
            for index in closing.get(low, ()):
                del active[bisect_left(active, index)]
            for index in opening.get(low, ()):
                insort(active, index)
            matching = tuple(active)
            answer = answers.get(matching)
            if answer is None:
                answer = answers[matching] = self._first_match([applicable[i] for i in matching], outgoing)
            for key in answer:
                found.setdefault(key, []).append((low, high))
        return [Grant(peers, normalise(spans), (decision,)) for (peers, decision), spans in found.items()]

    def _first_match(self, matching: list[_Rule], outgoing: bool) -> list[tuple[IntervalSet, Decision]]:
        """What the rules matching one slice of ports allow, top-down, first match wins, then the default."""
        allowed: list[tuple[IntervalSet, Decision]] = []
        remaining: IntervalSet = ((0, self.size),)
        for rule in matching:
            taken = intersect(remaining, rule.destination if outgoing else rule.source)
            if not taken:
                continue
            if rule.allow:
                allowed.append((taken, rule.decision))
            remaining = subtract(remaining, taken)
            if not remaining:
                break
        if remaining and self.default_allow:
            allowed.append((remaining, self.default))
        return allowed


class Reachability:
    """Which new flows the estate's firewalls allow, per atom, with the rules that allow them."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.zone_order = {zone_id: i for i, zone_id in enumerate(estate.zones)}
        endpoints: list[str] = []
        for firewall in estate.firewalls:
            endpoints.extend(e for r in firewall.rules for e in (r.source, r.destination))
            endpoints.extend(e for n in firewall.nat for e in (n.source, n.destination))
        self.space = AddressSpace.build(estate, endpoints)
        self.unresolved: list[Unresolved] = []
        self.firewalls: dict[str, list[CompiledFirewall]] = {}
        for firewall in estate.firewalls:
            self.firewalls.setdefault(firewall.site, []).append(self._compile(firewall))
        self._flows: dict[tuple[Direction, int], list[Grant]] = {}
        self._site_cache: dict[tuple[str, Direction, int], list[Grant]] = {}
        self._peers: dict[tuple[Direction, IntervalSet], Mapping[str | None, list[tuple[IntervalSet, tuple[Decision, ...]]]]] = {}

    def _compile(self, firewall: Firewall) -> CompiledFirewall:
        space = self.space
        everything: IntervalSet = ((0, space.size),)
        compiled: list[_Rule] = []
        entries: list[tuple[FirewallRule | PortForward, str]] = [(n, "nat") for n in firewall.nat]
        entries.extend((r, "rule") for r in firewall.rules)
        for entry, kind in entries:
            allow = kind == "nat" or entry.action == "allow"
            sides: list[IntervalSet] = []
            for field_name, value in (("from", entry.source), ("to", entry.destination)):
                resolved = space.endpoint(value)
                if resolved is not None and not allow and space.unplaced(value):
                    # A device without an address could be anywhere in its zone: an allow naming it may
                    # reach all of it, a deny naming it cannot be shown to stop anything.
                    resolved = EMPTY
                if resolved is None:
                    self.unresolved.append(
                        Unresolved(firewall.id, firewall.site, entry.name, field_name, value, entry.origin.loc(field_name))
                    )
                    resolved = everything if allow else EMPTY
                sides.append(resolved)
            decision = Decision(
                "nat" if kind == "nat" else "rule", firewall.site, firewall.id, entry.name, entry.origin.loc()
            )
            compiled.append(_Rule(sides[0], sides[1], port_codes.port_set(entry.ports), allow, decision))
        default = Decision("default", firewall.site, firewall.id, "default", firewall.origin.loc("default"))
        return CompiledFirewall(firewall, compiled, firewall.default == "allow", default, space.size)

    def site_grants(self, site: str, direction: Direction, atom: int) -> list[Grant]:
        """What the firewalls of ``site`` allow between ``atom`` and any atom, in ``direction``."""
        key = (site, direction, atom)
        cached = self._site_cache.get(key)
        if cached is not None:
            return cached
        firewalls = self.firewalls.get(site)
        if not firewalls:
            grants = [Grant(((0, self.space.size),), FULL_PORTS, (Decision("no-firewall", site),))]
        else:
            grants = [g for fw in firewalls for g in fw.evaluate(direction, atom)]
        self._site_cache[key] = grants
        return grants

    def flows(self, direction: Direction, atom: int) -> list[Grant]:
        """New flows between ``atom`` and atoms of other zones (or the internet) that every firewall on the way allows.

        ``out``: flows ``atom`` starts; ``in``: flows that reach ``atom``. Each
        grant's decisions name the deciding rule of each site on the way, the
        atom's own site first.
        """
        key = (direction, atom)
        cached = self._flows.get(key)
        if cached is not None:
            return cached
        space = self.space
        own_zone = space.owner[atom]
        own_site = space.site_of_atom(atom)
        primary = (
            self.site_grants(own_site, direction, atom)
            if own_site is not None
            else [Grant(((0, space.size),), FULL_PORTS, ())]
        )
        out: list[Grant] = []
        for grant in primary:
            # A flow stays in its address family (IPv4 to IPv4); members without an address talk to both.
            for start, end, zone_id in space.blocks_in(grant.peers, space.family[atom]):
                if zone_id == own_zone:
                    continue  # inside one zone nothing is filtered, and nothing is news
                peer_site = self.estate.zones[zone_id].site if zone_id is not None else None
                if peer_site is None or peer_site == own_site:
                    out.append(Grant(((start, end),), grant.ports, grant.decisions))
                    continue
                for other in self.site_grants(peer_site, direction, atom):
                    peers = intersect(((start, end),), other.peers)
                    codes = intersect(grant.ports, other.ports)
                    if peers and codes:
                        out.append(Grant(peers, codes, grant.decisions + other.decisions))
        self._flows[key] = out
        return out

    def allows(self, direction: Direction, atom: int, peer: int, code: int) -> tuple[Decision, ...] | None:
        """The decisions allowing one flow between two atoms on one port code, or None if it is denied."""
        owner = self.space.owner[atom]
        if owner is not None and owner == self.space.owner[peer]:
            return ()  # one zone: never filtered
        for grant in self.flows(direction, atom):
            if contains(grant.peers, peer) and contains(grant.ports, code):
                return grant.decisions
        return None

    def peers(self, direction: Direction, atoms: IntervalSet) -> Mapping[str | None, list[tuple[IntervalSet, tuple[Decision, ...]]]]:
        """Allowed flows of a set of atoms grouped by peer zone (None: the internet), ports merged per decision chain.

        Worked out once per set of atoms and shared: every camera of a zone may be anywhere in the zone's
        IPv6 networks, and those networks hold an atom per address a rule names (a rule per camera).
        """
        key = (direction, atoms)
        known = self._peers.get(key)
        if known is not None:
            return known
        grouped: dict[str | None, dict[tuple[Decision, ...], IntervalSet]] = {}
        for start, end in atoms:
            for atom in range(start, end):
                for grant in self.flows(direction, atom):
                    for _, _, zone_id in self.space.blocks_in(grant.peers):
                        chains = grouped.setdefault(zone_id, {})
                        chains[grant.decisions] = union(chains.get(grant.decisions, EMPTY), grant.ports)
        found = self._peers[key] = {peer: [(codes, chain) for chain, codes in chains.items()] for peer, chains in grouped.items()}
        return found

