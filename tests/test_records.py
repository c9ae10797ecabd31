"""Records: value classes that mypy treats as frozen and that stay cheap to define and create."""

from __future__ import annotations

import dataclasses
import pickle
import textwrap
from pathlib import Path

from vmspolicy.core.records import record
from vmspolicy.core.source import Location


@record(frozen=True, slots=True)
class _Point:
    x: int
    y: int = 0


def test_records_compare_and_hash_by_value_like_frozen_dataclasses() -> None:
    assert _Point(1, 2) == _Point(1, 2) and _Point(1, 2) != _Point(2, 1)
    assert hash(_Point(1, 2)) == hash(_Point(1, 2))
    assert len({_Point(1), _Point(1), _Point(2)}) == 2
    assert dataclasses.replace(_Point(1, 2), y=5) == _Point(1, 5)
    assert not hasattr(_Point(1), "__dict__")  # slotted: a 100,000-camera estate holds millions of them


@record(frozen=True, slots=True, eq=False)
class _Handle:
    x: int


def test_eq_false_keeps_identity_and_order_true_sorts() -> None:
    one = _Handle(1)
    assert one != _Handle(1)  # a handle, not a value
    assert hash(one) == object.__hash__(one)
    assert sorted([Location("b.yaml", 1, 1), Location("a.yaml", 9, 9)])[0].path == "a.yaml"


def test_records_survive_pickling_for_parallel_loading() -> None:
    # --jobs sends located data and findings back from worker processes.
    here = Location("cameras.yaml", 3, 7)
    assert pickle.loads(pickle.dumps(here)) == here


def test_the_type_checker_treats_records_as_frozen(tmp_path: Path) -> None:
    from mypy import api

    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent("""
        from vmspolicy.core.source import Location
        here = Location("a.yaml", 1, 1)
        here.line = 2
    """))
    out, _, status = api.run(["--no-incremental", "--follow-imports=silent", str(sample)])
    assert status == 1
    assert 'Property "line" defined in "Location" is read-only' in out
