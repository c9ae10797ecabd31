"""Records: value classes that mypy treats as frozen and that stay cheap to define and create."""

from __future__ import annotations

import builtins
import dataclasses
import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest

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


@record(frozen=True, slots=True)
class _Mixed:
    name: str
    size: int = 0
    note: str = dataclasses.field(default="", repr=False)
    cache: tuple[int, ...] = dataclasses.field(default=(), compare=False)
    weight: float = dataclasses.field(default=0.0, compare=False, hash=False)


@record(frozen=True, slots=True)
class _One:
    x: object


@record(frozen=True, slots=True)
class _Empty:
    pass


def _as_dataclass(cls: type) -> type:
    """The same fields declared with ``dataclass`` itself: the reference the records' methods are held to."""
    copy = type(cls.__name__, (), {"__annotations__": dict(cls.__annotations__), "__qualname__": cls.__qualname__,
                                   **{f.name: f for f in dataclasses.fields(cls)}})
    return dataclasses.dataclass(frozen=True, slots=True)(copy)


def test_record_methods_are_those_dataclass_generates() -> None:
    nan = float("nan")
    cases = [
        (_Mixed, [("a", 1, "x", (1,), 2.0), ("a", 1, "y", (2,), 3.0), ("b", 1), ("a", 2)]),
        (_One, [(1,), (nan,), ("s",), ((1, 2),)]),
        (_Empty, [()]),
    ]
    for cls, arguments in cases:
        reference = _as_dataclass(cls)
        for left in arguments:
            ours, theirs = cls(*left), reference(*left)
            assert repr(ours) == repr(theirs)
            assert hash(ours) == hash(theirs)
            assert (ours == ours) is (theirs == theirs)  # noqa: PLR0124 - a NaN field: the tuples compare by identity first
            for right in arguments:
                assert (ours == cls(*right)) is (theirs == reference(*right)), (left, right)
                assert (ours != cls(*right)) is (theirs != reference(*right)), (left, right)
        assert cls(*arguments[0]).__eq__(object()) is NotImplemented


def test_a_record_refers_to_itself_in_its_repr_as_dataclass_does() -> None:
    loop: list[object] = []
    holder = _One(loop)
    loop.append(holder)
    assert repr(holder) == "_One(x=[...])"


def test_defining_a_record_compiles_only_its_init(monkeypatch: pytest.MonkeyPatch) -> None:
    # dataclass compiles each generated method from source: a one-file run defines some seventy classes.
    compiled: list[str] = []
    real = builtins.exec

    def spy(source: object, *args: Any) -> Any:
        if isinstance(source, str):
            compiled.append(source.split("(", 1)[0])
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "exec", spy)

    @record(frozen=True, slots=True)
    class Defined:
        a: int
        b: str = ""

    assert len(compiled) == 1 and Defined(1) == Defined(1, "") and hash(Defined(1)) == hash((1, ""))
