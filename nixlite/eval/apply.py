"""Applying any function value: the public entry points.

`apply_one(f, arg, pos)` (implemented in `nixlite.eval.functions`, next to
closures, for speed) applies a closure, a builtin (partially: a
`PrimOpApp` until all `arity` arguments are there; arguments forced except
those declared lazy) or a set with `__functor` (called as
`set.__functor set arg`). `apply_value(f, args)` applies several arguments;
`values.call`, which builtins use, dispatches to `apply_one` directly. An
error a builtin raises without a position gets the call's position, as in
Nix — except errors marked positionless (`throw`, `abort`, `cannot compare`).
"""

from __future__ import annotations

from typing import Any

from nixlite.eval import values
from nixlite.eval.builtin_calls import call_primop
from nixlite.eval.functions import apply_one
from nixlite.eval.values import Thunk


def apply_value(fn: Any, args: tuple[Any, ...] | list[Any]) -> Any:
    """Apply a function value to arguments (values or thunks); the result is forced."""
    if type(fn) is Thunk:
        fn = fn.force()
    for arg in args:
        fn = apply_one(fn, arg, None)
    return fn


values._apply_one = apply_one  # values.call dispatches here directly

__all__ = ["apply_one", "apply_value", "call_primop"]
