"""Fast constructors for the frozen AST dataclasses of nixlite/syntax/ast.py.

A frozen dataclass's `__init__` assigns each field through
`object.__setattr__`, which costs about twice as much as the node is worth
when the parser builds hundreds of thousands of them. `constructor(cls)`
returns a function taking the same positional arguments as `cls(...)` that
builds the object as an instance of a mutable twin class (a subclass with
the same slots and plain attribute assignment), sets the fields, and then
gives it its real class: the result is an ordinary `cls` instance (same
class, same field values, equal and hashing alike). The classes themselves
are unchanged: the evaluator and the printer see the same nodes.
"""

from __future__ import annotations


def mutable_twin(cls):
    """A subclass of `cls` adding no slots whose attributes can be assigned.

    An object built as the twin and then given `cls` as its class is exactly
    a `cls` (the layout is the same, so Python allows the class change).
    """
    namespace = {"__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__}
    return type(f"_Mutable{cls.__name__}", (cls,), namespace)


def constructor(cls):
    """A function `(field values in order) -> cls instance`, skipping the frozen __init__."""
    names = cls.__match_args__  # all fields, in order (nodeclass.py)
    params = ", ".join(f"a{i}" for i in range(len(names)))
    sets = "".join(f"    o.{name} = a{i}\n" for i, name in enumerate(names))
    source = f"def make({params}):\n    o = new(twin)\n{sets}    o.__class__ = cls\n    return o\n"
    namespace = {"new": object.__new__, "twin": mutable_twin(cls), "cls": cls}
    exec(source, namespace)  # one small function per class, built once at import
    make = namespace["make"]
    make.__name__ = make.__qualname__ = f"new_{cls.__name__}"
    return make


def _all_constructors():
    from types import SimpleNamespace

    from nixlite.syntax import ast

    # The node classes (@frozen_node, nodeclass.py); asking `dataclasses` would
    # import it and build its metadata for each class at every start.
    classes = {name: value for name, value in vars(ast).items()
               if isinstance(value, type) and "__dataclass_params__" in vars(value)
               and value.__module__ == ast.__name__}
    return SimpleNamespace(**{name: constructor(cls) for name, cls in classes.items()})


# `new.Var(pos, name)` builds what `ast.Var(pos, name)` builds, faster.
new = _all_constructors()
