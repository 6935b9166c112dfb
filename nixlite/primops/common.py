"""Helpers shared by the builtin families: lazy application and function checks.

Builtins that build containers lazily (`map`, `mapAttrs`, `genList`, …) put
a `Thunk` per element that applies the user's function only when forced;
`lazy_call` makes one. `check_function` is Nix's `forceFunction`, which
accepts sets with `__functor` as well as real functions.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

from nixlite.eval.apply import apply_one
from nixlite.eval.functions import caller1, caller2
from nixlite.eval.coerce import is_function, type_error
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.eval.values import Attrs, Thunk, force, set_position


# `call1`/`call2` are `values.call` for one and two arguments without its
# generic overhead: builtins like foldl' and sort call them millions of times.
def call1(fn: Any, a: Any) -> Any:
    """`fn a`, forced."""
    if type(fn) is Thunk:
        fn = fn.force()
    return apply_one(fn, a, None)


def call2(fn: Any, a: Any, b: Any) -> Any:
    """`fn a b`, forced."""
    if type(fn) is Thunk:
        fn = fn.force()
    return apply_one(apply_one(fn, a, None), b, None)


def _apply1_suspended(env: tuple[Any, Any]) -> Any:
    fn = env[0]
    if type(fn) is Thunk:
        fn = fn.force()
    return apply_one(fn, env[1], None)


def _apply2_suspended(env: tuple[Any, Any, Any]) -> Any:
    fn = env[0]
    if type(fn) is Thunk:
        fn = fn.force()
    return apply_one(apply_one(fn, env[1], None), env[2], None)


def lazy_call(fn: Any, a: Any) -> Thunk:
    """A thunk that computes `fn a` when forced."""
    return Thunk(_apply1_suspended, (fn, a))


def lazy_call2(fn: Any, a: Any, b: Any) -> Thunk:
    """A thunk that computes `fn a b` when forced."""
    return Thunk(_apply2_suspended, (fn, a, b))


def lazy_calls(fn: Any, args: Any) -> list[Any]:
    """`[lazy_call(fn, a) for a in args]`, with the application specialised once.

    `fn` is not forced (map and genList stay lazy in it); when it already is
    a value, each thunk runs `caller1(fn)` on its argument directly.
    """
    if type(fn) is Thunk:
        if fn.code is not None:
            return [Thunk(_apply1_suspended, (fn, a)) for a in args]
        fn = fn.value
    # map over `repeat` rather than a comprehension: the loop runs in C (~1/3 faster).
    return list(map(Thunk, repeat(caller1(fn)), args))


def bool_caller(fn: Any) -> Any:
    """`caller1(fn)` for a predicate: the result must be a Boolean."""
    call = caller1(fn)

    def predicate(x: Any) -> bool:
        r = call(x)
        if r is True or r is False:
            return r
        raise type_error(r, "bool")

    return predicate


def check_function(v: Any) -> Any:
    """Force `v` and require something callable (a function or a set with `__functor`)."""
    v = force(v)
    if is_function(v) or (type(v) is Attrs and "__functor" in v):
        return v
    raise type_error(v, "function")


def call_bool(fn: Any, *args: Any) -> bool:
    """Call a predicate and require a Boolean result (`… while a Boolean was expected`)."""
    r = call1(fn, args[0]) if len(args) == 1 else call2(fn, args[0], args[1])
    if type(r) is not bool:
        raise type_error(r, "bool")
    return r


def missing_attr(name: str, builtin: str, s: Attrs) -> EvalError:
    """`attribute 'x' missing for call to 'getAttr'`, where Nix 2.8 puts it.

    Nix points at the set when it was written in the source, with the frame
    `while invoking 'getAttr'` at the call; a set built otherwise has no
    position, and then the error is at the call (which run_primop adds).
    """
    from nixlite.eval import builtin_calls

    err = EvalError(hintfmt("attribute '{}' missing for call to '{}'", name, builtin))
    where = set_position(s)
    if where is not None:
        err.pos = where
        err.add_trace(builtin_calls.running_primop_pos, hintfmt("while invoking '{}'", builtin))
    return err


__all__ = ["missing_attr", "call1", "call2", "caller1", "caller2", "lazy_call", "lazy_call2", "lazy_calls", "bool_caller", "check_function", "call_bool"]
