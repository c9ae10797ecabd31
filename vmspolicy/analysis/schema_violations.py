"""A manifest document's schema violations (VP002): the records they break, and the first ones in words.

Every violation is read, because a record that breaks the schema is judged differently (a waiver
that breaks it excuses nothing; a firewall that breaks it proves nothing, VP206). Only the first
:data:`SHOWN` are put in words and reported one by one; the others are counted, by section and
kind, in one more finding. A file of a million wrong items thus costs seconds and megabytes instead
of a million messages (README: Limits), and it still fails: nothing it holds goes unmentioned.
"""

from __future__ import annotations

from collections import Counter
from typing import Final, Iterator, Mapping

from vmspolicy.core.records import record
from vmspolicy.core.schemas import SchemaError, Violation, error_count, error_position, explain, explain_first
from vmspolicy.core.schemas import violations as schema_violations
from vmspolicy.core.source import LocatedMap, Pos

SHOWN: Final = 100
"""Schema errors of one manifest document reported one by one; the rest are counted in one finding."""

Record = tuple[str, str | int]
"""A record of a manifest: (section, index); index 0 for a section written as one mapping."""
Path = tuple[str | int, ...]


@record(frozen=True, slots=True)
class SchemaCheck:
    """What the schema says of one manifest document."""

    errors: tuple[SchemaError, ...]  # the first SHOWN, in words, by position
    broken: Mapping[Record, frozenset[Path]]  # each record that breaks the schema: the paths inside it that are wrong
    invalid: frozenset[tuple[str, int]]  # (section, index) of the records broken; index -1 for a malformed section
    firewalls: Mapping[int | None, tuple[Violation, ...]]  # the first violations of each firewall record; None: the section
    omitted: tuple[tuple[str, int], ...]  # (kind, count) of the errors not reported one by one, most frequent first
    omitted_at: Pos | None  # where the first of them is

    def first_firewall_error(self, data: LocatedMap, index: int) -> SchemaError | None:
        """The first error, by position, of firewall record ``index`` (else of the section), in words."""
        found = self.firewalls.get(index) or tuple(v for vs in self.firewalls.values() for v in vs)
        errors = explain("manifest", data, found)
        return errors[0] if errors else None

    def omitted_message(self) -> str:
        """The finding that counts the errors not reported one by one."""
        total = sum(count for _, count in self.omitted)
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in self.omitted[:5])
        more = f" and {len(self.omitted) - 5:,} more kinds" if len(self.omitted) > 5 else ""
        return (
            f"{total:,} more schema errors in this file are not listed one by one (only the first {SHOWN} are): "
            f"{kinds}{more}; fix those shown and check again to see the rest"
        )


def check_manifest(data: LocatedMap) -> SchemaCheck:
    """Validate one manifest document: every violation is read, the first :data:`SHOWN` explained."""
    broken: dict[Record, set[Path]] = {}
    invalid: set[tuple[str, int]] = set()
    firewalls: dict[int | None, list[Violation]] = {}
    kept: list[Violation] = []
    # Counted by section and failing keyword's place in the schema (put in words once, at the end): a file
    # may hold millions of errors past those listed.
    uncounted: Counter[tuple[str | int | None, tuple[str | int, ...]]] = Counter()
    omitted_at: Pos | None = None
    violations = _read(data, broken, invalid, firewalls)
    for violation in violations:
        kept.append(violation)
        if len(kept) == SHOWN:
            break
    for violation in violations:
        uncounted[violation.path[0] if violation.path else None, violation.schema_path] += 1
        if omitted_at is None:
            omitted_at = error_position("manifest", data, violation)
    omitted: Counter[str] = Counter()
    for (section, schema_path), count in uncounted.items():
        omitted[_kind(Violation("", (section,) if section is not None else (), schema_path))] += count
    errors, left = explain_first("manifest", data, kept, SHOWN)
    for violation, count in left:
        omitted[_kind(violation)] += count
        # The first error of it not put in words: past those that were.
        at = error_position("manifest", data, violation, error_count("manifest", data, violation) - count)
        omitted_at = at if omitted_at is None else min(omitted_at, at)
    return SchemaCheck(
        errors=tuple(errors),
        broken={key: frozenset(paths) for key, paths in broken.items()},
        invalid=frozenset(invalid),
        firewalls={key: tuple(found) for key, found in firewalls.items()},
        omitted=tuple(sorted(omitted.items(), key=lambda item: (-item[1], item[0]))),
        omitted_at=omitted_at,
    )


def _read(
    data: LocatedMap,
    broken: dict[Record, set[Path]],
    invalid: set[tuple[str, int]],
    firewalls: dict[int | None, list[Violation]],
) -> Iterator[Violation]:
    """Every violation of ``data``, noting on the way the records each breaks."""
    for violation in schema_violations("manifest", data):
        path = violation.path
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
            # Only a mapping is a record: an item that is none is read by nobody (and a million of them cost nothing here).
            items = data.get(path[0])
            if isinstance(items, list) and 0 <= path[1] < len(items) and isinstance(items[path[1]], LocatedMap):
                broken.setdefault((path[0], path[1]), set()).add(path[2:])
                invalid.add((path[0], path[1]))
            if path[0] == "firewalls":
                _note(firewalls, path[1], violation)
        elif len(path) == 1 and isinstance(path[0], str):
            invalid.add((path[0], -1))  # the whole section is malformed
            if isinstance(data.get(path[0]), LocatedMap):
                broken.setdefault((path[0], 0), set()).add(())  # a section written as one record
            if path[0] == "firewalls":
                _note(firewalls, None, violation)
        yield violation


def _note(firewalls: dict[int | None, list[Violation]], key: int | None, violation: Violation) -> None:
    found = firewalls.setdefault(key, [])
    if len(found) < SHOWN:
        found.append(violation)


def _kind(violation: Violation) -> str:
    section = violation.path[0] if violation.path and isinstance(violation.path[0], str) else "top level"
    return f"in {section} ({violation.keyword})"
