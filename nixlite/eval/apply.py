"""Applying any function value: closures, builtins (partially or fully), functors.

`apply_one(f, arg, pos)` is what the compiled code calls for `f arg`;
`apply_value(f, args)` is what primops call through `values.call`. A builtin
gets its arguments forced except those it declares lazy, and runs once all
`arity` arguments are there (until then the value is a `PrimOpApp`). An error
a builtin raises without a position gets the call's position, as in Nix —
except errors marked positionless (`throw`, `abort`, `cannot compare …`). A set with
`__functor` is called as `set.__functor set arg`.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.errors import TypeError_
from nixlite.eval import values
from nixlite.eval.builtin_calls import run_primop
from nixlite.eval.functions import Closure, call_closure
from nixlite.eval.values import Attrs, PrimOp, PrimOpApp, Thunk, type_name


def apply_one(f: Any, arg: Any, pos: Any) -> Any:
    """`f arg` where `f` is a forced value and `arg` a value or thunk; the result is forced."""
    t = type(f)
    if t is Closure:
        return call_closure(f, arg, pos)
    if t is PrimOp:
        if f.arity == 1:
            return call_primop(f, (arg,), pos)
        return PrimOpApp(f, (arg,))
    if t is PrimOpApp:
        args = f.args + (arg,)
        if len(args) == f.primop.arity:
            return call_primop(f.primop, args, pos)
        return PrimOpApp(f.primop, args)
    if t is Attrs and "__functor" in f:
        functor = f["__functor"]
        if type(functor) is Thunk:
            functor = functor.force()
        return apply_one(apply_one(functor, f, pos), arg, pos)
    if isinstance(f, Closure):  # a subclass (none today), kept for safety
        return call_closure(f, arg, pos)
    raise TypeError_(f"attempt to call something which is not a function but {type_name(f)}", pos)


def call_primop(op: PrimOp, args: tuple[Any, ...], pos: Any) -> Any:
    """Run a builtin on all its arguments."""
    lazy = op.lazy
    if lazy:
        forced = [a if i in lazy or type(a) is not Thunk else a.force() for i, a in enumerate(args)]
    else:
        forced = [a.force() if type(a) is Thunk else a for a in args]
    return run_primop(op, tuple(forced), pos)


def apply_value(fn: Any, args: tuple[Any, ...] | list[Any]) -> Any:
    """Apply a function value to arguments (values or thunks); the result is forced."""
    if type(fn) is Thunk:
        fn = fn.force()
    for arg in args:
        fn = apply_one(fn, arg, None)
    return fn


values._apply_one = apply_one  # values.call dispatches here directly

__all__ = ["apply_one", "apply_value", "call_primop"]
