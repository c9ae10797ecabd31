"""The verdict store: each device's vendor verdict kept from one run to the next, so that a run identifies only what changed.

A verdict is computed from a device's facts (:class:`~vmspolicy.analysis.identify.DeviceFacts`:
its vendor, model, MAC, streams, serial, name, notes, firmware, ONVIF answer and the date
that places it in a relabel's window) and the vendor data alone. The store keeps, for each
file devices were read from, the verdicts of that file's devices by their facts; a run
looks every device's facts up there and identifies only the devices whose facts it does not
find (``CheckContext.known_verdicts``), so a device edited, added, or planned and judged on
another day is identified afresh.

The rest of what a verdict depends on is the store's key: the load cache's fingerprint
(:mod:`vmspolicy.run.cache`: vmspolicy's code and data, the plugins and their versions, and
the vendor data plugins contribute). The entries are the load cache's own kind, in the
``verdicts`` folder of its folder: signed with the user's secret (an entry written by anyone
else, or damaged, is ignored and the verdicts computed again), unpickled only into
vmspolicy's classes, written atomically, pruned least recently used first. The store is kept
exactly when the load cache is (``--no-cache``, ``VMSPOLICY_NO_CACHE``, ``cache: false``
and the cache's own guards turn both off).

A file's entry is written again only when its devices needed a verdict it did not hold, and
then with the verdicts of the file's devices of this run alone, so that it does not grow
with the file's history; a commit that touches one file rewrites that file's entry only.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import TYPE_CHECKING, Callable

from vmspolicy.analysis.identify import DeviceFacts, KnownVerdicts, Verdict
from vmspolicy.run.cache import LoadCache, fingerprint

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.core.model import Estate

FOLDER = "verdicts"
"""The store's folder inside the load cache's folder."""

MAX_BYTES = 128 * 1024 * 1024
"""Above this, the least recently used entries are removed (a 100,000-camera estate's verdicts take about 11 MB)."""


_fields = operator.attrgetter(*(f.name for f in dataclasses.fields(Verdict)))


class VerdictStore:
    """The vendor verdicts that earlier runs computed, by the file their devices were read from."""

    def __init__(self, cache: LoadCache) -> None:
        self.entries = LoadCache(cache.folder / FOLDER, cache.secret, cache.fingerprint, root=cache.run_folder)

    def key(self, path: str) -> str:
        """The name of the entry holding the verdicts of the devices read from the file reported as ``path``."""
        return fingerprint((self.entries.fingerprint, "vendor verdicts", path))

    def known(self, estate: Estate, verbose: Callable[[str], None]) -> KnownVerdicts:
        """The verdicts kept for the devices of every file ``estate`` read devices from, by their facts."""
        kept: dict[DeviceFacts, Verdict] = {}
        for path in sorted({device.origin.path for device in estate.devices.values()}):
            entry = self.entries.get(self.key(path))
            if isinstance(entry, dict):
                kept.update(entry)
        verbose(f"cache: {len(kept)} vendor verdict(s) taken from {self.entries.folder}")
        self._say_problems(verbose)
        return KnownVerdicts(kept)

    def keep(self, ctx: CheckContext, verbose: Callable[[str], None]) -> None:
        """Store the verdicts of each file whose devices needed one the store did not hold (none when nothing was identified)."""
        memory = ctx.known_verdicts
        if memory is None or not memory.added:
            return
        devices, verdicts = ctx.estate.devices, ctx.analyses.vendor_verdicts
        by_file: dict[str, dict[tuple[object, ...], Verdict]] = {devices[device_id].origin.path: {} for device_id in memory.added}
        # Most devices share a verdict with many others (a known maker, no restricted evidence: 95% of a generated
        # estate's), which is then kept once and unpickled once; the facts are kept as plain tuples, equal to
        # DeviceFacts and hashed alike, which unpickle without a Python call each.
        # (Found equal by their fields' tuple, which hashes in C where a record's own methods are Python.)
        shared: dict[tuple[object, ...], Verdict] = {}
        for device_id, facts in memory.facts.items():
            entry = by_file.get(devices[device_id].origin.path)
            if entry is not None:
                verdict = verdicts[device_id]
                entry[tuple(facts)] = shared.setdefault(_fields(verdict), verdict)
        for path in sorted(by_file):
            self.entries.put(self.key(path), by_file[path], deferrable=True)  # made here, of records nothing changes
        verbose(f"cache: {len(memory.added)} vendor verdict(s) computed afresh, kept with the others of {len(by_file)} file(s) in "
                f"{self.entries.folder}")
        self.entries.prune(MAX_BYTES)
        self._say_problems(verbose)

    def _say_problems(self, verbose: Callable[[str], None]) -> None:
        for problem in self.entries.problems:
            verbose(f"cache: {problem}")
        self.entries.problems.clear()


__all__ = ["FOLDER", "MAX_BYTES", "VerdictStore"]
