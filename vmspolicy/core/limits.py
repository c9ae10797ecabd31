"""How much structure a reader builds of one file: the node limit (``max_nodes:`` in the configuration)
and the record limit (``max_records:``).

The input-size limit bounds bytes, but what time and memory a file costs follows what is built
of it: 64 MiB of ``[1, 1, 1, ...]`` hold some thirty million scalars, each an object, a position
and a schema check. So every reader that can build many nodes counts them as it builds and stops
at the first one past the limit, before the memory for the rest is spent: YAML and JSON count
mappings, sequences and scalars (keys included), XML its elements and attributes, FortiOS and
Cisco ASA configurations their words. The file is then VP001 at that node, naming the limit and
where it is set.

A record costs far more than a node: it is modelled, identified, judged, and it may be a
finding in every report (about 90 µs and 5 KB each, measured in benchmarks/README.md), so a
file of a million one-key cameras fits the node limit and still takes minutes and gigabytes.
The records one file gives (sites, zones, devices, firewalls and their rules and port
forwards, waivers, scanned hosts) are therefore counted once it is read, and a file with
more than ``max_records`` is VP001 at the first record past the limit, before any is judged.
"""

from __future__ import annotations

from typing import Final

from vmspolicy.core.records import record
from vmspolicy.core.source import Pos
from vmspolicy.core.text import ParseError

MAX_NODES: Final = 3_000_000
"""Nodes read of one file unless ``max_nodes`` says otherwise: a 100,000-camera manifest (22 MB) has about 1.95 million."""


MAX_RECORDS: Final = 120_000
"""Records taken from one file unless ``max_records`` says otherwise: a 100,000-camera manifest gives about 101,000."""


MAX_CONTAINERS = 1_000_000
"""Mappings and sequences of one YAML or JSON file, or a third of ``max_nodes`` when that is more: located, each
costs about 770 bytes, three times a scalar, so three million nested lists would take 2.3 GB; a 100,000-camera
manifest has about 144,000 among its 1.95 million nodes."""


class TooManyNodes(ParseError):
    """A file with more nodes than the limit: VP001 at the first node past it."""


@record(frozen=True, slots=True)
class NodeLimit:
    """The most nodes a reader builds of one file, and the words that say where that number is set."""

    nodes: int = MAX_NODES
    setting: str = "the default; raise max_nodes in the configuration to read it"

    @property
    def containers(self) -> int:
        """The most mappings and sequences among the nodes: :data:`MAX_CONTAINERS`, or a third of the nodes when that is more."""
        return max(MAX_CONTAINERS, self.nodes // 3)

    def refused_containers(self, pos: Pos) -> TooManyNodes:
        """The parse error at the first mapping or sequence past :attr:`containers`."""
        return TooManyNodes(
            f"the file holds more than the {self.containers:,} mappings and sequences a file may have (each costs three "
            f"times a scalar; more with a max_nodes above {3 * MAX_CONTAINERS:,}: {self.setting}); it was read no further",
            *pos,
        )

    def refused(self, what: str, pos: Pos) -> TooManyNodes:
        """The parse error at the first node past the limit; ``what`` names the nodes the reader counts."""
        return TooManyNodes(
            f"the file holds more than the {self.nodes:,} {what} a file may have ({self.setting}); it was read no further",
            *pos,
        )
