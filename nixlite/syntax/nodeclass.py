"""`@frozen_node`: what `@dataclass(frozen=True, slots=True)` makes of a class, made cheaply.

`nixlite parse -E 1` must start in well under 150 ms. Letting `dataclasses`
process the 25 node classes of ast.py took ~20 ms at every start (it
compiles six methods per class from generated source), plus ~7 ms to import
`dataclasses` itself (which imports `inspect`). This decorator gives a class
the same behaviour for the cases the AST needs — fields declared by
annotations, all required, no defaults — at a fraction of the cost:

- `__slots__` with the class's own fields (the class is re-created, as
  dataclasses does for slots=True), `__match_args__` with all fields in order;
- `__init__(self, <fields in order>)` setting them through `object.__setattr__`
  (compiled from generated source, as dataclasses does, so that its signature
  is the real one; only when first used);
- `__eq__` (same class and equal field tuples), `__hash__` (hash of the field
  tuple), `__repr__` (`Name(field=value!r, …)`), frozen `__setattr__` and
  `__delattr__` raising `dataclasses.FrozenInstanceError`, and the
  `__getstate__`/`__setstate__` pair frozen slotted dataclasses have (pickle,
  copy) — the same code dataclasses generates, written once as closures;
- `__dataclass_fields__` and `__dataclass_params__`, made on first use, so
  that `dataclasses.fields`, `is_dataclass`, `replace` and `asdict` work as on
  a dataclass (tests/syntax/test_ast_contract.py compares both class by class).
"""

from __future__ import annotations

from operator import attrgetter


def frozen_node(cls: type) -> type:
    """The class `cls` as a frozen, slotted record of its annotated fields (see the module doc)."""
    own = tuple(cls.__dict__.get("__annotations__", ()))
    fields = getattr(cls, "__match_args__", ()) + own  # a base node's fields come first
    namespace = dict(cls.__dict__)
    namespace.pop("__dict__", None)  # (descriptors of the slot-less original)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = own
    namespace["__match_args__"] = fields
    node = type(cls)(cls.__name__, cls.__bases__, namespace)
    node.__init__ = _LazyInitializer(node, fields)
    for method in _record_methods(node, fields):
        method.__qualname__ = f"{node.__qualname__}.{method.__name__}"
        setattr(node, method.__name__, method)
    node.__dataclass_fields__ = _DataclassMetadata("fields")
    node.__dataclass_params__ = _DataclassMetadata("params")
    return node


class _LazyInitializer:
    """`node.__init__` until first used: then compiled, and put in its place.

    The parser builds nodes without calling `__init__` (fastnodes.py), so
    compiling 25 of them at every start would be wasted; reading
    `Node.__init__` (a call `Node(…)`, `inspect.signature(Node)`) makes the
    real one.
    """

    def __init__(self, node: type, fields: tuple[str, ...]) -> None:
        self.node, self.fields = node, fields

    def __get__(self, obj, owner=None):
        init = _initializer(self.node, self.fields)
        type.__setattr__(self.node, "__init__", init)
        return init if obj is None else init.__get__(obj, owner)


def _initializer(node: type, fields: tuple[str, ...]):
    """`__init__(self, a, b)` for fields a, b: compiled, so that it has the real signature."""
    params = "".join(f", {name}" for name in fields)
    body = "".join(f"    set_field(self, {name!r}, {name})\n" for name in fields) or "    pass\n"
    namespace: dict = {}
    exec(f"def __init__(self{params}):\n{body}", {"set_field": object.__setattr__}, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{node.__qualname__}.__init__"
    annotations = _annotations(node)
    init.__annotations__ = {name: annotations[name] for name in fields} | {"return": None}
    return init


def _record_methods(node: type, fields: tuple[str, ...]) -> list:
    """The value methods of a frozen record with `fields` (the same code for every class)."""
    if len(fields) == 1:
        single = attrgetter(fields[0])

        def values(obj):
            return (single(obj),)
    else:
        values = attrgetter(*fields)  # the field tuple, as dataclasses compares and hashes it

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self):
        return hash(values(self))

    def __repr__(self):
        shown = ", ".join([f"{name}={value!r}" for name, value in zip(fields, values(self))])
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name, value):
        if type(self) is node or name in fields:
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(node, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is node or name in fields:
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(node, self).__delattr__(name)

    def __getstate__(self):
        return list(values(self))

    def __setstate__(self, state):
        for name, value in zip(fields, state):
            object.__setattr__(self, name, value)  # the fields are frozen

    return [__eq__, __hash__, __repr__, __setattr__, __delattr__, __getstate__, __setstate__]


def _annotations(node: type) -> dict[str, str]:
    """Every field's annotation (strings, as `from __future__ import annotations` leaves them)."""
    merged: dict[str, str] = {}
    for klass in reversed(node.__mro__):
        merged.update(klass.__dict__.get("__annotations__", {}))
    return merged


class _DataclassMetadata:
    """`__dataclass_fields__` or `__dataclass_params__` of a node class, made when first read.

    Only code that inspects classes as dataclasses reads them, so `dataclasses`
    is imported then, not at start-up. The Field objects are copies of a field
    of a real frozen dataclass, renamed and retyped: what dataclasses would
    have made for a required field without options.
    """

    def __init__(self, which: str) -> None:
        self.which = which
        self.made: dict[type, object] = {}

    def __get__(self, obj, owner: type):
        made = self.made.get(owner)
        if made is None:
            made = self.made[owner] = _dataclass_fields(owner) if self.which == "fields" else _dataclass_params()
        return made


def _dataclass_fields(node: type) -> dict:
    import copy

    template, _ = _dataclass_template()
    annotations = _annotations(node)
    fields = {}
    for name in node.__match_args__:
        field = copy.copy(template)
        field.name, field.type = name, annotations[name]
        fields[name] = field
    return fields


def _dataclass_params():
    return _dataclass_template()[1]


_template: list = []


def _dataclass_template() -> tuple:
    """(a required field, the parameters) of a real `@dataclass(frozen=True, slots=True)`."""
    if not _template:
        import dataclasses

        @dataclasses.dataclass(frozen=True, slots=True)
        class Template:
            field: object

        _template.extend((Template.__dataclass_fields__["field"], Template.__dataclass_params__))
    return _template[0], _template[1]
