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
- Comparing, hashing and ``repr`` of a record are made without compiling
  source text: ``dataclass`` compiles an ``__eq__``, a ``__hash__`` and a
  ``__repr__`` for each class, some sixteen milliseconds of a one-file
  pre-commit run for the seventy classes it defines. Records get the same
  methods built from ``operator.attrgetter`` over the same fields: equal and
  hashed as the field tuples ``(self.a, self.b)`` are, with the same ``repr``
  (``tests/test_records.py`` compares them with ``dataclass``'s own). Only
  ``__init__`` is still compiled (it stays the fastest way to create the
  millions of records of a large estate). A record with ``order=True``, or
  that writes one of those methods itself, is left to ``dataclass`` entirely.
  The one visible difference: ``__dataclass_params__`` says ``eq=False,
  repr=False``, as ``dataclass`` was asked for them; nothing reads it.
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
    import reprlib
    from operator import attrgetter

    def record(cls=None, /, *, frozen=False, **options):
        def make(klass):
            own = klass.__dict__
            if not frozen or options.get("order") or not options.get("eq", True) or options.get("repr") is False \
                    or "__eq__" in own or "__hash__" in own or "__repr__" in own:
                # unsafe_hash gives the value hash that frozen + eq would (eq=False keeps identity, as frozen does).
                return dataclasses.dataclass(klass, unsafe_hash=frozen and options.get("eq", True), **options)
            made = dataclasses.dataclass(klass, **{**options, "eq": False, "repr": False})
            _value_methods(made, dataclasses.fields(made))
            return made

        return make if cls is None else make(cls)

    def _value_methods(cls, fields):
        # What dataclass(eq=True, unsafe_hash=True, repr=True) generates, made without compiling source text.
        compared = [f.name for f in fields if f.compare]
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        shown = [f.name for f in fields if f.repr]
        values = _values(compared)
        hash_values = values if hashed == compared else _values(hashed)

        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return values(self) == values(other)
            return NotImplemented

        def __hash__(self):
            return hash(hash_values(self))

        @reprlib.recursive_repr()
        def __repr__(self):
            return self.__class__.__qualname__ + "(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in shown) + ")"

        for method in (__eq__, __hash__, __repr__):
            method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
            setattr(cls, method.__name__, method)

    def _values(names):
        # A tuple of the fields' values, as the generated methods compare and hash: (self.a, self.b).
        if len(names) == 1:
            one = attrgetter(names[0])
            return lambda obj: (one(obj),)
        if not names:
            return lambda obj: ()
        return attrgetter(*names)


__all__ = ["record"]
