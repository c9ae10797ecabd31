"""``record``: how vmspolicy declares its value classes (locations, findings, the estate model...).

``@record(frozen=True, slots=True)`` is ``@dataclass(frozen=True, slots=True)``
to the type checker, which sees the standard decorator itself: assigning to a
field of a frozen record is a type error, ``dataclasses.replace`` is checked
field by field, and ``mypy --strict`` runs in CI on every change. At run time
the class is a slotted dataclass compared and hashed by value, but *not*
frozen, deliberately:

- Python 3.11 builds every dataclass method by compiling generated source
  text when the class is defined. A frozen dataclass compiles two more of them
  (``__setattr__``, ``__delattr__``) and its ``__init__`` goes through
  ``object.__setattr__`` for every field. With some sixty record classes that
  was a tenth of a one-file pre-commit run (benchmarks/README.md), paid on
  every commit, and it slowed the creation of each of the millions of
  locations and findings of a large estate.
- Freezing was never a security boundary (``object.__setattr__`` writes to a
  frozen dataclass just as well). What it guarded against, a rule or a
  plugin changing the estate that later rules see, the type checker guards
  against: plugins are typed against these classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:
    import dataclasses

    def record(cls=None, /, *, frozen=False, **options):
        # unsafe_hash gives the value hash that frozen + eq would (eq=False keeps identity, as frozen does).
        make = dataclasses.dataclass(unsafe_hash=frozen and options.get("eq", True), **options)
        return make if cls is None else make(cls)


__all__ = ["record"]
