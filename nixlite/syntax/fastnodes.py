"""Fast constructors for the frozen AST dataclasses of nixlite/syntax/ast.py.

A frozen dataclass's `__init__` assigns each field through
`object.__setattr__`, which costs about twice as much as the node is worth
when the parser builds hundreds of thousands of them. The classes use
`__slots__`, so each field is a slot descriptor whose `__set__` stores the
value directly. `constructor(cls)` returns a function taking the same
positional arguments as `cls(...)` that builds an identical object (same
class, same field values, equal and hashing alike) that way. The classes
themselves are unchanged: the evaluator and the printer see the same nodes.
"""

from __future__ import annotations

import dataclasses


def _slot_setter(cls, name: str):
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            return descriptor.__set__
    raise TypeError(f"{cls.__name__}.{name} is not a slot")


def constructor(cls):
    """A function `(field values in order) -> cls instance`, skipping the frozen __init__."""
    names = [field.name for field in dataclasses.fields(cls)]
    params = ", ".join(f"a{i}" for i in range(len(names)))
    sets = "".join(f"    s{i}(o, a{i})\n" for i in range(len(names)))
    source = f"def make({params}):\n    o = new(cls)\n{sets}    return o\n"
    namespace = {"new": object.__new__, "cls": cls}
    namespace.update((f"s{i}", _slot_setter(cls, name)) for i, name in enumerate(names))
    exec(source, namespace)  # one small function per class, built once at import
    make = namespace["make"]
    make.__name__ = make.__qualname__ = f"new_{cls.__name__}"
    return make


def _all_constructors():
    from types import SimpleNamespace

    from nixlite.syntax import ast

    classes = {name: value for name, value in vars(ast).items()
               if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == ast.__name__}
    return SimpleNamespace(**{name: constructor(cls) for name, cls in classes.items()})


# `new.Var(pos, name)` builds what `ast.Var(pos, name)` builds, faster.
new = _all_constructors()
