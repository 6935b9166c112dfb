"""Helpers shared by the builtin families: lazy application and function checks.

Builtins that build containers lazily (`map`, `mapAttrs`, `genList`, …) put
a `Thunk` per element that applies the user's function only when forced;
`lazy_call` makes one. `check_function` is Nix's `forceFunction`, which
accepts sets with `__functor` as well as real functions.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import is_function, type_error
from nixlite.eval.values import Attrs, Thunk, call, force


def _apply_suspended(env: tuple[Any, tuple[Any, ...]]) -> Any:
    fn, args = env
    return call(fn, *args)


def lazy_call(fn: Any, *args: Any) -> Thunk:
    """A thunk that computes `fn args…` when forced."""
    return Thunk(_apply_suspended, (fn, args))


def check_function(v: Any) -> Any:
    """Force `v` and require something callable (a function or a set with `__functor`)."""
    v = force(v)
    if is_function(v) or (type(v) is Attrs and "__functor" in v):
        return v
    raise type_error(v, "function")


def call_bool(fn: Any, *args: Any) -> bool:
    """Call a predicate and require a Boolean result (`… while a Boolean was expected`)."""
    r = call(fn, *args)
    if type(r) is not bool:
        raise type_error(r, "bool")
    return r


__all__ = ["lazy_call", "check_function", "call_bool"]
