"""The AST classes behave as `@dataclass(frozen=True, slots=True)` classes would.

ast.py makes its node classes with `@frozen_node` (nodeclass.py) because
`dataclasses` was too slow at start-up. The reference here is the same source
with the real decorator: every class must agree with its dataclass twin in
fields, signature, equality, hashing, repr, frozen-ness, pickling and
copying, and in what the `dataclasses` functions say about it.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import types

import pytest

from nixlite.syntax import ast

NODE_CLASSES = [value for value in vars(ast).values()
                if isinstance(value, type) and value.__module__ == ast.__name__]


def _reference_module() -> types.ModuleType:
    """ast.py executed with `@dataclass(frozen=True, slots=True)` instead of `@frozen_node`."""
    with open(ast.__file__, encoding="utf-8") as f:
        source = f.read()
    assert source.count("@frozen_node\n") == len(NODE_CLASSES)
    source = source.replace("from nixlite.syntax.nodeclass import frozen_node\n",
                            "from dataclasses import dataclass\n")
    source = source.replace("@frozen_node\n", "@dataclass(frozen=True, slots=True)\n")
    module = types.ModuleType("nixlite.syntax.ast")  # the same module name: the same reprs
    exec(compile(source, "reference_ast.py", "exec"), module.__dict__)
    return module


REFERENCE = _reference_module()


def _samples(module, cls):
    """Two instances of `cls` from `module` that differ in their last field, and one equal to the first."""
    names = cls.__match_args__

    def value(name, variant):
        if cls is module.Pos:
            return {"file": "f.nix", "line": 3, "col": 7 + variant}[name]
        if name == "pos":
            return module.Pos("f.nix", 3, 7 + variant)
        return (name, variant)  # any hashable value: the classes do not check types

    first = cls(*[value(n, 0) for n in names])
    second = cls(*[value(n, 0) for n in names[:-1]], value(names[-1], 1))
    again = cls(*[value(n, 0) for n in names])
    return first, second, again


def test_every_node_class_is_checked():
    assert len(NODE_CLASSES) >= 25
    assert {c.__name__ for c in NODE_CLASSES} == {
        name for name, value in vars(REFERENCE).items()
        if isinstance(value, type) and dataclasses.is_dataclass(value)}


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_class_shape_matches_dataclass(cls):
    ref = getattr(REFERENCE, cls.__name__)
    assert cls.__match_args__ == ref.__match_args__
    assert cls.__slots__ == ref.__slots__
    assert cls.__doc__ == ref.__doc__
    assert [b.__name__ for b in cls.__mro__] == [b.__name__ for b in ref.__mro__]
    assert str(inspect.signature(cls)) == str(inspect.signature(ref))
    assert dataclasses.is_dataclass(cls)
    ours = [(f.name, f.type, f.default, f.init, f.repr, f.compare, f.hash, f.kw_only) for f in dataclasses.fields(cls)]
    theirs = [(f.name, f.type, f.default, f.init, f.repr, f.compare, f.hash, f.kw_only) for f in dataclasses.fields(ref)]
    assert ours == theirs
    assert repr(cls.__dataclass_params__) == repr(ref.__dataclass_params__)
    assert not hasattr(_samples(ast, cls)[0], "__dict__")  # slots only


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_instances_behave_as_dataclass_instances(cls):
    ref = getattr(REFERENCE, cls.__name__)
    a, b, a2 = _samples(ast, cls)
    ra, rb, ra2 = _samples(REFERENCE, ref)
    assert repr(a) == repr(ra) and repr(b) == repr(rb)
    assert (a == a2, a == b, a != b, a == object()) == (ra == ra2, ra == rb, ra != rb, ra == object())
    if cls is not ast.Pos:  # (Pos-valued fields: our Pos hashes like the reference's)
        assert hash(a) == hash(a2)
    assert hash(a.pos if hasattr(a, "pos") else a) == hash(ra.pos if hasattr(ra, "pos") else ra)
    assert str(a) == str(ra)
    assert a.__getstate__() == [getattr(a, n) for n in cls.__match_args__]
    for target in (a, ra):
        for name in cls.__match_args__:
            with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
                setattr(target, name, 1)
            with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{name}'"):
                delattr(target, name)
    # Another name: FrozenInstanceError as dataclasses documents it (Python 3.11's
    # slotted dataclasses fail there with a TypeError from `super`).
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
        a.other = 1
    with pytest.raises((dataclasses.FrozenInstanceError, TypeError)):
        ra.other = 1
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.copy(a) == a and copy.deepcopy(a) == a
    assert dataclasses.astuple(a) == tuple(dataclasses.astuple(x) if dataclasses.is_dataclass(x) else x
                                           for x in a.__getstate__())
    last = cls.__match_args__[-1]
    assert dataclasses.replace(a, **{last: getattr(b, last)}) == b


def test_nodes_are_their_classes_and_hash_like_field_tuples():
    pos = ast.Pos("f.nix", 1, 2)
    call = ast.Call(pos, ast.Var(pos, "f"), (ast.Int(pos, 1),))
    assert isinstance(call, ast.Expr) and type(call) is ast.Call
    assert hash(call) == hash((pos, ast.Var(pos, "f"), (ast.Int(pos, 1),)))
    assert {call: 1}[ast.Call(pos, ast.Var(pos, "f"), (ast.Int(pos, 1),))] == 1
    assert ast.Int(pos, 1) != ast.Float(pos, 1)  # the same fields, another class
    with pytest.raises(TypeError):
        ast.Int(pos)  # every field is required
