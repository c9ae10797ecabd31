"""Sets of integers as sorted, disjoint, half-open intervals.

Both dimensions of the reachability analysis are integer lines: address
classes (atoms) and protocol/port codes. A set is a tuple of ``(start, end)``
pairs, sorted, disjoint and never adjacent, so equal sets are equal tuples.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

Interval = tuple[int, int]
IntervalSet = tuple[Interval, ...]

EMPTY: IntervalSet = ()


def normalise(intervals: Iterable[Interval]) -> IntervalSet:
    """Sort and merge overlapping or adjacent intervals; drop empty ones."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def from_points(points: Iterable[int]) -> IntervalSet:
    """The set holding exactly ``points``."""
    return normalise((p, p + 1) for p in points)


def contains(intervals: IntervalSet, point: int) -> bool:
    """True when ``point`` lies in the set (binary search)."""
    index = bisect_right(intervals, (point, float("inf"))) - 1
    return index >= 0 and intervals[index][0] <= point < intervals[index][1]


def intersect(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Points in both sets (a linear merge)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Points of ``a`` not in ``b`` (a linear merge)."""
    out: list[Interval] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return tuple(out)


def union(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Points in either set."""
    return normalise((*a, *b))

