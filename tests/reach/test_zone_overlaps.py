"""The zones whose networks overlap a zone's (VP201), found by the index as by a scan of every zone.

The scan below is what VP201 asked before the index: every zone against every other, in
the estate's order; the index must name the same first zone, with the same two networks.
"""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reach.estates import estate, zone
from vmspolicy.analysis.isolation import ZoneNetworks
from vmspolicy.core.model import Estate, IPNetwork, Zone

PURPOSES = ["legacy-cameras", "cameras", "corporate"]


def scanned(whole: Estate, mine: Zone) -> tuple[Zone, IPNetwork, IPNetwork] | None:
    for other in whole.zones.values():
        if other.id == mine.id or other.purpose == mine.purpose:
            continue
        for network in mine.cidrs:
            for theirs in other.cidrs:
                if network.version == theirs.version and network.overlaps(theirs):
                    return other, network, theirs
    return None


# Networks inside 10.0.0.0/24 and 2001:db8::/120 of every prefix length down to /16 and /104, so that they nest and repeat.
v4 = st.builds(lambda address, length: str(ipaddress.ip_network(f"10.0.{address >> 8}.{address & 255}/{length}", strict=False)),
               st.integers(0, 255), st.integers(16, 32))
v6 = st.builds(lambda address, length: str(ipaddress.ip_network(f"2001:db8::{address:x}/{length}", strict=False)),
               st.integers(0, 255), st.integers(104, 128))
zones = st.lists(st.tuples(st.sampled_from(PURPOSES), st.lists(st.one_of(v4, v6, st.just("0.0.0.0/0")), min_size=0, max_size=3)),
                 min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(zones)
def test_the_index_names_the_zone_a_scan_finds_first(drawn: list[tuple[str, list[str]]]) -> None:
    whole = estate([zone(f"z{i}", "a", *cidrs, purpose=purpose) for i, (purpose, cidrs) in enumerate(drawn)])
    index = ZoneNetworks(whole)
    for mine in whole.zones.values():
        assert index.overlapping(mine) == scanned(whole, mine)


def test_an_overlap_names_the_first_zone_then_the_first_networks() -> None:
    legacy = zone("legacy", "a", "10.0.1.0/24", "10.0.2.0/24", purpose="legacy-cameras")
    mates = zone("mates", "a", "10.0.1.0/25", purpose="legacy-cameras")  # same purpose: may share addresses
    wide = zone("wide", "a", "2001:db8::/32", "10.0.0.0/16", purpose="corporate")
    narrow = zone("narrow", "a", "10.0.1.128/25", purpose="corporate")
    whole = estate([mates, wide, legacy, narrow])
    found = ZoneNetworks(whole).overlapping(legacy)
    assert found is not None and (found[0].id, str(found[1]), str(found[2])) == ("wide", "10.0.1.0/24", "10.0.0.0/16")
    assert ZoneNetworks(estate([legacy, mates])).overlapping(legacy) is None
